package boxd.ssh.verbs;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code destroy|rm NAME}. */
final class DestroyVerb implements Verb {
    @Override public String name() { return "destroy"; }

    @Override public List<String> aliases() { return List.of("rm"); }

    @Override public String usage() { return "destroy NAME"; }

    @Override public String summary() { return "destroy a box and everything in it"; }

    @Override public ArgSpec spec() { return new ArgSpec(name()).positional(1, 1); }

    @Override
    public int run(Args a, VerbContext ctx) {
        String name = ctx.box(a.arg(0)).name();
        ctx.control().destroyBox(ctx.user(), name);
        if (a.json()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", name);
            m.put("destroyed", true);
            ctx.json(m);
        } else {
            ctx.println("destroying box '" + name + "'");
        }
        return 0;
    }
}
