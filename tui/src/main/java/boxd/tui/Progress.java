package boxd.tui;

import java.io.PrintStream;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Shows that a long wait (a {@code new} waiting for its box to run) is alive. On a terminal: one line rewritten in
 * place every {@link #TICK}, a spinner, the label, the elapsed seconds and the latest step ({@code "starting"});
 * {@link #done} replaces it with the final line. Not on a terminal (exec without PTY, {@code --json}): nothing while
 * waiting and only the final line, so scripts read clean output.
 * <pre>{@code
 * try (Progress p = Progress.start(out, interactive, "creating web")) {
 *     ... p.step(box.observed().label()); ...
 *     p.done("web is running at 10.77.0.2");
 * }
 * }</pre>
 */
public final class Progress implements AutoCloseable {

    /** How often the line is redrawn. */
    public static final Duration TICK = Duration.ofMillis(100);
    private static final String SPIN = "|/-\\";

    private final PrintStream out;
    private final boolean interactive;
    private final String label;
    private final LongSupplier nanos;
    private final long start;
    private final Thread ticker;
    private volatile String step = "";
    private boolean finished;
    private int frame;

    private Progress(PrintStream out, boolean interactive, String label, LongSupplier nanos, boolean tick) {
        this.out = out;
        this.interactive = interactive;
        this.label = label;
        this.nanos = nanos;
        this.start = nanos.getAsLong();
        if (interactive && tick) {
            ticker = Thread.ofPlatform().daemon().name("boxd-progress").start(this::tickLoop);
        } else {
            ticker = null;
            if (interactive) draw();
        }
    }

    /**
     * Starts showing progress.
     *
     * @param interactive whether {@code out} is a terminal a person watches (the session has a PTY)
     */
    public static Progress start(PrintStream out, boolean interactive, String label) {
        return new Progress(out, interactive, label, System::nanoTime, true);
    }

    /** For tests: no ticker thread; the line is drawn on {@link #step} and {@link #draw} only. */
    static Progress manual(PrintStream out, boolean interactive, String label, LongSupplier nanos) {
        return new Progress(out, interactive, label, nanos, false);
    }

    /** Sets the latest step shown after the label. */
    public void step(String step) {
        this.step = step == null ? "" : step;
        if (ticker == null && interactive) draw();
    }

    /** Ends the progress with this line (printed in every mode). */
    public synchronized void done(String line) {
        if (finished) return;
        finished = true;
        if (ticker != null) ticker.interrupt();
        if (interactive) out.print("\r\u001b[K");
        out.println(line);
        out.flush();
    }

    /** Ends the progress without a final line (the caller prints an error instead), clearing it on a terminal. */
    @Override
    public synchronized void close() {
        if (finished) return;
        finished = true;
        if (ticker != null) ticker.interrupt();
        if (interactive) {
            out.print("\r\u001b[K");
            out.flush();
        }
    }

    synchronized void draw() {
        if (finished) return;
        long secs = (nanos.getAsLong() - start) / 1_000_000_000L;
        String s = step.isEmpty() ? "" : ": " + step;
        out.print("\r\u001b[K" + SPIN.charAt(frame++ % SPIN.length()) + " " + label + s + " (" + secs + "s)");
        out.flush();
    }

    private void tickLoop() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                draw();
                Thread.sleep(TICK);
            }
        } catch (InterruptedException e) {
            // done or closed
        }
    }
}
