package boxd.app.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

class TomlTest {
    @Test
    void parsesStringsIntegersBooleansAndComments() {
        Map<String, Object> m = Toml.parse("""
                # boxd settings
                ssh-port = 2200   # moved
                zone = "example.test" # comment after a string
                egress = true

                quoted = "a \\"b\\" # not a comment"
                big = 1_000
                """, "boxd.toml");
        assertEquals(2200L, m.get("ssh-port"));
        assertEquals("example.test", m.get("zone"));
        assertEquals(Boolean.TRUE, m.get("egress"));
        assertEquals("a \"b\" # not a comment", m.get("quoted"));
        assertEquals(1000L, m.get("big"));
        assertEquals(5, m.size());
    }

    @Test
    void rejectsWhatItDoesNotSupportWithTheLineNumber() {
        var e = assertThrows(Toml.ParseException.class, () -> Toml.parse("a = 1\n[server]\n", "f.toml"));
        assertTrue(e.getMessage().startsWith("f.toml line 2:"), e.getMessage());
        assertThrows(Toml.ParseException.class, () -> Toml.parse("a = [1, 2]", "f"));
        assertThrows(Toml.ParseException.class, () -> Toml.parse("a = 'single'", "f"));
        assertThrows(Toml.ParseException.class, () -> Toml.parse("a = \"open", "f"));
        assertThrows(Toml.ParseException.class, () -> Toml.parse("a = \"x\" trailing", "f"));
        assertThrows(Toml.ParseException.class, () -> Toml.parse("just words", "f"));
        assertThrows(Toml.ParseException.class, () -> Toml.parse("a = ", "f"));
        assertThrows(Toml.ParseException.class, () -> Toml.parse("a = 1\na = 2", "f"));
        assertThrows(Toml.ParseException.class, () -> Toml.parse("a b = 1", "f"));
        assertThrows(Toml.ParseException.class, () -> Toml.parse("a = 99999999999999999999", "f"));
    }
}
