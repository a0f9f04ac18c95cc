package boxd.ssh.verbs;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArgSpecTest {
    private final ArgSpec exec = new ArgSpec("exec").bool("tty").multi("env", "e").value("timeout").positional(1, 1).commandAfter(1);

    @Test
    void flagsTakeValuesEitherWay() {
        Args a = new ArgSpec("new").value("name").value("cpus").bool("no-wait").positional(0, 0)
                .parse(List.of("--name=web", "--cpus", "2", "--no-wait", "--json"), 1);
        assertEquals("web", a.value("name"));
        assertEquals(2, a.intValue("cpus", 1, 1, 64));
        assertTrue(a.has("no-wait") && a.json());
    }

    @Test
    void execFlagsComeBeforeTheCommand() {
        Args a = exec.parse(List.of("web", "--tty", "-e", "A=1", "-e", "B=2", "--", "ls", "-l"), 1);
        assertEquals("web", a.arg(0));
        assertTrue(a.has("tty"));
        assertEquals(List.of("A=1", "B=2"), a.values("env"));
        assertEquals(List.of("ls", "-l"), a.rest());
        assertEquals(8, a.restIndex(), "index in the whole line, the verb being word 0");
        Args bare = exec.parse(List.of("web", "uname", "-a"), 1);
        assertEquals(List.of("uname", "-a"), bare.rest(), "without --, the command starts at the first plain word");
    }

    @Test
    void refusesUnknownFlagsMissingValuesAndExtraArguments() {
        ArgSpec info = new ArgSpec("info").positional(1, 1);
        assertTrue(assertThrows(UsageException.class, () -> info.parse(List.of("web", "--force"), 1)).getMessage().contains("unknown flag '--force'"));
        assertTrue(assertThrows(UsageException.class, () -> info.parse(List.of(), 1)).getMessage().contains("needs an argument"));
        assertTrue(assertThrows(UsageException.class, () -> info.parse(List.of("a", "b"), 1)).getMessage().contains("extra 'b'"));
        assertThrows(UsageException.class, () -> exec.parse(List.of("web", "--timeout"), 1));
        assertThrows(UsageException.class, () -> exec.parse(List.of("web", "-x"), 1));
        assertThrows(UsageException.class, () -> info.parse(List.of("web", "--json=yes"), 1));
        assertEquals("-", new ArgSpec("cp").positional(2, 2).parse(List.of("-", "web:x"), 1).arg(0), "a lone - is an argument");
    }

    @Test
    void sizes() {
        assertEquals(512, NewVerb.size("mem", "512M", 1, "M"));
        assertEquals(2048, NewVerb.size("mem", "2G", 1, "M"));
        assertEquals(256, NewVerb.size("mem", "256", 1, "M"));
        assertEquals(10, NewVerb.size("disk", "10G", 1024, "G"));
        assertEquals(10, NewVerb.size("disk", "10", 1024, "G"));
        assertThrows(UsageException.class, () -> NewVerb.size("disk", "100M", 1024, "G"));
        assertThrows(UsageException.class, () -> NewVerb.size("mem", "-1G", 1, "M"));
        assertThrows(UsageException.class, () -> NewVerb.size("mem", "lots", 1, "M"));
    }
}
