package boxd.worker.net;

import boxd.common.Box;
import boxd.common.Control;
import boxd.common.Role;
import boxd.common.Worker;
import boxd.worker.HostCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Routes from this host to the boxes that run on other hosts: one {@code BOX-IP/32 via WORKER-ADDRESS} route per box,
 * read from the replicated state and kept in step with it (on every change and every few seconds). Every worker's
 * bridge holds the whole box range with the same gateway, so a host reaches a box elsewhere through these host
 * routes, and a box reaches a box elsewhere because its worker answers ARP for the addresses it routes on
 * ({@code proxy_arp} on the bridge, see {@link BoxNetwork#ensureBridge}) and forwards. Only workers registered with an
 * IPv4 address get routes (a single-host install has none to make). The routes carry their own protocol number, so
 * this host's other routes are never touched, and they go when the role closes.
 */
public final class BoxRoutes implements Role {
    private static final Logger log = LoggerFactory.getLogger(BoxRoutes.class);
    /** The routing protocol number that marks boxd's routes ({@code ip route ... proto 188}). */
    static final String PROTO = "188";
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern ROUTE = Pattern.compile("^(\\d{1,3}(?:\\.\\d{1,3}){3})(?:/32)? via (\\d{1,3}(?:\\.\\d{1,3}){3})\\b.*");

    private final Control control;
    private final String localWorkerId;
    private final String netns;
    private final Duration tick;
    private final Object wake = new Object();
    private volatile boolean closed;
    private boolean dirty = true;
    private Thread loop;
    private AutoCloseable watch;
    /** What the kernel holds of ours: read once at start (a crash may have left some), then kept by each change. */
    private Map<String, String> installed = Map.of();
    private volatile int routes;

    /**
     * @param localWorkerId the worker on this host (its boxes are on the local bridge), or null when this host runs none
     * @param netns         the network namespace to route in (tests), or null for this process's own
     */
    public BoxRoutes(Control control, String localWorkerId, String netns, Duration tick) {
        this.control = control;
        this.localWorkerId = localWorkerId;
        this.netns = netns;
        this.tick = tick;
    }

    @Override
    public String name() { return "box-routes"; }

    @Override
    public synchronized void start() {
        installed = new TreeMap<>(parse(ip("-4", "route", "show", "proto", PROTO).stdout()));
        reconcile();
        watch = control.watch(this::poke);
        loop = Thread.ofPlatform().daemon().name("box-routes").start(this::run);
    }

    @Override
    public String describe() {
        return "box-routes: host routes to boxes on other hosts (" + routes + " now)";
    }

    private void poke() {
        synchronized (wake) {
            dirty = true;
            wake.notifyAll();
        }
    }

    private void run() {
        while (!closed) {
            synchronized (wake) {
                if (!dirty) {
                    try {
                        wake.wait(tick.toMillis());
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                dirty = false;
            }
            if (closed) return;
            try {
                reconcile();
            } catch (RuntimeException e) {
                if (!closed) log.warn("box routes not updated: {}", e.getMessage());
            }
        }
    }

    /** {@return box address -> worker address for every box on another worker that has an IPv4 address} */
    static Map<String, String> wanted(List<Worker> workers, java.util.function.Function<String, List<Box>> boxesOn,
                                      String localWorkerId) {
        Map<String, String> want = new TreeMap<>();
        for (Worker w : workers) {
            if (w.id().equals(localWorkerId) || !IPV4.matcher(w.address()).matches()) continue;
            for (Box b : boxesOn.apply(w.id())) {
                String ip = b.ipv4() == null ? "" : b.ipv4().replaceFirst("/.*$", "");
                if (IPV4.matcher(ip).matches()) want.put(ip, w.address());
            }
        }
        return want;
    }

    /** {@return box address -> gateway of the routes this role made, parsed from {@code ip -4 route show proto 188}} */
    static Map<String, String> parse(String ipRouteOutput) {
        Map<String, String> have = new TreeMap<>();
        for (String line : ipRouteOutput.split("\n")) {
            Matcher m = ROUTE.matcher(line.strip());
            if (m.matches()) have.put(m.group(1), m.group(2));
        }
        return have;
    }

    synchronized void reconcile() {
        if (closed) return;
        Map<String, String> want = wanted(control.workers(), control::boxesOn, localWorkerId);
        Map<String, String> now = new TreeMap<>(installed);
        for (Map.Entry<String, String> e : want.entrySet()) {
            if (Objects.equals(now.get(e.getKey()), e.getValue())) continue;
            HostCommand.Result r = ip("route", "replace", e.getKey() + "/32", "via", e.getValue(), "proto", PROTO);
            if (r.ok()) now.put(e.getKey(), e.getValue());
            else log.warn("cannot route box {} via {}: {}", e.getKey(), e.getValue(), r.stderr().strip());
        }
        for (String stale : installed.keySet()) {
            if (want.containsKey(stale)) continue;
            ip("route", "del", stale + "/32", "proto", PROTO);  // fails only when it is gone already
            now.remove(stale);
        }
        installed = now;
        routes = want.size();
    }

    private HostCommand.Result ip(String... args) {
        List<String> argv = new ArrayList<>(List.of("ip"));
        if (netns != null) argv.addAll(List.of("-n", netns));
        argv.addAll(List.of(args));
        return HostCommand.run(argv, null, Duration.ofSeconds(10));
    }

    /** Stops following the state and removes every route it made. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        try {
            if (watch != null) watch.close();
        } catch (Exception ignored) {
            // the control plane is closing too
        }
        if (loop != null) loop.interrupt();
        for (String ip : installed.keySet()) ip("route", "del", ip + "/32", "proto", PROTO);
        installed = Map.of();
    }
}
