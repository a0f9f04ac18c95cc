package boxd.ssh.verbs;

import boxd.common.SshKey;
import boxd.tui.Table;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code keys list | keys add [KEY] | keys remove FINGERPRINT}: the public keys of the caller's account. */
final class KeysVerb implements Verb {
    /** Longest key line read from stdin; an RSA 16384 key is about 2.8 KB. */
    private static final int MAX_KEY = 16 * 1024;

    @Override public String name() { return "keys"; }

    @Override public String usage() { return "keys list | keys add [KEY] | keys remove FINGERPRINT"; }

    @Override public String summary() { return "list, add or remove your SSH keys"; }

    @Override public String details() {
        return "keys add reads one authorized_keys line from the arguments or, when none, from stdin:"
                + " ssh HOST keys add < ~/.ssh/id_ed25519.pub";
    }

    @Override public ArgSpec spec() { return new ArgSpec(name()).positional(0, 64); }

    @Override
    public int run(Args a, VerbContext ctx) throws IOException {
        String sub = a.arg(0) == null ? "list" : a.arg(0);
        List<String> rest = a.positional().subList(Math.min(1, a.positional().size()), a.positional().size());
        switch (sub) {
            case "list", "ls" -> {
                if (!rest.isEmpty()) throw new UsageException("'keys list' takes no arguments", "use: keys list");
                List<SshKey> keys = ctx.control().keys(ctx.user());
                if (a.json()) {
                    ctx.json(Map.of("keys", keys.stream().map(Views::key).toList()));
                } else {
                    Table t = Table.of("FINGERPRINT", "TYPE", "COMMENT", "");
                    for (SshKey k : keys) {
                        Map<String, Object> v = Views.key(k);
                        t.row(v.get("fingerprint"), v.get("type"), v.get("comment"),
                                k.fingerprint().equals(ctx.caller().fingerprint()) ? "(this session)" : "");
                    }
                    ctx.print(t.render());
                }
            }
            case "add" -> {
                String line = rest.isEmpty() ? readKey(ctx) : String.join(" ", rest);
                SshKey k = ctx.control().addKey(ctx.user(), line);
                if (a.json()) ctx.json(Views.key(k));
                else ctx.println("added key " + k.fingerprint());
            }
            case "remove", "rm" -> {
                if (rest.size() != 1) throw new UsageException("'keys remove' needs one fingerprint", "see them with 'keys list'");
                String fp = rest.get(0);
                ctx.control().removeKey(ctx.user(), fp);
                if (a.json()) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("fingerprint", fp);
                    m.put("removed", true);
                    ctx.json(m);
                } else {
                    ctx.println("removed key " + fp);
                }
            }
            default -> throw new UsageException("unknown keys action '" + ArgSpec.abbreviate(sub) + "'", "use: " + usage());
        }
        return 0;
    }

    private static String readKey(VerbContext ctx) throws IOException {
        byte[] b = ctx.in().readNBytes(MAX_KEY + 1);
        if (b.length > MAX_KEY) throw new UsageException("the key on stdin is over " + MAX_KEY + " bytes", "pipe in one line of ~/.ssh/id_*.pub");
        String s = new String(b, StandardCharsets.UTF_8).strip();
        if (s.isEmpty()) throw new UsageException("'keys add' needs a public key", "ssh HOST keys add < ~/.ssh/id_ed25519.pub");
        return s.lines().findFirst().orElse("");
    }
}
