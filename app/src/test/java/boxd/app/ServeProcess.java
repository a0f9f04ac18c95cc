package boxd.app;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import boxd.common.testing.Cmd;
import boxd.worker.image.RootfsImage;

/**
 * The built jar's {@code serve} in a network namespace, its output appended to a log file: how the end-to-end tests
 * run boxd as an operator would.
 */
final class ServeProcess implements AutoCloseable {
    private final Process process;
    private final Path log;

    private ServeProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts {@code serve --data DATA FLAGS...} and waits for a new "ready:" line in {@code log}. */
    static ServeProcess start(Path jar, String netns, Path data, Path log, List<String> flags) throws Exception {
        Files.writeString(log, "---- serve starting\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        long readyBefore = countReady(log);
        // nsenter --net, not "ip netns exec": the latter remounts /sys, hiding the cgroup hierarchies the worker uses.
        // env --default-signal: a test runner started in the background ignores SIGINT, and children inherit that.
        List<String> argv = new ArrayList<>(List.of("nsenter", "--net=/run/netns/" + netns, "env", "--default-signal=INT",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED"));
        if (Runtime.version().feature() >= 23) argv.add("--sun-misc-unsafe-memory-access=allow");  // as ./boxd does
        argv.addAll(List.of("-jar", jar.toString(), "serve", "--data", data.toString()));
        argv.addAll(flags);
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        ServeProcess s = new ServeProcess(p, log);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);  // the first run may build the rootfs
        while (countReady(log) == readyBefore) {
            if (!p.isAlive()) fail("serve exited with " + p.exitValue() + " before it was ready:\n" + s.log());
            if (System.nanoTime() > deadline) fail("serve was not ready in 10 minutes:\n" + s.log());
            Thread.sleep(250);
        }
        return s;
    }

    private static long countReady(Path log) throws IOException {
        return Files.exists(log) ? Files.readAllLines(log).stream().filter(l -> l.startsWith("ready:")).count() : 0;
    }

    Process process() { return process; }

    String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no serve log: " + e.getMessage() + ")";
        }
    }

    /** Ctrl-C, as an operator stops it; then harder if it does not go. */
    @Override
    public void close() throws InterruptedException {
        if (!process.isAlive()) return;
        Cmd.run("kill", "-INT", Long.toString(process.pid()));
        if (!process.waitFor(60, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    /**
     * Points a fresh data dir's image cache at the machine's shared test image (the worker's tests build it in
     * BOXD_TEST_IMAGES, default /var/tmp/boxd-test-images) when it is there, so a test does not debootstrap again;
     * otherwise serve builds it into the data dir, as on a fresh machine.
     */
    static void shareRootfsCache(Path data) throws IOException {
        String env = System.getenv("BOXD_TEST_IMAGES");
        RootfsImage image = new RootfsImage(Path.of(env != null && !env.isBlank() ? env : "/var/tmp/boxd-test-images"));
        Files.createDirectories(data.resolve("images"));
        if (image.cached().isPresent())
            Files.createSymbolicLink(data.resolve("images").resolve(image.dir().getFileName()), image.dir());
    }
}
