package boxd.worker.runtime;

import boxd.common.DataDir;
import boxd.worker.HostCommand;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/** What both runtimes do alike with a box's directory ({@code DataDir.box(id)}) and the files in it. */
public final class BoxFiles {
    private BoxFiles() {}

    /** {@return the ids of every box with a directory in {@code dataDir}, plus {@code others}, sorted} */
    public static List<String> list(DataDir dataDir, Collection<String> others) {
        TreeSet<String> ids = new TreeSet<>(others);
        if (Files.isDirectory(dataDir.boxes())) {
            try (var s = Files.list(dataDir.boxes())) {
                s.filter(Files::isDirectory).forEach(p -> ids.add(p.getFileName().toString()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return List.copyOf(ids);
    }

    /** Removes {@code dir} and everything in it, staying on its file system (never following a mount out of it). */
    public static void remove(Path dir) {
        HostCommand.run(List.of("rm", "-rf", "--one-file-system", dir.toString()), null, Duration.ofMinutes(2))
                .orThrow("removing " + dir, "");
    }

    /** {@return the last {@code chars} characters of a console log on one line, for error messages} */
    public static String consoleTail(Path consoleLog, int chars) {
        try {
            String s = Files.readString(consoleLog);
            s = s.substring(Math.max(0, s.length() - chars)).strip();
            return s.replace('\n', ' ');
        } catch (IOException e) {
            return "(no console log)";
        }
    }

    /** {@return the content of an authorized_keys file: one key a line, blank entries left out} */
    public static String authorizedKeys(List<String> keys) {
        StringBuilder sb = new StringBuilder();
        for (String k : keys) if (k != null && !k.isBlank()) sb.append(k.strip().replace("\n", "")).append('\n');
        return sb.toString();
    }
}
