/** The boxd vmm run command. */
package boxd.vmm.cli;
