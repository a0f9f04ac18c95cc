package boxd.common.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a host command the way a user would, with a time limit, and keeps stdout, stderr and the exit status apart. */
public final class Cmd {
    /** What a finished command printed and returned. */
    public record Result(int exit, String stdout, String stderr) {
        public Result requireSuccess() {
            if (exit != 0) throw new AssertionError("command failed with exit " + exit + "\nstdout: " + stdout + "\nstderr: " + stderr);
            return this;
        }
    }

    private Cmd() {}

    public static Result run(List<String> argv) { return run(argv, null, 60, null); }

    public static Result run(String... argv) { return run(List.of(argv)); }

    /** Runs {@code argv} with {@code stdin} (may be null), killing it after {@code timeoutSeconds}. */
    public static Result run(List<String> argv, byte[] stdin, int timeoutSeconds, Path dir) {
        ProcessBuilder pb = new ProcessBuilder(argv);
        if (dir != null) pb.directory(dir.toFile());
        try {
            Process p = pb.start();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            try (var in = p.getOutputStream()) {
                if (stdin != null) in.write(stdin);
            } catch (IOException ignored) {
                // the command exited without reading its input
            }
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                throw new AssertionError("command timed out after " + timeoutSeconds + " s: " + String.join(" ", argv)
                        + "\nstdout so far: " + out.getNow("") + "\nstderr so far: " + err.getNow(""));
            }
            return new Result(p.exitValue(), out.join(), err.join());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + argv.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running " + argv);
        }
    }

    /** Same as {@link #run(List)} inside network namespace {@code netns}. */
    public static Result inNetns(String netns, String... argv) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", netns));
        full.addAll(List.of(argv));
        return run(full);
    }

    private static String read(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
