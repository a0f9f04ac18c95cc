/** virtio-net over a tap device (or any NetBackend). */
package boxd.vmm.devices.virtio.net;
