/** Guest-physical memory with every access bounds-checked: mmap'd (anonymous or memfd) for VMs, heap arrays for tests. */
package boxd.vmm.memory;
