package boxd.vmm.kvm;

import boxd.vmm.sys.Errno;
import boxd.vmm.sys.KvmAbi;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class KvmTest {
    @Test
    void withoutKvmTheErrorNamesTheCallErrnoAndWhatToDo() {
        if (Files.exists(Path.of("/dev/kvm"))) {
            try (Kvm kvm = Kvm.open(); VmFd vm = kvm.createVm()) {
                assertFalse(kvm.supportedCpuid().isEmpty());
                assertTrue(kvm.checkExtension(KvmAbi.KVM_CAP_IRQCHIP) > 0);
                vm.createIrqchip();
                KvmException e = assertThrows(KvmException.class, vm::createIrqchip, "a second irqchip is refused");
                assertEquals("KVM_CREATE_IRQCHIP", e.ioctl());
                assertTrue(e.getMessage().startsWith("KVM_CREATE_IRQCHIP failed: "), e.getMessage());
            }
            assertNotEquals(KvmKind.NONE, KvmKind.detect());
            return;
        }
        KvmException e = assertThrows(KvmException.class, Kvm::open);
        assertEquals("open(/dev/kvm)", e.ioctl());
        assertEquals(Errno.ENOENT, e.errno());
        assertTrue(e.getMessage().contains("this host has no KVM"), e.getMessage());
        assertEquals(KvmKind.NONE, KvmKind.detect());
    }
}
