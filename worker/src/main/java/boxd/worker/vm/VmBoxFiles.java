package boxd.worker.vm;

import boxd.worker.net.BoxNetwork;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Where a vm box keeps its files, and the names derived from its id. Everything lives in {@code DataDir.box(id)}:
 * <ul>
 *   <li>{@code root.ext4}: the box's root disk (virtio-blk {@code /dev/vda}), a sparse copy of the image's
 *       {@code rootfs.ext4} grown to the box's disk size, with the guest init ({@value #GUEST_INIT}) written into it;</li>
 *   <li>{@code config.ext4}: a small read-only disk ({@code /dev/vdb}) remade at every start: hostname, hosts,
 *       resolv.conf, authorized_keys and the box's sshd host keys, which the guest init installs; rewritten in place
 *       when keys change while the box runs (the guest init re-reads it every 2 s);</li>
 *   <li>{@code hostkeys/}: the box's own sshd host keys, made once at create and kept for the box's life;</li>
 *   <li>{@code image}: the rootfs image the root disk was copied from;</li>
 *   <li>{@code console.log}: the serial console (8250) of every boot, appended.</li>
 * </ul>
 */
public record VmBoxFiles(Path dir) {

    /** Path of the guest init inside the root disk (the kernel runs it as PID 1: {@code init=}). */
    public static final String GUEST_INIT = "/usr/local/sbin/boxd-init";

    public Path rootDisk() { return dir.resolve("root.ext4"); }

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
