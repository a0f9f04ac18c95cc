/** The only JNA code: libc calls, native buffers, and the KVM, libc and tun ABI constants (checked against the C headers by AbiTest). No logic. */
package boxd.vmm.sys;
