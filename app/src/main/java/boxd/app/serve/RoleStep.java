package boxd.app.serve;

import boxd.common.Control;
import boxd.common.Role;

/**
 * One role in serve's start order: how to build it from the {@link ServeContext}, or why this build cannot.
 * {@code client} extracts the control client from the control role (null for other roles).
 */
public record RoleStep(String name, Factory factory, String unavailable, ClientOf client) {

    /** Builds the role (not yet started). */
    @FunctionalInterface
    public interface Factory {
        Role create(ServeContext ctx) throws Exception;
    }

    /** Gets the {@link Control} client from a started control role. */
    @FunctionalInterface
    public interface ClientOf {
        Control client(Role started);
    }

    public static RoleStep available(String name, Factory factory) {
        return new RoleStep(name, factory, null, null);
    }

    public static RoleStep control(Factory factory, ClientOf client) {
        return new RoleStep("control", factory, null, client);
    }

    public static RoleStep notAvailable(String name, String why) {
        return new RoleStep(name, null, why, null);
    }

    public boolean isAvailable() { return factory != null; }
}
