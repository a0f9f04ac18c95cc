package boxd.vmm.config;

/** A virtio-net device on tap {@code tap} with guest MAC {@code mac} ("02:..." locally administered). */
public record NetConfig(String tap, String mac) {
    public byte[] macBytes() {
        String[] parts = mac.split(":");
        if (parts.length != 6) throw new IllegalArgumentException("MAC must be six hex bytes separated by ':', got " + mac);
        byte[] b = new byte[6];
        for (int i = 0; i < 6; i++) b[i] = (byte) Integer.parseInt(parts[i], 16);
        return b;
    }
}
