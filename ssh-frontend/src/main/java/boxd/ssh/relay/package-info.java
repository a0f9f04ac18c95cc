/** Relaying exec, shells and file copies into a box's own sshd with the platform key (MINA SSHD client). */
package boxd.ssh.relay;
