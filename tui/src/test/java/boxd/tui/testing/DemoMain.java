package boxd.tui.testing;

import boxd.common.Box;
import boxd.common.ObservedState;
import boxd.tui.CompletionSource;
import boxd.tui.Dashboard;
import boxd.tui.Prompt;
import boxd.tui.Table;
import boxd.tui.Terminals;
import boxd.tui.VerbRunner;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A tiny boxd front end for the tmux test: the process's tty (put in raw mode by the caller, as an OpenSSH client
 * does with the user's terminal) carries the bytes, and the terminal is built the way the SSH frontend builds it
 * ({@link Terminals#open}, Java line discipline). WINCH comes from the kernel and the size from {@code stty size}.
 * Verbs: list, new --name N, destroy N, dash, help. Arguments: the history file.
 */
public final class DemoMain {

    public static void main(String[] args) throws Exception {
        long now = System.currentTimeMillis();
        List<Box> boxes = new CopyOnWriteArrayList<>();
        boxes.add(Boxes.box("alpha", ObservedState.RUNNING, "10.77.0.2", now, 61));
        int[] size = sttySize();
        Terminal t = Terminals.open(new FileInputStream(FileDescriptor.in), new FileOutputStream(FileDescriptor.out),
                System.getenv("TERM"), size[1], size[0], null);
        sun.misc.Signal.handle(new sun.misc.Signal("WINCH"), s -> {
            int[] now2 = sttySize();
            t.setSize(new Size(now2[1], now2[0]));
            t.raise(Terminal.Signal.WINCH);
        });
        VerbRunner runner = (argv, in, out, err) -> switch (argv.get(0)) {
            case "list" -> {
                Table table = Table.of("NAME", "STATUS", "IP").color(Terminals.supportsColor(t));
                for (Box b : boxes) table.row(b.name(), b.observed().label(), b.ipv4());
                table.print(out);
                yield 0;
            }
            case "new" -> {
                String name = argv.size() > 2 ? argv.get(2) : "box-" + boxes.size();
                boxes.add(Boxes.box(name, ObservedState.RUNNING, "10.77.0." + (boxes.size() + 2), now, 5));
                out.println("created " + name);
                yield 0;
            }
            case "destroy" -> {
                boxes.removeIf(b -> b.name().equals(argv.get(1)));
                out.println("destroyed " + argv.get(1));
                yield 0;
            }
            case "dash" -> Dashboard.builder().terminal(t).title("demo").boxes(() -> List.copyOf(boxes))
                    .actions(new Dashboard.Actions() {
                        @Override public void create(String name) {
                            boxes.add(Boxes.box(name, ObservedState.PENDING, null, now, 0));
                        }
                        @Override public void connect(Box box) {
                            out.println("(connect " + box.name() + ")");
                        }
                        @Override public void reboot(Box box) { }
                        @Override public void destroy(Box box) {
                            boxes.removeIf(b -> b.name().equals(box.name()));
                        }
                    }).build().run();
            default -> {
                out.println("verbs: list, new --name N, destroy N, dash, help, exit");
                yield 0;
            }
        };
        CompletionSource completion = CompletionSource.of(
                Map.of("list", List.of("--json"), "new", List.of("--name", "--cpus"), "destroy", List.of(),
                        "dash", List.of(), "help", List.of()),
                () -> boxes.stream().map(Box::name).toList());
        int status = Prompt.builder().terminal(t).runner(runner).completion(completion)
                .historyFile(Path.of(args[0])).build().run();
        t.writer().println("bye");
        t.flush();
        t.close();
        System.exit(status);
    }

    /** {@return rows, columns of the controlling tty} */
    static int[] sttySize() {
        try {
            Process p = new ProcessBuilder("sh", "-c", "stty size < /dev/tty").redirectErrorStream(true).start();
            String[] rc = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim().split("\\s+");
            p.waitFor();
            return new int[]{Integer.parseInt(rc[0]), Integer.parseInt(rc[1])};
        } catch (Exception e) {
            return new int[]{24, 80};
        }
    }
}
