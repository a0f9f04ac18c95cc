package boxd.app.image;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The guest kernel: Debian's linux-source-6.1 tarball, {@code make tinyconfig}, the project's fragment
 * ({@code guest-kernel.config} next to this class) appended and resolved with {@code make olddefconfig}, then
 * {@code make bzImage vmlinux}. Cached under {@code images/kernel/<input hash>/} as vmlinux, bzImage and config; the
 * hash covers the recipe, the source package version and the fragment. Takes 6-30 minutes depending on the load.
 */
public final class GuestKernel {
    static final String RECIPE = "1";
    static final Path SOURCE = Path.of("/usr/src/linux-source-6.1.tar.xz");
    static final String FRAGMENT_RESOURCE = "guest-kernel.config";

    /** What must be installed to build it, by Debian package. */
    static final List<HostTools.Need> NEEDS = List.of(
            new HostTools.Need(SOURCE.toString(), "linux-source-6.1"),
            new HostTools.Need("make", "make"),
            new HostTools.Need("gcc", "gcc"),
            new HostTools.Need("flex", "flex"),
            new HostTools.Need("bison", "bison"),
            new HostTools.Need("bc", "bc"),
            new HostTools.Need("perl", "perl"),
            new HostTools.Need("xz", "xz-utils"),
            new HostTools.Need("/usr/include/libelf.h", "libelf-dev"));

    private GuestKernel() {}

    /** {@return the config fragment committed in the repository} */
    public static String fragment() {
        try (InputStream in = GuestKernel.class.getResourceAsStream(FRAGMENT_RESOURCE)) {
            if (in == null) throw new IllegalStateException("the jar lacks " + FRAGMENT_RESOURCE);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The options the fragment sets: "CONFIG_X" -> "y" (or "n" for "# CONFIG_X is not set"). */
    public static Map<String, String> wanted(String fragment) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : fragment.split("\n")) {
            String l = line.strip();
            if (l.startsWith("CONFIG_") && l.contains("=")) {
                int eq = l.indexOf('=');
                m.put(l.substring(0, eq), l.substring(eq + 1));
            } else if (l.startsWith("# CONFIG_") && l.endsWith(" is not set")) {
                m.put(l.substring(2, l.length() - " is not set".length()), "n");
            }
        }
        return m;
    }

    /** {@return the fragment options that a resolved .config does not have as asked} */
    public static List<String> notHeld(Map<String, String> wanted, String dotConfig) {
        Map<String, String> have = wanted(dotConfig);
        List<String> bad = new ArrayList<>();
        for (Map.Entry<String, String> w : wanted.entrySet()) {
            String got = have.getOrDefault(w.getKey(), "n");
            if (!got.equals(w.getValue())) bad.add(w.getKey() + "=" + w.getValue() + " (got " + got + ")");
        }
        return bad;
    }

    /** Builds (or finds in the cache) the kernel; {@return its cache directory, holding vmlinux and bzImage} */
    public static Path build(ImageStore store, PrintStream out) throws IOException, InterruptedException {
        Progress progress = new Progress(out, "kernel");
        String missing = HostTools.missingMessage("guest kernel", HostTools.missingPackages(NEEDS));
        if (!missing.isEmpty()) throw new ImageException(missing);
        String fragment = fragment();
        String key = new InputHash("kernel").add("recipe", RECIPE).add("fragment", fragment)
                .add("source", sourceVersion()).key();
        Path dir = store.entry("kernel", key);
        if (store.isComplete(dir)) {
            progress.phase("cached: " + dir);
            store.markCurrent("kernel", key);
            return dir;
        }
        Path tmp = store.begin("kernel", key);
        Path log = store.root().resolve("kernel").resolve(key + ".log");
        Files.deleteIfExists(log);
        try {
            progress.phase("unpacking " + SOURCE + " (log: " + log + ")");
            run(List.of("tar", "-xf", SOURCE.toString(), "-C", tmp.toString()), tmp, log, progress, null);
            Path src = tmp.resolve("linux-source-6.1");
            if (!Files.isDirectory(src)) throw new ImageException(SOURCE + " did not unpack to linux-source-6.1/; see " + log);
            progress.phase("configuring: make tinyconfig + boxd fragment (" + wanted(fragment).size() + " options)");
            run(List.of("make", "tinyconfig"), src, log, progress, null);
            Files.writeString(src.resolve(".config"), "\n" + fragment, StandardOpenOption.APPEND);
            run(List.of("make", "olddefconfig"), src, log, progress, null);
            List<String> bad = notHeld(wanted(fragment), Files.readString(src.resolve(".config")));
            if (!bad.isEmpty()) {
                throw new ImageException("the kernel config fragment did not hold after make olddefconfig: "
                        + String.join(", ", bad) + " (fix " + FRAGMENT_RESOURCE + "; see " + log + ")");
            }
            int jobs = Runtime.getRuntime().availableProcessors() + 1;
            progress.phase("compiling: make -j" + jobs + " bzImage vmlinux (6-30 minutes; progress every 30 s)");
            AtomicLong compiled = new AtomicLong();
            run(List.of("make", "-j" + jobs, "bzImage", "vmlinux"), src, log, progress, compiled);
            Files.copy(src.resolve("vmlinux"), tmp.resolve("vmlinux"), StandardCopyOption.REPLACE_EXISTING);
            Files.copy(src.resolve("arch/x86/boot/bzImage"), tmp.resolve("bzImage"), StandardCopyOption.REPLACE_EXISTING);
            Files.copy(src.resolve(".config"), tmp.resolve("config"), StandardCopyOption.REPLACE_EXISTING);
            progress.phase("removing the source tree");
            ImageStore.deleteTree(src);
            store.commit("kernel", key, tmp, Map.of("source", SOURCE + " " + sourceVersion(),
                    "fragment", FRAGMENT_RESOURCE, "objects_compiled", Long.toString(compiled.get())));
            store.markCurrent("kernel", key);
            progress.phase("done: " + dir.resolve("vmlinux") + " and bzImage ("
                    + Files.size(dir.resolve("bzImage")) / 1024 + " KiB)");
            return dir;
        } catch (IOException | InterruptedException | RuntimeException e) {
            ImageStore.deleteTree(tmp);
            throw e;
        }
    }

    /** The source package's version (so an updated linux-source rebuilds); the tarball size if dpkg cannot say. */
    static String sourceVersion() throws IOException {
        try {
            Process p = new ProcessBuilder("dpkg-query", "-W", "-f=${Version}", "linux-source-6.1").redirectErrorStream(true).start();
            String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (p.waitFor() == 0 && !v.isEmpty()) return v;
        } catch (IOException | InterruptedException e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
        }
        return "size " + Files.size(SOURCE);
    }

    /**
     * Runs one build step with its output appended to {@code log}; prints the elapsed time (and the number of
     * objects compiled so far, when {@code compiled} is given) every 30 s; fails with the log's tail.
     */
    private static void run(List<String> argv, Path dir, Path log, Progress progress, AtomicLong compiled)
            throws IOException, InterruptedException {
        Files.writeString(log, "$ " + String.join(" ", argv) + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        Process p = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true).start();
        // a SIGTERM to boxd alone must not leave a make -j running: stop the step and its children on exit
        Thread stopStep = new Thread(() -> {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }, "kernel-build-stop");
        Runtime.getRuntime().addShutdownHook(stopStep);
        Thread pump = Thread.ofPlatform().daemon().name("kernel-build-log").start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                 var w = Files.newBufferedWriter(log, StandardOpenOption.APPEND)) {
                String line;
                while ((line = r.readLine()) != null) {
                    w.write(line);
                    w.newLine();
                    if (compiled != null && line.startsWith("  CC ")) compiled.incrementAndGet();
                }
            } catch (IOException ignored) {
                // the process is gone; its status tells what happened
            }
        });
        try {
            while (!p.waitFor(30, TimeUnit.SECONDS)) {
                progress.phase(argv.get(0) + " still running" + (compiled == null ? "" : ", " + compiled.get() + " files compiled"));
            }
        } catch (InterruptedException e) {
            stopStep.run();
            Runtime.getRuntime().removeShutdownHook(stopStep);
            throw e;
        }
        pump.join(5000);
        Runtime.getRuntime().removeShutdownHook(stopStep);
        if (p.exitValue() != 0) {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            String tail = String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
            throw new ImageException(String.join(" ", argv) + " failed with exit " + p.exitValue() + "; last lines of "
                    + log + ":\n" + tail);
        }
    }
}
