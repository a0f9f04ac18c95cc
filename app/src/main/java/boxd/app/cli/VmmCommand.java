package boxd.app.cli;

import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * {@code boxd vmm run ...}: the standalone VMM, provided by the vmm module's {@code boxd.vmm.cli.VmmRunCommand}.
 * Looked up by name while the vmm module is being written, so this jar builds with or without it.
 */
public final class VmmCommand {
    static final String CLASS = "boxd.vmm.cli.VmmRunCommand";

    private VmmCommand() {}

    public static int run(String[] args, PrintStream out, PrintStream err) {
        Method run;
        try {
            run = Class.forName(CLASS).getMethod("run", String[].class, PrintStream.class, PrintStream.class);
        } catch (ClassNotFoundException | NoSuchMethodException e) {
            err.println("boxd vmm: not available yet (this build has no " + CLASS + ")");
            return 1;
        }
        try {
            Object status = run.invoke(null, args, out, err);
            return status instanceof Integer i ? i : 0;
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) throw r;
            if (cause instanceof Error x) throw x;
            err.println("boxd vmm: " + cause);
            return 1;
        } catch (IllegalAccessException e) {
            err.println("boxd vmm: cannot call " + CLASS + ".run: " + e.getMessage());
            return 1;
        }
    }
}
