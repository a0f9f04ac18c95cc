package boxd.ssh.verbs;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommandLineTest {
    @Test
    void splitsLikeAShell() {
        CommandLine l = CommandLine.parse("  new --name='my box' \"a\\\"b\" c\\ d  ");
        assertEquals(List.of("new", "--name=my box", "a\"b", "c d"), l.words());
        assertEquals(List.of(), CommandLine.parse("   ").words());
        assertEquals(List.of(""), CommandLine.parse("''").words());
    }

    @Test
    void keepsTheRawTextAfterAWord() {
        CommandLine l = CommandLine.parse("exec web -- echo $HOME 'a  b' | wc");
        assertEquals("echo $HOME 'a  b' | wc", l.rawFrom(3));
        assertEquals("", l.rawFrom(99));
    }

    @Test
    void quotesSplitWordsBackIntoALine() {
        CommandLine l = CommandLine.of(List.of("exec", "web", "--", "echo", "it's here", "$x"));
        assertEquals("echo 'it'\\''s here' '$x'", l.rawFrom(3));
        assertEquals(List.of("exec", "web", "--", "echo", "it's here", "$x"), CommandLine.parse(l.source()).words());
    }

    @Test
    void refusesUnterminatedQuotesAndHugeLines() {
        UsageException e = assertThrows(UsageException.class, () -> CommandLine.parse("new --name='x"));
        assertTrue(e.getMessage().contains("unterminated"));
        UsageException big = assertThrows(UsageException.class, () -> CommandLine.parse("x".repeat(1 << 20)));
        assertTrue(big.getMessage().contains("over the limit"), big.getMessage());
    }
}
