package boxd.common;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class JsonTest {
    @Test
    void roundTripsNestedValues() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "web \"1\"\n");
        m.put("cpus", 2);
        m.put("ok", true);
        m.put("none", null);
        m.put("list", List.of(1, "a"));
        String text = Json.write(m);
        assertEquals("{\"name\":\"web \\\"1\\\"\\n\",\"cpus\":2,\"ok\":true,\"none\":null,\"list\":[1,\"a\"]}", text);
        Map<String, Object> back = Json.parseObject(text);
        assertEquals("web \"1\"\n", back.get("name"));
        assertEquals(2L, back.get("cpus"));
        assertEquals(List.of(1L, "a"), back.get("list"));
    }

    @Test
    void rejectsMalformedInput() {
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\":"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("[1,2"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{} x"));
    }
}
