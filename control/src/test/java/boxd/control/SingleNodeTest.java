package boxd.control;

import boxd.common.Box;
import boxd.common.BoxSpec;
import boxd.common.BoxdException;
import boxd.common.Control;
import boxd.common.DesiredState;
import boxd.common.ErrorCode;
import boxd.common.ObservedState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/** The single-node control plane end to end through the {@link Control} API, as serve and other modules use it. */
class SingleNodeTest {
    @TempDir Path dir;

    private static BoxdException refused(ErrorCode code, Runnable r) {
        BoxdException e = assertThrows(BoxdException.class, r::run);
        assertEquals(code, e.code(), e.getMessage());
        return e;
    }

    @Test
    void boxLifecycleThroughTheClient() throws Exception {
        try (ControlNode node = ControlNode.singleNode(dir)) {
            node.start();
            Control c = node.client();
            AtomicInteger changes = new AtomicInteger();
            AutoCloseable watch = c.watch(changes::incrementAndGet);

            assertEquals(0, c.userCount());
            var alice = c.registerUser("alice", FakeKeys.ed25519(1));
            assertTrue(alice.admin(), "the first account is admin");
            var bob = c.registerUser("bob", FakeKeys.ed25519(2));
            assertFalse(bob.admin());
            refused(ErrorCode.NAME_TAKEN, () -> c.registerUser("bob", FakeKeys.ed25519(3)));
            refused(ErrorCode.KEY_TAKEN, () -> c.registerUser("carol", FakeKeys.ed25519(2)));
            String fp = c.keys("alice").getFirst().fingerprint();
            assertEquals("alice", c.userByKeyFingerprint(fp).orElseThrow().name());

            Box web = c.createBox("alice", "web", BoxSpec.DEFAULT);
            assertTrue(web.id().matches("b-[0-9a-f]{12}"), web.id());
            assertEquals("10.77.0.2", web.ipv4());
            assertEquals(10_000, web.sshPort());
            assertEquals(ObservedState.PENDING, web.observed());
            Box db = c.createBox("alice", "db", new BoxSpec(2, 1024, 8, "debian-bookworm"));
            assertEquals("10.77.0.3", db.ipv4());
            assertEquals(10_001, db.sshPort());
            refused(ErrorCode.NAME_TAKEN, () -> c.createBox("bob", "web", BoxSpec.DEFAULT));
            refused(ErrorCode.INVALID, () -> c.createBox("bob", "Bad_Name", BoxSpec.DEFAULT));
            assertEquals(2, c.boxes("alice").size());
            assertEquals("db", c.boxes("alice").getFirst().name());
            assertTrue(c.box("bob", "web").isEmpty(), "another user's box is invisible");
            refused(ErrorCode.NOT_FOUND, () -> c.destroyBox("bob", "web"));

            c.registerWorker("w1", "127.0.0.1", 8, 16_384);
            Box scheduled = c.awaitBox(web.id(), b -> b.worker() != null, Duration.ofSeconds(10)).orElseThrow();
            assertEquals("w1", scheduled.worker());
            assertEquals(ObservedState.SCHEDULED, scheduled.observed());
            c.awaitBox(db.id(), b -> b.worker() != null, Duration.ofSeconds(10)).orElseThrow();
            assertEquals(2, c.boxesOn("w1").size(), "the scheduler placed both boxes");

            c.reportBox(web.id(), ObservedState.RUNNING, "");
            assertTrue(c.awaitBox(web.id(), Box::isRunning, Duration.ofSeconds(5)).orElseThrow().isRunning());
            c.rebootBox("alice", "web");
            assertEquals(DesiredState.REBOOTING, c.boxById(web.id()).orElseThrow().desired());
            c.reportBox(web.id(), ObservedState.RUNNING, "");
            assertEquals(DesiredState.RUNNING, c.boxById(web.id()).orElseThrow().desired());

            var route = c.setProxy("alice", "web", "api", 3000);
            assertEquals("api.web", route.hostLabel());
            assertEquals(1, c.proxyRoutes().size());
            var e1 = c.expose("alice", "web", 22);
            assertEquals(40_000, e1.publicPort());
            c.expose("alice", "web", 80);
            c.expose("alice", "web", 443);
            refused(ErrorCode.QUOTA, () -> c.expose("alice", "web", 8080));
            assertEquals(3, c.exposures().size());

            c.destroyBox("alice", "web");
            assertEquals(DesiredState.DESTROYED, c.boxById(web.id()).orElseThrow().desired());
            c.reportDestroyed(web.id());
            assertTrue(c.boxById(web.id()).isEmpty());
            assertTrue(c.exposures().isEmpty(), "exposures freed");
            assertTrue(c.proxyRoutes().isEmpty(), "routes freed");
            Box again = c.createBox("bob", "web", BoxSpec.DEFAULT);
            assertEquals("10.77.0.2", again.ipv4(), "the freed address is reused");

            String invite = c.createInvite("alice");
            refused(ErrorCode.FORBIDDEN, () -> c.createInvite("bob"));
            assertFalse(c.redeemInvite(invite, "dave", FakeKeys.ed25519(4)).admin());
            refused(ErrorCode.NOT_FOUND, () -> c.redeemInvite(invite, "erin", FakeKeys.ed25519(5)));

            assertTrue(changes.get() > 10, "watch saw the applied batches: " + changes.get());
            watch.close();
        }
    }

    @Test
    void survivesARestartWithItsState() throws Exception {
        String id;
        long index;
        try (ControlNode node = ControlNode.singleNode(dir)) {
            node.start();
            node.client().registerUser("alice", FakeKeys.ed25519(1));
            id = node.client().createBox("alice", "web", BoxSpec.DEFAULT).id();
            index = node.client().appliedIndex();
        }
        try (ControlNode node = ControlNode.singleNode(dir)) {
            node.start();
            Control c = node.client();
            assertTrue(c.appliedIndex() >= index);
            assertEquals(id, c.boxByName("web").orElseThrow().id());
            assertEquals("10.77.0.3", c.createBox("alice", "db", BoxSpec.DEFAULT).ipv4());
        }
    }

    @Test
    void movesToAFreePortWhenItsRememberedPortIsTaken() throws Exception {
        String id;
        String oldAddress;
        try (ControlNode node = ControlNode.singleNode(dir)) {
            node.start();
            node.client().registerUser("alice", FakeKeys.ed25519(1));
            id = node.client().createBox("alice", "web", BoxSpec.DEFAULT).id();
            oldAddress = node.raftAddress();
        }
        int oldPort = Integer.parseInt(oldAddress.substring(oldAddress.indexOf(':') + 1));
        try (var squatter = new java.net.ServerSocket(oldPort, 1, java.net.InetAddress.getLoopbackAddress());
             ControlNode node = ControlNode.singleNode(dir)) {
            node.start();
            assertNotEquals(oldAddress, node.raftAddress());
            Control c = node.client();
            assertEquals(id, c.boxByName("web").orElseThrow().id());
            assertEquals("10.77.0.3", c.createBox("alice", "db", BoxSpec.DEFAULT).ipv4());
        }
    }
}
