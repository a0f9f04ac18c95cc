package boxd.vmm.devices.legacy;

import boxd.vmm.devices.Bus;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

class LegacyDevicesTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final AtomicInteger irqs = new AtomicInteger();
    private final Serial8250 uart = new Serial8250(out, irqs::incrementAndGet);

    private int in(int off) {
        byte[] b = new byte[1];
        uart.read(off, b);
        return b[0] & 0xFF;
    }

    private void out(int off, int v) { uart.write(off, new byte[] {(byte) v}); }

    @Test
    void transmitsAndRaisesThreInterrupts() {
        out(0, 'h');
        out(0, 'i');
        assertEquals("hi", out.toString());
        assertEquals(0, irqs.get(), "THRE interrupt disabled");
        assertEquals(0x60, in(5) & 0x60, "THR empty");
        out(1, 2);
        assertEquals(1, irqs.get(), "enabling THRE raises it at once");
        assertEquals(2, in(2) & 0xF, "IIR says THRE");
        assertEquals(1, in(2) & 0xF, "reading IIR acknowledged it");
        out(0, '!');
        assertEquals(2, irqs.get(), "each byte sent re-raises THRE");
    }

    @Test
    void receivesWithDataInterruptAndDivisorLatchWorks() {
        out(1, 1);
        uart.enqueue("ab".getBytes());
        assertEquals(1, irqs.get());
        assertEquals(4, in(2) & 0xF);
        assertEquals(1, in(5) & 1);
        assertEquals('a', in(0));
        assertEquals('b', in(0));
        assertEquals(0, in(5) & 1);
        out(3, 0x80);
        out(0, 1);
        assertEquals(1, in(0), "DLL through DLAB");
        out(3, 3);
        out(7, 0x5A);
        assertEquals(0x5A, in(7), "scratch register");
        out(4, 0x10);
        out(0, 'x');
        assertEquals('x', in(0), "loopback");
    }

    @Test
    void i8042ResetAndProbe() {
        AtomicInteger resets = new AtomicInteger();
        I8042 kbd = new I8042(resets::incrementAndGet);
        Bus pio = new Bus();
        pio.register(I8042.PORT, I8042.PORTS, kbd);
        pio.write(0x64, new byte[] {(byte) 0xAA});
        byte[] b = new byte[1];
        pio.read(0x64, b);
        assertEquals(1, b[0] & 1, "output buffer full");
        pio.read(0x60, b);
        assertEquals(0x55, b[0]);
        pio.write(0x64, new byte[] {(byte) 0xFE});
        assertEquals(1, resets.get());
        assertFalse(pio.read(0x70, b), "unclaimed port");
    }

    @Test
    void bootTimerFiresOnceOn123() {
        AtomicInteger fired = new AtomicInteger();
        BootTimer t = new BootTimer(ns -> fired.incrementAndGet());
        t.markStart(System.nanoTime());
        t.write(0, new byte[] {1});
        assertEquals(-1, t.bootNanos());
        t.write(0, new byte[] {123});
        t.write(0, new byte[] {123});
        assertTrue(t.bootNanos() >= 0);
        assertEquals(1, fired.get());
    }

    @Test
    void busRejectsOverlaps() {
        Bus bus = new Bus();
        bus.register(0x100, 0x10, uart);
        assertThrows(IllegalArgumentException.class, () -> bus.register(0x108, 4, uart));
        bus.register(0x110, 4, uart);
    }
}
