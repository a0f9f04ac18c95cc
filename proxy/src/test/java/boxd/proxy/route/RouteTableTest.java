package boxd.proxy.route;

import boxd.common.Exposure;
import boxd.common.ProxyRoute;
import boxd.proxy.testing.Boxes;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class RouteTableTest {
    private final RouteTable table = RouteTable.build("boxd.local",
            List.of(Boxes.running("b-1", "web", "10.77.0.2", 10000), Boxes.pending("b-2", "down", "10.77.0.3", 10001),
                    Boxes.running("b-3", "app", "10.77.0.4", 10002)),
            List.of(new ProxyRoute("b-1", "web", "api", 3000), new ProxyRoute("b-3", "app", "", 5173)),
            List.of(new Exposure("b-1", "web", 5432, 40000)), true);

    @Test
    void boxNameGoesToPort8000UnlessItsDefaultRouteSaysOtherwise() {
        assertEquals(new RouteTable.Found("web", "10.77.0.2", 8000), table.resolve("web.boxd.local"));
        assertEquals(new RouteTable.Found("app", "10.77.0.4", 5173), table.resolve("app.boxd.local"));
    }

    @Test
    void subdomainRoutes() {
        assertEquals(new RouteTable.Found("web", "10.77.0.2", 3000), table.resolve("api.web.boxd.local"));
        assertInstanceOf(RouteTable.UnknownHost.class, table.resolve("nope.web.boxd.local"));
        assertInstanceOf(RouteTable.UnknownHost.class, table.resolve("x.api.web.boxd.local"));
    }

    @Test
    void hostHeaderFormsAreNormalized() {
        assertEquals(new RouteTable.Found("web", "10.77.0.2", 3000), table.resolve("API.Web.BOXD.local.:8443"));
        assertEquals(new RouteTable.Found("web", "10.77.0.2", 8000), table.resolve("web.boxd.local:80"));
    }

    @Test
    void unknownAndForeignNames() {
        assertInstanceOf(RouteTable.UnknownHost.class, table.resolve("nosuch.boxd.local"));
        assertInstanceOf(RouteTable.UnknownHost.class, table.resolve("web.example.com"));
        assertInstanceOf(RouteTable.UnknownHost.class, table.resolve("boxd.local"));
        assertInstanceOf(RouteTable.UnknownHost.class, table.resolve(null));
        assertInstanceOf(RouteTable.UnknownHost.class, table.resolve("[::1]:80"));
        assertInstanceOf(RouteTable.UnknownHost.class, table.resolve("10.77.0.2"));
    }

    @Test
    void aBoxThatIsNotRunningIsDown() {
        var r = assertInstanceOf(RouteTable.BoxDown.class, table.resolve("down.boxd.local"));
        assertEquals("down", r.boxName());
        assertTrue(r.state().contains("PENDING"), r.state());
    }

    @Test
    void forwardsCoverExposuresAndSshPorts() {
        var f = table.forwards();
        assertEquals(new RouteTable.Forward(40000, "web", "10.77.0.2", 5432, "expose"), f.get(40000));
        assertEquals(new RouteTable.Forward(10000, "web", "10.77.0.2", 22, "ssh"), f.get(10000));
        assertEquals(new RouteTable.Forward(10001, "down", "10.77.0.3", 22, "ssh"), f.get(10001));
        assertEquals(4, f.size());
        var noSsh = RouteTable.build("boxd.local", List.of(Boxes.running("b-1", "web", "10.77.0.2", 10000)), List.of(),
                List.of(), false);
        assertTrue(noSsh.forwards().isEmpty());
    }
}
