package boxd.ssh.verbs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The flags and positional arguments a verb accepts. {@code --flag=value} and {@code --flag value} both work;
 * {@code --} ends the flags; every verb also takes {@code --json} and {@code --help}. Anything else starting with
 * '-' (except a lone "-", which means stdin or stdout) is refused.
 */
public final class ArgSpec {
    enum Kind { BOOL, VALUE, MULTI }

    private final String verb;
    private final Map<String, Kind> flags = new LinkedHashMap<>();
    private final Map<String, String> shortNames = new LinkedHashMap<>();
    private int minPositional;
    private int maxPositional;
    private int commandAfter = -1;

    public ArgSpec(String verb) {
        this.verb = verb;
        flags.put("json", Kind.BOOL);
        flags.put("help", Kind.BOOL);
        shortNames.put("h", "help");
    }

    public ArgSpec bool(String name) { flags.put(name, Kind.BOOL); return this; }

    public ArgSpec value(String name) { flags.put(name, Kind.VALUE); return this; }

    /** A flag that may repeat ({@code -e K=V -e K2=V2}); {@code shortName} may be null. */
    public ArgSpec multi(String name, String shortName) {
        flags.put(name, Kind.MULTI);
        if (shortName != null) shortNames.put(shortName, name);
        return this;
    }

    public ArgSpec positional(int min, int max) {
        this.minPositional = min;
        this.maxPositional = max;
        return this;
    }

    /**
     * After {@code n} positional words, the next word that is not a flag starts a command for the box that runs to the
     * end of the line (as after {@code --}).
     */
    public ArgSpec commandAfter(int n) {
        this.commandAfter = n;
        return this;
    }

    public List<String> flagNames() { return List.copyOf(flags.keySet()); }

    /** Parses the words after the verb; {@code offset} is the index of the first of them in the whole line. */
    public Args parse(List<String> words, int offset) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        List<String> positional = new ArrayList<>();
        int restIndex = -1;
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            if (w.equals("--")) { restIndex = i + 1; break; }
            if (w.startsWith("-") && !w.equals("-")) {
                String name;
                String value = null;
                if (w.startsWith("--")) {
                    int eq = w.indexOf('=');
                    name = eq < 0 ? w.substring(2) : w.substring(2, eq);
                    if (eq >= 0) value = w.substring(eq + 1);
                } else {
                    name = shortNames.get(w.substring(1));
                    if (name == null) throw unknownFlag(w);
                }
                Kind kind = flags.get(name);
                if (kind == null) throw unknownFlag(w);
                if (kind == Kind.BOOL) {
                    if (value != null) throw new UsageException("--" + name + " takes no value", help());
                    values.computeIfAbsent(name, k -> new ArrayList<>()).add("true");
                    continue;
                }
                if (value == null) {
                    if (i + 1 >= words.size()) throw new UsageException("--" + name + " needs a value", help());
                    value = words.get(++i);
                }
                List<String> l = values.computeIfAbsent(name, k -> new ArrayList<>());
                if (kind == Kind.VALUE && !l.isEmpty()) throw new UsageException("--" + name + " given twice", help());
                l.add(value);
                continue;
            }
            if (commandAfter >= 0 && positional.size() >= commandAfter) { restIndex = i; break; }
            positional.add(w);
        }
        boolean help = values.containsKey("help");
        if (!help) {
            if (positional.size() < minPositional) {
                throw new UsageException("'" + verb + "' needs " + (minPositional == 1 ? "an argument" : minPositional + " arguments")
                        + ", got " + positional.size(), help());
            }
            if (positional.size() > maxPositional) {
                throw new UsageException("'" + verb + "' takes at most " + maxPositional + " argument"
                        + (maxPositional == 1 ? "" : "s") + ", got an extra '" + abbreviate(positional.get(maxPositional)) + "'", help());
            }
        }
        List<String> rest = restIndex < 0 ? List.of() : words.subList(restIndex, words.size());
        return new Args(values, positional, rest, restIndex < 0 ? -1 : offset + restIndex);
    }

    private UsageException unknownFlag(String w) {
        int eq = w.indexOf('=');
        return new UsageException("unknown flag '" + abbreviate(eq < 0 ? w : w.substring(0, eq)) + "' for '" + verb + "'", help());
    }

    private String help() { return "see 'help " + verb + "'"; }

    static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
