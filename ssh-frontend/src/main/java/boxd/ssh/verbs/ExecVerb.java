package boxd.ssh.verbs;

import boxd.common.Box;
import boxd.ssh.relay.BoxRelay;
import boxd.ssh.relay.Tty;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code exec NAME [--tty] [-e K=V]... [--timeout S] -- CMD...}: runs CMD through the box's shell, exactly as typed
 * after {@code --}. stdin streams in, stdout and stderr stay apart, the remote exit status becomes ours.
 */
final class ExecVerb implements Verb {
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    /** Output kept per stream under --json, so one command cannot exhaust the heap. */
    static final int JSON_CAPTURE_LIMIT = 8 * 1024 * 1024;

    @Override public String name() { return "exec"; }

    @Override public String usage() { return "exec NAME [--tty] [-e K=V]... [--timeout S] -- CMD..."; }

    @Override public String summary() { return "run a command in a box"; }

    @Override public String details() {
        return "CMD runs in the box's shell as user boxd. --tty allocates a terminal; -e sets environment variables;"
                + " --timeout kills the command after S seconds (exit status " + BoxRelay.TIMEOUT_EXIT + ").";
    }

    @Override public ArgSpec spec() {
        return new ArgSpec(name()).bool("tty").multi("env", "e").value("timeout").positional(1, 1).commandAfter(1);
    }

    @Override
    public int run(Args a, VerbContext ctx) throws Exception {
        String name = a.arg(0);
        if (a.restIndex() < 0 || a.rest().isEmpty()) {
            throw new UsageException("'exec' needs a command to run", "e.g. exec " + (name == null ? "NAME" : name) + " -- uname -a");
        }
        StringBuilder cmd = new StringBuilder();
        for (String kv : a.values("env")) {
            int eq = kv.indexOf('=');
            if (eq <= 0 || !ENV_NAME.matcher(kv.substring(0, eq)).matches()) {
                throw new UsageException("-e needs NAME=VALUE, got '" + ArgSpec.abbreviate(kv) + "'", "e.g. -e DEBUG=1");
            }
            cmd.append("export ").append(kv, 0, eq).append('=').append(BoxRelay.shellQuote(kv.substring(eq + 1))).append("; ");
        }
        cmd.append(ctx.line().rawFrom(a.restIndex()));
        Duration timeout = a.has("timeout") ? Duration.ofSeconds(a.intValue("timeout", 0, 1, 86_400)) : null;
        Box box = ctx.runningBox(name);
        Tty tty = a.has("tty") ? (ctx.tty() != null ? ctx.tty() : Tty.defaults()) : null;
        if (!a.json()) {
            return ctx.relay().exec(box, cmd.toString(), tty, ctx.in(), ctx.rawOut(), ctx.rawErr(), timeout);
        }
        CappedBuffer out = new CappedBuffer();
        CappedBuffer err = new CappedBuffer();
        int rc = ctx.relay().exec(box, cmd.toString(), tty, ctx.in(), out, err, timeout);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("box", box.name());
        m.put("exit", rc);
        m.put("timed_out", timeout != null && rc == BoxRelay.TIMEOUT_EXIT);
        m.put("stdout", out.text());
        m.put("stderr", err.text());
        m.put("truncated", out.truncated || err.truncated);
        ctx.json(m);
        return rc;
    }

    private static final class CappedBuffer extends ByteArrayOutputStream {
        boolean truncated;

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            int room = JSON_CAPTURE_LIMIT - count;
            if (len > room) truncated = true;
            super.write(b, off, Math.max(0, Math.min(len, room)));
        }

        @Override
        public synchronized void write(int b) {
            if (count >= JSON_CAPTURE_LIMIT) truncated = true;
            else super.write(b);
        }

        String text() { return toString(StandardCharsets.UTF_8); }
    }
}
