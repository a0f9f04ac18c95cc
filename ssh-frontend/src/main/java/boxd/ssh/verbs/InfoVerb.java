package boxd.ssh.verbs;

import boxd.common.Box;
import boxd.tui.Table;

import java.time.Instant;

/** {@code info NAME}: one box in detail. */
final class InfoVerb implements Verb {
    @Override public String name() { return "info"; }

    @Override public String usage() { return "info NAME"; }

    @Override public String summary() { return "show one box"; }

    @Override public ArgSpec spec() { return new ArgSpec(name()).positional(1, 1); }

    @Override
    public int run(Args a, VerbContext ctx) {
        Box b = ctx.box(a.arg(0));
        if (a.json()) {
            ctx.json(Views.box(b, ctx.zone()));
            return 0;
        }
        Table t = Table.of("name", b.name());
        t.row("id", b.id()).row("state", Views.state(b)).row("host", b.name() + "." + ctx.zone())
                .row("ipv4", b.ipv4()).row("ssh", ctx.caller().hostHint() + " connect " + b.name())
                .row("size", b.spec().cpus() + " cpu, " + Views.mem(b.spec().memoryMb()) + " memory, " + b.spec().diskGb() + "G disk")
                .row("image", b.spec().image()).row("worker", b.worker() == null ? "-" : b.worker())
                .row("created", Instant.ofEpochMilli(b.createdAtMillis()) + " (" + Views.age(b.createdAtMillis()) + " ago)");
        if (!b.lastError().isEmpty()) t.row("error", b.lastError());
        ctx.print(t.render());
        return 0;
    }
}
