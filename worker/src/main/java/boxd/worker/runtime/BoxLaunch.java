package boxd.worker.runtime;

import boxd.common.BoxSpec;

import java.util.List;

/**
 * Everything a runtime needs to create or start one box.
 *
 * @param id             box id ("b-" + 12 hex digits)
 * @param name           box name, used as its hostname
 * @param spec           size (cpus, memory, disk) and image
 * @param ipv4           the box's address, e.g. "10.77.0.2"
 * @param prefixLength   the pool's prefix length (16 for 10.77.0.0/16)
 * @param gateway        the bridge's address: default route and DNS server of the box
 * @param authorizedKeys lines for {@code /home/boxd/.ssh/authorized_keys}: the owner's keys and the platform key
 */
public record BoxLaunch(String id, String name, BoxSpec spec, String ipv4, int prefixLength, String gateway,
                        List<String> authorizedKeys) {
    public BoxLaunch {
        if (id == null || !id.matches("[A-Za-z0-9-]{1,40}"))
            throw new IllegalArgumentException("box id must be letters, digits and dashes, got " + id);
        if (name == null || !name.matches("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"))
            throw new IllegalArgumentException("box name must be a DNS label, got " + name);
        if (ipv4 == null || !ipv4.matches("\\d{1,3}(\\.\\d{1,3}){3}"))
            throw new IllegalArgumentException("box " + name + " has no IPv4 address (got " + ipv4 + ")");
        authorizedKeys = List.copyOf(authorizedKeys);
    }
}
