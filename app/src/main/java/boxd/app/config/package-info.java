/**
 * Settings: every {@link boxd.app.config.Option}, merged by {@link boxd.app.config.ConfigLoader} from flags, then
 * {@code DATA/boxd.toml} (a strict TOML subset, {@link boxd.app.config.Toml}), then the embedded defaults.
 */
package boxd.app.config;
