package boxd.app.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import boxd.app.config.BoxdConfig;
import boxd.common.Control;
import boxd.common.DataDir;
import boxd.common.Role;

class RoleSequenceTest {
    private final List<String> events = new ArrayList<>();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final RoleSequence seq = new RoleSequence(new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    private final Control control = (Control) Proxy.newProxyInstance(Control.class.getClassLoader(),
            new Class<?>[] {Control.class}, (p, m, a) -> { throw new UnsupportedOperationException(m.getName()); });

    private static ServeContext ctx() {
        BoxdConfig c = new BoxdConfig(new DataDir(Path.of("/tmp/x")), 2222, 5353, 8080, 8443, "boxd.local",
                BoxdConfig.Runtime.AUTO, "10.77.0.0/16", BoxdConfig.Policy.OPEN, false, "", "", List.of(), List.of(),
                List.of("worker", "ssh", "dns", "proxy"), Map.of());
        return new ServeContext(c, "ns", null);
    }

    private Role role(String name, boolean failsToStart) {
        return new Role() {
            @Override public String name() { return name; }
            @Override public String describe() { return name + " on :1"; }
            @Override public void start() throws Exception {
                events.add("start " + name);
                if (failsToStart) throw new java.net.BindException("Address already in use: port 2222");
            }
            @Override public void close() { events.add("close " + name); }
        };
    }

    @Test
    void startsInOrderHandsOnTheControlClientAndClosesInReverse() throws Exception {
        List<Control> seen = new ArrayList<>();
        List<RoleStep> steps = List.of(
                RoleStep.control(c -> role("control", false), r -> control),
                RoleStep.of("worker", c -> { seen.add(c.requireControl()); return role("worker", false); }),
                RoleStep.of("ssh", c -> role("ssh", false)));
        assertTrue(seq.startAll(steps, ctx(), () -> false));
        assertSame(control, seen.get(0), "roles after control get its client");
        assertEquals(3, seq.size());
        seq.closeAll();
        assertEquals(List.of("start control", "start worker", "start ssh", "close ssh", "close worker", "close control"), events);
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("control on :1\nworker on :1\nssh on :1\n"));
    }

    @Test
    void aRoleThatCannotStartClosesTheStartedOnesAndSaysWhy() {
        List<RoleStep> steps = List.of(
                RoleStep.control(c -> role("control", false), r -> control),
                RoleStep.of("worker", c -> role("worker", false)),
                RoleStep.of("ssh", c -> role("ssh", true)),
                RoleStep.of("dns", c -> role("dns", false)));
        RoleSequence.StartFailed e = assertThrows(RoleSequence.StartFailed.class, () -> seq.startAll(steps, ctx(), () -> false));
        assertEquals("ssh", e.role);
        assertTrue(e.getMessage().contains("ssh role could not start") && e.getMessage().contains("port 2222"), e.getMessage());
        assertEquals(List.of("start control", "start worker", "start ssh", "close ssh", "close worker", "close control"), events);
        assertEquals(0, seq.size());
    }

    @Test
    void anErrorWhileBuildingARoleClosesTheStartedOnesToo() {
        // a broken jar (a class from another build): serve must still close what runs and exit, not hang
        List<RoleStep> steps = List.of(
                RoleStep.control(c -> role("control", false), r -> control),
                RoleStep.of("worker", c -> { throw new NoSuchMethodError("WorkerConfig.defaultWorkerId"); }));
        RoleSequence.StartFailed e = assertThrows(RoleSequence.StartFailed.class, () -> seq.startAll(steps, ctx(), () -> false));
        assertEquals("worker", e.role);
        assertTrue(e.getMessage().contains("defaultWorkerId"), e.getMessage());
        assertEquals(List.of("start control", "close control"), events);
    }

    @Test
    void aRoleWithoutControlIsRefused() {
        assertThrows(RoleSequence.StartFailed.class,
                () -> seq.startAll(List.of(RoleStep.of("dns", c -> { c.requireControl(); return role("dns", false); })), ctx(), () -> false));
    }

    @Test
    void aStopDuringStartUpLeavesTheRestUnstarted() throws Exception {
        List<RoleStep> steps = List.of(RoleStep.control(c -> role("control", false), r -> control),
                RoleStep.of("worker", c -> role("worker", false)));
        int[] checks = {0};
        assertFalse(seq.startAll(steps, ctx(), () -> checks[0]++ >= 1));
        assertEquals(List.of("start control"), events);
        seq.closeAll();
        assertEquals(List.of("start control", "close control"), events);
    }
}
