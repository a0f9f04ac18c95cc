package boxd.tui;

import org.jline.utils.AttributedStyle;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class TableTest {

    @Test
    void columnsArePaddedToTheWidestCellAndLinesHaveNoTrailingBlanks() {
        Table t = Table.of("NAME", "STATUS", "IP")
                .row("web", "running", "10.77.0.2")
                .row("database-1", "pending", null);
        assertEquals(List.of(
                "NAME        STATUS   IP",
                "web         running  10.77.0.2",
                "database-1  pending  -"), t.lines());
        assertEquals(2, t.size());
        assertEquals("NAME        STATUS   IP\nweb         running  10.77.0.2\ndatabase-1  pending  -\n", t.render());
    }

    @Test
    void rightAlignedColumnsPadOnTheLeft() {
        Table t = Table.of("NAME", "CPUS", "MEM").right(1, 2)
                .row("a", 1, "512M")
                .row("bb", 16, "16G");
        assertEquals(List.of(
                "NAME  CPUS   MEM",
                "a        1  512M",
                "bb      16   16G"), t.lines());
    }

    @Test
    void headerOnlyWhenThereAreNoRowsAndMissingCellsAreEmpty() {
        assertEquals(List.of("NAME  STATUS"), Table.of("NAME", "STATUS").lines());
        assertEquals(List.of("A    B", "xyz"), Table.of("A", "B").row("xyz").lines());
        assertThrows(IllegalArgumentException.class, () -> Table.of("A").row("1", "2"));
        assertThrows(IllegalArgumentException.class, Table::of);
        assertThrows(IndexOutOfBoundsException.class, () -> Table.of("A").right(1));
    }

    @Test
    void wideCharactersCountTwoColumns() {
        Table t = Table.of("NAME", "X").row("日本", "1").row("abcde", "2");
        List<String> l = t.lines();
        // "日本" is 4 columns wide, so it gets 1 blank of padding to reach "abcde"'s 5.
        assertEquals("日本   1", l.get(1));
        assertEquals("abcde  2", l.get(2));
    }

    @Test
    void controlCharactersInCellsCannotReachTheTerminal() {
        Table t = Table.of("NAME", "ERROR").row("x", "boom\u001b[2J\nnext\tline");
        String out = t.render();
        assertFalse(out.contains("\u001b"), out);
        assertEquals("x     boom?[2J?next?line", t.lines().get(1));
    }

    @Test
    void plainUnlessColourIsAskedFor() {
        Table plain = Table.of("NAME", "STATUS").style(1, s -> AttributedStyle.DEFAULT.foreground(AttributedStyle.GREEN))
                .row("web", "running");
        assertFalse(plain.render().contains("\u001b"));

        Table coloured = Table.of("NAME", "STATUS")
                .style(1, s -> s.equals("running") ? AttributedStyle.DEFAULT.foreground(AttributedStyle.GREEN) : null)
                .color(true)
                .row("web", "running")
                .row("db", "error");
        List<String> l = coloured.lines();
        assertTrue(l.get(0).contains("\u001b[1m"), l.get(0));         // bold header
        assertTrue(l.get(1).contains("\u001b[32mrunning"), l.get(1));  // green status
        assertEquals("db    error", l.get(2));                          // no style for that value
        // Escapes do not count toward the width: stripping them gives the plain table.
        assertEquals(plain.lines().get(1), l.get(1).replaceAll("\u001b\\[[0-9;]*m", ""));
    }

    @Test
    void printWritesTheRenderedTable() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Table.of("A", "B").row(1, 2).print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertEquals("A  B\n1  2\n", bytes.toString(StandardCharsets.UTF_8));
    }
}
