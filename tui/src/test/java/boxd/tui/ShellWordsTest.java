package boxd.tui;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ShellWordsTest {

    @Test
    void splitsOnBlanksAndKeepsQuotedTextTogether() {
        assertEquals(List.of("new", "--name", "web"), ShellWords.split("  new   --name\tweb "));
        assertEquals(List.of("exec", "web", "--", "sh", "-c", "echo $HOME; ls"),
                ShellWords.split("exec web -- sh -c 'echo $HOME; ls'"));
        assertEquals(List.of("say", "a \"b\" \\ $x"), ShellWords.split("say \"a \\\"b\\\" \\\\ \\$x\""));
        assertEquals(List.of("--mem=2 G"), ShellWords.split("--mem=\"2 G\""));
        assertEquals(List.of("a b"), ShellWords.split("a\\ b"));
        assertEquals(List.of("", "x"), ShellWords.split("'' x"));
        assertEquals(List.of("it's"), ShellWords.split("'it'\\''s'"));
        assertEquals(List.of("a\\nb"), ShellWords.split("'a\\nb'"), "no escapes inside single quotes");
        assertEquals(List.of(), ShellWords.split("   "));
    }

    @Test
    void hashStartsACommentOnlyAtTheStartOfAWord() {
        assertEquals(List.of("list"), ShellWords.split("list # all of them"));
        assertEquals(List.of(), ShellWords.split("# a comment"));
        assertEquals(List.of("info", "web#1"), ShellWords.split("info web#1"));
        assertEquals(List.of("#x"), ShellWords.split("'#x'"));
    }

    @Test
    void unclosedQuotesAndTrailingBackslashesAreErrors() {
        assertThrows(ShellWords.SyntaxError.class, () -> ShellWords.split("say 'oops"));
        assertThrows(ShellWords.SyntaxError.class, () -> ShellWords.split("say \"oops"));
        assertThrows(ShellWords.SyntaxError.class, () -> ShellWords.split("say oops\\"));
        assertEquals(List.of("ab"), ShellWords.split("a\\\nb"), "backslash-newline joins lines");
    }

    @Test
    void quoteGivesBackTheWord() {
        for (String w : List.of("web", "", "a b", "it's", "$HOME", "x\"y", "new\nline", "--mem=2G", "web:/tmp/a"))
            assertEquals(List.of(w), ShellWords.split(ShellWords.quote(w)), w);
        assertEquals("web:/tmp/a", ShellWords.quote("web:/tmp/a"));
    }
}
