package boxd.control;

import boxd.common.BoxSpec;
import boxd.common.BoxdException;
import boxd.common.Control;
import boxd.common.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** A learner (worker-, DNS- or proxy-only host) joins a voter, forwards writes to it and reads its own writes. */
class LearnerTest {
    @TempDir Path dir;

    @Test
    void aLearnerJoinsForwardsWritesAndReadsItsOwnReplica() throws Exception {
        String voterAddr = "127.0.0.1:" + NodeProcess.freePort();
        String learnerAddr = "127.0.0.1:" + NodeProcess.freePort();
        try (ControlNode voter = new ControlNode(ControlConfig.voter("v1", dir.resolve("v1"), voterAddr, List.of(voterAddr)));
             ControlNode learner = new ControlNode(ControlConfig.learner("l1", dir.resolve("l1"), learnerAddr, List.of(voterAddr)))) {
            voter.start();
            voter.awaitLeader(Duration.ofSeconds(10));
            voter.client().registerUser("alice", FakeKeys.ed25519(1));
            learner.start();
            learner.awaitLeader(Duration.ofSeconds(20));
            assertFalse(learner.isLeader());

            Control c = learner.client();
            var box = c.createBox("alice", "web", BoxSpec.DEFAULT); // forwarded to the voter, read back locally
            assertEquals("10.77.0.2", box.ipv4());
            assertTrue(c.box("alice", "web").isPresent());
            BoxdException e = assertThrows(BoxdException.class, () -> c.createBox("alice", "web", BoxSpec.DEFAULT));
            assertEquals(ErrorCode.NAME_TAKEN, e.code());
            assertTrue(voter.client().boxByName("web").isPresent());
            learner.sync(Duration.ofSeconds(5));
            assertEquals(voter.dump(), learner.dump());
        }
    }

    @Test
    void writesFailWithUnavailableWhenNoLeaderCanBeFound() throws Exception {
        String deadVoter = "127.0.0.1:" + NodeProcess.freePort();
        String learnerAddr = "127.0.0.1:" + NodeProcess.freePort();
        ControlConfig cfg = ControlConfig.learner("l1", dir.resolve("l1"), learnerAddr, List.of(deadVoter))
                .withProposeTimeout(Duration.ofSeconds(1));
        try (ControlNode learner = new ControlNode(cfg)) {
            learner.start();
            long t = System.nanoTime();
            BoxdException e = assertThrows(BoxdException.class, () -> learner.client().registerUser("bob", FakeKeys.ed25519(2)));
            assertEquals(ErrorCode.UNAVAILABLE, e.code());
            assertFalse(e.hint().isBlank());
            assertTrue((System.nanoTime() - t) / 1e9 < 5, "fails within about the propose timeout");
        }
    }
}
