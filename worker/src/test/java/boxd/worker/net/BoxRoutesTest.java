package boxd.worker.net;

import boxd.common.Box;
import boxd.common.BoxSpec;
import boxd.common.DesiredState;
import boxd.common.ObservedState;
import boxd.common.Worker;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BoxRoutesTest {
    private static Box box(String id, String worker, String ip) {
        return new Box(id, id, "alice", BoxSpec.DEFAULT, DesiredState.RUNNING, ObservedState.RUNNING, worker, ip, 10_000,
                0, 0, "");
    }

    @Test
    void routesGoToBoxesOnOtherWorkersWithAnIpv4Address() {
        List<Worker> workers = List.of(new Worker("w-b", "10.99.0.2", 2, 1024, 0), new Worker("w-c", "10.99.0.3", 2, 1024, 0),
                new Worker("w-host", "some-host-name", 2, 1024, 0));
        Map<String, List<Box>> on = Map.of(
                "w-b", List.of(box("b-1", "w-b", "10.77.0.2"), box("b-2", "w-b", "")),
                "w-c", List.of(box("b-3", "w-c", "10.77.0.3/16")),
                "w-host", List.of(box("b-4", "w-host", "10.77.0.4")));
        // a front-door host: every box with an address, on a worker with an IPv4 address
        assertEquals(Map.of("10.77.0.2", "10.99.0.2", "10.77.0.3", "10.99.0.3"),
                BoxRoutes.wanted(workers, w -> on.getOrDefault(w, List.of()), null));
        // worker b's host: its own boxes are on its bridge
        assertEquals(Map.of("10.77.0.3", "10.99.0.3"), BoxRoutes.wanted(workers, w -> on.getOrDefault(w, List.of()), "w-b"));
    }

    @Test
    void parsesItsOwnRoutesFromIp() {
        String out = "10.77.0.2 via 10.99.0.2 dev eth0 \n10.77.0.3 via 10.99.0.3 dev eth0 onlink \ngarbage\n\n";
        assertEquals(Map.of("10.77.0.2", "10.99.0.2", "10.77.0.3", "10.99.0.3"), BoxRoutes.parse(out));
        assertEquals(Map.of(), BoxRoutes.parse(""));
    }
}
