/** The microVM monitor: {@link boxd.vmm.VmmBuilder} assembles a {@link boxd.vmm.Vm} from the records in {@code boxd.vmm.config}; many VMs live in one JVM. */
package boxd.vmm;
