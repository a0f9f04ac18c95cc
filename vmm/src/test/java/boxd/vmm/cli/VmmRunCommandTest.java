package boxd.vmm.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;

import static org.junit.jupiter.api.Assertions.*;

class VmmRunCommandTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();

    private int run(String... args) {
        return VmmRunCommand.run(args, new PrintStream(out, true), new PrintStream(err, true));
    }

    @Test
    void usageErrorsExplainThemselves() {
        assertEquals(2, run("--mem", "256M"));
        assertTrue(err.toString().contains("--kernel is required"), err.toString());
        assertTrue(err.toString().contains("usage: boxd vmm run"));
        assertEquals(2, run("--kernel", "/nonexistent/vmlinux"));
        assertTrue(err.toString().contains("cannot read kernel"));
        assertEquals(2, run("--kernel", "/etc/hostname", "--mem", "lots"));
        assertTrue(err.toString().contains("not a size"));
        assertEquals(2, run("--bogus"));
        assertEquals(0, run("--help"));
        assertTrue(out.toString().contains("--vcpus"));
    }

    @Test
    void withoutKvmTheRunFailsWithAReasonAndReleasesEverything() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(java.nio.file.Files.exists(java.nio.file.Path.of("/dev/kvm")),
                "skipped: this host has /dev/kvm (SmallGuestIT covers real runs)");
        java.nio.file.Path k = java.nio.file.Files.createTempFile("kernel", ".elf");
        try {
            assertEquals(1, run("--kernel", k.toString(), "--mem", "64M"));
            assertTrue(err.toString().contains("/dev/kvm"), err.toString());
        } finally {
            java.nio.file.Files.delete(k);
        }
    }
}
