package boxd.app.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The small subset of TOML that {@code boxd.toml} needs: one {@code key = value} per line, where a value is a
 * double-quoted string (with {@code \" \\ \n \t} escapes), an integer or {@code true}/{@code false}; {@code #} starts a
 * comment; blank lines are ignored. Tables, arrays, dates and multi-line strings are rejected with the line number,
 * so a file that parses here means the same thing to any TOML reader.
 */
public final class Toml {
    private Toml() {}

    /** A syntax error, naming the source and the line. */
    public static final class ParseException extends IllegalArgumentException {
        public ParseException(String source, int line, String what) {
            super(source + " line " + line + ": " + what);
        }
    }

    /** {@return the keys in file order, values as String, Long or Boolean} */
    public static Map<String, Object> parse(String text, String source) {
        Map<String, Object> out = new LinkedHashMap<>();
        String[] lines = text.split("\r?\n", -1);
        for (int n = 0; n < lines.length; n++) {
            int lineNo = n + 1;
            String line = lines[n].strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            if (line.startsWith("[")) {
                throw new ParseException(source, lineNo, "tables ([...]) are not supported; write plain key = value lines");
            }
            int eq = line.indexOf('=');
            if (eq < 0) throw new ParseException(source, lineNo, "expected key = value, got: " + line);
            String key = line.substring(0, eq).strip();
            if (!key.matches("[A-Za-z0-9_-]+")) {
                throw new ParseException(source, lineNo, "bad key '" + key + "' (letters, digits, - and _ only)");
            }
            if (out.containsKey(key)) throw new ParseException(source, lineNo, "key '" + key + "' is set twice");
            out.put(key, value(line.substring(eq + 1).strip(), source, lineNo));
        }
        return out;
    }

    private static Object value(String v, String source, int lineNo) {
        if (v.startsWith("\"")) {
            StringBuilder sb = new StringBuilder();
            int i = 1;
            while (true) {
                if (i >= v.length()) throw new ParseException(source, lineNo, "unterminated string");
                char c = v.charAt(i++);
                if (c == '"') break;
                if (c == '\\') {
                    if (i >= v.length()) throw new ParseException(source, lineNo, "unterminated escape");
                    char e = v.charAt(i++);
                    switch (e) {
                        case '"' -> sb.append('"');
                        case '\\' -> sb.append('\\');
                        case 'n' -> sb.append('\n');
                        case 't' -> sb.append('\t');
                        default -> throw new ParseException(source, lineNo, "unsupported escape \\" + e);
                    }
                } else {
                    sb.append(c);
                }
            }
            rejectTrailing(v.substring(i), source, lineNo);
            return sb.toString();
        }
        // bare values end at a comment
        int hash = v.indexOf('#');
        String bare = (hash >= 0 ? v.substring(0, hash) : v).strip();
        if (bare.equals("true")) return Boolean.TRUE;
        if (bare.equals("false")) return Boolean.FALSE;
        if (bare.matches("[+-]?[0-9][0-9_]*")) {
            try {
                return Long.parseLong(bare.replace("_", ""));
            } catch (NumberFormatException e) {
                throw new ParseException(source, lineNo, "integer out of range: " + bare);
            }
        }
        if (bare.isEmpty()) throw new ParseException(source, lineNo, "missing value");
        throw new ParseException(source, lineNo, "unsupported value '" + bare
                + "' (use \"a string\", an integer, true or false)");
    }

    private static void rejectTrailing(String rest, String source, int lineNo) {
        String r = rest.strip();
        if (!r.isEmpty() && !r.startsWith("#")) {
            throw new ParseException(source, lineNo, "unexpected text after the value: " + r);
        }
    }
}
