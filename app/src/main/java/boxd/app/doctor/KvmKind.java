package boxd.app.doctor;

/** What kind of KVM the host kernel offers, which decides whether boxes can be microVMs. */
public enum KvmKind {
    /** Intel VT-x or AMD-V with kvm_intel/kvm_amd: guests run natively; microVMs boot in milliseconds. */
    HARDWARE("hardware", "guests run on VT-x/AMD-V; boxes can be KVM microVMs (runtime vm)"),
    /**
     * KVM provided by the kvm_pvm module without VT-x/AMD-V: only PVM-enabled guest kernels run fast; an ordinary
     * guest kernel is interpreted by KVM's instruction emulator (about 0.8 µs per instruction), far too slow for boxes.
     */
    PVM("pvm", "KVM comes from the kvm_pvm module without VT-x/AMD-V: an ordinary guest kernel runs under KVM's"
            + " instruction emulator (minutes to boot, userspace unreliable), so boxes run as Linux namespaces"
            + " (runtime ns); the VMM is tested here with small guest programs and a slow-tier boot test"),
    /** No KVM at all. */
    NONE("none", "no KVM: boxes run as Linux namespaces (runtime ns); VMM tests that need /dev/kvm are skipped");

    private final String label;
    private final String meaning;

    KvmKind(String label, String meaning) {
        this.label = label;
        this.meaning = meaning;
    }

    /** {@return the word doctor prints: hardware, pvm or none} */
    public String label() { return label; }

    /** {@return what this kind means for boxes} */
    public String meaning() { return meaning; }
}
