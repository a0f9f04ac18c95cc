package boxd.vmm.io;

import boxd.vmm.sys.LinuxAbi;
import boxd.vmm.sys.NativeBuffer;
import boxd.vmm.sys.Sys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One epoll thread that runs a handler when an fd turns readable (ioeventfds, tap devices). Java selectors cannot
 * watch eventfds or taps, hence epoll. One loop can serve many VMs; a handler that throws is logged and removed
 * so one broken device cannot spin the loop or take down the others.
 */
public final class EventLoop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventLoop.class);

    private final int epfd;
    private final EventFd wake = new EventFd();
    private final Map<Long, Registration> handlers = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong(1);
    private final Thread thread;
    private volatile boolean closed;
    /** Held while a handler runs, so {@link #remove} can wait out a handler in flight before its VM frees memory. */
    private final java.util.concurrent.locks.ReentrantLock dispatch = new java.util.concurrent.locks.ReentrantLock();

    private record Registration(int fd, Runnable handler) {}

    public EventLoop(String name) {
        this.epfd = Sys.epollCreate();
        Sys.epollCtl(epfd, LinuxAbi.EPOLL_CTL_ADD, wake.fd(), LinuxAbi.EPOLLIN, 0);
        this.thread = Thread.ofPlatform().name(name).daemon(true).unstarted(this::loop);
        thread.start();
    }

    /** Runs {@code handler} on this loop's thread whenever {@code fd} is readable (level-triggered, or edge with {@code edge}). */
    public long add(int fd, boolean edge, Runnable handler) {
        long id = ids.getAndIncrement();
        handlers.put(id, new Registration(fd, handler));
        Sys.epollCtl(epfd, LinuxAbi.EPOLL_CTL_ADD, fd, LinuxAbi.EPOLLIN | (edge ? LinuxAbi.EPOLLET : 0), id);
        return id;
    }

    /** Stops calling the handler; when this returns no call of it is in progress (unless made from the handler itself). */
    public void remove(long id) {
        Registration r = handlers.remove(id);
        dispatch.lock();
        dispatch.unlock();
        if (r != null) {
            try {
                Sys.epollCtl(epfd, LinuxAbi.EPOLL_CTL_DEL, r.fd(), 0, 0);
            } catch (RuntimeException e) {
                // the fd may already be closed, which removes it from the epoll set anyway
            }
        }
    }

    private void loop() {
        try (NativeBuffer events = NativeBuffer.allocate(64L * LinuxAbi.SIZEOF_EPOLL_EVENT)) {
            while (!closed) {
                int n = Sys.epollWait(epfd, events, 1000);
                for (int i = 0; i < n; i++) {
                    long id = events.getI64((long) i * LinuxAbi.SIZEOF_EPOLL_EVENT + LinuxAbi.OFF_EPOLL_EVENT_DATA);
                    if (id == 0) {
                        wake.drain();
                        continue;
                    }
                    dispatch.lock();
                    try {
                        Registration r = handlers.get(id);
                        if (r == null) continue;
                        try {
                            r.handler().run();
                        } catch (RuntimeException e) {
                            log.warn("I/O handler for fd {} failed and was removed: {}", r.fd(), e.toString());
                            remove(id);
                        }
                    } finally {
                        dispatch.unlock();
                    }
                }
            }
        } catch (RuntimeException e) {
            if (!closed) log.error("event loop {} died: {}", thread.getName(), e.toString());
        }
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        wake.signal();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Sys.close(epfd);
        wake.close();
    }
}
