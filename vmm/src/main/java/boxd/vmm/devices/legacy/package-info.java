/** Legacy PC devices: the 8250 UART, the i8042 (reset), and the boot-time marker. */
package boxd.vmm.devices.legacy;
