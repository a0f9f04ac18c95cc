/**
 * The verb grammar: {@link boxd.ssh.verbs.CommandLine} splits a line, {@link boxd.ssh.verbs.ArgSpec} checks flags,
 * {@link boxd.ssh.verbs.VerbRouter} runs one {@link boxd.ssh.verbs.Verb} per name and formats errors. The same
 * router serves exec channels ({@link boxd.ssh.verbs.VerbCommandFactory}), the prompt and the local CLI.
 */
package boxd.ssh.verbs;
