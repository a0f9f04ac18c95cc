package boxd.ssh.verbs;

import java.util.List;
import java.util.Map;

/**
 * A parsed verb line.
 *
 * @param restIndex index in the whole line of the first word after {@code --} (or of the box command), -1 when none
 */
public record Args(Map<String, List<String>> flags, List<String> positional, List<String> rest, int restIndex) {

    public boolean has(String flag) { return flags.containsKey(flag); }

    public String value(String flag) {
        List<String> l = flags.get(flag);
        return l == null || l.isEmpty() ? null : l.get(0);
    }

    public List<String> values(String flag) { return flags.getOrDefault(flag, List.of()); }

    public boolean json() { return has("json"); }

    public String arg(int i) { return i < positional.size() ? positional.get(i) : null; }

    /** {@return the integer value of a flag, or {@code dflt}} @throws UsageException when not an integer in range */
    public int intValue(String flag, int dflt, int min, int max) {
        String v = value(flag);
        if (v == null) return dflt;
        try {
            int n = Integer.parseInt(v.strip());
            if (n < min || n > max) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException("--" + flag + " must be a whole number from " + min + " to " + max
                    + ", got '" + ArgSpec.abbreviate(v) + "'", "e.g. --" + flag + "=" + Math.max(min, Math.min(max, dflt)));
        }
    }
}
