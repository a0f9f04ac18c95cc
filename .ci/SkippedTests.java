import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Lists the tests that were skipped, and why, from every module's surefire and failsafe XML reports.
 * Run by ./run-tests at the end: java .ci/SkippedTests.java [REPO_ROOT]
 */
public class SkippedTests {
    private static final Pattern CASE = Pattern.compile(
            "<testcase\\s[^>]*?name=\"([^\"]*)\"[^>]*?classname=\"([^\"]*)\"[^>]*?(?:/>|>(.*?)</testcase>)", Pattern.DOTALL);
    private static final Pattern CASE_ALT = Pattern.compile(
            "<testcase\\s[^>]*?classname=\"([^\"]*)\"[^>]*?name=\"([^\"]*)\"[^>]*?(?:/>|>(.*?)</testcase>)", Pattern.DOTALL);
    private static final Pattern ASSUMPTION = Pattern.compile("Assumption failed: ([^\\r\\n]*)");
    private static final Pattern SKIPPED = Pattern.compile("<skipped(?:\\s+message=\"([^\"]*)\")?");

    public static void main(String[] args) throws IOException {
        Path root = Path.of(args.length > 0 ? args[0] : ".");
        List<String> lines = new ArrayList<>();
        int total = 0;
        try (Stream<Path> files = Files.walk(root, 4)) {
            for (Path f : files.filter(SkippedTests::isReport).sorted().toList()) {
                String xml = Files.readString(f);
                String module = root.relativize(f).getName(0).toString();
                total += count(xml, CASE, false, module, lines);
                if (!CASE.matcher(xml).find()) total += count(xml, CASE_ALT, true, module, lines);
            }
        }
        System.out.println();
        if (lines.isEmpty()) {
            System.out.println("Skipped tests: none (" + total + " test cases reported)");
            return;
        }
        System.out.println("Skipped tests: " + lines.size() + " of " + total + " test cases:");
        lines.forEach(System.out::println);
    }

    /** Failsafe keeps an assumption's message only in the stack trace it records: take it from there. */
    private static String assumption(String body) {
        Matcher a = ASSUMPTION.matcher(body);
        return a.find() ? a.group(1).strip() : "(no reason given)";
    }

    private static boolean isReport(Path f) {
        String p = f.toString();
        return (p.contains("/target/surefire-reports/") || p.contains("/target/failsafe-reports/"))
                && f.getFileName().toString().startsWith("TEST-") && p.endsWith(".xml");
    }

    private static int count(String xml, Pattern casePattern, boolean classFirst, String module, List<String> out) {
        Matcher m = casePattern.matcher(xml);
        int n = 0;
        while (m.find()) {
            n++;
            String name = classFirst ? m.group(2) : m.group(1);
            String cls = classFirst ? m.group(1) : m.group(2);
            String body = m.group(3);
            if (body == null) continue;
            Matcher s = SKIPPED.matcher(body);
            if (s.find()) {
                String why = s.group(1) != null ? unescape(s.group(1)) : assumption(body);
                out.add("  " + module + ": " + cls.substring(cls.lastIndexOf('.') + 1) + "." + name + ": " + why);
            }
        }
        return n;
    }

    private static String unescape(String s) {
        return s.replace("&quot;", "\"").replace("&apos;", "'").replace("&lt;", "<").replace("&gt;", ">")
                .replace("&#10;", " ").replace("&amp;", "&");
    }
}
