package boxd.ssh.verbs;

import boxd.common.Box;
import boxd.common.ProxyRoute;
import boxd.common.SshKey;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** The stable JSON shapes and the human renderings of records (documented in VERBS.md). */
final class Views {
    private Views() {}

    static Map<String, Object> box(Box b, String zone) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", b.name());
        m.put("id", b.id());
        m.put("state", b.observed().label());
        m.put("desired", b.desired());
        m.put("host", b.name() + "." + zone);
        m.put("ipv4", b.ipv4());
        m.put("ssh_port", b.sshPort());
        m.put("cpus", b.spec().cpus());
        m.put("memory_mb", b.spec().memoryMb());
        m.put("disk_gb", b.spec().diskGb());
        m.put("image", b.spec().image());
        m.put("worker", b.worker());
        m.put("created_at", Instant.ofEpochMilli(b.createdAtMillis()).toString());
        m.put("error", b.lastError());
        return m;
    }

    static String state(Box b) {
        String s = b.observed().label();
        return switch (b.desired()) {
            case RUNNING -> s;
            case REBOOTING -> s + " (rebooting)";
            case DESTROYED -> s + " (destroying)";
        };
    }

    static String mem(int mb) {
        return mb % 1024 == 0 ? (mb / 1024) + "G" : mb + "M";
    }

    static String age(long sinceMillis) {
        Duration d = Duration.ofMillis(Math.max(0, System.currentTimeMillis() - sinceMillis));
        if (d.toDays() > 0) return d.toDays() + "d";
        if (d.toHours() > 0) return d.toHours() + "h";
        if (d.toMinutes() > 0) return d.toMinutes() + "m";
        return d.toSeconds() + "s";
    }

    static Map<String, Object> key(SshKey k) {
        Map<String, Object> m = new LinkedHashMap<>();
        String[] parts = k.publicKey().split("\\s+", 3);
        m.put("fingerprint", k.fingerprint());
        m.put("type", parts[0]);
        m.put("comment", parts.length == 3 ? parts[2] : "");
        m.put("added_at", Instant.ofEpochMilli(k.addedAtMillis()).toString());
        return m;
    }

    static Map<String, Object> route(ProxyRoute r, String zone) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("box", r.boxName());
        m.put("subdomain", r.subdomain());
        m.put("port", r.port());
        m.put("host", r.hostLabel() + "." + zone);
        m.put("url", "https://" + r.hostLabel() + "." + zone + "/");
        return m;
    }
}
