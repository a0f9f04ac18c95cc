package boxd.worker;

import boxd.common.BoxdException;
import boxd.common.ErrorCode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs host tools (ip, mount, mkfs.ext4, debootstrap, ...) with a time limit and keeps their output for error messages.
 * The worker drives the host through these tools rather than syscalls from the JVM: namespace and mount syscalls act on
 * the calling thread or the whole JVM, which a multithreaded process must not do.
 */
public final class HostCommand {
    private HostCommand() {}

    /** What a finished command printed and returned. */
    public record Result(List<String> argv, int exit, String stdout, String stderr) {
        public boolean ok() { return exit == 0; }

        /** @throws BoxdException INTERNAL saying what failed, with the command's stderr, unless it exited 0 */
        public Result orThrow(String what, String hint) {
            if (exit == 0) return this;
            String err = stderr.isBlank() ? stdout : stderr;
            if (err.length() > 2000) err = "..." + err.substring(err.length() - 2000);
            throw new BoxdException(ErrorCode.INTERNAL, what + " failed (exit " + exit + " from '"
                    + String.join(" ", argv.size() > 8 ? argv.subList(0, 8) : argv) + (argv.size() > 8 ? " ..." : "")
                    + "'): " + err.strip(), hint);
        }
    }

    public static Result run(String... argv) {
        return run(List.of(argv), null, Duration.ofSeconds(30));
    }

    /** Runs {@code argv} with {@code stdin} (may be null); exit 124 and a note in stderr when it runs past {@code limit}. */
    public static Result run(List<String> argv, byte[] stdin, Duration limit) {
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.environment().putIfAbsent("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        if (!pb.environment().get("PATH").contains("/sbin"))
            pb.environment().put("PATH", pb.environment().get("PATH") + ":/usr/sbin:/sbin");
        pb.environment().put("LC_ALL", "C");
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new BoxdException(ErrorCode.INTERNAL, "cannot run '" + argv.get(0) + "': " + e.getMessage(),
                    "install it (Debian package providing " + argv.get(0) + ")", e);
        }
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        try (var in = p.getOutputStream()) {
            if (stdin != null) in.write(stdin);
        } catch (IOException ignored) {
            // it exited without reading its input
        }
        try {
            if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                return new Result(argv, 124, out.getNow(""), err.getNow("") + "\n(timed out after " + limit.toSeconds() + " s)");
            }
        } catch (InterruptedException e) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new BoxdException(ErrorCode.INTERNAL, "interrupted while running " + argv.get(0));
        }
        return new Result(argv, p.exitValue(), out.join(), err.join());
    }

    /** {@return whether an executable of that name is on PATH or in an sbin directory} */
    public static boolean exists(String name) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")));
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
        for (String d : dirs) if (!d.isEmpty() && Files.isExecutable(Path.of(d, name))) return true;
        return false;
    }

    /**
     * {@return "TOOL (apt-get install PACKAGE)" for each tool of {@code toolsAndPackages} (tool, Debian package, tool,
     * package, ...) that {@link #exists} does not find}
     */
    public static List<String> missing(String... toolsAndPackages) {
        List<String> missing = new ArrayList<>();
        for (int i = 0; i + 1 < toolsAndPackages.length; i += 2) {
            String tool = toolsAndPackages[i];
            if (!exists(tool)) missing.add(tool + " (apt-get install " + toolsAndPackages[i + 1] + ")");
        }
        return missing;
    }

    /** {@return the mount points in this process's mount namespace at or below {@code dir}, in mount order} */
    public static List<String> mountPointsUnder(Path dir) {
        String prefix = dir.toAbsolutePath().normalize().toString();
        List<String> res = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                if (f.length < 5) continue;
                String mp = unescape(f[4]);
                if (mp.equals(prefix) || mp.startsWith(prefix + "/")) res.add(mp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return res;
    }

    private static String unescape(String s) {
        return s.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
