package boxd.app.image;

import java.io.PrintStream;
import java.time.Duration;

/** Prints "[artifact] phase ... (m:ss)" lines so that a build of several minutes is never silent. */
public final class Progress {
    private final PrintStream out;
    private final String artifact;
    private final long startNanos = System.nanoTime();

    public Progress(PrintStream out, String artifact) {
        this.out = out;
        this.artifact = artifact;
    }

    public void phase(String what) {
        out.println("[" + artifact + "] " + what + " (" + elapsed() + ")");
        out.flush();
    }

    /** {@return time since this artifact started, as m:ss} */
    public String elapsed() {
        return format(Duration.ofNanos(System.nanoTime() - startNanos));
    }

    public static String format(Duration d) {
        long s = d.toSeconds();
        return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format("%d:%02d", s / 60, s % 60);
    }
}
