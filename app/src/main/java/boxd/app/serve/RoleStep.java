package boxd.app.serve;

import boxd.common.Control;
import boxd.common.Role;

/**
 * One role in serve's start order: how to build it from the {@link ServeContext}. {@code client} extracts the
 * control client from the started control role (null for every other role).
 */
public record RoleStep(String name, Factory factory, ClientOf client) {

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

    public static RoleStep of(String name, Factory factory) {
        return new RoleStep(name, factory, null);
    }

    public static RoleStep control(Factory factory, ClientOf client) {
        return new RoleStep("control", factory, client);
    }
}
