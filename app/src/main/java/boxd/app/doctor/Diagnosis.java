package boxd.app.doctor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What doctor concluded: the KVM kind with its evidence, one line per check, and the runtime {@code serve} will use.
 *
 * @param runtime the runtime serve will use ("vm" or "ns"), or empty when none can work
 */
public record Diagnosis(KvmKind kvm, List<String> kvmEvidence, List<Check> checks, Optional<String> runtime,
                        String runtimeReason, HostFacts facts) {

    /** One finding: a name ("tun"), whether it is fine, the value shown and the evidence behind it. */
    public record Check(String name, boolean ok, String value, String evidence) {}

    /** {@return 0 when serve can run boxes, 1 when no runtime can work} */
    public int exitStatus() { return runtime.isPresent() ? 0 : 1; }

    public Optional<Check> check(String name) {
        return checks.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /** {@return the human report, one "name: value" line per finding with indented evidence} */
    public String human() {
        StringBuilder sb = new StringBuilder();
        sb.append("kvm: ").append(kvm.label()).append('\n');
        for (String e : kvmEvidence) sb.append("  evidence: ").append(e).append('\n');
        sb.append("  means: ").append(kvm.meaning()).append('\n');
        for (Check c : checks) {
            sb.append(c.name()).append(": ").append(c.value()).append(c.ok() ? "" : "  [problem]").append('\n');
            if (!c.evidence().isEmpty()) sb.append("  evidence: ").append(c.evidence()).append('\n');
        }
        sb.append("runtime: ").append(runtime.orElse("none")).append('\n');
        sb.append("  why: ").append(runtimeReason).append('\n');
        if (runtime.isEmpty()) sb.append("serve cannot run boxes on this host (see the problems above)\n");
        return sb.toString();
    }

    /** {@return the same as JSON: kvm, kvm_evidence, kvm_meaning, runtime, runtime_reason, ok, checks{...}} */
    public String json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kvm", kvm.label());
        m.put("kvm_evidence", kvmEvidence);
        m.put("kvm_meaning", kvm.meaning());
        m.put("runtime", runtime.orElse("none"));
        m.put("runtime_reason", runtimeReason);
        m.put("ok", runtime.isPresent());
        Map<String, Object> cs = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (Check c : checks) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("ok", c.ok());
            one.put("value", c.value());
            one.put("evidence", c.evidence());
            cs.put(c.name(), one);
            if (!c.ok()) problems.add(c.name());
        }
        m.put("checks", cs);
        m.put("problems", problems);
        m.put("data_dir", facts.dataDir().toString());
        m.put("free_disk_bytes", facts.freeBytes());
        m.put("java", facts.javaVersion());
        return boxd.common.Json.write(m);
    }
}
