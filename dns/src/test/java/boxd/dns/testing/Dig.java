package boxd.dns.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import boxd.common.testing.Cmd;

/** Runs the real {@code dig} against 127.0.0.1 and picks its output apart. */
public final class Dig {
    private static final Pattern STATUS = Pattern.compile("status: ([A-Z]+)");
    private static final Pattern FLAGS = Pattern.compile(";; flags: ([a-z ]+);");
    private static final Pattern UDP = Pattern.compile("; EDNS: version: (\\d+), flags:[^;]*; udp: (\\d+)");

    /** What dig printed: status, header flags, and the records of each section as "name ttl class type data" lines. */
    public record Result(String status, Set<String> flags, List<String> answer, List<String> authority,
                         List<String> additional, Integer ednsUdp, String raw) {
        public boolean hasFlag(String flag) { return flags.contains(flag); }

        /** {@return the data field of the answer records of {@code type}} */
        public List<String> answerData(String type) {
            List<String> out = new ArrayList<>();
            for (String line : answer) {
                String[] f = line.split("\\s+");
                if (f.length >= 5 && f[3].equals(type)) out.add(String.join(" ", List.of(f).subList(4, f.length)));
            }
            return out;
        }
    }

    private Dig() {}

    /** {@code dig @127.0.0.1 -p PORT NAME TYPE} plus {@code options} (e.g. "+tcp", "+noedns"). */
    public static Result query(int port, String name, String type, String... options) {
        List<String> argv = new ArrayList<>(List.of("dig", "@127.0.0.1", "-p", String.valueOf(port), "+time=2", "+tries=2",
                "+nocookie"));
        argv.addAll(List.of(options));
        argv.add(name);
        argv.add(type);
        Cmd.Result r = Cmd.run(argv, null, 30, null);
        if (r.exit() != 0) throw new AssertionError("dig failed (exit " + r.exit() + "): " + r.stdout() + r.stderr());
        return parse(r.stdout());
    }

    static Result parse(String out) {
        Matcher st = STATUS.matcher(out);
        if (!st.find()) throw new AssertionError("no reply header in dig output:\n" + out);
        Matcher fl = FLAGS.matcher(out);
        Set<String> flags = fl.find() ? Set.of(fl.group(1).trim().split("\\s+")) : Set.of();
        Matcher udp = UDP.matcher(out);
        Integer ednsUdp = udp.find() ? Integer.valueOf(udp.group(2)) : null;
        List<String> answer = new ArrayList<>();
        List<String> authority = new ArrayList<>();
        List<String> additional = new ArrayList<>();
        List<String> current = null;
        for (String line : out.split("\n")) {
            if (line.startsWith(";; ANSWER SECTION:")) current = answer;
            else if (line.startsWith(";; AUTHORITY SECTION:")) current = authority;
            else if (line.startsWith(";; ADDITIONAL SECTION:")) current = additional;
            else if (line.isBlank() || line.startsWith(";")) {
                if (line.isBlank()) current = null;
            } else if (current != null) current.add(line.trim());
        }
        return new Result(st.group(1), flags, answer, authority, additional, ednsUdp, out);
    }
}
