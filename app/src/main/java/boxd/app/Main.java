package boxd.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;

import boxd.app.cli.UserVerbCommand;
import boxd.app.cli.VmmCommand;
import boxd.app.config.BoxdConfig;
import boxd.app.config.ConfigLoader;
import boxd.app.config.Option;
import boxd.app.config.UsageException;
import boxd.app.doctor.Diagnosis;
import boxd.app.doctor.Doctor;
import boxd.app.doctor.HostProbe;
import boxd.app.image.ImageCommand;
import boxd.app.serve.ServeCommand;

/**
 * The {@code boxd} command: the operator's subcommands (serve, doctor, image, vmm, version) and, for any user verb
 * (list, new, exec, ...), the same verb run on the local server through the OpenSSH client. Exit status: 0 success,
 * 1 failure, 2 bad usage; a user verb's status is the server's.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        quietLogs(System.getenv("BOXD_LOG"));
        int code;
        try {
            code = run(args, System.out, System.err);
        } catch (Throwable t) {  // exit even then: library threads left running would keep the JVM up
            System.err.println("boxd: internal error: " + t);
            t.printStackTrace();
            code = 1;
        }
        System.exit(code);
    }

    /**
     * Logs are quiet by default: warnings and errors only, and not the start-up chatter some libraries log as
     * warnings (sofa-bolt's water marks, jraft's empty first snapshot, netty's MAC address fallback). BOXD_LOG=info
     * (or debug) turns everything up. A -D on the command line always wins.
     */
    static void quietLogs(String level) {
        boolean verbose = level != null && !level.isBlank();
        setDefault("org.slf4j.simpleLogger.defaultLogLevel", verbose ? level.strip().toLowerCase(java.util.Locale.ROOT) : "warn");
        setDefault("org.slf4j.simpleLogger.showDateTime", "true");
        setDefault("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
        if (verbose) return;
        for (String chatty : List.of("com.alipay.sofa.common.log", "com.alipay.remoting",
                "com.alipay.sofa.jraft.storage.snapshot.local.LocalSnapshotStorage", "io.netty.util.internal.MacAddressUtil")) {
            setDefault("org.slf4j.simpleLogger.log." + chatty, "error");
        }
        setDefault("sofa.middleware.log.internal.level", "ERROR");
    }

    private static void setDefault(String property, String value) {
        if (System.getProperty(property) == null) System.setProperty(property, value);
    }

    public static int run(String[] argv, PrintStream out, PrintStream err) {
        List<String> args = List.of(argv);
        try {
            if (args.isEmpty() || isHelp(args.get(0)) || args.get(0).equals("help")) {
                if (args.size() >= 2 && !isHelp(args.get(0))) return help(args.get(1), out, err);
                out.print(usage());
                return 0;
            }
            String cmd = args.get(0);
            List<String> rest = args.subList(1, args.size());
            return switch (cmd) {
                case "serve" -> serve(rest, out, err);
                case "doctor" -> doctor(rest, out, err);
                case "image" -> image(rest, out, err);
                case "vmm" -> vmm(rest, out, err);
                case "version", "--version" -> {
                    out.println("boxd " + version() + " (Java " + Runtime.version() + ", " + System.getProperty("java.home") + ")");
                    yield 0;
                }
                default -> userVerb(args, out, err);
            };
        } catch (UsageException e) {
            err.println("boxd: " + e.getMessage());
            if (e.exitStatus() == 2) err.println("(boxd --help lists the commands; boxd COMMAND --help explains one)");
            return e.exitStatus();
        } catch (RuntimeException e) {
            err.println("boxd: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
            return 1;
        }
    }

    static boolean isHelp(String a) {
        return a.equals("--help") || a.equals("-h");
    }

    private static int help(String command, PrintStream out, PrintStream err) {
        return switch (command) {
            case "serve" -> serve(List.of("--help"), out, err);
            case "doctor" -> doctor(List.of("--help"), out, err);
            case "image" -> image(List.of("--help"), out, err);
            case "vmm" -> vmm(List.of("--help"), out, err);
            case "version" -> {
                out.println("usage: boxd version\nPrints boxd's version and the Java it runs on.");
                yield 0;
            }
            default -> {
                if (UserVerbCommand.VERBS.contains(command)) yield userVerb(List.of(command, "--help"), out, err);
                throw new UsageException("no such command: " + command);
            }
        };
    }

    static String usage() {
        return """
                usage: boxd COMMAND [ARGS...]

                boxd hands out Linux machines ("boxes") over SSH. Operator commands:
                  serve            run every role (control, worker, ssh, dns, proxy) in this process
                  doctor [--json]  check this host: KVM kind, tun, namespaces, overlayfs, cgroups, runtime, disk, Java
                  image build      build the guest kernel, root filesystem and test initramfs (cached)
                  image list       list the built images
                  vmm run ...      run one microVM with boxd's VMM (standalone)
                  vmm disk ...     show or flatten a vm box's copy-on-write disk (info, flatten)
                  version          print the version

                User commands go to the local server through ssh (same as ssh -p 2222 localhost VERB ...):
                  %s

                boxd COMMAND --help explains one command. Users connect with: ssh -p 2222 HOST
                """.formatted(String.join(" ", new TreeSet<>(UserVerbCommand.VERBS)));
    }

    // ---- serve ----

    static String serveUsage() {
        StringBuilder sb = new StringBuilder("""
                usage: boxd serve [--NAME VALUE]...

                Runs the roles of boxd in this process: control -> worker -> ssh -> dns -> box-dns (the boxes'
                resolver on the bridge gateway's port 53) -> proxy -> box-routes (routes to boxes on other hosts);
                --roles picks some. Each setting comes from its flag, else from DATA/boxd.toml (NAME = value lines),
                else from the default shown. Ctrl-C or SIGTERM stops the roles in reverse order.

                """);
        for (Option o : Option.values()) {
            String dflt = o.defaultValue() == null ? "" : o.defaultValue().isEmpty() ? " (default: none)" : " (default: " + o.defaultValue() + ")";
            sb.append(String.format("  --%-11s %-16s %s%s%n", o.key(), o.metavar(), o.help(), dflt));
        }
        sb.append("\nExample boxd.toml:\n  ssh-port = 2222\n  zone = \"boxd.local\"\n  egress = false\n");
        return sb.toString();
    }

    private static int serve(List<String> args, PrintStream out, PrintStream err) {
        if (args.stream().anyMatch(Main::isHelp)) {
            out.print(serveUsage());
            return 0;
        }
        BoxdConfig config = ConfigLoader.forHost().load(ConfigLoader.parseFlags(args, false).values());
        return ServeCommand.run(config, version(), out, err);
    }

    // ---- doctor ----

    private static int doctor(List<String> args, PrintStream out, PrintStream err) {
        if (args.stream().anyMatch(Main::isHelp)) {
            out.print("""
                    usage: boxd doctor [--json] [--data DIR] [--runtime auto|ns|vm]

                    Checks this host and says, with the evidence: the KVM kind (hardware VT-x/AMD-V, pvm, none) and
                    what it means for boxes, /dev/net/tun, network namespaces, overlayfs, cgroups, root, free disk in
                    the data dir, the Java version, and which runtime serve will use and why. Exit status 1 when no
                    runtime can work (serve could not run boxes), else 0. Takes the same settings as serve.
                    """);
            return 0;
        }
        boolean json = args.contains("--json");
        List<String> flags = new ArrayList<>(args);
        flags.remove("--json");
        BoxdConfig config = ConfigLoader.forHost().load(ConfigLoader.parseFlags(flags, false).values());
        Diagnosis d = Doctor.diagnose(HostProbe.read(config.data().root()), config.runtime());
        out.print(json ? d.json() + "\n" : d.human());
        return d.exitStatus();
    }

    // ---- image ----

    private static int image(List<String> args, PrintStream out, PrintStream err) {
        String help = """
                usage: boxd image build [--data DIR] [kernel|rootfs|initramfs]...
                       boxd image list [--data DIR]

                build: builds the guest kernel (Debian linux-source-6.1 + boxd's config fragment: vmlinux, bzImage),
                the default root filesystem (Debian bookworm: directory + ext4 image) and the VMM's test initramfs
                (busybox), all of them unless some are named. Each is cached in DATA/images by the hash of its
                inputs: a second run with nothing changed takes seconds. Missing host packages are named.
                list: the built images, their input hash and size.
                """;
        if (args.isEmpty()) {
            err.print(help);
            return 2;
        }
        if (isHelp(args.get(0)) || args.stream().anyMatch(Main::isHelp)) {
            out.print(help);
            return 0;
        }
        String sub = args.get(0);
        ConfigLoader.Flags flags = ConfigLoader.parseFlags(args.subList(1, args.size()), true);
        for (Map.Entry<Option, String> f : flags.values().entrySet()) {
            if (f.getKey() != Option.DATA) throw new UsageException("boxd image takes only --data, not --" + f.getKey().key());
        }
        BoxdConfig config = ConfigLoader.forHost().load(flags.values());
        return switch (sub) {
            case "build" -> ImageCommand.build(config.data(), flags.rest(), out, err);
            case "list" -> {
                if (!flags.rest().isEmpty()) throw new UsageException("boxd image list takes no arguments");
                yield ImageCommand.list(config.data(), out);
            }
            default -> throw new UsageException("unknown image command '" + sub + "' (build or list)");
        };
    }

    // ---- vmm ----

    private static int vmm(List<String> args, PrintStream out, PrintStream err) {
        if (args.isEmpty() || isHelp(args.get(0))) {
            PrintStream to = args.isEmpty() ? err : out;
            to.println(VmmCommand.usage());
            to.println(boxd.vmm.cli.VmmDiskCommand.USAGE);
            to.println("run: one microVM on boxd's own VMM (KVM), its serial console on this terminal;"
                    + " boxd vmm run --help lists every option. disk: what a vm box's copy-on-write disk holds.");
            return args.isEmpty() ? 2 : 0;
        }
        String[] rest = args.subList(1, args.size()).toArray(String[]::new);
        return switch (args.get(0)) {
            case "run" -> VmmCommand.run(rest, out, err);
            case "disk" -> boxd.vmm.cli.VmmDiskCommand.run(rest, out, err);
            default -> throw new UsageException("unknown vmm command '" + args.get(0) + "' (run or disk)");
        };
    }

    // ---- user verbs over ssh ----

    private static int userVerb(List<String> args, PrintStream out, PrintStream err) {
        ConfigLoader.Flags flags = ConfigLoader.parseFlags(args, true);
        if (flags.rest().isEmpty()) throw new UsageException("a command is missing after the flags");
        String verb = flags.rest().get(0);
        if (!UserVerbCommand.VERBS.contains(verb)) {
            throw new UsageException("unknown command '" + verb + "'. boxd's commands: serve, doctor, image, vmm,"
                    + " version; user commands (sent to the server over ssh): "
                    + String.join(", ", new TreeSet<>(UserVerbCommand.VERBS)) + nearest(verb));
        }
        for (Option o : flags.values().keySet()) {
            if (o != Option.DATA && o != Option.SSH_PORT) {
                throw new UsageException("before a user command only --data and --ssh-port may be given, not --" + o.key());
            }
        }
        BoxdConfig config = ConfigLoader.forHost().load(flags.values());
        return UserVerbCommand.run(config.sshPort(), flags.rest(), err);
    }

    /** {@return " (did you mean X?)" for a close command name, else ""} */
    static String nearest(String word) {
        List<String> all = new ArrayList<>(List.of("serve", "doctor", "image", "vmm", "version"));
        all.addAll(UserVerbCommand.VERBS);
        String best = null;
        int bestDist = 3;
        for (String c : all) {
            int dist = distance(word, c);
            if (dist < bestDist) {
                bestDist = dist;
                best = c;
            }
        }
        return best == null ? "" : " (did you mean " + best + "?)";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1], prev[j]) + 1, prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** {@return the project version baked in at build time} */
    public static String version() {
        try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
            if (in == null) return "unknown";
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
