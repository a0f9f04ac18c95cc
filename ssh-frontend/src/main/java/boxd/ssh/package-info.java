/**
 * The SSH front door: {@link boxd.ssh.SshFrontend} runs a MINA SSHD server where the OpenSSH client is the whole user
 * interface. Sub-packages follow MINA's extension points: {@code auth} (who is this key), {@code verbs} (the command
 * grammar shared by exec channels, the prompt and the local CLI), {@code shell} (the {@code boxd>} prompt and line
 * mode), {@code relay} (exec, shell and file copy into a box's own sshd with the platform key).
 */
package boxd.ssh;
