package boxd.vmm.io;

import boxd.vmm.sys.LinuxAbi;
import boxd.vmm.sys.NativeBuffer;
import boxd.vmm.sys.Sys;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/** The native pieces the vCPU and I/O threads rely on, without KVM. */
class NativeIoTest {
    @Test
    void eventLoopRunsHandlersForSignalledEventFds() throws Exception {
        try (EventLoop loop = new EventLoop("test-io"); EventFd e = new EventFd()) {
            CountDownLatch hit = new CountDownLatch(2);
            long id = loop.add(e.fd(), false, () -> {
                e.drain();
                hit.countDown();
            });
            e.signal();
            Thread.sleep(50);
            e.signal();
            assertTrue(hit.await(5, TimeUnit.SECONDS));
            loop.remove(id);
        }
    }

    @Test
    void aBlockedKickSignalStaysPendingAndIsDrainedWithoutAHandler() throws Exception {
        int sig = Sys.sigRtMin() + boxd.vmm.vcpu.Vcpu.KICK_SIGNAL_OFFSET;
        AtomicInteger tid = new AtomicInteger();
        AtomicInteger drained = new AtomicInteger(-2);
        CountDownLatch ready = new CountDownLatch(1), kicked = new CountDownLatch(1);
        Thread t = Thread.ofPlatform().start(() -> {
            try (NativeBuffer set = Sys.sigset(sig); NativeBuffer old = Sys.threadSigmask(LinuxAbi.SIG_BLOCK, set)) {
                tid.set(Sys.gettid());
                ready.countDown();
                kicked.await();
                drained.set(Sys.sigtimedwaitNow(set));
                if (Sys.sigtimedwaitNow(set) != -1) drained.set(-3);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(ready.await(5, TimeUnit.SECONDS));
        Sys.tgkill(tid.get(), sig);
        kicked.countDown();
        t.join(5000);
        assertEquals(sig, drained.get(), "the signal was pending (not delivered, so the JVM lives) and drained once");
    }

    @Test
    void ioctlWithAnIntegerArgumentAndErrnoReporting() {
        try (EventFd e = new EventFd()) {
            assertEquals(0, Sys.ioctl(e.fd(), 0x5451L /* FIOCLEX */, 0, "FIOCLEX"));
            boxd.vmm.sys.SysException ex = assertThrows(boxd.vmm.sys.SysException.class,
                    () -> Sys.ioctl(e.fd(), boxd.vmm.sys.KvmAbi.KVM_GET_API_VERSION, 0, "KVM_GET_API_VERSION"));
            assertEquals(25, ex.errno(), "ENOTTY: an eventfd is not /dev/kvm");
            assertTrue(ex.getMessage().startsWith("KVM_GET_API_VERSION failed"), ex.getMessage());
        }
    }
}
