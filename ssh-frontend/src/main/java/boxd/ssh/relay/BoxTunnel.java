package boxd.ssh.relay;

import org.apache.sshd.client.channel.ChannelDirectTcpip;
import org.apache.sshd.common.util.net.SshdSocketAddress;

import java.io.IOException;

/**
 * A {@code direct-tcpip} channel from the frontend into a box's sshd, asking it to connect to a host and port as the
 * box sees them. What the box sends is handed to a {@link Sink} as it arrives (the sink gives the window back once the
 * bytes are passed on), and what goes to the box is written to {@link #getAsyncIn()}.
 */
public final class BoxTunnel extends ChannelDirectTcpip {

    /** Receives the box's bytes and its EOF. */
    interface Sink {
        void data(byte[] b, int off, long len);

        void eof();
    }

    private volatile Sink sink;

    BoxTunnel(SshdSocketAddress originator, SshdSocketAddress target) {
        super(originator, target);
        setStreaming(Streaming.Async);
    }

    /** Where the box's bytes go; set before {@link #open()}. */
    void sink(Sink s) { this.sink = s; }

    @Override
    protected void doWriteData(byte[] data, int off, long len) {
        // ChannelDirectTcpip writes into a pipe that only exists in synchronous mode: hand the bytes on instead
        sink.data(data, off, len);
    }

    @Override
    public void handleEof() throws IOException {
        super.handleEof();
        sink.eof();
    }

    void sendEofToBox() throws IOException {
        sendEof();
    }
}
