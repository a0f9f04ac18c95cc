package boxd.ssh.verbs;

import boxd.common.Box;
import boxd.common.BoxSpec;
import boxd.common.BoxdException;
import boxd.common.ErrorCode;
import boxd.common.Names;
import boxd.common.ObservedState;

import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/** {@code new [--name N] [--cpus C] [--mem M] [--disk D] [--image I] [--timeout S] [--no-wait]}. */
final class NewVerb implements Verb {
    static final int DEFAULT_TIMEOUT_S = 30;

    @Override public String name() { return "new"; }

    @Override public String usage() { return "new [--name NAME] [--cpus N] [--mem SIZE] [--disk SIZE] [--image IMAGE] [--timeout S] [--no-wait]"; }

    @Override public String summary() { return "create a box and wait until it runs"; }

    @Override public String details() {
        return "--mem takes 512M or 2G (default 512M), --disk 10G (default 4G); --timeout is in seconds (default "
                + DEFAULT_TIMEOUT_S + "); --no-wait returns as soon as the box is recorded.";
    }

    @Override public ArgSpec spec() {
        return new ArgSpec(name()).value("name").value("cpus").value("mem").value("disk").value("image")
                .value("timeout").bool("no-wait").positional(0, 0);
    }

    @Override
    public int run(Args a, VerbContext ctx) throws InterruptedException {
        String name = a.value("name");
        if (name != null) Names.requireLabel("box name", name);
        BoxSpec d = BoxSpec.DEFAULT;
        int cpus = a.intValue("cpus", d.cpus(), 1, 64);
        int mem = a.has("mem") ? size("mem", a.value("mem"), 1, "M") : d.memoryMb();
        int disk = a.has("disk") ? size("disk", a.value("disk"), 1024, "G") : d.diskGb();
        String image = a.value("image") == null ? d.image() : a.value("image");
        if (!image.matches("[a-z0-9][a-z0-9._-]{0,62}"))
            throw new UsageException("invalid image name '" + ArgSpec.abbreviate(image) + "'", "e.g. --image=" + BoxSpec.DEFAULT_IMAGE);
        int timeout = a.intValue("timeout", DEFAULT_TIMEOUT_S, 1, 3600);
        BoxSpec spec = new BoxSpec(cpus, mem, disk, image);

        Box box = create(ctx, name, spec);
        boolean json = a.json();
        if (!a.has("no-wait")) box = await(ctx, box, Duration.ofSeconds(timeout), json);
        if (json) {
            ctx.json(Views.box(box, ctx.zone()));
        } else {
            ctx.println("box '" + box.name() + "' is " + box.observed().label() + ", address " + box.ipv4()
                    + ", host " + box.name() + "." + ctx.zone());
            ctx.println("get a shell: " + ctx.caller().hostHint() + " connect " + box.name());
        }
        return 0;
    }

    private static Box create(VerbContext ctx, String name, BoxSpec spec) {
        if (name != null) return ctx.control().createBox(ctx.user(), name, spec);
        for (int attempt = 0; ; attempt++) {
            String gen = "box-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
            try {
                return ctx.control().createBox(ctx.user(), gen, spec);
            } catch (BoxdException e) {
                if (e.code() != ErrorCode.NAME_TAKEN || attempt >= 5) throw e;
            }
        }
    }

    /** Waits for RUNNING, printing each state change on stderr (unless JSON was asked for). */
    private static Box await(VerbContext ctx, Box box, Duration timeout, boolean json) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        ObservedState shown = null;
        Box cur = box;
        while (true) {
            if (cur.observed() != shown && !json) {
                ctx.eprintln("box '" + cur.name() + "': " + cur.observed().label() + "...");
                shown = cur.observed();
            }
            if (cur.isRunning()) return cur;
            if (cur.observed() == ObservedState.ERROR) {
                throw new BoxdException(ErrorCode.INTERNAL, "box '" + cur.name() + "' failed to start: "
                        + (cur.lastError().isEmpty() ? "no reason given" : cur.lastError()),
                        "destroy it with 'destroy " + cur.name() + "' and try again");
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new BoxdException(ErrorCode.TIMEOUT, "box '" + cur.name() + "' is not running after "
                        + timeout.toSeconds() + " s (it is " + cur.observed().label() + ")",
                        "it keeps starting in the background: check with 'info " + cur.name() + "', or wait longer with --timeout");
            }
            if (Thread.interrupted()) throw new InterruptedException();
            ObservedState was = cur.observed();
            Optional<Box> next;
            try {
                next = ctx.control().awaitBox(cur.id(), b -> b.observed() != was || b.isRunning(),
                        Duration.ofNanos(Math.min(left, Duration.ofSeconds(1).toNanos())));
            } catch (BoxdException e) {
                if (e.code() != ErrorCode.TIMEOUT) throw e;
                next = ctx.control().box(ctx.user(), cur.name());
            }
            if (next.isEmpty()) throw new BoxdException(ErrorCode.NOT_FOUND, "box '" + cur.name() + "' was destroyed while starting");
            cur = next.get();
        }
    }

    /**
     * Parses a size: a number with an optional M or G suffix. {@code unitMb} is what a bare number means (1 = MiB,
     * 1024 = GiB); the result is in that unit.
     */
    static int size(String flag, String v, int unitMb, String dflt) {
        String s = v.strip().toUpperCase(Locale.ROOT);
        if (s.endsWith("IB")) s = s.substring(0, s.length() - 2);
        if (s.endsWith("B")) s = s.substring(0, s.length() - 1);
        long mult = unitMb;
        if (s.endsWith("G")) { mult = 1024; s = s.substring(0, s.length() - 1); }
        else if (s.endsWith("M")) { mult = 1; s = s.substring(0, s.length() - 1); }
        try {
            long n = Long.parseLong(s);
            if (n <= 0 || n * mult / unitMb > 1_000_000 || (n * mult) % unitMb != 0) throw new NumberFormatException();
            return (int) (n * mult / unitMb);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + flag + " must be a size like 512M or 2G, got '" + ArgSpec.abbreviate(v) + "'",
                    "e.g. --" + flag + "=" + (unitMb == 1 ? "512M" : "10G"));
        }
    }
}
