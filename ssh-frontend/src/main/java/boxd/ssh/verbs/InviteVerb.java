package boxd.ssh.verbs;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code invite} (admins): a single-use code a new user redeems with {@code register CODE}. */
final class InviteVerb implements Verb {
    @Override public String name() { return "invite"; }

    @Override public String usage() { return "invite"; }

    @Override public String summary() { return "make a single-use invite code (admins)"; }

    @Override public ArgSpec spec() { return new ArgSpec(name()).positional(0, 0); }

    @Override
    public int run(Args a, VerbContext ctx) {
        String code = ctx.control().createInvite(ctx.user());
        String command = ctx.caller().hostHint() + " register " + code;
        if (a.json()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("code", code);
            m.put("command", command);
            ctx.json(m);
        } else {
            ctx.println("invite code: " + code);
            ctx.println("the new user runs: " + command);
        }
        return 0;
    }
}
