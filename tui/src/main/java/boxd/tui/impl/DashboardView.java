package boxd.tui.impl;

import boxd.common.Box;
import boxd.common.DesiredState;
import boxd.tui.Table;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStringBuilder;
import org.jline.utils.AttributedStyle;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The dashboard's screen as a pure function of its state and the terminal size: a title bar, the box table (one
 * row per box, the selected one marked with '>' and shown in reverse video), a status line and a key line. Columns
 * that do not fit the width are dropped from the right, NAME and STATUS last; lines are cut to the width.
 */
public final class DashboardView {

    /** The table's columns, in order. */
    public static final List<String> COLUMNS = List.of("NAME", "STATUS", "IP", "UPTIME", "CPUS", "MEM", "DISK");
    /** The key line at the bottom. */
    public static final String KEYS = "n new  c/Enter connect  r reboot  d destroy  j/k move  q quit";
    /** The key line when {@link #KEYS} does not fit. */
    public static final String KEYS_SHORT = "n new c conn r reboot d del q quit";
    /** Shown instead of the table when the user has no boxes. */
    public static final String EMPTY = "No boxes yet. Press n to create one.";
    /** Marks the selected row (rows not selected start with as many blanks). */
    public static final String MARK = "> ";

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    /**
     * What the screen shows.
     *
     * @param selected index into {@code boxes} of the selected row (ignored when empty)
     * @param status   the status line (a message, a question, or the name being typed), may be empty
     */
    public record State(String title, List<Box> boxes, int selected, String status, long nowMillis, boolean color) {}

    private DashboardView() {}

    /** {@return exactly {@code height} lines, none wider than {@code width} columns} */
    public static List<AttributedString> render(State s, int width, int height, Function<Box, Duration> uptime) {
        width = Math.max(width, 1);
        height = Math.max(height, 1);
        List<AttributedString> lines = new ArrayList<>(height);

        // Title bar.
        String left = " boxd dash" + (s.title() == null || s.title().isEmpty() ? "" : " - " + clean(s.title()));
        String right = s.boxes().size() + (s.boxes().size() == 1 ? " box  " : " boxes  ")
                + CLOCK.format(Instant.ofEpochMilli(s.nowMillis())) + " UTC ";
        int gap = width - new AttributedString(left).columnLength() - right.length();
        String bar = gap >= 1 ? left + " ".repeat(gap) + right : left;
        lines.add(styled(bar, width, AttributedStyle.INVERSE, true));

        // Table: header + rows, as many columns as fit.
        int tableRows = Math.max(height - 3, 0);   // title, status, keys
        List<String> table = table(s, width, uptime);
        if (tableRows > 0) {
            if (s.boxes().isEmpty()) {
                lines.add(styled(table.get(0), width, AttributedStyle.BOLD, s.color()));
                if (tableRows > 1) lines.add(plain("", width));
                if (tableRows > 2) lines.add(plain(EMPTY, width));
            } else {
                lines.add(styled(table.get(0), width, AttributedStyle.BOLD, s.color()));
                int visible = tableRows - 1;
                int selected = Math.clamp(s.selected(), 0, s.boxes().size() - 1);
                int first = visible <= 0 ? 0 : Math.max(0, selected - visible + 1);
                for (int i = first; i < s.boxes().size() && i < first + visible; i++) {
                    String text = table.get(i + 1);
                    if (i == selected) lines.add(styled(text, width, AttributedStyle.INVERSE, true));
                    else lines.add(statusColoured(text, s.boxes().get(i), width, s.color()));
                }
            }
            while (lines.size() < 1 + tableRows) lines.add(plain("", width));
        }

        // Status and keys.
        if (height >= 3) lines.add(styled(" " + (s.status() == null ? "" : clean(s.status())), width,
                AttributedStyle.BOLD, s.color()));
        String keys = width > KEYS.length() ? KEYS : KEYS_SHORT;
        if (height >= 2) lines.add(styled(" " + keys, width, AttributedStyle.DEFAULT.faint(), s.color()));
        while (lines.size() > height) lines.remove(lines.size() - 1);
        return lines;
    }

    /** {@return the table's lines (header first, rows prefixed by the selection mark or blanks), fitted to width} */
    static List<String> table(State s, int width, Function<Box, Duration> uptime) {
        List<String> lines = List.of();
        for (int n = COLUMNS.size(); n >= 1; n--) {
            Table t = Table.of(COLUMNS.subList(0, n));
            for (int c = 4; c < n; c++) t.right(c);          // CPUS, MEM, DISK are numbers
            for (Box b : s.boxes()) {
                List<Object> cells = List.of(b.name(), status(b), orDash(b.ipv4()), duration(uptime.apply(b)),
                        b.spec().cpus(), megabytes(b.spec().memoryMb()), b.spec().diskGb() + "G");
                t.row(cells.subList(0, n));
            }
            List<String> raw = t.lines();
            List<String> out = new ArrayList<>(raw.size());
            int selected = s.boxes().isEmpty() ? -1 : Math.clamp(s.selected(), 0, s.boxes().size() - 1);
            for (int i = 0; i < raw.size(); i++) out.add((i - 1 == selected ? MARK : "  ") + raw.get(i));
            lines = out;
            int widest = out.stream().mapToInt(String::length).max().orElse(0);
            if (widest <= width) break;
        }
        return lines;
    }

    /** {@return the status a user sees: the observed state, or what is being done to the box} */
    public static String status(Box b) {
        if (b.desired() == DesiredState.DESTROYED) return "destroying";
        if (b.desired() == DesiredState.REBOOTING) return "rebooting";
        return b.observed() == null ? "unknown" : b.observed().label();
    }

    /** {@return "42s", "12m", "3h04m", "2d05h", or "-" for null} */
    public static String duration(Duration d) {
        if (d == null || d.isNegative()) return "-";
        long s = d.getSeconds();
        if (s < 60) return s + "s";
        if (s < 3600) return (s / 60) + "m";
        if (s < 86400) return String.format("%dh%02dm", s / 3600, (s % 3600) / 60);
        return String.format("%dd%02dh", s / 86400, (s % 86400) / 3600);
    }

    /** {@return memory as "512M" or "2G"} */
    public static String megabytes(int mb) {
        return mb % 1024 == 0 ? (mb / 1024) + "G" : mb + "M";
    }

    /** {@return s with control characters replaced by '?', so that text from elsewhere cannot drive the terminal} */
    static String clean(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(c < 0x20 || (c >= 0x7f && c < 0xa0) ? '?' : c);
        }
        return sb.toString();
    }

    private static String orDash(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }

    private static AttributedString statusColoured(String text, Box b, int width, boolean color) {
        if (!color) return plain(text, width);
        String st = status(b);
        int at = text.indexOf("  " + st) + 2;
        AttributedStyle style = switch (st) {
            case "running" -> AttributedStyle.DEFAULT.foreground(AttributedStyle.GREEN);
            case "error", "lost" -> AttributedStyle.DEFAULT.foreground(AttributedStyle.RED);
            case "pending", "scheduled", "starting", "rebooting" -> AttributedStyle.DEFAULT.foreground(AttributedStyle.YELLOW);
            default -> AttributedStyle.DEFAULT;
        };
        if (at < 2) return plain(text, width);
        AttributedStringBuilder sb = new AttributedStringBuilder();
        sb.append(text, 0, at).styled(style, st).append(text.substring(at + st.length()));
        return cut(sb.toAttributedString(), width);
    }

    private static AttributedString plain(String text, int width) {
        return cut(new AttributedString(text), width);
    }

    /** {@return text in style, padded to the full width when {@code fill} (bars), cut to the width} */
    private static AttributedString styled(String text, int width, AttributedStyle style, boolean on) {
        if (!on) return plain(text, width);
        AttributedStringBuilder sb = new AttributedStringBuilder();
        sb.style(style).append(text);
        int pad = width - sb.columnLength();
        if (pad > 0 && style == AttributedStyle.INVERSE) sb.append(" ".repeat(pad));
        return cut(sb.toAttributedString(), width);
    }

    private static AttributedString cut(AttributedString s, int width) {
        return s.columnLength() <= width ? s : s.columnSubSequence(0, width);
    }
}
