/**
 * The terminal side of boxd's SSH surface: {@link boxd.tui.Table} (aligned tables for every verb's human output),
 * {@link boxd.tui.Prompt} (the {@code boxd>} prompt over any JLine terminal), {@link boxd.tui.Dashboard} (the
 * full-screen {@code dash} view) and {@link boxd.tui.LineMode} (plain lines for sessions without a PTY). The SSH
 * frontend drives them through small interfaces ({@link boxd.tui.VerbRunner}, {@link boxd.tui.CompletionSource},
 * {@link boxd.tui.Dashboard.Actions}); implementations live in {@code boxd.tui.impl}.
 */
package boxd.tui;
