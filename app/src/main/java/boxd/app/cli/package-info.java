/** Subcommands that hand over to something else: user verbs to the ssh client, {@code vmm run} to the vmm module. */
package boxd.app.cli;
