package boxd.worker.vm;

import boxd.common.BoxSpec;
import boxd.worker.runtime.BoxLaunch;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class VmCommandLineTest {
    private static BoxLaunch box(String ip, int prefix, String gw) {
        return new BoxLaunch("b-0123456789ab", "web-1", new BoxSpec(2, 512, 4, BoxSpec.DEFAULT_IMAGE), ip, prefix, gw,
                List.of("ssh-ed25519 AAAA owner"));
    }

    @Test
    void carriesRootDiskAddressHostnameAndInit() {
        String c = VmCommandLine.of(box("10.77.0.2", 16, "10.77.0.1"));
        assertTrue(c.startsWith("console=ttyS0 "), c);
        assertTrue(c.contains(" root=/dev/vda rw rootfstype=ext4 "), c);
        assertTrue(c.contains(" ip=10.77.0.2::10.77.0.1:255.255.0.0:web-1:eth0:off:10.77.0.1 "), c);
        assertTrue(c.endsWith(" init=/usr/local/sbin/boxd-init"), c);
        assertFalse(c.contains("AAAA"), "keys go on the config disk, not the command line");
        assertEquals(1, c.split(" ip=").length - 1, "one ip= parameter");
    }

    @Test
    void fitsTheKernelLimitWithTheVmmAdditions() {
        String c = VmCommandLine.of(box("10.77.255.254", 16, "10.77.0.1"))
                + " " + boxd.vmm.arch.x86_64.Cpuid.PVM_CMDLINE
                + " virtio_mmio.device=4K@0xc0001000:5 virtio_mmio.device=4K@0xc0002000:6 virtio_mmio.device=4K@0xc0003000:7";
        assertTrue(c.length() < 2048, "x86 COMMAND_LINE_SIZE is 2048, got " + c.length());
    }

    @Test
    void netmasks() {
        assertEquals("255.255.0.0", VmCommandLine.netmask(16));
        assertEquals("255.255.255.0", VmCommandLine.netmask(24));
        assertEquals("255.255.255.252", VmCommandLine.netmask(30));
        assertEquals("255.0.0.0", VmCommandLine.netmask(8));
        assertEquals("0.0.0.0", VmCommandLine.netmask(0));
        assertThrows(IllegalArgumentException.class, () -> VmCommandLine.netmask(33));
    }

    @Test
    void tapNamesAndMacsAreStablePerBox() {
        assertEquals("tb0123456789ab", VmBoxFiles.tapName("b-0123456789ab"));
        assertTrue(VmBoxFiles.tapName("b-0123456789abcdef0").length() <= 15);
        assertNotEquals(VmBoxFiles.tapName("b-0123456789ab"), boxd.worker.net.BoxNetwork.vethName("b-0123456789ab"));
        String mac = VmBoxFiles.mac("b-0123456789ab");
        assertTrue(mac.matches("02:b0(:[0-9a-f]{2}){4}"), mac);
        assertEquals(mac, VmBoxFiles.mac("b-0123456789ab"));
        assertNotEquals(mac, VmBoxFiles.mac("b-0123456789ac"));
    }
}
