package boxd.app.config;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Every setting of {@code boxd serve}: its flag ({@code --NAME VALUE} or {@code --NAME=VALUE}), its key in
 * {@code boxd.toml} (the same NAME), its embedded default and what it means. The order here is the order of
 * {@code serve --help}.
 */
public enum Option {
    DATA("data", Kind.PATH, "DIR", null, "data directory (raft log, state, images, boxes, keys, boxd.toml);"
            + " default $XDG_DATA_HOME/boxd or ~/.local/share/boxd. Flag only: boxd.toml lives inside it"),
    SSH_PORT("ssh-port", Kind.PORT, "PORT", "2222", "SSH frontend: users run ssh -p PORT HOST"),
    DNS_PORT("dns-port", Kind.PORT, "PORT", "5353", "authoritative DNS for the zone, UDP and TCP"),
    HTTP_PORT("http-port", Kind.PORT, "PORT", "8080", "HTTP proxy to boxes (Host: NAME.ZONE)"),
    HTTPS_PORT("https-port", Kind.PORT, "PORT", "8443", "HTTPS proxy to boxes (TLS from boxd's own CA)"),
    ZONE("zone", Kind.DOMAIN, "DOMAIN", "boxd.local", "DNS zone: box NAME is NAME.ZONE"),
    RUNTIME("runtime", Kind.CHOICE, "auto|ns|vm", "auto", "box runtime: vm (KVM microVMs, hardware KVM only),"
            + " ns (Linux namespaces), auto (vm where hardware KVM works, else ns); see boxd doctor"),
    BOX_CIDR("box-cidr", Kind.CIDR, "CIDR", "10.77.0.0/16", "IPv4 pool for boxes; .1 is the worker's bridge"),
    POLICY("policy", Kind.CHOICE, "open|invite", "open", "open: any new key may register; invite: an admin's"
            + " invite code is needed"),
    EGRESS("egress", Kind.BOOL, "true|false", "false", "let boxes reach beyond this host (NAT on the bridge)"),
    NODE_ID("node-id", Kind.STRING, "ID", "", "cluster: this node's id (empty: single node)"),
    RAFT_ADDR("raft-addr", Kind.STRING, "HOST:PORT", "", "cluster: address the Raft node listens on"),
    PEERS("peers", Kind.STRING, "HOST:PORT,...", "", "cluster: the Raft addresses of the voters, this node's"
            + " --raft-addr included"),
    JOIN("join", Kind.STRING, "HOST:PORT,...", "", "cluster: join the voters at these Raft addresses as a"
            + " non-voting replica (worker-, DNS- or proxy-only hosts)"),
    ROLES("roles", Kind.ROLES, "ROLE,...", "worker,ssh,dns,proxy", "what this host runs besides its replica of the"
            + " control plane: any of worker (with box-dns), ssh, dns, proxy; split them across hosts with --join");

    /** How a value is checked. */
    public enum Kind { PATH, PORT, STRING, DOMAIN, CHOICE, CIDR, BOOL, ROLES }

    /** The roles {@link #ROLES} may name, in start order. */
    public static final List<String> ROLE_NAMES = List.of("worker", "ssh", "dns", "proxy");

    private final String key;
    private final Kind kind;
    private final String metavar;
    private final String defaultValue;
    private final String help;

    Option(String key, Kind kind, String metavar, String defaultValue, String help) {
        this.key = key;
        this.kind = kind;
        this.metavar = metavar;
        this.defaultValue = defaultValue;
        this.help = help;
    }

    /** {@return the flag name without dashes, also the boxd.toml key} */
    public String key() { return key; }

    public Kind kind() { return kind; }

    public String metavar() { return metavar; }

    /** {@return the embedded default, or null when it is computed (data)} */
    public String defaultValue() { return defaultValue; }

    public String help() { return help; }

    /** {@return whether boxd.toml may set it} */
    public boolean inToml() { return this != DATA; }

    public static Optional<Option> byKey(String key) {
        return Arrays.stream(values()).filter(o -> o.key.equals(key)).findFirst();
    }

    /** {@return the keys boxd.toml accepts, for error messages} */
    public static List<String> tomlKeys() {
        return Arrays.stream(values()).filter(Option::inToml).map(Option::key).toList();
    }

    /** {@return the choices of a CHOICE option} */
    public List<String> choices() {
        return kind == Kind.CHOICE ? List.of(metavar.split("\\|")) : List.of();
    }
}
