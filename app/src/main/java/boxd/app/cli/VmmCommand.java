package boxd.app.cli;

import java.io.PrintStream;

import boxd.vmm.cli.VmmRunCommand;

/** {@code boxd vmm run ...}: the standalone VMM, provided by the vmm module's {@link VmmRunCommand}. */
public final class VmmCommand {
    private VmmCommand() {}

    public static int run(String[] args, PrintStream out, PrintStream err) {
        return VmmRunCommand.run(args, out, err);
    }

    /** {@return the VMM's own usage line} */
    public static String usage() {
        return VmmRunCommand.USAGE;
    }
}
