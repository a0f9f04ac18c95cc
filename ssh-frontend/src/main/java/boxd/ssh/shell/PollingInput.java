package boxd.ssh.shell;

import org.jline.utils.NonBlockingInputStream;

import java.io.IOException;
import java.io.InputStream;

/**
 * The terminal's input for one relayed verb (connect, exec) at the prompt. The relay pumps its input on a thread of
 * its own that outlives the verb; reading with a timeout and answering end-of-input once {@link #stop()} was called
 * keeps that thread from swallowing the next keystroke meant for the prompt.
 */
final class PollingInput extends InputStream {
    private static final long POLL_MILLIS = 100;
    private final NonBlockingInputStream in;
    private volatile boolean stopped;

    PollingInput(NonBlockingInputStream in) { this.in = in; }

    void stop() { stopped = true; }

    @Override
    public int read() throws IOException {
        while (!stopped) {
            int c = in.read(POLL_MILLIS);
            if (c == NonBlockingInputStream.READ_EXPIRED) continue;
            return c;
        }
        return -1;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        int c = read();
        if (c < 0) return -1;
        b[off] = (byte) c;
        int n = 1;
        while (n < len && !stopped) {
            int d = in.read(1L);
            if (d < 0) break; // READ_EXPIRED (-2) or EOF: hand over what we have
            b[off + n++] = (byte) d;
        }
        return n;
    }

    @Override
    public void close() { stop(); }
}
