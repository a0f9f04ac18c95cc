package boxd.tui.testing;

import boxd.tui.Terminals;
import org.jline.builtins.ScreenTerminal;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Predicate;

/**
 * An in-memory terminal for tests: keys typed with {@link #type(String)} arrive as the user's input; everything the
 * program writes is kept as raw text ({@link #output()}) and fed to JLine's VT100 emulator ({@link #screen()}), so
 * tests can check both the bytes and what a person would see. {@link #resize} changes the size like a WINCH.
 */
public final class VirtualTerminal implements AutoCloseable {

    private final KeyInput input = new KeyInput();
    private final Capture capture = new Capture();
    private final Terminal terminal;
    private ScreenTerminal screen;

    public VirtualTerminal(String type, int columns, int rows) {
        screen = new ScreenTerminal(columns, rows);
        terminal = Terminals.open(input, capture, type, columns, rows, null);
    }

    public Terminal terminal() {
        return terminal;
    }

    /** Types these characters (use \r for Enter, \t for Tab, \003 for Ctrl-C, \004 for Ctrl-D, \033[A for Up). */
    public void type(String keys) {
        for (byte b : keys.getBytes(StandardCharsets.UTF_8)) input.queue.add(b & 0xff);
    }

    /** Ends the input, as when the client closes the channel. */
    public void endInput() {
        input.queue.add(-1);
    }

    /**
     * Resizes the terminal and raises WINCH. The emulated screen starts blank at the new size (JLine's emulator
     * cannot resize in place), so what shows afterwards is only what the program redraws.
     */
    public void resize(int columns, int rows) {
        synchronized (capture) {
            screen = new ScreenTerminal(columns, rows);
        }
        terminal.setSize(new Size(columns, rows));
        terminal.raise(Terminal.Signal.WINCH);
    }

    /** {@return everything written so far, escapes included} */
    public String output() {
        synchronized (capture) {
            return capture.text.toString();
        }
    }

    /** {@return the emulated screen's text, one line per row} */
    public String screen() {
        synchronized (capture) {
            return screen.toString();
        }
    }

    /** Waits until the output satisfies {@code test}; fails with the output when it does not in time. */
    public String awaitOutput(Predicate<String> test, Duration timeout) {
        return await(this::output, test, timeout, "output");
    }

    /** Waits until the output contains {@code text}. */
    public String awaitOutput(String text) {
        return awaitOutput(s -> s.contains(text), Duration.ofSeconds(10));
    }

    /** Waits until the screen satisfies {@code test}. */
    public String awaitScreen(Predicate<String> test, Duration timeout) {
        return await(this::screen, test, timeout, "screen");
    }

    public String awaitScreen(String text) {
        return awaitScreen(s -> s.contains(text), Duration.ofSeconds(10));
    }

    private static String await(java.util.function.Supplier<String> what, Predicate<String> test, Duration timeout,
                                String name) {
        long end = System.nanoTime() + timeout.toNanos();
        String last = what.get();
        while (!test.test(last)) {
            if (System.nanoTime() > end)
                throw new AssertionError("timed out waiting on the " + name + "; it shows:\n" + last);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            last = what.get();
        }
        return last;
    }

    @Override
    public void close() throws IOException {
        endInput();
        terminal.close();
    }

    private static final class KeyInput extends InputStream {
        final BlockingQueue<Integer> queue = new LinkedBlockingQueue<>();
        boolean ended;

        @Override
        public int read() throws IOException {
            if (ended) return -1;
            try {
                int b = queue.take();
                if (b < 0) ended = true;
                return b;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException();
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) return 0;
            int first = read();
            if (first < 0) return -1;
            b[off] = (byte) first;
            int n = 1;
            while (n < len) {
                Integer next = queue.peek();
                if (next == null || next < 0) break;
                b[off + n++] = (byte) (int) queue.poll();
            }
            return n;
        }

        @Override
        public int available() {
            return queue.size();
        }
    }

    private final class Capture extends OutputStream {
        final StringBuilder text = new StringBuilder();
        final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder();
        final ByteArrayOutputStream pending = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            write(new byte[]{(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            pending.write(b, off, len);
            ByteBuffer in = ByteBuffer.wrap(pending.toByteArray());
            CharBuffer out = CharBuffer.allocate(in.remaining() + 1);
            decoder.decode(in, out, false);
            out.flip();
            String s = out.toString();
            byte[] rest = new byte[in.remaining()];
            in.get(rest);
            pending.reset();
            pending.writeBytes(rest);
            text.append(s);
            screen.write(s);
        }
    }
}
