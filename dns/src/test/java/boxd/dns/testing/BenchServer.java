package boxd.dns.testing;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import boxd.common.Box;
import boxd.common.BoxSpec;
import boxd.common.DesiredState;
import boxd.common.ObservedState;
import boxd.dns.DnsConfig;
import boxd.dns.DnsServer;

/**
 * The benchmark's side of bench/dns/run.sh: serves {@code BOXES} boxes on 127.0.0.1:PORT (rate limit off) and writes
 * the same zone as an RFC 1035 zone file for nsd plus a dnsperf query file, then runs until stdin closes.
 *
 * <p>Usage: {@code BenchServer PORT BOXES OUTDIR}
 */
public final class BenchServer {
    private BenchServer() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: BenchServer PORT BOXES OUTDIR");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        int count = Integer.parseInt(args[1]);
        Path out = Path.of(args[2]);
        Files.createDirectories(out);

        List<Box> boxes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String ip = "10.77." + (i / 250) + "." + (2 + i % 250);
            boxes.add(new Box("b-" + i, "box" + i, "bench", BoxSpec.DEFAULT, DesiredState.RUNNING, ObservedState.RUNNING,
                    "w1", ip, 10_000 + i, 0, 0, ""));
        }
        FakeControl control = new FakeControl();
        control.putAll(boxes);
        writeZone(out.resolve("boxd.local.zone"), boxes);
        writeQueries(out.resolve("queries.txt"), count);

        int threads = Integer.getInteger("boxd.dns.udpThreads", 0); // 0: the default
        DnsConfig config = DnsConfig.defaults().withBind(InetAddress.getLoopbackAddress(), port).withRateLimit(0, 0)
                .withNsAddress((java.net.Inet4Address) InetAddress.getLoopbackAddress()).withUdpThreads(threads);
        try (DnsServer server = new DnsServer(config, control)) {
            server.start();
            System.out.println("ready " + server.describe());
            System.out.flush();
            while (System.in.read() >= 0) {
                // run until the script closes our stdin
            }
        }
    }

    private static void writeZone(Path file, List<Box> boxes) throws IOException {
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file))) {
            w.println("$ORIGIN boxd.local.");
            w.println("$TTL 60");
            w.println("@ IN SOA ns1.boxd.local. hostmaster.boxd.local. 1 3600 600 1209600 60");
            w.println("@ IN NS ns1.boxd.local.");
            w.println("ns1 IN A 127.0.0.1");
            for (Box b : boxes) {
                w.println(b.name() + " IN A " + b.ipv4());
                w.println("*." + b.name() + " IN A " + b.ipv4());
            }
        }
    }

    /** A mix like a resolver's: names of boxes, names below boxes, missing names, other types, the apex. */
    private static void writeQueries(Path file, int count) throws IOException {
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file))) {
            for (int i = 0; i < count; i++) {
                w.println("box" + i + ".boxd.local A");
                w.println("www.box" + i + ".boxd.local A");
                w.println("missing" + i + ".boxd.local A");
                if (i % 4 == 0) w.println("box" + i + ".boxd.local AAAA");
                if (i % 16 == 0) w.println("boxd.local SOA");
            }
        }
    }
}
