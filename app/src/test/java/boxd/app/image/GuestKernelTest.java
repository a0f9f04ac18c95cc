package boxd.app.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class GuestKernelTest {
    @Test
    void theFragmentAsksForWhatTheVmmAndTheBoxesNeed() {
        Map<String, String> w = GuestKernel.wanted(GuestKernel.fragment());
        for (String opt : List.of("CONFIG_64BIT", "CONFIG_SMP", "CONFIG_VIRTIO_MMIO", "CONFIG_VIRTIO_MMIO_CMDLINE_DEVICES",
                "CONFIG_VIRTIO_BLK", "CONFIG_VIRTIO_NET", "CONFIG_VSOCKETS", "CONFIG_VIRTIO_VSOCKETS", "CONFIG_EXT4_FS",
                "CONFIG_OVERLAY_FS", "CONFIG_IP_PNP", "CONFIG_SERIAL_8250_CONSOLE", "CONFIG_DEVTMPFS_MOUNT",
                "CONFIG_BLK_DEV_INITRD", "CONFIG_UNIX", "CONFIG_INET", "CONFIG_PACKET", "CONFIG_KVM_GUEST",
                "CONFIG_HZ_100", "CONFIG_NO_HZ_IDLE")) {
            assertEquals("y", w.get(opt), opt);
        }
        assertEquals("n", w.get("CONFIG_MODULES"));
        assertEquals("n", w.get("CONFIG_IPV6"));
        assertTrue(w.size() >= 50, "about 55 options, got " + w.size());
    }

    @Test
    void optionsThatDidNotHoldAreNamed() {
        Map<String, String> w = Map.of("CONFIG_A", "y", "CONFIG_B", "n", "CONFIG_C", "y");
        String dot = "CONFIG_A=y\n# CONFIG_B is not set\nCONFIG_C=m\n";
        assertEquals(List.of("CONFIG_C=y (got m)"), GuestKernel.notHeld(w, dot));
        assertEquals(List.of("CONFIG_A=y (got n)"), GuestKernel.notHeld(Map.of("CONFIG_A", "y"), ""));
        assertEquals(List.of(), GuestKernel.notHeld(Map.of("CONFIG_B", "n"), ""));
    }

    @Test
    void theInputHashChangesWithAnyInput() {
        String a = new InputHash("kernel").add("fragment", "CONFIG_X=y").add("source", "6.1.1").key();
        String same = new InputHash("kernel").add("fragment", "CONFIG_X=y").add("source", "6.1.1").key();
        String other = new InputHash("kernel").add("fragment", "CONFIG_X=y").add("source", "6.1.2").key();
        String shifted = new InputHash("kernel").add("fragment", "CONFIG_X=y6").add("source", ".1.1").key();
        assertEquals(a, same);
        assertNotEquals(a, other);
        assertNotEquals(a, shifted);
        assertEquals(16, a.length());
    }
}
