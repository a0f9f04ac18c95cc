package boxd.ssh.verbs;

import boxd.common.User;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code whoami}: the account behind the key. */
final class WhoamiVerb implements Verb {
    @Override public String name() { return "whoami"; }

    @Override public String usage() { return "whoami"; }

    @Override public String summary() { return "show your account and the key you used"; }

    @Override public ArgSpec spec() { return new ArgSpec(name()).positional(0, 0); }

    @Override
    public int run(Args a, VerbContext ctx) {
        User u = ctx.caller().requireUser();
        int boxes = ctx.control().boxes(u.name()).size();
        if (a.json()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("user", u.name());
            m.put("admin", u.admin());
            m.put("fingerprint", ctx.caller().fingerprint());
            m.put("boxes", boxes);
            m.put("created_at", Instant.ofEpochMilli(u.createdAtMillis()).toString());
            ctx.json(m);
            return 0;
        }
        ctx.println(u.name() + (u.admin() ? " (admin)" : ""));
        ctx.println("key " + ctx.caller().fingerprint() + ", " + boxes + " box" + (boxes == 1 ? "" : "es"));
        return 0;
    }
}
