/**
 * {@code boxd image}: the guest kernel, the test initramfs and (through the worker module) the root filesystem, each
 * cached under {@code DATA/images} by the hash of its inputs ({@link boxd.app.image.ImageStore}).
 */
package boxd.app.image;
