package boxd.ssh.verbs;

import boxd.common.Box;
import boxd.tui.Table;
import boxd.tui.Terminals;
import org.jline.utils.AttributedStyle;

import java.util.List;
import java.util.Map;

/** {@code list|ls}: the caller's boxes. */
final class ListVerb implements Verb {
    @Override public String name() { return "list"; }

    @Override public List<String> aliases() { return List.of("ls"); }

    @Override public String usage() { return "list"; }

    @Override public String summary() { return "list your boxes"; }

    @Override public ArgSpec spec() { return new ArgSpec(name()).positional(0, 0); }

    @Override
    public int run(Args a, VerbContext ctx) {
        List<Box> boxes = ctx.control().boxes(ctx.user());
        if (a.json()) {
            ctx.json(Map.of("boxes", boxes.stream().map(b -> Views.box(b, ctx.zone())).toList()));
            return 0;
        }
        if (boxes.isEmpty()) {
            ctx.println("no boxes yet; create one with 'new --name NAME'");
            return 0;
        }
        Table t = Table.of("NAME", "STATE", "IPV4", "CPUS", "MEM", "DISK", "AGE").right(3)
                .color(ctx.terminal() != null && Terminals.supportsColor(ctx.terminal()))
                .style(1, state -> state.startsWith("running") ? AttributedStyle.DEFAULT.foreground(AttributedStyle.GREEN)
                        : state.startsWith("error") || state.startsWith("lost") ? AttributedStyle.DEFAULT.foreground(AttributedStyle.RED)
                        : AttributedStyle.DEFAULT.foreground(AttributedStyle.YELLOW));
        for (Box b : boxes) {
            t.row(b.name(), Views.state(b), b.ipv4(), b.spec().cpus(), Views.mem(b.spec().memoryMb()),
                    b.spec().diskGb() + "G", Views.age(b.createdAtMillis()));
        }
        ctx.print(t.render());
        return 0;
    }
}
