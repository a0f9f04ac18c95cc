package boxd.tui;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

class ProgressTest {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private String text() { return bytes.toString(StandardCharsets.UTF_8); }

    @Test
    void onATerminalOneLineIsRewrittenInPlaceThenReplaced() {
        AtomicLong now = new AtomicLong();
        Progress p = Progress.manual(out, true, "creating web", now::get);
        now.addAndGet(3_000_000_000L);
        p.step("starting");
        p.done("web is running at 10.77.0.2");
        String s = text();
        assertTrue(s.contains("\r\u001b[K/ creating web: starting (3s)"), s);
        assertTrue(s.endsWith("\r\u001b[Kweb is running at 10.77.0.2\n"), s);
        assertEquals(1, s.chars().filter(c -> c == '\n').count(), "a single line in the end: " + s);
    }

    @Test
    void withoutATerminalOnlyTheFinalLine() {
        Progress p = Progress.manual(out, false, "creating web", System::nanoTime);
        p.step("pending");
        p.step("starting");
        p.done("web is running");
        p.done("twice");
        assertEquals("web is running\n", text());
    }

    @Test
    void closeClearsTheLineWithoutPrintingAndTheTickerStops() throws Exception {
        Progress p = Progress.start(out, true, "waiting");
        Thread.sleep(350);
        p.close();
        String atClose = text();
        assertTrue(atClose.contains("waiting (0s)"), atClose);
        assertTrue(atClose.endsWith("\r\u001b[K"), atClose);
        Thread.sleep(300);
        assertEquals(atClose, text(), "nothing drawn after close");
        Progress.start(out, false, "quiet").close();
        assertEquals(atClose, text());
    }
}
