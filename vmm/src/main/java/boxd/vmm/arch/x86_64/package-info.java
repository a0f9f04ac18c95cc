/** x86_64 boot: memory layout, GDT, page tables, CPUID filtering, MSRs, zero page, MP table, vmlinux/bzImage loading, vCPU boot state. */
package boxd.vmm.arch.x86_64;
