/**
 * The terminal side of boxd's SSH surface: {@link boxd.tui.Table} (aligned tables for every verb's human output),
 * {@link boxd.tui.Prompt} (the {@code boxd>} prompt over any JLine terminal), {@link boxd.tui.Dashboard} (the
 * full-screen {@code dash} view), {@link boxd.tui.LineMode} (plain lines for sessions without a PTY), and helpers:
 * {@link boxd.tui.ShellWords} (shell-like splitting of command lines), {@link boxd.tui.Terminals} (building JLine
 * terminals over SSH channels, TERM mapping, PTY modes, colour support) and {@link boxd.tui.Progress} (long waits). The SSH
 * frontend drives them through small interfaces ({@link boxd.tui.VerbRunner}, {@link boxd.tui.CompletionSource},
 * {@link boxd.tui.Dashboard.Actions}); implementations live in {@code boxd.tui.impl}.
 */
package boxd.tui;
