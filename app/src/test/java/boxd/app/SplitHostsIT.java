package boxd.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import boxd.common.DataDir;
import boxd.common.Json;
import boxd.common.testing.Cmd;
import boxd.common.testing.Host;
import boxd.common.testing.TestKeys;
import boxd.common.testing.TestNetns;
import boxd.worker.net.BoxNetwork;
import boxd.worker.runtime.NamespaceRuntime;

/**
 * The same jar split over three hosts, each a network namespace made here, on one LAN (a bridge in a fourth namespace):
 * host A runs the control plane's voter and the doors users reach (--roles ssh,dns,proxy); hosts B and C join it as
 * replicas and run boxes (--roles worker). The operator's part is what README says: worker hosts forward IPv4. Each
 * host's box-routes role routes to the boxes on other hosts from the replicated state, and A's platform key reaches the
 * workers through it too. Two boxes, one on each worker, are reached through A by exec, DNS and the proxy, reach each
 * other across hosts, and resolve names through their own host's box-dns.
 */
class SplitHostsIT {
    static final String A_IP = "10.99.0.1", B_IP = "10.99.0.2", C_IP = "10.99.0.3";

    @TempDir
    Path tmp;

    @Test
    void aFrontDoorHostAndTwoWorkerHostsServeBoxesThatReachEachOther() throws Exception {
        Host.requireRoot();
        Host.requireCommand("ssh", "openssh-client");
        Host.requireCommand("dig", "dnsutils");
        Host.requireCommand("curl", "curl");
        Host.requireCommand("nsenter", "util-linux");
        Path jar = Path.of(System.getProperty("boxd.jar", "target/boxd.jar")).toAbsolutePath();
        assertTrue(Files.isRegularFile(jar), jar + " is missing: the package phase makes it");
        Path alice = TestKeys.ed25519(tmp.resolve("keys"), "alice");
        Path dataA = tmp.resolve("a"), dataB = tmp.resolve("b"), dataC = tmp.resolve("c");
        ServeProcess.shareRootfsCache(dataB);
        ServeProcess.shareRootfsCache(dataC);

        try (TestNetns lan = TestNetns.create("bxsl"); TestNetns a = TestNetns.create("bxsa");
             TestNetns b = TestNetns.create("bxsb"); TestNetns c = TestNetns.create("bxsc")) {
            lan.exec("ip", "link", "add", "br0", "type", "bridge").requireSuccess();
            lan.exec("ip", "link", "set", "br0", "up").requireSuccess();
            plug(lan, a, A_IP);
            plug(lan, b, B_IP);
            plug(lan, c, C_IP);
            // the operator's part on worker hosts: forward between the bridge and the LAN
            b.exec("sysctl", "-q", "-w", "net.ipv4.ip_forward=1").requireSuccess();
            c.exec("sysctl", "-q", "-w", "net.ipv4.ip_forward=1").requireSuccess();

            List<ServeProcess> hosts = new ArrayList<>();
            try {
                ServeProcess hostA = ServeProcess.start(jar, a.name(), dataA, tmp.resolve("a-serve.log"), List.of("--roles", "ssh,dns,proxy",
                        "--node-id", "a", "--raft-addr", A_IP + ":7100"));
                hosts.add(hostA);
                String logA = hostA.log();
                assertTrue(logA.contains("runtime: none"), logA);
                assertFalse(logA.contains("worker w-"), "host A runs no worker:\n" + logA);
                for (Object[] w : new Object[][] {{b, dataB, "b", B_IP + ":7101"}, {c, dataC, "c", C_IP + ":7102"}}) {
                    ServeProcess h = ServeProcess.start(jar, ((TestNetns) w[0]).name(), (Path) w[1],
                            tmp.resolve(w[2] + "-serve.log"), List.of("--roles", "worker",
                            "--node-id", (String) w[2], "--raft-addr", (String) w[3], "--join", A_IP + ":7100"));
                    hosts.add(h);
                    assertTrue(h.log().contains("box-dns"), h.log());
                    assertFalse(h.log().contains("ssh on "), "a worker host runs no front door:\n" + h.log());
                }

                // two boxes created at A: the scheduler spreads them, one on each worker host
                Map<String, String> ips = new java.util.HashMap<>();
                for (String name : List.of("x", "y")) {
                    Cmd.Result created = Cmd.run(a.wrap(ssh(alice, "alice", "new", "--name=" + name, "--timeout=240", "--json")),
                            null, 300, null);
                    assertEquals(0, created.exit(), created.stdout() + created.stderr() + logs(hosts));
                    Map<String, Object> box = Json.parseObject(created.stdout().strip());
                    assertEquals("running", box.get("state"), created.stdout());
                    ips.put(name, (String) box.get("ipv4"));
                }
                assertEquals(1, boxesOn(dataB, b).size(), "one box on host B");
                assertEquals(1, boxesOn(dataC, c).size(), "one box on host C");
                // A's platform key reached the workers through the replica: their own keys are others
                String keyA = Files.readString(new DataDir(dataA).keys().resolve("platform_ecdsa.pub"));
                assertNotEquals(keyA, Files.readString(new DataDir(dataB).keys().resolve("platform_ecdsa.pub")));

                for (String name : List.of("x", "y")) {
                    Cmd.Result hostname = Cmd.run(a.wrap(ssh(alice, "alice", "exec", name, "--", "hostname")), null, 60, null);
                    assertEquals(name + "\n", hostname.stdout(), hostname.stderr() + logs(hosts));
                    Cmd.Result dig = a.exec("dig", "+short", "+time=2", "+tries=2", "@" + A_IP, "-p", "5353", name + ".boxd.local");
                    assertEquals(ips.get(name), dig.stdout().strip(), dig.stderr());
                }
                // box to box across hosts: y serves, x fetches by name (x's host box-dns, then routes and proxy ARP)
                Cmd.run(a.wrap(ssh(alice, "alice", "exec", "y", "--", "cd /tmp && echo hello-from-y > index.html"
                        + " && (setsid python3 -m http.server 8000 >/dev/null 2>&1 < /dev/null &)")), null, 60, null).requireSuccess();
                String fetched = null;
                for (int i = 0; i < 30 && fetched == null; i++) {
                    Cmd.Result r = Cmd.run(a.wrap(ssh(alice, "alice", "exec", "x", "--",
                            "curl -s --max-time 3 http://y.boxd.local:8000/index.html")), null, 60, null);
                    if (r.exit() == 0 && r.stdout().contains("hello-from-y")) fetched = r.stdout();
                    else Thread.sleep(1000);
                }
                assertTrue(fetched != null, "box x never reached box y on the other host\n" + logs(hosts));
                // the proxy on A reaches a box on a worker host
                String page = null;
                for (int i = 0; i < 30 && page == null; i++) {
                    Cmd.Result r = a.exec("curl", "-s", "--max-time", "5", "-H", "Host: y.boxd.local", "http://" + A_IP + ":8080/index.html");
                    if (r.exit() == 0 && r.stdout().contains("hello-from-y")) page = r.stdout();
                    else Thread.sleep(1000);
                }
                assertTrue(page != null, "the proxy on host A never served box y's page");

                // destroyed from A: gone from the worker hosts, and A's routes to them with them
                for (String name : List.of("x", "y"))
                    Cmd.run(a.wrap(ssh(alice, "alice", "destroy", name)), null, 60, null).requireSuccess();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!boxesOn(dataB, b).isEmpty() || !boxesOn(dataC, c).isEmpty()
                        || !a.exec("ip", "-4", "route", "show", "proto", "188").stdout().isBlank()) {
                    if (System.nanoTime() > deadline) fail("boxes or routes left after destroy\n" + logs(hosts));
                    Thread.sleep(500);
                }
            } finally {
                for (int i = hosts.size() - 1; i >= 0; i--) hosts.get(i).close();
                for (Object[] w : new Object[][] {{dataB, b}, {dataC, c}}) {
                    try {
                        NamespaceRuntime rt = new NamespaceRuntime(new DataDir((Path) w[0]), network((TestNetns) w[1]), tmp);
                        for (String id : rt.list()) rt.destroy(id);
                    } catch (RuntimeException | LinkageError e) {
                        System.err.println("SplitHostsIT clean-up: " + e);
                    }
                }
            }
        }
    }

    /** A veth from {@code host} (eth0, {@code ip}/24) to the LAN's bridge. */
    private static void plug(TestNetns lan, TestNetns host, String ip) {
        String peer = "v" + host.name().replace("-", "");
        if (peer.length() > 15) peer = peer.substring(0, 15);
        Cmd.run("ip", "link", "add", "eth0", "netns", host.name(), "type", "veth", "peer", "name", peer, "netns", lan.name())
                .requireSuccess();
        lan.exec("ip", "link", "set", peer, "master", "br0", "up").requireSuccess();
        host.exec("ip", "addr", "add", ip + "/24", "dev", "eth0").requireSuccess();
        host.exec("ip", "link", "set", "eth0", "up").requireSuccess();
    }

    private static List<String> boxesOn(Path data, TestNetns host) {
        return new NamespaceRuntime(new DataDir(data), network(host), data).list();
    }

    private static String logs(List<ServeProcess> hosts) {
        StringBuilder sb = new StringBuilder();
        for (ServeProcess h : hosts) sb.append("\n---- ").append(h.log());
        return sb.toString();
    }

    private static BoxNetwork network(TestNetns host) {
        return new BoxNetwork("boxd0", "10.77.0.1", 16, host.name(), false);
    }

    private static List<String> ssh(Path key, String user, String... command) {
        List<String> argv = new ArrayList<>(List.of("ssh", "-p", "2222", "-i", key.toString(), "-o", "IdentitiesOnly=yes",
                "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=20", user + "@" + A_IP));
        argv.addAll(List.of(command));
        return argv;
    }
}
