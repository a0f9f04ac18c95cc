package boxd.proxy.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The relay reads the next batch only after the peer took the last one, and closes the peer when its side closes. */
class RawRelayHandlerTest {
    /** Counts read() requests reaching the transport. */
    static final class ReadCounter extends ChannelOutboundHandlerAdapter {
        int reads;

        @Override
        public void read(ChannelHandlerContext ctx) {
            reads++;
            ctx.read();
        }
    }

    /** Holds writes as a slow socket would, until released. */
    static final class HeldWrites extends ChannelOutboundHandlerAdapter {
        final List<ChannelPromise> held = new ArrayList<>();
        final List<ByteBuf> data = new ArrayList<>();

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            data.add((ByteBuf) msg);
            held.add(promise);
        }
    }

    @Test
    void readsTheNextBatchOnlyOnceThePeerTookTheLast() {
        HeldWrites slow = new HeldWrites();
        EmbeddedChannel peer = new EmbeddedChannel(slow);
        ReadCounter reads = new ReadCounter();
        EmbeddedChannel source = new EmbeddedChannel();
        source.config().setAutoRead(false);
        source.pipeline().addLast(reads, new RawRelayHandler(peer));
        int before = reads.reads;
        assertTrue(before >= 1, "the relay asks for its first batch");

        source.writeInbound(Unpooled.copiedBuffer("chunk-1", StandardCharsets.US_ASCII));
        assertEquals(1, slow.data.size());
        assertEquals("chunk-1", slow.data.getFirst().toString(StandardCharsets.US_ASCII));
        assertEquals(before, reads.reads, "no read while the peer has not taken the data");

        slow.held.getFirst().setSuccess();
        assertEquals(before + 1, reads.reads, "the next batch is read once the write succeeded");

        source.writeInbound(Unpooled.copiedBuffer("chunk-2", StandardCharsets.US_ASCII));
        slow.held.get(1).setFailure(new java.io.IOException("peer gone"));
        assertFalse(source.isOpen(), "a failed write closes the source");
        slow.data.forEach(ByteBuf::release);
        peer.finishAndReleaseAll();
    }

    @Test
    void closingOneSideClosesTheOther() {
        EmbeddedChannel peer = new EmbeddedChannel();
        EmbeddedChannel source = new EmbeddedChannel();
        source.config().setAutoRead(false);
        source.pipeline().addLast(new RawRelayHandler(peer));
        source.writeInbound(Unpooled.copiedBuffer("last words", StandardCharsets.US_ASCII));
        source.close();
        ByteBuf got = peer.readOutbound();
        assertEquals("last words", got.toString(StandardCharsets.US_ASCII), "what was relayed is flushed first");
        got.release();
        assertFalse(peer.isOpen());
        peer.finishAndReleaseAll();
    }

    @Test
    void dropsNonByteMessagesLeftByARemovedCodec() {
        EmbeddedChannel peer = new EmbeddedChannel();
        EmbeddedChannel source = new EmbeddedChannel();
        source.config().setAutoRead(false);
        source.pipeline().addLast(new RawRelayHandler(peer));
        source.writeInbound(io.netty.handler.codec.http.LastHttpContent.EMPTY_LAST_CONTENT);
        assertNull(peer.readOutbound());
        source.finishAndReleaseAll();
        peer.finishAndReleaseAll();
    }
}
