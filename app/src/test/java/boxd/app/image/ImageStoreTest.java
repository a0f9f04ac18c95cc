package boxd.app.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageStoreTest {
    @TempDir
    Path tmp;

    @Test
    void theInitramfsIsBuiltOnceThenServedFromTheCache() throws Exception {
        assumeTrue(Files.isRegularFile(Path.of("/bin/busybox")),
                "skipped: /bin/busybox is missing (apt-get install busybox-static; ./run-tests installs it)");
        ImageStore store = new ImageStore(tmp.resolve("images"));
        ByteArrayOutputStream first = new ByteArrayOutputStream();
        Path cpio = TestInitramfs.build(store, new PrintStream(first, true, StandardCharsets.UTF_8));
        assertTrue(Files.size(cpio) > 100_000, "holds busybox");
        assertTrue(first.toString(StandardCharsets.UTF_8).contains("packing busybox"), first.toString(StandardCharsets.UTF_8));
        assertEquals(cpio.getParent().getFileName(), Files.readSymbolicLink(tmp.resolve("images/initramfs/current")));

        long modified = Files.getLastModifiedTime(cpio).toMillis();
        ByteArrayOutputStream second = new ByteArrayOutputStream();
        Path again = TestInitramfs.build(store, new PrintStream(second, true, StandardCharsets.UTF_8));
        assertEquals(cpio, again);
        assertTrue(second.toString(StandardCharsets.UTF_8).contains("cached"), second.toString(StandardCharsets.UTF_8));
        assertEquals(modified, Files.getLastModifiedTime(again).toMillis(), "not rebuilt");

        List<ImageStore.Entry> entries = store.list();
        assertEquals(1, entries.size());
        assertEquals("initramfs", entries.get(0).artifact());
        assertTrue(entries.get(0).current());
    }

    @Test
    void anInterruptedBuildNeverLooksComplete() throws Exception {
        ImageStore store = new ImageStore(tmp.resolve("images"));
        Path work = store.begin("kernel", "0123456789abcdef");
        Files.writeString(work.resolve("vmlinux"), "half");
        assertTrue(store.list().isEmpty());
        assertTrue(!store.isComplete(store.entry("kernel", "0123456789abcdef")));
    }
}
