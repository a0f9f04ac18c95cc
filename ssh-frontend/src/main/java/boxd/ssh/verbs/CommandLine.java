package boxd.ssh.verbs;

import java.util.ArrayList;
import java.util.List;

/**
 * A verb line split into words the way a POSIX shell would (single quotes, double quotes with {@code \" \\ \$ \`}
 * escapes, backslash outside quotes), keeping where each word started so {@code exec} can hand the box's shell the
 * command exactly as the user typed it.
 */
public record CommandLine(String source, List<String> words, List<Integer> starts) {
    /** Longest verb line accepted; no verb needs more, and it bounds what a client can make us parse. */
    public static final int MAX_LENGTH = 64 * 1024;

    public CommandLine {
        words = List.copyOf(words);
        starts = List.copyOf(starts);
    }

    /** Splits a line. @throws UsageException for an unterminated quote or a line over {@link #MAX_LENGTH} */
    public static CommandLine parse(String source) {
        if (source.length() > MAX_LENGTH) {
            throw new UsageException("the command line is " + source.length() + " characters long, over the limit of "
                    + MAX_LENGTH, "names are at most 63 characters; pass file contents on stdin (cp - NAME:PATH)");
        }
        List<String> words = new ArrayList<>();
        List<Integer> starts = new ArrayList<>();
        StringBuilder cur = null;
        int start = 0;
        int i = 0;
        while (i < source.length()) {
            char c = source.charAt(i);
            if (Character.isWhitespace(c)) {
                if (cur != null) { words.add(cur.toString()); starts.add(start); cur = null; }
                i++;
                continue;
            }
            if (cur == null) { cur = new StringBuilder(); start = i; }
            if (c == '\'') {
                int end = source.indexOf('\'', i + 1);
                if (end < 0) throw new UsageException("unterminated ' quote in the command line", "close the quote");
                cur.append(source, i + 1, end);
                i = end + 1;
            } else if (c == '"') {
                i++;
                while (true) {
                    if (i >= source.length()) throw new UsageException("unterminated \" quote in the command line", "close the quote");
                    char d = source.charAt(i);
                    if (d == '"') { i++; break; }
                    if (d == '\\' && i + 1 < source.length() && "\"\\$`".indexOf(source.charAt(i + 1)) >= 0) {
                        cur.append(source.charAt(i + 1));
                        i += 2;
                    } else {
                        cur.append(d);
                        i++;
                    }
                }
            } else if (c == '\\' && i + 1 < source.length()) {
                cur.append(source.charAt(i + 1));
                i += 2;
            } else {
                cur.append(c);
                i++;
            }
        }
        if (cur != null) { words.add(cur.toString()); starts.add(start); }
        return new CommandLine(source, words, starts);
    }

    /** Builds a line from words that are already split (the local CLI, the prompt), quoting where needed. */
    public static CommandLine of(List<String> argv) {
        StringBuilder sb = new StringBuilder();
        List<Integer> starts = new ArrayList<>();
        for (String w : argv) {
            if (!sb.isEmpty()) sb.append(' ');
            starts.add(sb.length());
            sb.append(quote(w));
        }
        if (sb.length() > MAX_LENGTH) parse(sb.toString()); // throws the same error as a long line
        return new CommandLine(sb.toString(), argv, starts);
    }

    /** {@return the source text from word {@code index} to the end, as typed} */
    public String rawFrom(int index) {
        return index >= words.size() ? "" : source.substring(starts.get(index)).strip();
    }

    /** {@return {@code s} quoted for a POSIX shell when it needs it} */
    public static String quote(String s) {
        if (!s.isEmpty() && s.chars().allMatch(ch -> Character.isLetterOrDigit(ch) || "-_./=:,+@%".indexOf(ch) >= 0)) return s;
        return "'" + s.replace("'", "'\\''") + "'";
    }

    public boolean isEmpty() { return words.isEmpty(); }
}
