package boxd.ssh.verbs;

import boxd.common.Names;
import boxd.common.ProxyRoute;
import boxd.tui.Table;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code proxy list | proxy new SUB --vm NAME --port P | proxy set-port NAME PORT | proxy delete [SUB] --vm NAME}:
 * the HTTPS routes {@code SUB.NAME.ZONE} (and {@code NAME.ZONE}, port 8000 unless set) to a port of a box.
 */
final class ProxyVerb implements Verb {
    @Override public String name() { return "proxy"; }

    @Override public String usage() {
        return "proxy list | proxy new SUB --vm NAME --port P | proxy set-port NAME PORT | proxy delete [SUB] --vm NAME";
    }

    @Override public String summary() { return "route https://[SUB.]NAME.ZONE to a port of a box"; }

    @Override public String details() {
        return "Every box is served at https://NAME.ZONE on port " + ProxyRoute.DEFAULT_PORT
                + " until set-port changes it; 'new' adds SUB.NAME.ZONE.";
    }

    @Override public ArgSpec spec() { return new ArgSpec(name()).value("vm").value("port").positional(0, 3); }

    @Override
    public int run(Args a, VerbContext ctx) {
        String sub = a.arg(0) == null ? "list" : a.arg(0);
        return switch (sub) {
            case "list", "ls" -> list(a, ctx);
            case "new", "add" -> {
                need(a, 2, 2, "proxy new SUB --vm NAME --port P");
                String vm = required(a, "vm", "proxy new " + a.arg(1) + " --vm NAME --port 8080");
                if (!a.has("port")) throw new UsageException("'proxy new' needs --port", "e.g. proxy new api --vm " + vm + " --port 8080");
                yield set(a, ctx, vm, Names.requireLabel("subdomain", a.arg(1)), a.intValue("port", 0, 1, 65535));
            }
            case "set-port" -> {
                need(a, 3, 3, "proxy set-port NAME PORT");
                int port;
                try {
                    port = Integer.parseInt(a.arg(2));
                    if (port < 1 || port > 65535) throw new NumberFormatException();
                } catch (NumberFormatException e) {
                    throw new UsageException("PORT must be 1-65535, got '" + ArgSpec.abbreviate(a.arg(2)) + "'", "e.g. proxy set-port " + a.arg(1) + " 3000");
                }
                yield set(a, ctx, a.arg(1), "", port);
            }
            case "delete", "rm" -> {
                need(a, 1, 2, "proxy delete [SUB] --vm NAME");
                String vm = required(a, "vm", "proxy delete " + (a.arg(1) == null ? "" : a.arg(1) + " ") + "--vm NAME");
                String s = a.arg(1) == null ? "" : Names.requireLabel("subdomain", a.arg(1));
                ctx.control().deleteProxy(ctx.user(), Names.requireLabel("box name", vm), s);
                if (a.json()) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("box", vm);
                    m.put("subdomain", s);
                    m.put("deleted", true);
                    ctx.json(m);
                } else {
                    ctx.println("deleted route " + (s.isEmpty() ? "" : s + ".") + vm + "." + ctx.zone());
                }
                yield 0;
            }
            default -> throw new UsageException("unknown proxy action '" + ArgSpec.abbreviate(sub) + "'", "use: " + usage());
        };
    }

    private int list(Args a, VerbContext ctx) {
        need(a, 1, 1, "proxy list");
        List<ProxyRoute> routes = ctx.control().proxyRoutes(ctx.user());
        if (a.json()) {
            ctx.json(Map.of("routes", routes.stream().map(r -> Views.route(r, ctx.zone())).toList()));
            return 0;
        }
        if (routes.isEmpty()) {
            ctx.println("no routes; every box is served at https://NAME." + ctx.zone() + " on port " + ProxyRoute.DEFAULT_PORT);
            return 0;
        }
        Table t = Table.of("HOST", "BOX", "PORT");
        for (ProxyRoute r : routes) t.row(r.hostLabel() + "." + ctx.zone(), r.boxName(), r.port());
        ctx.print(t.render());
        return 0;
    }

    private int set(Args a, VerbContext ctx, String vm, String sub, int port) {
        Names.requireLabel("box name", vm);
        ctx.box(vm);
        ProxyRoute r = ctx.control().setProxy(ctx.user(), vm, sub, port);
        if (a.json()) ctx.json(Views.route(r, ctx.zone()));
        else ctx.println("https://" + r.hostLabel() + "." + ctx.zone() + "/ -> " + r.boxName() + ":" + r.port());
        return 0;
    }

    private static void need(Args a, int min, int max, String usage) {
        int n = a.positional().size();
        if (n < min) throw new UsageException("'" + usage.split(" ")[0] + " " + a.arg(0) + "' is missing an argument", "use: " + usage);
        if (n > max) throw new UsageException("too many arguments for '" + a.arg(0) + "'", "use: " + usage);
    }

    private static String required(Args a, String flag, String example) {
        String v = a.value(flag);
        if (v == null) throw new UsageException("'proxy " + a.arg(0) + "' needs --" + flag, "e.g. " + example);
        return v;
    }
}
