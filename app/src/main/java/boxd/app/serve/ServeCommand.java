package boxd.app.serve;

import java.io.PrintStream;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import boxd.app.config.BoxdConfig;
import boxd.app.doctor.Diagnosis;
import boxd.app.doctor.Doctor;
import boxd.app.doctor.HostProbe;
import boxd.app.image.GuestKernel;
import boxd.app.image.ImageException;
import boxd.app.image.ImageStore;
import boxd.app.image.Rootfs;

/**
 * {@code boxd serve}: every role in one process. Order of events: every port is checked free; doctor picks the
 * runtime; the data dir is created; the images the runtime needs are built (cached after the first run); the roles start
 * in order, one log line each; then serve waits for SIGINT/SIGTERM and closes the roles in reverse, exiting 0. A role
 * that cannot start closes the ones already started and serve exits 1 with the reason.
 */
public final class ServeCommand {
    private ServeCommand() {}

    /** {@return the ports this host's roles will listen on (only the roles --roles names)} */
    public static List<PortCheck.Listen> listens(BoxdConfig c) {
        List<PortCheck.Listen> l = new java.util.ArrayList<>();
        if (c.runs("ssh")) l.add(new PortCheck.Listen("ssh", "--ssh-port", c.sshPort(), true, false));
        if (c.runs("dns")) l.add(new PortCheck.Listen("dns", "--dns-port", c.dnsPort(), true, true));
        if (c.runs("proxy")) {
            l.add(new PortCheck.Listen("http proxy", "--http-port", c.httpPort(), true, false));
            l.add(new PortCheck.Listen("https proxy", "--https-port", c.httpsPort(), true, false));
        }
        return l;
    }

    public static int run(BoxdConfig config, String version, PrintStream out, PrintStream err) {
        Optional<String> taken = PortCheck.firstTaken(listens(config));
        if (taken.isPresent()) {
            err.println("boxd serve: " + taken.get());
            return 1;
        }
        String runtime = "none";
        String runtimeReason = "this host runs no worker (--roles " + String.join(",", config.roles()) + ")";
        if (config.runs("worker")) {
            Diagnosis d = Doctor.diagnose(HostProbe.read(config.data().root()), config.runtime());
            if (d.runtime().isEmpty()) {
                err.println("boxd serve: no box runtime can work on this host: " + d.runtimeReason() + " (details: boxd doctor)");
                return 1;
            }
            runtime = d.runtime().get();
            runtimeReason = d.runtimeReason();
        }
        config.data().create();
        out.println("boxd " + version + " serving from " + config.data().root());
        out.println("runtime: " + runtime + " (" + runtimeReason + ")");
        if (config.runs("worker")) {
            try {
                ensureImages(config, runtime, out);
            } catch (ImageException e) {
                err.println("boxd serve: " + e.getMessage());
                return 1;
            }
        }

        CountDownLatch stop = new CountDownLatch(1);
        AtomicReference<String> stopSignal = new AtomicReference<>("");
        Signals.onTermination(name -> {
            stopSignal.compareAndSet("", name);
            stop.countDown();
        });

        RoleSequence roles = new RoleSequence(out, err);
        try {
            if (!roles.startAll(Roles.steps(config), new ServeContext(config, runtime, null), () -> stop.getCount() == 0)) {
                out.println("stopping during start-up (SIG" + stopSignal.get() + ")");
                roles.closeAll();
                return 0;
            }
        } catch (RoleSequence.StartFailed e) {
            err.println("boxd serve: " + e.getMessage());
            return 1;
        }
        out.println("ready: " + roles.size() + " roles running; Ctrl-C stops");
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        out.println("stopping (SIG" + stopSignal.get() + ")");
        roles.closeAll();
        out.println("stopped");
        return 0;
    }

    /**
     * Builds what the runtime boots before any role starts, with progress on the console (minutes the first time,
     * a cache hit afterwards): the root filesystem always, the guest kernel too when boxes are microVMs.
     */
    private static void ensureImages(BoxdConfig config, String runtime, PrintStream out) {
        Rootfs.build(config.data(), out);
        if (runtime.equals("vm")) {
            try {
                GuestKernel.build(new ImageStore(config.data().images()), out);
            } catch (java.io.IOException e) {
                throw new ImageException("kernel: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ImageException("interrupted while building the guest kernel", e);
            }
        }
    }

    static String message(Throwable e) {
        StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        Throwable c = e.getCause();
        while (c != null && c != e) {
            if (c.getMessage() != null && !sb.toString().contains(c.getMessage())) sb.append(": ").append(c.getMessage());
            e = c;
            c = c.getCause();
        }
        if (e instanceof boxd.common.BoxdException b && !b.hint().isEmpty()) sb.append(" (").append(b.hint()).append(')');
        return sb.toString();
    }
}
