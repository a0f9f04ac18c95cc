package boxd.ssh.verbs;

import boxd.tui.Table;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code help [VERB]}. */
final class HelpVerb implements Verb {
    private VerbRouter router;

    void router(VerbRouter r) { this.router = r; }

    @Override public String name() { return "help"; }

    @Override public String usage() { return "help [VERB]"; }

    @Override public String summary() { return "list the verbs, or explain one"; }

    @Override public ArgSpec spec() { return new ArgSpec(name()).positional(0, 1); }

    @Override public boolean needsAccount() { return false; }

    @Override
    public int run(Args a, VerbContext ctx) {
        if (a.arg(0) != null) {
            Verb v = router.find(a.arg(0));
            if (v == null) throw new UsageException("unknown verb '" + ArgSpec.abbreviate(a.arg(0)) + "'", "'help' lists the verbs");
            if (a.json()) {
                ctx.json(describe(v));
            } else {
                ctx.println("usage: " + v.usage());
                ctx.println(v.summary());
                if (!v.aliases().isEmpty()) ctx.println("also: " + String.join(", ", v.aliases()));
                if (!v.details().isEmpty()) ctx.println(v.details());
                ctx.println("flags: " + String.join(" ", v.spec().flagNames().stream().map(f -> "--" + f).toList()));
            }
            return 0;
        }
        if (a.json()) {
            List<Object> l = new ArrayList<>();
            for (Verb v : router.verbs()) l.add(describe(v));
            ctx.json(Map.of("verbs", l));
            return 0;
        }
        ctx.println("usage: " + ctx.caller().hostHint() + " VERB [ARGS] [--json]");
        Table t = Table.of("VERB", "");
        for (Verb v : router.verbs()) t.row(v.usage().length() > 48 ? v.name() + " ..." : v.usage(), v.summary());
        ctx.print(t.render().lines().skip(1).map(s -> "  " + s + "\n").reduce("", String::concat));
        ctx.println("'help VERB' explains one; every verb takes --json. Reach a box's shell with: ssh NAME@HOST");
        return 0;
    }

    private static Map<String, Object> describe(Verb v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", v.name());
        m.put("aliases", v.aliases());
        m.put("usage", v.usage());
        m.put("summary", v.summary());
        m.put("flags", v.spec().flagNames());
        return m;
    }
}
