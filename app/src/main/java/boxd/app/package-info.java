/**
 * The boxd command and its one executable jar: {@link boxd.app.Main} dispatches to the operator commands (serve,
 * doctor, image, vmm, version) and sends user verbs to the local server over ssh.
 */
package boxd.app;
