package boxd.tui;

import boxd.common.Box;
import boxd.common.ObservedState;
import boxd.tui.impl.DashboardView;
import org.jline.utils.AttributedString;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static boxd.tui.testing.Boxes.box;
import static org.junit.jupiter.api.Assertions.*;

class DashboardViewTest {

    static final long NOW = 1_765_000_000_000L;   // 2025-12-06 05:46:40 UTC
    static final Function<Box, Duration> UP = b -> b.observed() == ObservedState.RUNNING
            ? Duration.ofMillis(NOW - b.updatedAtMillis()) : null;

    static final List<Box> BOXES = List.of(
            box("web", ObservedState.RUNNING, "10.77.0.2", NOW, 3 * 3600 + 4 * 60),
            box("db", ObservedState.PENDING, null, NOW, 0),
            box("worker-7", ObservedState.ERROR, "10.77.0.9", NOW, 0));

    private static List<String> text(List<AttributedString> lines) {
        return lines.stream().map(AttributedString::toString).toList();
    }

    @Test
    void showsTitleHeaderOneRowPerBoxStatusAndKeys() {
        List<String> l = text(DashboardView.render(
                new DashboardView.State("alice", BOXES, 0, "", NOW, false), 100, 12, UP));
        assertEquals(12, l.size());
        assertTrue(l.get(0).startsWith(" boxd dash - alice"), l.get(0));
        assertTrue(l.get(0).contains("3 boxes  05:46:40 UTC"), l.get(0));
        assertEquals("  NAME      STATUS   IP         UPTIME  CPUS  MEM  DISK", l.get(1).stripTrailing());
        assertEquals("> web       running  10.77.0.2  3h04m      2   2G   10G", l.get(2).stripTrailing());
        assertEquals("  db        pending  -          -          2   2G   10G", l.get(3).stripTrailing());
        assertEquals("  worker-7  error    10.77.0.9  -          2   2G   10G", l.get(4).stripTrailing());
        assertTrue(l.get(11).contains("d destroy"), l.get(11));
        for (String s : l) assertTrue(s.length() <= 100, s);
    }

    @Test
    void theSelectionMarkFollowsTheSelectedIndex() {
        List<String> l = text(DashboardView.render(
                new DashboardView.State("", BOXES, 2, "", NOW, false), 80, 10, UP));
        assertTrue(l.get(4).startsWith("> worker-7"), l.get(4));
        assertTrue(l.get(2).startsWith("  web"), l.get(2));
    }

    @Test
    void narrowTerminalsDropColumnsFromTheRightAndNoLineIsWider() {
        List<String> l = text(DashboardView.render(
                new DashboardView.State("alice", BOXES, 0, "a long status message that will not fit at all", NOW,
                        false), 38, 10, UP));
        assertEquals("  NAME      STATUS   IP         UPTIME", l.get(1).stripTrailing());
        for (String s : l) assertTrue(s.length() <= 38, "'" + s + "'");
        List<String> tiny = text(DashboardView.render(
                new DashboardView.State("alice", BOXES, 0, "", NOW, false), 12, 10, UP));
        assertTrue(tiny.get(2).startsWith("> web"), tiny.get(2));
        for (String s : tiny) assertTrue(s.length() <= 12, "'" + s + "'");
    }

    @Test
    void manyBoxesScrollToKeepTheSelectionVisible() {
        List<Box> many = new ArrayList<>();
        for (int i = 0; i < 40; i++) many.add(box(String.format("box-%02d", i), ObservedState.RUNNING, "10.77.0." + (i + 2), NOW, 5));
        List<String> l = text(DashboardView.render(new DashboardView.State("", many, 30, "", NOW, false), 80, 10, UP));
        assertEquals(10, l.size());
        assertTrue(l.stream().anyMatch(s -> s.startsWith("> box-30")), String.join("\n", l));
        assertTrue(l.get(1).contains("NAME"), "the header stays");
    }

    @Test
    void noBoxesSaysHowToMakeOneAndTinyHeightsStillFit() {
        List<String> l = text(DashboardView.render(new DashboardView.State("", List.of(), 0, "", NOW, false), 80, 8, UP));
        assertTrue(l.contains(DashboardView.EMPTY), String.join("\n", l));
        assertTrue(l.get(0).contains("0 boxes"));
        for (int h = 1; h <= 4; h++)
            assertEquals(h, DashboardView.render(new DashboardView.State("", BOXES, 0, "", NOW, false), 80, h, UP).size());
    }

    @Test
    void colourOnlyWhenAskedAndControlCharactersNeverReachTheScreen() {
        String plain = DashboardView.render(new DashboardView.State("x\u001b[2J", BOXES, 1, "err\u001bc", NOW, false),
                80, 10, UP).stream().map(AttributedString::toAnsi).reduce("", String::concat);
        assertFalse(plain.contains("\u001b[3"), "no colour: " + plain);
        assertFalse(plain.contains("\u001b[2J") || plain.contains("\u001bc"), plain);
        String colour = DashboardView.render(new DashboardView.State("", BOXES, 1, "", NOW, true), 80, 10, UP)
                .stream().map(AttributedString::toAnsi).reduce("", String::concat);
        assertTrue(colour.contains("\u001b[32mrunning") || colour.contains("\u001b[32m" + "running"), colour);
    }

    @Test
    void durationsAndSizesReadShort() {
        assertEquals("-", DashboardView.duration(null));
        assertEquals("42s", DashboardView.duration(Duration.ofSeconds(42)));
        assertEquals("12m", DashboardView.duration(Duration.ofMinutes(12).plusSeconds(5)));
        assertEquals("3h04m", DashboardView.duration(Duration.ofMinutes(184)));
        assertEquals("2d05h", DashboardView.duration(Duration.ofHours(53)));
        assertEquals("512M", DashboardView.megabytes(512));
        assertEquals("2G", DashboardView.megabytes(2048));
    }
}
