package boxd.vmm;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** Passes console bytes through and hands each complete line to listeners (boot milestones, power-off messages). */
public final class ConsoleWatcher extends OutputStream {
    private final OutputStream out;
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private final StringBuilder line = new StringBuilder();

    public ConsoleWatcher(OutputStream out) { this.out = out; }

    public void onLine(Consumer<String> listener) { listeners.add(listener); }

    @Override
    public synchronized void write(int b) throws IOException {
        out.write(b);
        if (b == '\n') {
            String l = line.toString();
            line.setLength(0);
            for (Consumer<String> c : listeners) c.accept(l);
        } else if (b != '\r' && line.length() < 4096) {
            line.append((char) (b & 0xFF));
        }
    }

    @Override
    public void flush() throws IOException { out.flush(); }
}
