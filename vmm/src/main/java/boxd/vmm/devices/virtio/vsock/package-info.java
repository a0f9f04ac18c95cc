/** virtio-vsock with the host side in-process: listen for and connect to guest stream sockets. */
package boxd.vmm.devices.virtio.vsock;
