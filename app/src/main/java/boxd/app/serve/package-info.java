/**
 * {@code boxd serve}: port check, runtime choice, images, then the roles in order ({@link boxd.app.serve.Roles}) until
 * SIGINT or SIGTERM closes them in reverse.
 */
package boxd.app.serve;
