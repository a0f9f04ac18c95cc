package boxd.vmm.devices.legacy;

import boxd.vmm.devices.BusDevice;
import boxd.vmm.devices.Interrupt;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayDeque;

/**
 * A 16550-compatible UART (the 8250 driver's view) on ports 0x3f8-0x3ff. Transmit is instant, so THR is always
 * empty: a THRE interrupt is raised when the driver enables it in IER and after every byte written while it is
 * enabled (the driver waits for it before sending more). Received bytes raise a data-available interrupt. Writing
 * IER re-asserts whatever is pending (the console path masks IER around each printk).
 */
public final class Serial8250 implements BusDevice {
    public static final int PORT = 0x3f8, IRQ = 4, PORTS = 8;

    private static final int IER_RDA = 1, IER_THRE = 2;
    private static final int IIR_NONE = 1, IIR_THRE = 2, IIR_RDA = 4, IIR_FIFO = 0xC0;
    private static final int LCR_DLAB = 0x80;
    private static final int LSR_DR = 1, LSR_THRE = 0x20, LSR_TEMT = 0x40;
    private static final int MCR_LOOP = 0x10;
    private static final int MSR_DEFAULT = 0xB0; // DCD, DSR, CTS
    private static final int RX_FIFO_LIMIT = 64 * 1024;

    private final OutputStream out;
    private final Interrupt irq;
    private final ArrayDeque<Byte> rx = new ArrayDeque<>();
    private int ier, lcr, mcr, scr, fcr, dll = 12, dlm;
    private boolean threPending = true;

    public Serial8250(OutputStream out, Interrupt irq) {
        this.out = out;
        this.irq = irq;
    }

    /** Queues input for the guest (keyboard or a pipe); raises the data interrupt if enabled. */
    public synchronized void enqueue(byte[] data) {
        boolean wasEmpty = rx.isEmpty();
        for (byte b : data) {
            if (rx.size() >= RX_FIFO_LIMIT) break;
            rx.add(b);
        }
        if (wasEmpty && !rx.isEmpty() && (ier & IER_RDA) != 0) irq.trigger();
    }

    private int iir() {
        int fifo = (fcr & 1) != 0 ? IIR_FIFO : 0;
        if ((ier & IER_RDA) != 0 && !rx.isEmpty()) return IIR_RDA | fifo;
        if ((ier & IER_THRE) != 0 && threPending) return IIR_THRE | fifo;
        return IIR_NONE | fifo;
    }

    @Override
    public synchronized void read(long offset, byte[] data) {
        java.util.Arrays.fill(data, (byte) 0);
        int v = switch ((int) offset) {
            case 0 -> {
                if ((lcr & LCR_DLAB) != 0) yield dll;
                Byte b = rx.poll();
                yield b == null ? 0 : b & 0xFF;
            }
            case 1 -> (lcr & LCR_DLAB) != 0 ? dlm : ier;
            case 2 -> {
                int id = iir();
                if ((id & 0xF) == IIR_THRE) threPending = false; // reading IIR acknowledges THRE
                yield id;
            }
            case 3 -> lcr;
            case 4 -> mcr;
            case 5 -> LSR_THRE | LSR_TEMT | (rx.isEmpty() ? 0 : LSR_DR);
            case 6 -> (mcr & MCR_LOOP) != 0 ? loopbackMsr() : MSR_DEFAULT;
            case 7 -> scr;
            default -> 0;
        };
        if (data.length > 0) data[0] = (byte) v;
    }

    private int loopbackMsr() {
        // in loopback, DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD
        return ((mcr & 1) << 5) | ((mcr & 2) << 3) | ((mcr & 4) << 4) | ((mcr & 8) << 4);
    }

    @Override
    public synchronized void write(long offset, byte[] data) {
        if (data.length == 0) return;
        int v = data[0] & 0xFF;
        switch ((int) offset) {
            case 0 -> {
                if ((lcr & LCR_DLAB) != 0) {
                    dll = v;
                } else if ((mcr & MCR_LOOP) != 0) {
                    enqueue(new byte[] {(byte) v});
                } else {
                    try {
                        out.write(v);
                        if (v == '\n') out.flush();
                    } catch (IOException e) {
                        // console output is best effort; THRE is raised anyway so the driver never stalls
                    }
                    // pulse only when THRE becomes pending again: the driver sends up to 16 bytes per interrupt
                    boolean was = threPending;
                    threPending = true;
                    if (!was && (ier & IER_THRE) != 0) irq.trigger();
                }
            }
            case 1 -> {
                if ((lcr & LCR_DLAB) != 0) {
                    dlm = v;
                } else {
                    boolean theEnabled = (v & IER_THRE) != 0 && (ier & IER_THRE) == 0;
                    ier = v & 0x0F;
                    if (theEnabled) threPending = true;
                    if ((iir() & IIR_NONE) == 0) irq.trigger();
                }
            }
            case 2 -> fcr = v;
            case 3 -> lcr = v;
            case 4 -> mcr = v;
            case 7 -> scr = v;
            default -> { }
        }
    }

    /** Flushes console output (called when the VM stops). */
    public synchronized void flush() {
        try {
            out.flush();
        } catch (IOException ignored) {
            // nothing more to do for a console that has gone away
        }
    }
}
