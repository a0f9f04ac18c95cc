package boxd.vmm.sys;

/** TUN/TAP ioctl numbers and {@code struct ifreq} layout from {@code <linux/if_tun.h>} and {@code <net/if.h>}. */
public final class TunAbi {
    private TunAbi() {}

    public static final long TUNSETIFF = 0x400454caL;
    public static final long TUNSETVNETHDRSZ = 0x400454d8L;
    public static final long TUNSETOFFLOAD = 0x400454d0L;
    public static final int IFF_TUN = 0x0001;
    public static final int IFF_TAP = 0x0002;
    public static final int IFF_NO_PI = 0x1000;
    public static final int IFF_VNET_HDR = 0x4000;
    public static final int IFNAMSIZ = 16;
    public static final int SIZEOF_IFREQ = 40;
    public static final int OFF_IFREQ_FLAGS = 16;
}
