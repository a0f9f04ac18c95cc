package boxd.vmm.devices.legacy;

import boxd.vmm.devices.BusDevice;

/**
 * Enough of the i8042 keyboard controller on ports 0x60-0x64 for Linux to probe it and for {@code reboot=k}: the
 * reset command 0xFE on port 0x64 calls {@code onReset}. No keyboard is attached.
 */
public final class I8042 implements BusDevice {
    public static final int PORT = 0x60, PORTS = 5;
    private static final int STATUS_OBF = 1, STATUS_SYS = 4;

    private final Runnable onReset;
    private int ctr = 0x47;
    private int outputByte = -1;
    private int pendingCommand = -1;

    public I8042(Runnable onReset) { this.onReset = onReset; }

    @Override
    public synchronized void read(long offset, byte[] data) {
        java.util.Arrays.fill(data, (byte) 0);
        if (data.length == 0) return;
        if (offset == 0) {
            data[0] = (byte) Math.max(0, outputByte);
            outputByte = -1;
        } else if (offset == 4) {
            data[0] = (byte) (STATUS_SYS | (outputByte >= 0 ? STATUS_OBF : 0));
        }
    }

    @Override
    public void write(long offset, byte[] data) {
        if (data.length == 0) return;
        int v = data[0] & 0xFF;
        boolean reset = false;
        synchronized (this) {
            if (offset == 4) {
                switch (v) {
                    case 0x20 -> outputByte = ctr;       // read command byte
                    case 0x60 -> pendingCommand = 0x60;  // write command byte: next data byte
                    case 0xAA -> outputByte = 0x55;      // controller self test passed
                    case 0xAB -> outputByte = 0x00;      // keyboard interface test passed
                    case 0xFE -> reset = true;           // pulse the CPU reset line
                    default -> { }
                }
            } else if (offset == 0 && pendingCommand == 0x60) {
                ctr = v;
                pendingCommand = -1;
            }
        }
        if (reset) onReset.run();
    }
}
