package boxd.tui;

import boxd.common.BoxdException;
import boxd.common.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

@Timeout(30)
class LineModeTest {

    private final List<List<String>> received = new ArrayList<>();
    private final List<Integer> stdinBytes = new ArrayList<>();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private final VerbRunner runner = (argv, in, o, e) -> {
        received.add(argv);
        try {
            stdinBytes.add(in.readAllBytes().length);
        } catch (IOException ex) {
            throw new RuntimeException(ex);
        }
        return switch (argv.get(0)) {
            case "fail" -> throw new BoxdException(ErrorCode.NOT_FOUND, "no box named 'x'", "see 'list'");
            case "status" -> Integer.parseInt(argv.get(1));
            default -> {
                o.println("ok " + String.join("|", argv));
                yield 0;
            }
        };
    };

    private int run(String input, boolean prompt) {
        return LineMode.builder()
                .input(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)))
                .output(new PrintStream(out, true, StandardCharsets.UTF_8))
                .error(new PrintStream(err, true, StandardCharsets.UTF_8))
                .runner(runner).prompt(prompt).build().run();
    }

    private String out() { return out.toString(StandardCharsets.UTF_8); }

    private String err() { return err.toString(StandardCharsets.UTF_8); }

    @Test
    void runsEachLineSplitLikeAShellWithoutPromptsOrColour() {
        int status = run("list\r\nnew --name 'my box'\n\n   # comment\ninfo web # trailing\nstatus 4", false);
        assertEquals(4, status, "the last verb's status");
        assertEquals(List.of(List.of("list"), List.of("new", "--name", "my box"), List.of("info", "web"),
                List.of("status", "4")), received);
        assertEquals("ok list\nok new|--name|my box\nok info|web\n", out());
        assertFalse(out().contains("boxd>"));
        assertFalse(out().contains("\u001b"));
        assertEquals(List.of(0, 0, 0, 0), stdinBytes, "verbs get an empty stdin; the input holds the commands");
    }

    @Test
    void anOpenQuoteContinuesOnTheNextLine() {
        assertEquals(0, run("say 'two\nlines'\nlist\n", false));
        assertEquals(List.of(List.of("say", "two\nlines"), List.of("list")), received);
        assertEquals(2, run("say 'never closed\n", false));
        assertTrue(err().contains("unclosed single quote"), err());
    }

    @Test
    void exitAndQuitStopReading() {
        assertEquals(0, run("list\nexit\nlist\n", false));
        assertEquals(1, received.size());
        assertEquals(0, run("quit\nlist\n", false));
        assertEquals(1, received.size());
    }

    @Test
    void errorsGoToStderrWithTheHintAndReadingGoesOn() {
        assertEquals(0, run("fail\nlist\n", false));
        assertEquals("error: no box named 'x'\n  hint: see 'list'\n", err());
        assertEquals(2, received.size());
        assertEquals(1, run("fail\n", false));
    }

    @Test
    void promptsOnlyWhenAsked() {
        run("list\n", true);
        assertEquals("boxd> ok list\nboxd> ", out());
    }

    @Test
    void anOverlongLineIsRefusedAndTheNextOneRuns() {
        String huge = "x".repeat(LineMode.MAX_LINE_CHARS + 10);
        assertEquals(0, run("info " + huge + "\nlist\n", false));
        assertEquals(List.of(List.of("list")), received);
        assertTrue(err().contains("longer than"), err());
    }
}
