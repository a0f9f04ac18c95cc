package boxd.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import boxd.common.Json;
import boxd.common.testing.Cmd;

/**
 * The shaded boxd.jar as an operator runs it: {@code java -jar boxd.jar ...} from an unrelated directory, with
 * nothing but a JDK. Built by the package phase before this runs; this test builds nothing.
 */
class JarIT {
    static Path jar;

    @TempDir
    Path dir;

    @BeforeAll
    static void findJar() {
        jar = Path.of(System.getProperty("boxd.jar", "target/boxd.jar")).toAbsolutePath();
        assertTrue(Files.isRegularFile(jar), jar + " is missing: the package phase makes it (mvn -pl app verify)");
    }

    private Cmd.Result boxd(String... args) {
        List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-jar", jar.toString()));
        argv.addAll(List.of(args));
        return Cmd.run(argv, null, 60, dir);
    }

    @Test
    void helpAndVersionWorkFromAnyDirectory() {
        Cmd.Result help = boxd("--help");
        assertEquals(0, help.exit(), help.stderr());
        assertTrue(help.stdout().contains("serve") && help.stdout().contains("doctor"), help.stdout());
        Cmd.Result version = boxd("version");
        assertEquals(0, version.exit(), version.stderr());
        assertTrue(version.stdout().matches("(?s)boxd \\d+\\.\\d+\\.\\d+.*"), version.stdout());
        Cmd.Result serveHelp = boxd("serve", "--help");
        assertTrue(serveHelp.stdout().contains("--https-port"), serveHelp.stdout());
        assertEquals("", help.stderr(), "no warnings from the JVM or libraries");
    }

    @Test
    void theJarHoldsEveryDependencyAndItsNativeLibraries() throws Exception {
        try (java.util.jar.JarFile jf = new java.util.jar.JarFile(jar.toFile())) {
            java.util.jar.Attributes main = jf.getManifest().getMainAttributes();
            assertEquals("boxd.app.Main", main.getValue("Main-Class"));
            assertEquals("ALL-UNNAMED", main.getValue("Enable-Native-Access"));
            for (String entry : List.of("com/sun/jna/linux-x86-64/libjnidispatch.so",
                    "org/sqlite/native/Linux/x86_64/libsqlitejdbc.so", "librocksdbjni-linux64.so",
                    "META-INF/services/com.alipay.sofa.jraft.JRaftServiceFactory",
                    "boxd/app/image/guest-kernel.config")) {
                assertTrue(jf.getEntry(entry) != null, entry + " in " + jar);
            }
            List<String> signatures = jf.stream().map(java.util.jar.JarEntry::getName)
                    .filter(n -> n.startsWith("META-INF/") && (n.endsWith(".SF") || n.endsWith(".RSA") || n.endsWith(".DSA")))
                    .toList();
            assertEquals(List.of(), signatures, "signature files of the merged jars would not verify");
        }
    }

    @Test
    void doctorJsonReportsTheHostsRealKvmKind() throws Exception {
        Cmd.Result r = boxd("doctor", "--json", "--data", dir.resolve("data").toString());
        Map<String, Object> j = Json.parseObject(r.stdout().strip());
        assertEquals(expectedKvmKind(), j.get("kvm"), r.stdout());
        assertEquals(Boolean.TRUE.equals(j.get("ok")) ? 0 : 1, r.exit(), "exit status follows ok: " + r.stdout());
        assertTrue(List.of("vm", "ns", "none").contains(j.get("runtime")), r.stdout());
        assertTrue(j.get("runtime_reason").toString().length() > 10, r.stdout());
        Cmd.Result human = boxd("doctor", "--data", dir.resolve("data").toString());
        assertTrue(human.stdout().startsWith("kvm: " + expectedKvmKind() + "\n"), human.stdout());
    }

    /** The kind read straight from the host, the simple way: CPU flags and the kvm modules in /sys/module. */
    private static String expectedKvmKind() throws Exception {
        String cpuinfo = Files.readString(Path.of("/proc/cpuinfo"));
        boolean hw = cpuinfo.matches("(?s).*\\bflags\\s*:.*\\b(vmx|svm)\\b.*");
        boolean hwModule = Files.exists(Path.of("/sys/module/kvm_intel")) || Files.exists(Path.of("/sys/module/kvm_amd"));
        if (hw && hwModule) return "hardware";
        if (Files.exists(Path.of("/sys/module/kvm_pvm")) || (!hw && Files.exists(Path.of("/dev/kvm")))) return "pvm";
        return "none";
    }

    @Test
    void anUnknownSubcommandExitsTwoWithAHint() {
        Cmd.Result r = boxd("frobnicate");
        assertEquals(2, r.exit(), r.stdout() + r.stderr());
        assertTrue(r.stderr().contains("unknown command 'frobnicate'"), r.stderr());
        assertTrue(r.stderr().contains("boxd --help"), r.stderr());
    }

    @Test
    void serveWithItsPortTakenExitsOneNamingThePort() throws Exception {
        try (ServerSocket busy = new ServerSocket()) {
            busy.bind(new InetSocketAddress(0));
            int port = busy.getLocalPort();
            Cmd.Result r = boxd("serve", "--data", dir.resolve("data").toString(), "--ssh-port", Integer.toString(port),
                    "--dns-port", Integer.toString(freePort()), "--http-port", Integer.toString(freePort()),
                    "--https-port", Integer.toString(freePort()));
            assertEquals(1, r.exit(), r.stdout() + r.stderr());
            assertTrue(r.stderr().contains("port " + port), r.stderr());
            assertTrue(r.stderr().contains("--ssh-port"), r.stderr());
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
