package boxd.app.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
    private static final Path DEFAULT_DATA = Path.of("/var/lib/boxd-default");

    private static ConfigLoader with(Map<Path, String> files) {
        return new ConfigLoader(p -> Optional.ofNullable(files.get(p)), DEFAULT_DATA);
    }

    private static BoxdConfig load(Map<Path, String> files, String... args) {
        return with(files).load(ConfigLoader.parseFlags(List.of(args), false).values());
    }

    @Test
    void embeddedDefaultsWithoutFlagsOrFile() {
        BoxdConfig c = load(Map.of());
        assertEquals(DEFAULT_DATA, c.data().root());
        assertEquals(2222, c.sshPort());
        assertEquals(5353, c.dnsPort());
        assertEquals(8080, c.httpPort());
        assertEquals(8443, c.httpsPort());
        assertEquals("boxd.local", c.zone());
        assertEquals(BoxdConfig.Runtime.AUTO, c.runtime());
        assertEquals("10.77.0.0/16", c.boxCidr());
        assertEquals(BoxdConfig.Policy.OPEN, c.policy());
        assertFalse(c.egress());
        assertFalse(c.clustered());
        assertEquals("default", c.sources().get(Option.SSH_PORT));
    }

    @Test
    void rolesDefaultToAllAndAreCheckedAndOrdered() {
        assertEquals(List.of("worker", "ssh", "dns", "proxy"), load(Map.of()).roles());
        BoxdConfig front = load(Map.of(), "--roles", "proxy, SSH,dns");
        assertEquals(List.of("ssh", "dns", "proxy"), front.roles(), "normalised to start order");
        assertFalse(front.runs("worker"));
        assertTrue(front.runs("ssh"));
        assertEquals(List.of("worker"), load(Map.of(Path.of("/d/boxd.toml"), "roles = \"worker\"\n"), "--data", "/d").roles());
        for (String bad : List.of("", "worker,", "control", "worker,worker", "box-dns", "ssh dns")) {
            UsageException e = assertThrows(UsageException.class, () -> load(Map.of(), "--roles", bad), bad);
            assertTrue(e.getMessage().contains("worker, ssh, dns, proxy"), e.getMessage());
        }
    }

    @Test
    void flagsBeatTheFileWhichBeatsDefaults() {
        Path toml = Path.of("/d/boxd.toml");
        Map<Path, String> files = Map.of(toml, "ssh-port = 2300\nhttp-port = 9080\nzone = \"corp.test\"\negress = true\n");
        BoxdConfig c = load(files, "--data", "/d", "--ssh-port=2400");
        assertEquals(2400, c.sshPort());           // flag over file
        assertEquals(9080, c.httpPort());          // file over default
        assertEquals(8443, c.httpsPort());         // default
        assertEquals("corp.test", c.zone());
        assertTrue(c.egress());
        assertEquals("flag", c.sources().get(Option.SSH_PORT));
        assertEquals("boxd.toml", c.sources().get(Option.HTTP_PORT));
        assertEquals("default", c.sources().get(Option.HTTPS_PORT));
    }

    @Test
    void theFileIsReadFromTheDataDirTheFlagNames() {
        Map<Path, String> files = Map.of(Path.of("/elsewhere/boxd.toml"), "dns-port = 53\n",
                DEFAULT_DATA.resolve("boxd.toml"), "dns-port = 5454\n");
        assertEquals(53, load(files, "--data=/elsewhere").dnsPort());
        assertEquals(5454, load(files).dnsPort());
    }

    @Test
    void unknownKeysInTheFileAreRejectedWithTheKnownOnes() {
        Map<Path, String> files = Map.of(DEFAULT_DATA.resolve("boxd.toml"), "ssh_port = 22\n");
        UsageException e = assertThrows(UsageException.class, () -> load(files));
        assertTrue(e.getMessage().contains("unknown key 'ssh_port'"), e.getMessage());
        assertTrue(e.getMessage().contains("known keys: ssh-port, dns-port"), e.getMessage());
        assertEquals(1, e.exitStatus());
        // data cannot come from the file that lives inside it
        assertThrows(UsageException.class, () -> load(Map.of(DEFAULT_DATA.resolve("boxd.toml"), "data = \"/x\"\n")));
    }

    @Test
    void wrongTypesAndValuesInTheFileAreRejected() {
        Path f = DEFAULT_DATA.resolve("boxd.toml");
        assertThrows(UsageException.class, () -> load(Map.of(f, "ssh-port = \"2222\"\n")));
        assertThrows(UsageException.class, () -> load(Map.of(f, "ssh-port = 70000\n")));
        assertThrows(UsageException.class, () -> load(Map.of(f, "egress = \"yes\"\n")));
        assertThrows(UsageException.class, () -> load(Map.of(f, "runtime = \"docker\"\n")));
        assertThrows(UsageException.class, () -> load(Map.of(f, "not toml at all\n")));
    }

    @Test
    void flagsAreCheckedAndUnknownFlagsListTheKnownOnes() {
        UsageException e = assertThrows(UsageException.class, () -> load(Map.of(), "--sshport", "1"));
        assertTrue(e.getMessage().contains("--ssh-port"), e.getMessage());
        assertEquals(2, e.exitStatus());
        assertThrows(UsageException.class, () -> load(Map.of(), "--ssh-port", "0"));
        assertThrows(UsageException.class, () -> load(Map.of(), "--ssh-port"));
        assertThrows(UsageException.class, () -> load(Map.of(), "--zone", "bad_zone!"));
        assertThrows(UsageException.class, () -> load(Map.of(), "--box-cidr", "10.77.0.1/16"));
        assertThrows(UsageException.class, () -> load(Map.of(), "--box-cidr", "10.77.0.0"));
        assertThrows(UsageException.class, () -> load(Map.of(), "--policy", "closed"));
        assertThrows(UsageException.class, () -> load(Map.of(), "--ssh-port", "1", "--ssh-port", "2"));
        assertThrows(UsageException.class, () -> load(Map.of(), "stray"));
    }

    @Test
    void valuesAreNormalised() {
        BoxdConfig c = load(Map.of(), "--zone", "Boxd.Example.", "--runtime", "NS", "--egress", "--policy=invite",
                "--peers", "10.0.0.1:7000, 10.0.0.2:7000", "--node-id", "n1");
        assertEquals("boxd.example", c.zone());
        assertEquals(BoxdConfig.Runtime.NS, c.runtime());
        assertTrue(c.egress());
        assertEquals(BoxdConfig.Policy.INVITE, c.policy());
        assertEquals(List.of("10.0.0.1:7000", "10.0.0.2:7000"), c.peers());
        assertTrue(c.clustered());
    }

    @Test
    void flagParsingCanStopAtAVerb() {
        ConfigLoader.Flags f = ConfigLoader.parseFlags(List.of("--ssh-port", "2300", "exec", "web", "--", "ls", "--all"), true);
        assertEquals("2300", f.values().get(Option.SSH_PORT));
        assertEquals(List.of("exec", "web", "--", "ls", "--all"), f.rest());
    }
}
