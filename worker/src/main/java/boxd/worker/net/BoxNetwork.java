package boxd.worker.net;

import boxd.common.BoxdException;
import boxd.common.ErrorCode;
import boxd.worker.HostCommand;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The bridge boxes hang off: it carries the gateway address (the first address of the pool), so boxes reach each
 * other and the host, and the host's DNS server listens there. Lives in the host's network namespace, or in
 * {@code netns} when set (tests keep everything inside a namespace they made). Egress masquerading to the outside is
 * set up only when {@code egress} is true (never in tests).
 *
 * @param bridge       interface name, "boxd0" by default
 * @param gateway      the bridge's address, "10.77.0.1"
 * @param prefixLength of the pool, 16 for 10.77.0.0/16
 * @param netns        name of the network namespace (ip netns) holding the bridge, or null for the host's own
 */
public record BoxNetwork(String bridge, String gateway, int prefixLength, String netns, boolean egress) {

    public BoxNetwork {
        if (bridge == null || !bridge.matches("[A-Za-z0-9_.-]{1,15}"))
            throw new BoxdException(ErrorCode.INVALID, "bridge name must be 1-15 letters, digits, '-', '_' or '.', got " + bridge);
        if (prefixLength < 8 || prefixLength > 30)
            throw new BoxdException(ErrorCode.INVALID, "box network prefix must be /8 to /30, got /" + prefixLength);
    }

    /** {@return argv for {@code ip ARGS} in the bridge's namespace} */
    public List<String> ip(String... args) {
        List<String> argv = new ArrayList<>(List.of("ip"));
        if (netns != null) argv.addAll(List.of("-n", netns));
        argv.addAll(List.of(args));
        return argv;
    }

    /** {@return argv that runs {@code argv} in the bridge's namespace} */
    public List<String> inNetns(List<String> argv) {
        if (netns == null) return argv;
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", netns));
        full.addAll(argv);
        return full;
    }

    /** Creates the bridge with the gateway address and brings it up; does nothing when it is already so. */
    public void ensureBridge() {
        if (!HostCommand.exists("ip"))
            throw new BoxdException(ErrorCode.INTERNAL, "the 'ip' tool is missing", "apt-get install iproute2");
        if (!run(ip("link", "show", "dev", bridge)).ok()) {
            HostCommand.Result r = run(ip("link", "add", "name", bridge, "type", "bridge"));
            if (!r.ok() && !run(ip("link", "show", "dev", bridge)).ok())
                r.orThrow("creating bridge " + bridge, "the worker needs root (CAP_NET_ADMIN)");
        }
        String addr = gateway + "/" + prefixLength;
        if (!run(ip("-4", "addr", "show", "dev", bridge)).stdout().contains(" " + addr + " ")) {
            HostCommand.Result r = run(ip("addr", "add", addr, "dev", bridge));
            if (!r.ok() && !r.stderr().contains("File exists")) r.orThrow("adding " + addr + " to " + bridge, "");
        }
        run(ip("link", "set", "dev", bridge, "up")).orThrow("bringing up " + bridge, "");
        // answer boxes' ARP for box addresses routed to other hosts (BoxRoutes): every bridge holds the whole range
        run(inNetns(List.of("sysctl", "-q", "-w", "net/ipv4/conf/" + bridge + "/proxy_arp=1")))
                .orThrow("enabling proxy ARP on " + bridge, "");
        if (egress) enableEgress();
    }

    /** Masquerades box traffic leaving through any other interface. Only when the operator asked for it. */
    private void enableEgress() {
        run(inNetns(List.of("sysctl", "-q", "-w", "net.ipv4.ip_forward=1"))).orThrow("enabling IPv4 forwarding", "");
        String cidr = networkAddress(gateway, prefixLength) + "/" + prefixLength;
        List<String> rule = List.of("-t", "nat", "POSTROUTING", "-s", cidr, "!", "-o", bridge, "-j", "MASQUERADE");
        List<String> check = new ArrayList<>(List.of("iptables", "-t", "nat", "-C"));
        check.addAll(rule.subList(2, rule.size()));
        if (!run(inNetns(check)).ok()) {
            List<String> add = new ArrayList<>(List.of("iptables", "-t", "nat", "-A"));
            add.addAll(rule.subList(2, rule.size()));
            run(inNetns(add)).orThrow("adding the egress masquerade rule", "apt-get install iptables");
        }
    }

    /** {@return the network address of {@code ip}/{@code prefix}, e.g. 10.77.0.0 for 10.77.0.1/16} */
    public static String networkAddress(String ip, int prefix) {
        String[] p = ip.split("\\.");
        long v = 0;
        for (String s : p) v = (v << 8) | Integer.parseInt(s);
        return dotted(v & mask(prefix));
    }

    /** {@return the dotted netmask of a prefix length, e.g. 255.255.0.0 for 16} */
    public static String netmask(int prefixLength) {
        if (prefixLength < 0 || prefixLength > 32) throw new IllegalArgumentException("prefix length " + prefixLength);
        return dotted(mask(prefixLength));
    }

    private static long mask(int prefix) {
        return prefix == 0 ? 0 : (0xffffffffL << (32 - prefix)) & 0xffffffffL;
    }

    private static String dotted(long v) {
        return ((v >> 24) & 255) + "." + ((v >> 16) & 255) + "." + ((v >> 8) & 255) + "." + (v & 255);
    }

    /** Name of the host end of a box's veth: "vb" + the id without "b-", at most 15 characters. */
    public static String vethName(String boxId) {
        return linkName("vb", boxId);
    }

    /** {@return a host link name for a box: the two-letter {@code prefix} + the id without "b-", at most 15 characters} */
    public static String linkName(String prefix, String boxId) {
        String s = boxId.startsWith("b-") ? boxId.substring(2) : boxId;
        s = s.replaceAll("[^A-Za-z0-9]", "");
        return prefix + (s.length() > 13 ? s.substring(s.length() - 13) : s);
    }

    /**
     * Creates the veth pair for a box whose network namespace is held by {@code pid}: host end on the bridge, box end
     * named eth0 inside the box (configured by the box itself).
     */
    public void attach(String boxId, long pid) {
        String veth = vethName(boxId);
        String batch = "link add name " + veth + " type veth peer name eth0 netns " + pid + "\n"
                + "link set dev " + veth + " master " + bridge + " up\n";
        HostCommand.Result r = HostCommand.run(ip("-batch", "-"), batch.getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                Duration.ofSeconds(20));
        if (!r.ok() && r.stderr().contains("File exists")) {  // a leftover from a crashed start
            run(ip("link", "del", "dev", veth));
            r = HostCommand.run(ip("-batch", "-"), batch.getBytes(java.nio.charset.StandardCharsets.US_ASCII), Duration.ofSeconds(20));
        }
        r.orThrow("creating the veth pair of box " + boxId + " on " + bridge,
                "is the bridge " + bridge + " there? (ip link show " + bridge + ")");
    }

    /** {@return whether the host end of the box's veth exists and sits on the bridge} */
    public boolean attached(String boxId) {
        HostCommand.Result r = run(ip("-o", "link", "show", "dev", vethName(boxId)));
        return r.ok() && r.stdout().contains("master " + bridge + " ");
    }

    public void detach(String boxId) {
        run(ip("link", "del", "dev", vethName(boxId)));
    }

    /**
     * Starts waiting (in the background) until something on {@code ip:port} answers with an SSH banner, seen from the
     * bridge's side; when {@code sshdPid} is above 0, connecting starts only once that process has become sshd, since
     * before the box has its address a connect waits out ARP resolution (seconds).
     *
     * @return the waiting process: exit 0 when the banner came within {@code limit}
     */
    public Process startSshBannerWait(String ip, int port, Duration limit, long sshdPid) {
        if (!ip.matches("[0-9.]+")) throw new IllegalArgumentException(ip);
        // one bash process using only builtins; read -t on fd 9 (a pipe we also hold open for writing) is a sleep
        // that costs no process
        String script = "exec 9<> <(:); end=$(( ${EPOCHREALTIME/./} / 1000 + " + limit.toMillis() + " )); b=; c=; "
                + (sshdPid > 0 ? "while [ \"$c\" != sshd ]; do read -r c < /proc/" + sshdPid + "/comm || exit 2; "
                + "[ \"$c\" = sshd ] || read -t 0.003 -u 9 x; "
                + "[ $(( ${EPOCHREALTIME/./} / 1000 )) -lt $end ] || exit 1; done; " : "")
                + "while :; do "
                + "if { read -t 2 -n 4 b <&3; } 2>/dev/null 3<>/dev/tcp/" + ip + "/" + port + " && [ \"$b\" = SSH- ]; then exit 0; fi; "
                + "[ $(( ${EPOCHREALTIME/./} / 1000 )) -lt $end ] || exit 1; read -t 0.01 -u 9 x; done";
        try {
            return new ProcessBuilder(inNetns(List.of("bash", "-c", script))).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (java.io.IOException e) {
            throw new BoxdException(ErrorCode.INTERNAL, "cannot run bash to wait for a box's sshd: " + e.getMessage(),
                    "apt-get install bash", e);
        }
    }

    /** Waits until something on {@code ip:port} answers with an SSH banner. @return whether it did within {@code limit} */
    public boolean awaitSshBanner(String ip, int port, Duration limit) {
        Process p = startSshBannerWait(ip, port, limit, 0);
        try {
            if (!p.waitFor(limit.toMillis() + 5000, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static HostCommand.Result run(List<String> argv) {
        return HostCommand.run(argv, null, Duration.ofSeconds(20));
    }
}
