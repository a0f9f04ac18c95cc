package boxd.proxy;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/** Native epoll where it loads, NIO otherwise: the event loops and the matching channel classes. */
public record Transport(EventLoopGroup boss, EventLoopGroup workers, Class<? extends ServerSocketChannel> serverChannel,
                        Class<? extends SocketChannel> socketChannel, String kind) {

    /** @param workerThreads event loops for connections; 0 means one per CPU (a relay never blocks, so more only adds switching) */
    public static Transport create(int workerThreads) {
        if (workerThreads <= 0) workerThreads = Runtime.getRuntime().availableProcessors();
        if (Epoll.isAvailable()) {
            return new Transport(new EpollEventLoopGroup(1, new DefaultThreadFactory("proxy-accept", true)),
                    new EpollEventLoopGroup(workerThreads, new DefaultThreadFactory("proxy-io", true)),
                    EpollServerSocketChannel.class, EpollSocketChannel.class, "epoll");
        }
        return new Transport(new NioEventLoopGroup(1, new DefaultThreadFactory("proxy-accept", true)),
                new NioEventLoopGroup(workerThreads, new DefaultThreadFactory("proxy-io", true)),
                NioServerSocketChannel.class, NioSocketChannel.class, "nio");
    }

    public void shutdown() {
        boss.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS);
    }
}
