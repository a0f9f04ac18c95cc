package boxd.app.serve;

import boxd.app.config.BoxdConfig;
import boxd.common.Control;

/**
 * What the roles are built from: the merged config, the runtime doctor chose ("vm" or "ns") and, once the control
 * role has started, its client.
 */
public record ServeContext(BoxdConfig config, String runtime, Control control) {
    public ServeContext withControl(Control c) {
        return new ServeContext(config, runtime, c);
    }

    /** {@return the control client} @throws IllegalStateException when the control role has not started */
    public Control requireControl() {
        if (control == null) throw new IllegalStateException("the control role is not running, so this role cannot start");
        return control;
    }
}
