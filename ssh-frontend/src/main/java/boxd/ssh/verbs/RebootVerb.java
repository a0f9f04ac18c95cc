package boxd.ssh.verbs;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code reboot NAME}. */
final class RebootVerb implements Verb {
    @Override public String name() { return "reboot"; }

    @Override public String usage() { return "reboot NAME"; }

    @Override public String summary() { return "restart a box"; }

    @Override public ArgSpec spec() { return new ArgSpec(name()).positional(1, 1); }

    @Override
    public int run(Args a, VerbContext ctx) {
        String name = ctx.box(a.arg(0)).name();
        ctx.control().rebootBox(ctx.user(), name);
        if (a.json()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", name);
            m.put("rebooting", true);
            ctx.json(m);
        } else {
            ctx.println("rebooting box '" + name + "'");
        }
        return 0;
    }
}
