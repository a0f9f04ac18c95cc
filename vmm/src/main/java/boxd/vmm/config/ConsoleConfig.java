package boxd.vmm.config;

import java.io.InputStream;
import java.io.OutputStream;

/** Where the 8250 UART's output goes and (optionally, may be null) where its input comes from. */
public record ConsoleConfig(OutputStream output, InputStream input) {
    public static ConsoleConfig discard() { return new ConsoleConfig(OutputStream.nullOutputStream(), null); }
}
