package boxd.tui;

import boxd.common.Box;
import boxd.tui.impl.DashboardImpl;
import org.jline.terminal.Terminal;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The full-screen view of the user's boxes behind the {@code dash} / {@code top} verb: name, status, IP, uptime and
 * size, refreshed every second (and at once when a {@link Builder#watch watch} fires), redrawn when the terminal is
 * resized. Uses the alternate screen and restores the terminal (attributes, screen, cursor, signal handlers) on exit.
 *
 * <p>Keys: {@code n} new (asks for a name), {@code c}/Enter connect, {@code r} reboot, {@code d} destroy (asks y/n),
 * arrows or {@code j}/{@code k} move the selection, {@code q}/Ctrl-C/Esc quit. Create, reboot and destroy run in the
 * background and report on the status line; connect leaves the full screen, runs, and comes back.
 * <pre>{@code
 * int status = Dashboard.builder().terminal(t).boxes(() -> control.boxes(user)).actions(actions).build().run();
 * }</pre>
 * Run it on a platform thread (JLine's readers wait in monitors). While it runs, Ctrl-C is a key (ISIG is off).
 */
public interface Dashboard {

    /**
     * What the keys do; the SSH frontend wires these to its verbs. A {@link RuntimeException} (a
     * {@link boxd.common.BoxdException} with its hint) is shown on the status line.
     */
    interface Actions {
        /** Create a box with this (already validated) name. Runs on a background thread. */
        void create(String name);

        /**
         * Open an interactive shell in the box. Runs on the dashboard's thread with the terminal back in its normal
         * state (main screen, attributes as before the dashboard, the caller's WINCH handler), so it may use it.
         */
        void connect(Box box);

        /** Reboot the box. Runs on a background thread. */
        void reboot(Box box);

        /** Destroy the box (the user already confirmed). Runs on a background thread. */
        void destroy(Box box);
    }

    /**
     * Runs the dashboard until the user quits or the input ends. On a terminal that cannot address the cursor (no
     * PTY, TERM=dumb) it prints why and returns 1 at once.
     *
     * @return 0 when the user quit
     */
    int run();

    static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link Dashboard}; {@link #terminal}, {@link #boxes} and {@link #actions} are required. */
    final class Builder {
        private Terminal terminal;
        private Supplier<List<Box>> boxes;
        private Actions actions;
        private Function<Runnable, AutoCloseable> watch;
        private Duration refresh = Duration.ofSeconds(1);
        private LongSupplier clock = System::currentTimeMillis;
        private String title = "boxd";
        private Function<Box, Duration> uptime;

        private Builder() {}

        public Builder terminal(Terminal terminal) { this.terminal = terminal; return this; }

        /** The user's boxes; called once per refresh on the dashboard's thread. */
        public Builder boxes(Supplier<List<Box>> boxes) { this.boxes = boxes; return this; }

        public Builder actions(Actions actions) { this.actions = actions; return this; }

        /**
         * Subscribes to changes ({@code control::watch} fits): the listener asks for a refresh; the handle is closed
         * on exit. Optional: without it the view still refreshes every {@link #refresh interval}.
         */
        public Builder watch(Function<Runnable, AutoCloseable> watch) { this.watch = watch; return this; }

        /** How often the list is read again (default 1 s). */
        public Builder refresh(Duration every) { this.refresh = every; return this; }

        /** Wall clock in milliseconds (for uptimes and the title bar's time); tests pass a fixed one. */
        public Builder clock(LongSupplier millis) { this.clock = millis; return this; }

        /** Shown in the title bar, e.g. the user name. */
        public Builder title(String title) { this.title = title; return this; }

        /**
         * How long a box has been up, or null when not running. The default counts from the box's last update while
         * it is running (the record carries no start time).
         */
        public Builder uptime(Function<Box, Duration> uptime) { this.uptime = uptime; return this; }

        public Dashboard build() {
            return new DashboardImpl(Objects.requireNonNull(terminal, "terminal"), Objects.requireNonNull(boxes, "boxes"),
                    Objects.requireNonNull(actions, "actions"), watch, refresh, clock, title, uptime);
        }
    }
}
