package boxd.control;

import boxd.common.ErrorCode;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

class CommandCodecTest {
    static final long T = 1_764_000_000_123L;

    /** One of every command, with awkward values (empty strings, non-ASCII, extremes). */
    static List<Command> samples() {
        return List.of(
                new Command.RegisterUser("alice", "SHA256:abc", "ssh-ed25519 AAAA x", "", T),
                new Command.RegisterUser("bob", "SHA256:def", "ssh-ed25519 AAAA ü", "invite-1", Long.MAX_VALUE),
                new Command.AddKey("alice", "SHA256:x", "ssh-rsa AAAA", T),
                new Command.RemoveKey("alice", "SHA256:x"),
                new Command.CreateInvite("alice", "0123456789abcdef0123", T),
                new Command.CreateBox("b-0123456789ab", "alice", "web", 64, 262_144, 2048, "debian-bookworm",
                        "10.77.255.254", 30_000, T),
                new Command.CreateBox("b-000000000000", "alice", "w", 1, 64, 1, "", "", 0, 0),
                new Command.DestroyBox("alice", "web", T),
                new Command.RebootBox("alice", "web", T),
                new Command.AssignBox("b-0123456789ab", "worker-1", T),
                new Command.ReportBox("b-0123456789ab", "ERROR", "disk full: 日本", T),
                new Command.ReportDestroyed("b-0123456789ab", T),
                new Command.RegisterWorker("worker-1", "10.0.0.5:7000", 16, 65_536, T + 10_000, T),
                new Command.Heartbeat("worker-1", T + 10_000, T),
                new Command.ExpireWorker("worker-1", T),
                new Command.SetProxy("alice", "web", "api", 65_535, T),
                new Command.DeleteProxy("alice", "web", "", T),
                new Command.Expose("alice", "web", 22, 40_000, T),
                new Command.Unexpose("alice", "web", -1, Long.MIN_VALUE),
                new Command.AddPlatformKey("SHA256:p", "ecdsa-sha2-nistp256 AAAA boxd-platform", T));
    }

    @Test
    void everyCommandRoundTrips() {
        for (Command c : samples()) {
            byte[] b = CommandCodec.encode(c);
            assertEquals(CommandCodec.VERSION, b[0]);
            assertEquals(c, CommandCodec.decode(b), c.toString());
        }
    }

    @Test
    void samplesCoverEveryCommandType() {
        Set<Class<?>> covered = samples().stream().map(Object::getClass).collect(Collectors.toSet());
        Set<Class<?>> all = Arrays.stream(Command.class.getPermittedSubclasses()).collect(Collectors.toSet());
        assertEquals(all, covered, "add a sample (and a tag in CommandCodec) for every new command");
    }

    @Test
    void tagsAreDistinctAndEncodingIsCompact() {
        Set<Byte> tags = samples().stream().map(c -> CommandCodec.encode(c)[1]).collect(Collectors.toSet());
        assertEquals(Command.class.getPermittedSubclasses().length, tags.size());
        int size = CommandCodec.encode(new Command.CreateBox("b-0123456789ab", "alice", "web", 1, 512, 4,
                "debian-bookworm", "10.77.0.2", 10_000, T)).length;
        assertTrue(size < 80, "a box create is " + size + " bytes");
    }

    @Test
    void rejectsUnknownVersionsTagsAndTruncation() {
        byte[] ok = CommandCodec.encode(samples().getFirst());
        byte[] badVersion = ok.clone();
        badVersion[0] = 99;
        assertThrows(IllegalArgumentException.class, () -> CommandCodec.decode(badVersion));
        byte[] badTag = ok.clone();
        badTag[1] = 120;
        assertThrows(IllegalArgumentException.class, () -> CommandCodec.decode(badTag));
        for (int n = 0; n < ok.length; n++) {
            byte[] cut = Arrays.copyOf(ok, n);
            assertThrows(IllegalArgumentException.class, () -> CommandCodec.decode(cut), "cut at " + n);
        }
        byte[] longer = Arrays.copyOf(ok, ok.length + 1);
        assertThrows(IllegalArgumentException.class, () -> CommandCodec.decode(longer));
    }

    @Test
    void outcomesRoundTrip() {
        for (Outcome o : List.of(Outcome.ok("b-1"), Outcome.ok(""),
                Outcome.reject(ErrorCode.NAME_TAKEN, "the box name 'web' is taken", "choose another"))) {
            assertEquals(o, CommandCodec.decodeOutcome(CommandCodec.encodeOutcome(o)));
        }
    }
}
