package boxd.ssh.verbs;

import boxd.common.Exposure;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code expose NAME PORT [--remove]}: forward a public TCP port of the proxy host to a port of the box. */
final class ExposeVerb implements Verb {
    @Override public String name() { return "expose"; }

    @Override public String usage() { return "expose NAME PORT [--remove]"; }

    @Override public String summary() { return "forward a public TCP port to a port of a box"; }

    @Override public ArgSpec spec() { return new ArgSpec(name()).bool("remove").positional(2, 2); }

    @Override
    public int run(Args a, VerbContext ctx) {
        String name = ctx.box(a.arg(0)).name();
        int port;
        try {
            port = Integer.parseInt(a.arg(1));
            if (port < 1 || port > 65535) throw new NumberFormatException();
        } catch (NumberFormatException e) {
            throw new UsageException("PORT must be 1-65535, got '" + ArgSpec.abbreviate(a.arg(1)) + "'", "e.g. expose " + name + " 5432");
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("box", name);
        m.put("box_port", port);
        if (a.has("remove")) {
            ctx.control().unexpose(ctx.user(), name, port);
            m.put("removed", true);
            if (a.json()) ctx.json(m);
            else ctx.println("port " + port + " of " + name + " is no longer exposed");
            return 0;
        }
        Exposure e = ctx.control().expose(ctx.user(), name, port);
        m.put("public_port", e.publicPort());
        if (a.json()) ctx.json(m);
        else ctx.println(name + ":" + port + " is reachable on public port " + e.publicPort());
        return 0;
    }
}
