/**
 * virtio-blk over a raw image file or a copy-on-write overlay of a shared read-only base ({@link
 * boxd.vmm.devices.virtio.block.CowBlockBackend}): read, write, flush, get-id, read-only.
 */
package boxd.vmm.devices.virtio.block;
