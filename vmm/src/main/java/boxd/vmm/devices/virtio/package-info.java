/** Split virtqueues, validated descriptor chains, and the VirtioDevice contract shared by block, net and vsock. */
package boxd.vmm.devices.virtio;
