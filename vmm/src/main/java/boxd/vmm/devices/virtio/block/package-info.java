/** virtio-blk over a raw image file: read, write, flush, get-id, read-only. */
package boxd.vmm.devices.virtio.block;
