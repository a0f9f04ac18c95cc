package boxd.app.serve;

import java.util.function.Consumer;

import sun.misc.Signal;

/**
 * SIGINT and SIGTERM become a call instead of the JVM's default exit (status 130/143), so serve can close its
 * roles in order and exit 0. sun.misc.Signal (module jdk.unsupported) is the only JDK API for this.
 */
final class Signals {
    private Signals() {}

    static void onTermination(Consumer<String> handler) {
        for (String name : new String[] {"INT", "TERM"}) {
            Signal.handle(new Signal(name), s -> handler.accept(s.getName()));
        }
    }
}
