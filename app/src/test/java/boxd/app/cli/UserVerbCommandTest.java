package boxd.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class UserVerbCommandTest {
    @Test
    void theVerbGoesToLocalhostOnTheConfiguredPortWithEachWordQuotedForTheFarSide() {
        List<String> argv = UserVerbCommand.argv(2300, List.of("exec", "web", "--", "echo", "a b", "it's", "$HOME"), false);
        assertEquals(List.of("ssh", "-p", "2300"), argv.subList(0, 3));
        int host = argv.indexOf("localhost");
        assertTrue(host > 0, argv.toString());
        assertEquals(List.of("exec", "web", "--", "echo", "'a b'", "'it'\\''s'", "'$HOME'"), argv.subList(host + 1, argv.size()));
        assertTrue(!argv.contains("-t"));
        assertTrue(UserVerbCommand.argv(2222, List.of("connect", "web"), true).contains("-t"));
    }

    @Test
    void plainWordsStayUnquoted() {
        assertEquals("--name=web", UserVerbCommand.shellQuote("--name=web"));
        assertEquals("web:/home/boxd/f.txt", UserVerbCommand.shellQuote("web:/home/boxd/f.txt"));
        assertEquals("''", UserVerbCommand.shellQuote(""));
    }
}
