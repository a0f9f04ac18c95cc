/**
 * Shell channels: the {@code boxd>} prompt (tui's {@link boxd.tui.Prompt}) over a JLine terminal built from the SSH
 * channel, the plain line mode without a PTY, routing {@code ssh NAME@HOST} into the box, and the dashboard launcher.
 */
package boxd.ssh.shell;
