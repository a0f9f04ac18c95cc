package boxd.ssh.verbs;

import boxd.common.BoxdException;
import boxd.common.ErrorCode;

import java.util.List;

/** {@code dash|top}: the full-screen view of the caller's boxes; needs a terminal. */
final class DashVerb implements Verb {
    @Override public String name() { return "dash"; }

    @Override public List<String> aliases() { return List.of("top"); }

    @Override public String usage() { return "dash"; }

    @Override public String summary() { return "full-screen live view of your boxes (needs ssh -t)"; }

    @Override public ArgSpec spec() { return new ArgSpec(name()).positional(0, 0); }

    @Override
    public int run(Args a, VerbContext ctx) throws Exception {
        if (ctx.tty() == null) {
            throw new BoxdException(ErrorCode.INVALID, "the dashboard needs a terminal",
                    "run it with: " + ctx.caller().hostHint().replaceFirst("^ssh", "ssh -t") + " dash; or use 'list'");
        }
        if (ctx.services().dashboard() == null) {
            throw new BoxdException(ErrorCode.UNAVAILABLE, "the dashboard is not available on this server", "use 'list'");
        }
        return ctx.services().dashboard().open(ctx);
    }
}
