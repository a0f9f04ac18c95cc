package boxd.tui;

import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStringBuilder;
import org.jline.utils.AttributedStyle;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * An aligned plain-text table: a header row, then one line per row, columns padded to the widest cell and separated
 * by two spaces; the last column is never padded on the right, so lines carry no trailing blanks. Widths count
 * terminal columns (wide characters take two). Control characters in cells are replaced by {@code ?} so that values
 * from users (names, errors) cannot move the cursor or change colours.
 *
 * <p>Plain by default. Colour appears only when asked with {@link #color(boolean) color(true)}: the header is bold and
 * columns given a {@link #style(int, Function) style} get theirs (e.g. the status column green when running).
 * <pre>{@code
 * Table t = Table.of("NAME", "STATUS", "IP").right(3);
 * t.row("web", "running", "10.77.0.2");
 * t.print(out);
 * }</pre>
 * Not thread-safe; build it, print it, drop it.
 */
public final class Table {

    /** How a column's cells are padded. */
    public enum Align { LEFT, RIGHT }

    /** Text shown for a null cell. */
    public static final String NULL_CELL = "-";
    /** Columns are separated by this. */
    public static final String SEPARATOR = "  ";

    private final List<String> headers;
    private final Align[] align;
    private final List<String[]> rows = new ArrayList<>();
    private final Map<Integer, Function<String, AttributedStyle>> styles = new HashMap<>();
    private boolean color;

    private Table(List<String> headers) {
        if (headers.isEmpty()) throw new IllegalArgumentException("a table needs at least one column");
        this.headers = headers.stream().map(Table::clean).toList();
        this.align = new Align[headers.size()];
        Arrays.fill(align, Align.LEFT);
    }

    /** {@return a table with these column headers} */
    public static Table of(String... headers) {
        return new Table(Arrays.asList(headers));
    }

    /** {@return a table with these column headers} */
    public static Table of(List<String> headers) {
        return new Table(List.copyOf(headers));
    }

    /** Right-aligns the given columns (0-based), e.g. numbers. {@return this} */
    public Table right(int... columns) {
        for (int c : columns) align[checkColumn(c)] = Align.RIGHT;
        return this;
    }

    /** Sets one column's alignment. {@return this} */
    public Table align(int column, Align a) {
        align[checkColumn(column)] = Objects.requireNonNull(a);
        return this;
    }

    /** Turns colour on or off (off by default; callers turn it on only for terminals that support it). {@return this} */
    public Table color(boolean on) {
        this.color = on;
        return this;
    }

    /**
     * Styles a column's cells when colour is on: the function gets the cell text and returns a style, or null for
     * none. {@return this}
     */
    public Table style(int column, Function<String, AttributedStyle> styler) {
        styles.put(checkColumn(column), Objects.requireNonNull(styler));
        return this;
    }

    /**
     * Adds a row. Cells are shown with {@link String#valueOf(Object)}, null as {@value #NULL_CELL}; missing trailing
     * cells are empty; more cells than columns is an error. {@return this}
     */
    public Table row(Object... cells) {
        if (cells.length > headers.size())
            throw new IllegalArgumentException("row has " + cells.length + " cells, table has " + headers.size()
                    + " columns");
        String[] r = new String[headers.size()];
        for (int i = 0; i < r.length; i++)
            r[i] = i < cells.length ? (cells[i] == null ? NULL_CELL : clean(String.valueOf(cells[i]))) : "";
        rows.add(r);
        return this;
    }

    /** Adds a row from a list of cells. {@return this} */
    public Table row(List<?> cells) {
        return row(cells.toArray());
    }

    /** {@return the number of data rows (the header not counted)} */
    public int size() {
        return rows.size();
    }

    /** {@return the lines of the table, header first, without line terminators} */
    public List<String> lines() {
        int n = headers.size();
        int[] width = new int[n];
        for (int i = 0; i < n; i++) width[i] = columns(headers.get(i));
        for (String[] r : rows)
            for (int i = 0; i < n; i++) width[i] = Math.max(width[i], columns(r[i]));
        List<String> out = new ArrayList<>(rows.size() + 1);
        out.add(line(headers.toArray(String[]::new), width, true));
        for (String[] r : rows) out.add(line(r, width, false));
        return out;
    }

    /** {@return the whole table, each line ending in a newline} */
    public String render() {
        StringBuilder sb = new StringBuilder();
        for (String l : lines()) sb.append(l).append('\n');
        return sb.toString();
    }

    /** Prints {@link #render()} to {@code out} and flushes it. */
    public void print(PrintStream out) {
        out.print(render());
        out.flush();
    }

    @Override
    public String toString() {
        return render();
    }

    private String line(String[] cells, int[] width, boolean header) {
        AttributedStringBuilder sb = new AttributedStringBuilder();
        int last = cells.length - 1;
        for (int i = 0; i <= last; i++) {
            if (i > 0) sb.append(SEPARATOR);
            String cell = cells[i];
            int pad = width[i] - columns(cell);
            if (align[i] == Align.RIGHT) sb.append(" ".repeat(pad));
            AttributedStyle st = null;
            if (color) st = header ? AttributedStyle.BOLD : styleOf(i, cell);
            if (st != null) sb.styled(st, cell);
            else sb.append(cell);
            if (align[i] == Align.LEFT && i < last) sb.append(" ".repeat(pad));
        }
        String plain = sb.toString();
        int end = plain.length();
        while (end > 0 && plain.charAt(end - 1) == ' ') end--;   // empty trailing cells leave no blanks
        AttributedString trimmed = sb.subSequence(0, end);
        return color ? trimmed.toAnsi() : trimmed.toString();
    }

    private AttributedStyle styleOf(int column, String cell) {
        Function<String, AttributedStyle> f = styles.get(column);
        return f == null ? null : f.apply(cell);
    }

    private int checkColumn(int c) {
        if (c < 0 || c >= headers.size())
            throw new IndexOutOfBoundsException("column " + c + " of a " + headers.size() + "-column table");
        return c;
    }

    /** {@return the terminal columns {@code s} takes} */
    static int columns(String s) {
        return new AttributedString(s).columnLength();
    }

    /** {@return s with control characters (newlines, tabs, ESC, DEL, C1) replaced by '?'} */
    static String clean(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || (c >= 0x7f && c < 0xa0)) {
                if (sb == null) sb = new StringBuilder(s.substring(0, i));
                sb.append('?');
            } else if (sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? s : sb.toString();
    }
}
