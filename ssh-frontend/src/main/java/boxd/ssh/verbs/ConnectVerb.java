package boxd.ssh.verbs;

import boxd.common.Box;

import java.util.List;

/** {@code connect|ssh NAME}: a login shell in the box, with the caller's terminal (and its resizes) when there is one. */
final class ConnectVerb implements Verb {
    @Override public String name() { return "connect"; }

    @Override public List<String> aliases() { return List.of("ssh"); }

    @Override public String usage() { return "connect NAME"; }

    @Override public String summary() { return "open a shell in a box (also: ssh NAME@HOST)"; }

    @Override public String details() { return "Interactive: there is no JSON output; with --json, errors are JSON."; }

    @Override public ArgSpec spec() { return new ArgSpec(name()).positional(1, 1); }

    @Override
    public int run(Args a, VerbContext ctx) throws Exception {
        Box box = ctx.runningBox(a.arg(0));
        return ctx.relay().shell(box, ctx.tty(), ctx.in(), ctx.rawOut(), ctx.rawErr());
    }
}
