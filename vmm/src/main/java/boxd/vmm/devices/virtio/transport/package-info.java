/** virtio-mmio version 2: registers, status and feature negotiation; queue kicks arrive by ioeventfd. */
package boxd.vmm.devices.virtio.transport;
