package boxd.ssh.verbs;

import boxd.common.BoxdException;
import boxd.common.ErrorCode;
import boxd.common.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the verb for a line, checks its flags, runs it and turns errors into the documented output: a message and a
 * hint on stderr (or {@code {"error":{"code","message","hint"}}} under {@code --json}) and a non-zero exit status:
 * 2 for a malformed line (unknown verb or flag, missing argument), 1 for a refused or failed operation.
 */
public final class VerbRouter {
    private static final Logger log = LoggerFactory.getLogger(VerbRouter.class);
    public static final int EXIT_FAILED = 1;
    public static final int EXIT_USAGE = 2;

    private final Map<String, Verb> byName = new LinkedHashMap<>();
    private final List<Verb> verbs;

    public VerbRouter(List<Verb> verbs) {
        this.verbs = List.copyOf(verbs);
        for (Verb v : verbs) {
            byName.put(v.name(), v);
            for (String a : v.aliases()) byName.put(a, v);
        }
    }

    /** {@return the standard verb set} */
    public static VerbRouter standard() {
        List<Verb> l = new ArrayList<>(List.of(new NewVerb(), new ListVerb(), new InfoVerb(), new DestroyVerb(),
                new ExecVerb(), new ConnectVerb(), new CpVerb(), new RebootVerb(), new ProxyVerb(), new ExposeVerb(),
                new WhoamiVerb(), new KeysVerb(), new InviteVerb(), new RegisterVerb(), new DashVerb()));
        HelpVerb help = new HelpVerb();
        l.add(help);
        VerbRouter r = new VerbRouter(l);
        help.router(r);
        return r;
    }

    public Collection<Verb> verbs() { return verbs; }

    /** {@return every name a verb answers to, aliases included (for completion)} */
    public List<String> names() { return List.copyOf(byName.keySet()); }

    public Verb find(String name) { return byName.get(name); }

    /** Runs one verb line. Never throws for a verb's failure: that becomes output and an exit status. */
    public int run(CommandLine line, VerbContext ctx) {
        boolean json = line.words().contains("--json");
        ctx.line(line);
        try {
            if (line.isEmpty() || line.words().get(0).isBlank()) return find("help").run(new Args(Map.of(), List.of(), List.of(), -1), ctx);
            String name = line.words().get(0);
            Verb verb = byName.get(name);
            if (verb == null) throw unknownVerb(name);
            Args args = verb.spec().parse(line.words().subList(1, line.words().size()), 1);
            if (args.has("help")) return find("help").run(new Args(Map.of(), List.of(verb.name()), List.of(), -1), ctx);
            if (verb.needsAccount()) ctx.caller().requireUser();
            return verb.run(args, ctx);
        } catch (UsageException e) {
            report(ctx, e, json);
            return EXIT_USAGE;
        } catch (BoxdException e) {
            report(ctx, e, json);
            return EXIT_FAILED;
        } catch (UncheckedIOException e) {
            log.debug("client went away: {}", e.getMessage());
            return EXIT_FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return EXIT_FAILED;
        } catch (Exception e) {
            log.warn("verb line failed: {}", abbreviate(line.source()), e);
            report(ctx, new BoxdException(ErrorCode.INTERNAL, "internal error: " + e,
                    "this is a bug in boxd; the server log has the details"), json);
            return EXIT_FAILED;
        }
    }

    private UsageException unknownVerb(String name) {
        String near = null;
        for (String n : byName.keySet()) {
            if (distance(n, name) <= 2 && name.length() > 1) { near = n; break; }
        }
        return new UsageException("unknown verb '" + abbreviate(name) + "'",
                (near != null ? "did you mean '" + near + "'? " : "") + "'help' lists the verbs");
    }

    static void report(VerbContext ctx, BoxdException e, boolean json) {
        try {
            if (json) {
                Map<String, Object> err = new LinkedHashMap<>();
                err.put("code", e.code().name());
                err.put("message", e.getMessage());
                err.put("hint", e.hint());
                ctx.rawErr().write((Json.write(Map.of("error", err)) + (ctx.tty() == null ? "\n" : "\r\n"))
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
                ctx.rawErr().flush();
            } else {
                ctx.eprintln("error: " + e.getMessage());
                if (!e.hint().isEmpty()) ctx.eprintln("hint: " + e.hint());
            }
        } catch (java.io.IOException | UncheckedIOException ignored) {
            // the client is gone; nobody to tell
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 60) + "...";
    }

    private static int distance(String a, String b) {
        if (Math.abs(a.length() - b.length()) > 2) return 3;
        int[] prev = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            int[] cur = new int[b.length() + 1];
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            prev = cur;
        }
        return prev[b.length()];
    }
}
