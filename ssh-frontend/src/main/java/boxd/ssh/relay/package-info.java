/**
 * Relaying exec, shells, file copies and forwarded TCP connections ({@code ssh -L/-W}) into a box's own sshd with the
 * platform key (MINA SSHD client).
 */
package boxd.ssh.relay;
