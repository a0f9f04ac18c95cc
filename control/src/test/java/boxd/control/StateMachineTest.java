package boxd.control;

import boxd.common.ErrorCode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class StateMachineTest {
    static final long T = 1_000_000L;
    @TempDir Path dir;
    StateMachine sm;

    @BeforeEach
    void open() { sm = new StateMachine(dir.resolve("state.db")); }

    @AfterEach
    void close() { sm.close(); }

    Outcome ok(Command c) {
        Outcome o = sm.apply(c);
        assertInstanceOf(Outcome.Applied.class, o, () -> c + " -> " + o);
        return o;
    }

    void rejected(ErrorCode code, Command c) {
        String before = sm.dump();
        Outcome o = sm.apply(c);
        Outcome.Rejected r = assertInstanceOf(Outcome.Rejected.class, o, () -> c + " -> " + o);
        assertEquals(code, r.code(), r.message());
        assertFalse(r.message().isBlank());
        // a rejected command changes nothing but the applied index
        assertEquals(before.replaceAll("last_applied_index\\|\\d+", ""), sm.dump().replaceAll("last_applied_index\\|\\d+", ""));
    }

    static Command.CreateBox box(String id, String owner, String name, String ip, int port) {
        return new Command.CreateBox(id, owner, name, 1, 512, 4, "debian-bookworm", ip, port, T);
    }

    void users() {
        ok(new Command.RegisterUser("alice", "fa", "k1", "", T));
        ok(new Command.RegisterUser("bob", "fb", "k2", "", T));
    }

    @Test
    void replayedEntriesAreSkippedAndTheIndexIsStoredWithTheBatch() {
        var e1 = new StateMachine.Entry(1, new Command.RegisterUser("alice", "fa", "k", "", T));
        var e2 = new StateMachine.Entry(2, new Command.RegisterUser("bob", "fb", "k", "", T));
        List<Outcome> first = sm.applyBatch(List.of(e1, e2));
        assertEquals(2, first.size());
        assertEquals(2, sm.lastApplied());
        String dump = sm.dump();
        List<Outcome> again = sm.applyBatch(List.of(e1, e2));
        assertNull(again.get(0));
        assertNull(again.get(1));
        assertEquals(dump, sm.dump());
        sm.close();
        sm = new StateMachine(dir.resolve("state.db"));
        assertEquals(2, sm.lastApplied(), "the index survives a reopen (and migrations do not run twice)");
        assertEquals(dump, sm.dump());
    }

    @Test
    void platformKeysAreRecordedOnceEachAndCheckedAtApply() throws Exception {
        String a = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDul6udd83otVnE729ToUZw2g4JrnKya6bEzvKjURgHs frontend-a";
        String b = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIILFWvhbxShU1mVsWkmPNTI/p7OtubWaJamyZnc4Me1y frontend-b";
        String fa = boxd.common.AuthorizedKey.parse(a).fingerprint(), fb = boxd.common.AuthorizedKey.parse(b).fingerprint();
        ok(new Command.AddPlatformKey(fa, a, T));
        ok(new Command.AddPlatformKey(fa, a, T + 1));  // a frontend restarting: a no-op
        ok(new Command.AddPlatformKey(fb, b, T + 2));
        assertEquals(List.of(a, b), Reads.platformKeys(sm.connection()));
        rejected(ErrorCode.INVALID, new Command.AddPlatformKey("SHA256:x", "not a key", T));
        rejected(ErrorCode.INVALID, new Command.AddPlatformKey(fa, b, T));  // fingerprint of another key
        assertEquals(List.of(a, b), Reads.platformKeys(sm.connection()), "refusals change nothing");
    }

    @Test
    void accountsAndKeys() {
        users();
        rejected(ErrorCode.NAME_TAKEN, new Command.RegisterUser("alice", "fz", "k", "", T));
        rejected(ErrorCode.KEY_TAKEN, new Command.RegisterUser("carol", "fa", "k", "", T));
        rejected(ErrorCode.INVALID, new Command.RegisterUser("Carol!", "fc", "k", "", T));
        ok(new Command.RegisterUser("alice", "fa", "k1", "", T)); // the same registration again is a retry
        ok(new Command.AddKey("alice", "fa2", "k", T));
        rejected(ErrorCode.KEY_TAKEN, new Command.AddKey("alice", "fb", "k", T));
        rejected(ErrorCode.NOT_FOUND, new Command.AddKey("nobody", "fq", "k", T));
        ok(new Command.RemoveKey("alice", "fa"));
        rejected(ErrorCode.CONFLICT, new Command.RemoveKey("alice", "fa2"));
        rejected(ErrorCode.NOT_FOUND, new Command.RemoveKey("alice", "fb"));
        rejected(ErrorCode.FORBIDDEN, new Command.CreateInvite("bob", "code1", T));
        ok(new Command.CreateInvite("alice", "code1", T));
        ok(new Command.RegisterUser("carol", "fc", "k", "code1", T));
        rejected(ErrorCode.NOT_FOUND, new Command.RegisterUser("dave", "fd", "k", "code1", T));
    }

    @Test
    void boxesAreCheckedAgainstNamesAddressesPortsAndQuota() {
        users();
        ok(box("b-1", "alice", "web", "10.77.0.2", 10_000));
        rejected(ErrorCode.NAME_TAKEN, box("b-2", "bob", "web", "10.77.0.3", 10_001));
        rejected(ErrorCode.CONFLICT, box("b-2", "bob", "api", "10.77.0.2", 10_001));
        rejected(ErrorCode.CONFLICT, box("b-2", "bob", "api", "10.77.0.3", 10_000));
        rejected(ErrorCode.INVALID, box("b-2", "bob", "api", "10.77.0", 10_001));
        rejected(ErrorCode.INVALID, box("b-2", "bob", "api", "10.77.0.3", 9_999));
        rejected(ErrorCode.NOT_FOUND, box("b-2", "nobody", "api", "10.77.0.3", 10_001));
        rejected(ErrorCode.INVALID, new Command.CreateBox("b-2", "bob", "api", 0, 512, 4, "", "10.77.0.3", 10_001, T));
        ok(box("b-1", "alice", "web", "10.77.0.9", 10_009)); // a retried create of the same id
        for (int i = 1; i < StateMachine.MAX_BOXES_PER_USER; i++)
            ok(box("b-a" + i, "alice", "a" + i, "10.77.1." + i, 11_000 + i));
        rejected(ErrorCode.QUOTA, box("b-x", "alice", "one-more", "10.77.2.1", 12_000));
    }

    @Test
    void destroyingAPendingBoxFreesItAtOnceAndAnAssignedOneAfterTheWorkerReports() throws Exception {
        users();
        ok(box("b-1", "alice", "web", "10.77.0.2", 10_000));
        rejected(ErrorCode.NOT_FOUND, new Command.DestroyBox("bob", "web", T));
        ok(new Command.DestroyBox("alice", "web", T));
        ok(box("b-2", "bob", "web", "10.77.0.2", 10_000)); // name, address and port are free again
        ok(new Command.RegisterWorker("w1", "addr", 4, 4096, T + 10_000, T));
        ok(new Command.AssignBox("b-2", "w1", T + 1));
        ok(new Command.SetProxy("bob", "web", "", 3000, T));
        assertEquals("40000", ((Outcome.Applied) ok(new Command.Expose("bob", "web", 22, 40_000, T))).result());
        rejected(ErrorCode.CONFLICT, new Command.ReportDestroyed("b-2", T));
        ok(new Command.DestroyBox("bob", "web", T));
        rejected(ErrorCode.CONFLICT, new Command.RebootBox("bob", "web", T));
        rejected(ErrorCode.NAME_TAKEN, box("b-3", "alice", "web", "10.77.0.3", 10_001));
        ok(new Command.ReportDestroyed("b-2", T));
        ok(new Command.ReportDestroyed("b-2", T)); // a retry
        String dump = sm.dump();
        assertFalse(dump.contains("|40000|"), "exposure port freed:\n" + dump);
        assertTrue(Reads.boxById(sm.connection(), "b-2").isEmpty());
        ok(box("b-3", "alice", "web", "10.77.0.2", 10_000));
    }

    @Test
    void assignmentsRespectLeaseAndCapacity() {
        users();
        ok(new Command.RegisterWorker("w1", "addr", 2, 1024, T + 10_000, T));
        ok(box("b-1", "alice", "a", "10.77.0.2", 10_000));
        ok(box("b-2", "alice", "b", "10.77.0.3", 10_001));
        ok(new Command.CreateBox("b-3", "alice", "c", 1, 600, 4, "", "10.77.0.4", 10_002, T));
        rejected(ErrorCode.NOT_FOUND, new Command.AssignBox("b-1", "w9", T));
        rejected(ErrorCode.CONFLICT, new Command.AssignBox("b-1", "w1", T + 10_001)); // lease over
        ok(new Command.AssignBox("b-1", "w1", T));
        rejected(ErrorCode.CONFLICT, new Command.AssignBox("b-1", "w1", T));
        rejected(ErrorCode.NO_CAPACITY, new Command.AssignBox("b-3", "w1", T)); // 512 + 600 > 1024
        ok(new Command.AssignBox("b-2", "w1", T));
        rejected(ErrorCode.CONFLICT, new Command.ExpireWorker("w1", T + 5_000));
        ok(new Command.ExpireWorker("w1", T + 10_001));
        assertTrue(sm.dump().contains("|LOST|w1|"));
        ok(new Command.Heartbeat("w1", T + 30_000, T + 20_000));
        rejected(ErrorCode.NOT_FOUND, new Command.Heartbeat("w9", T, T));
        ok(new Command.ReportBox("b-1", "RUNNING", "", T));
        rejected(ErrorCode.INVALID, new Command.ReportBox("b-1", "DANCING", "", T));
    }

    @Test
    void rebootReturnsToRunningWhenTheWorkerReportsRunning() {
        users();
        ok(new Command.RegisterWorker("w1", "addr", 2, 1024, T + 10_000, T));
        ok(box("b-1", "alice", "a", "10.77.0.2", 10_000));
        rejected(ErrorCode.CONFLICT, new Command.RebootBox("alice", "a", T));
        ok(new Command.AssignBox("b-1", "w1", T));
        ok(new Command.RebootBox("alice", "a", T));
        assertTrue(sm.dump().contains("|REBOOTING|"));
        ok(new Command.ReportBox("b-1", "RUNNING", "", T));
        assertFalse(sm.dump().contains("|REBOOTING|"));
    }

    @Test
    void routesAndExposures() {
        users();
        ok(box("b-1", "alice", "web", "10.77.0.2", 10_000));
        rejected(ErrorCode.NOT_FOUND, new Command.SetProxy("bob", "web", "", 80, T));
        rejected(ErrorCode.INVALID, new Command.SetProxy("alice", "web", "Bad Sub", 80, T));
        rejected(ErrorCode.INVALID, new Command.SetProxy("alice", "web", "", 70_000, T));
        ok(new Command.SetProxy("alice", "web", "", 80, T));
        ok(new Command.SetProxy("alice", "web", "", 8080, T)); // update
        rejected(ErrorCode.NOT_FOUND, new Command.DeleteProxy("alice", "web", "api", T));
        ok(new Command.DeleteProxy("alice", "web", "", T));
        ok(new Command.Expose("alice", "web", 22, 40_000, T));
        assertEquals("40000", ((Outcome.Applied) ok(new Command.Expose("alice", "web", 22, 40_005, T))).result());
        rejected(ErrorCode.CONFLICT, new Command.Expose("alice", "web", 80, 40_000, T));
        rejected(ErrorCode.INVALID, new Command.Expose("alice", "web", 80, 39_999, T));
        ok(new Command.Expose("alice", "web", 80, 40_001, T));
        ok(new Command.Expose("alice", "web", 443, 40_002, T));
        rejected(ErrorCode.QUOTA, new Command.Expose("alice", "web", 8080, 40_003, T));
        ok(new Command.Unexpose("alice", "web", 80, T));
        rejected(ErrorCode.NOT_FOUND, new Command.Unexpose("alice", "web", 80, T));
        ok(new Command.Expose("alice", "web", 8080, 40_001, T));
    }

    @Test
    void aSnapshotCopyReplacesAReplica() throws Exception {
        users();
        ok(box("b-1", "alice", "web", "10.77.0.2", 10_000));
        Path snap = dir.resolve("snap.db");
        sm.snapshotTo(snap);
        assertEquals(sm.lastApplied(), StateMachine.lastAppliedOf(snap));
        String dump = sm.dump();
        try (StateMachine other = new StateMachine(dir.resolve("other.db"))) {
            other.apply(new Command.RegisterUser("zed", "fz", "k", "", T));
            other.replaceWith(snap);
            assertEquals(dump, other.dump());
            assertEquals(sm.lastApplied(), other.lastApplied());
            assertInstanceOf(Outcome.Applied.class, other.apply(box("b-2", "bob", "db", "10.77.0.3", 10_001)));
        }
    }
}
