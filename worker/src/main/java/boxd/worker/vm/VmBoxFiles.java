package boxd.worker.vm;

import boxd.worker.net.BoxNetwork;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Where a vm box keeps its files, and the names derived from its id. Everything lives in {@code DataDir.box(id)}:
 * <ul>
 *   <li>{@code root.cow} and {@code root.cow.data}: the box's root disk (virtio-blk {@code /dev/vda}), a copy-on-write
 *       overlay of the box's disk size over a shared read-only base ({@link VmBaseDisks}: the image's
 *       {@code rootfs.ext4} grown to that size, with the guest init ({@value #GUEST_INIT}) written into it); the map
 *       names its base, the data file holds the clusters the box wrote;</li>
 *   <li>{@code root.ext4}: instead of those, in boxes made before copy-on-write root disks: a full sparse copy of the
 *       same, which such boxes keep using;</li>
 *   <li>{@code config.ext4}: a small read-only disk ({@code /dev/vdb}) remade at every start: hostname, hosts,
 *       resolv.conf, authorized_keys and the box's sshd host keys, which the guest init installs; rewritten in place
 *       when keys change while the box runs (the guest init re-reads it every 2 s);</li>
 *   <li>{@code hostkeys/}: the box's own sshd host keys, made once at create and kept for the box's life;</li>
 *   <li>{@code image}: the rootfs image the root disk was made from;</li>
 *   <li>{@code console.log}: the serial console (8250) of every boot, appended.</li>
 * </ul>
 */
public record VmBoxFiles(Path dir) {

    /** Path of the guest init inside the root disk (the kernel runs it as PID 1: {@code init=}). */
    public static final String GUEST_INIT = "/usr/local/sbin/boxd-init";

    /** The map of the copy-on-write root disk; its data file is {@code root.cow.data}. */
    public Path rootOverlay() { return dir.resolve("root.cow"); }

    /** The full-copy root disk of a box made before copy-on-write root disks (absent in newer boxes). */
    public Path legacyRootDisk() { return dir.resolve("root.ext4"); }

    public Path configDisk() { return dir.resolve("config.ext4"); }

    public Path hostKeys() { return dir.resolve("hostkeys"); }

    public Path image() { return dir.resolve("image"); }

    public Path console() { return dir.resolve("console.log"); }

    /** Name of the box's tap device: "tb" + the id without "b-", at most 15 characters (the ns runtime's veth is "vb..."). */
    public static String tapName(String boxId) {
        return BoxNetwork.linkName("tb", boxId);
    }

    /** A stable, locally administered unicast MAC for the box: "02:b0:" + four bytes of SHA-256 of the id. */
    public static String mac(String boxId) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(boxId.getBytes(StandardCharsets.UTF_8));
            return String.format("02:b0:%02x:%02x:%02x:%02x", h[0] & 255, h[1] & 255, h[2] & 255, h[3] & 255);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
