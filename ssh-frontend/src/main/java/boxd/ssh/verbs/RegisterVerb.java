package boxd.ssh.verbs;

import boxd.common.BoxdException;
import boxd.common.ErrorCode;
import boxd.common.Names;
import boxd.common.User;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code register CODE [--name NAME]}: turns the session's key into an account with an invite code. */
final class RegisterVerb implements Verb {
    @Override public String name() { return "register"; }

    @Override public String usage() { return "register CODE [--name NAME]"; }

    @Override public String summary() { return "create your account with an invite code"; }

    @Override public String details() { return "The account is named --name, else your SSH user name when free."; }

    @Override public ArgSpec spec() { return new ArgSpec(name()).value("name").positional(1, 1); }

    @Override public boolean needsAccount() { return false; }

    @Override
    public int run(Args a, VerbContext ctx) {
        if (ctx.caller().registered()) {
            throw new BoxdException(ErrorCode.CONFLICT, "this key already belongs to account '" + ctx.caller().user().name() + "'",
                    "nothing to do; 'whoami' shows your account");
        }
        String name = a.value("name");
        if (name != null) Names.requireLabel("user name", name);
        else name = Names.isValidLabel(ctx.caller().sshUser()) ? ctx.caller().sshUser() : null;
        if (name == null) {
            throw new UsageException("your SSH user name '" + ArgSpec.abbreviate(ctx.caller().sshUser()) + "' is not a valid account name",
                    "choose one: register " + a.arg(0) + " --name NAME");
        }
        User u = ctx.control().redeemInvite(a.arg(0), name, ctx.caller().keyLine());
        if (a.json()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("user", u.name());
            m.put("admin", u.admin());
            ctx.json(m);
        } else {
            ctx.println("welcome, " + u.name() + "; create a box with: " + ctx.caller().hostHint() + " new --name NAME");
        }
        return 0;
    }
}
