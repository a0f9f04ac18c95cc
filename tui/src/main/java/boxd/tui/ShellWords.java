package boxd.tui;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a command line into words the way a POSIX shell does for plain words, without expansion: blanks separate
 * words; {@code '...'} keeps everything literally; {@code "..."} keeps everything but lets {@code \"}, {@code \\},
 * {@code \$} and {@code \`} escape; a backslash outside quotes escapes the next character (and a backslash-newline
 * joins lines); {@code #} at the start of a word begins a comment. {@code ""} is an empty word. Used by the line mode,
 * the prompt, and the SSH frontend for {@code ssh HOST VERB ...} command strings.
 */
public final class ShellWords {

    private ShellWords() {}

    /** A line could not be split: an unclosed quote or a trailing backslash. */
    public static final class SyntaxError extends IllegalArgumentException {
        public SyntaxError(String message) {
            super(message);
        }
    }

    /** {@return the words of {@code line}} @throws SyntaxError on an unclosed quote or a trailing backslash */
    public static List<String> split(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean inWord = false;
        int n = line.length();
        for (int i = 0; i < n; i++) {
            char c = line.charAt(i);
            switch (c) {
                case ' ', '\t', '\n', '\r' -> {
                    if (inWord) {
                        words.add(w.toString());
                        w.setLength(0);
                        inWord = false;
                    }
                }
                case '\'' -> {
                    int end = line.indexOf('\'', i + 1);
                    if (end < 0) throw new SyntaxError("unclosed single quote (') in the command line");
                    w.append(line, i + 1, end);
                    i = end;
                    inWord = true;
                }
                case '"' -> {
                    int j = i + 1;
                    for (; j < n && line.charAt(j) != '"'; j++) {
                        char d = line.charAt(j);
                        if (d == '\\' && j + 1 < n && "\"\\$`\n".indexOf(line.charAt(j + 1)) >= 0) {
                            j++;
                            if (line.charAt(j) != '\n') w.append(line.charAt(j));
                        } else {
                            w.append(d);
                        }
                    }
                    if (j >= n) throw new SyntaxError("unclosed double quote (\") in the command line");
                    i = j;
                    inWord = true;
                }
                case '\\' -> {
                    if (i + 1 >= n) throw new SyntaxError("the command line ends with a backslash");
                    char next = line.charAt(++i);
                    if (next != '\n') {
                        w.append(next);
                        inWord = true;
                    }
                }
                case '#' -> {
                    if (!inWord) return finish(words, w, false);
                    w.append(c);
                }
                default -> {
                    w.append(c);
                    inWord = true;
                }
            }
        }
        return finish(words, w, inWord);
    }

    private static List<String> finish(List<String> words, StringBuilder w, boolean inWord) {
        if (inWord) words.add(w.toString());
        return words;
    }

    /** {@return {@code word} quoted so that {@link #split} gives it back unchanged (as is when nothing needs quoting)} */
    public static String quote(String word) {
        if (!word.isEmpty() && word.chars().allMatch(ch -> Character.isLetterOrDigit(ch) || "-_./:=@,+%".indexOf(ch) >= 0))
            return word;
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
