package boxd.app.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

import boxd.app.config.BoxdConfig.Runtime;
import boxd.app.doctor.HostFacts.DeviceState;
import boxd.common.Json;

class DoctorTest {
    /** A root host with namespaces, overlayfs, cgroups and tun; KVM bits given per test. */
    private static HostFacts host(Set<String> cpuFlags, Set<String> modules, DeviceState kvm) {
        return new HostFacts(cpuFlags, modules, "/proc/modules", kvm, true, new HostFacts.Probe(true, "unshare ok"),
                Set.of("ext4", "overlay", "proc"), "v2", List.of("cpu", "memory", "pids"), true,
                Path.of("/data"), 50L << 30, Path.of("/"), "25.0.1+8", "/jdk");
    }

    private static HostFacts notRoot(HostFacts f) {
        return new HostFacts(f.cpuFlags(), f.modules(), f.modulesSource(), f.devKvm(), f.devNetTun(),
                new HostFacts.Probe(false, "unshare: Operation not permitted"), f.filesystems(), f.cgroupVersion(),
                f.cgroupControllers(), false, f.dataDir(), f.freeBytes(), f.freeAt(), f.javaVersion(), f.javaHome());
    }

    @Test
    void pvmModuleWithoutVmxIsPvmAndBoxesRunAsNamespaces() {
        // this project's machines: kvm_pvm loaded, no vmx/svm flags
        for (DeviceState dev : DeviceState.values()) {
            Diagnosis d = Doctor.diagnose(host(Set.of("fpu", "sse2"), Set.of("kvm", "kvm_pvm"), dev), Runtime.AUTO);
            assertEquals(KvmKind.PVM, d.kvm());
            assertEquals(Optional.of("ns"), d.runtime());
            assertTrue(d.runtimeReason().contains("KVM is pvm, not hardware"), d.runtimeReason());
            assertTrue(d.human().startsWith("kvm: pvm\n"), d.human());
            assertEquals(0, d.exitStatus());
        }
    }

    @Test
    void devKvmWithoutVmxOrSvmIsTakenAsPvm() {
        Diagnosis d = Doctor.diagnose(host(Set.of("fpu"), Set.of(), DeviceState.ACCESSIBLE), Runtime.AUTO);
        assertEquals(KvmKind.PVM, d.kvm());
        assertTrue(d.kvmEvidence().stream().anyMatch(e -> e.contains("without vmx/svm")), d.kvmEvidence().toString());
    }

    @Test
    void vmxWithKvmIntelAndDevKvmIsHardwareAndBoxesAreMicroVms() {
        Diagnosis d = Doctor.diagnose(host(Set.of("vmx", "fpu"), Set.of("kvm", "kvm_intel"), DeviceState.ACCESSIBLE), Runtime.AUTO);
        assertEquals(KvmKind.HARDWARE, d.kvm());
        assertEquals(Optional.of("vm"), d.runtime());
        Diagnosis amd = Doctor.diagnose(host(Set.of("svm"), Set.of("kvm", "kvm_amd"), DeviceState.ACCESSIBLE), Runtime.AUTO);
        assertEquals(KvmKind.HARDWARE, amd.kvm());
    }

    @Test
    void hardwareKvmWithoutAccessToDevKvmFallsBackToNamespaces() {
        Diagnosis d = Doctor.diagnose(host(Set.of("vmx"), Set.of("kvm", "kvm_intel"), DeviceState.NO_ACCESS), Runtime.AUTO);
        assertEquals(KvmKind.HARDWARE, d.kvm());
        assertEquals(Optional.of("ns"), d.runtime());
        assertTrue(d.runtimeReason().contains("/dev/kvm is present, not accessible"), d.runtimeReason());
        assertFalse(d.check("dev_kvm").orElseThrow().ok());
    }

    @Test
    void vmxWithoutItsModuleIsNoneAndSaysWhatToLoad() {
        Diagnosis d = Doctor.diagnose(host(Set.of("vmx"), Set.of(), DeviceState.MISSING), Runtime.AUTO);
        assertEquals(KvmKind.NONE, d.kvm());
        assertTrue(d.kvmEvidence().stream().anyMatch(e -> e.contains("modprobe kvm_intel")), d.kvmEvidence().toString());
        assertEquals(Optional.of("ns"), d.runtime());
    }

    @Test
    void noKvmAtAllIsNone() {
        Diagnosis d = Doctor.diagnose(host(Set.of("fpu"), Set.of(), DeviceState.MISSING), Runtime.AUTO);
        assertEquals(KvmKind.NONE, d.kvm());
        assertEquals(Optional.of("ns"), d.runtime());
    }

    @Test
    void askingForVmWhereOnlyPvmExistsFailsWithTheReason() {
        Diagnosis d = Doctor.diagnose(host(Set.of(), Set.of("kvm_pvm"), DeviceState.ACCESSIBLE), Runtime.VM);
        assertEquals(Optional.empty(), d.runtime());
        assertEquals(1, d.exitStatus());
        assertTrue(d.runtimeReason().contains("--runtime vm was asked for"), d.runtimeReason());
    }

    @Test
    void askingForNsOnHardwareKvmGivesNs() {
        Diagnosis d = Doctor.diagnose(host(Set.of("vmx"), Set.of("kvm_intel"), DeviceState.ACCESSIBLE), Runtime.NS);
        assertEquals(Optional.of("ns"), d.runtime());
    }

    @Test
    void withoutRootNoRuntimeWorksAndDoctorExitsOne() {
        Diagnosis d = Doctor.diagnose(notRoot(host(Set.of(), Set.of("kvm_pvm"), DeviceState.MISSING)), Runtime.AUTO);
        assertEquals(Optional.empty(), d.runtime());
        assertEquals(1, d.exitStatus());
        assertTrue(d.runtimeReason().contains("not ns because not root"), d.runtimeReason());
        assertFalse(d.check("netns").orElseThrow().ok());
        assertTrue(d.human().contains("runtime: none"), d.human());
    }

    @Test
    void missingOverlayfsOrCgroupsRulesOutNamespaces() {
        HostFacts f = host(Set.of(), Set.of(), DeviceState.MISSING);
        HostFacts noOverlay = new HostFacts(f.cpuFlags(), f.modules(), f.modulesSource(), f.devKvm(), f.devNetTun(),
                f.netns(), Set.of("ext4"), "none", List.of(), true, f.dataDir(), f.freeBytes(), f.freeAt(),
                f.javaVersion(), f.javaHome());
        Diagnosis d = Doctor.diagnose(noOverlay, Runtime.AUTO);
        assertEquals(Optional.empty(), d.runtime());
        assertTrue(d.runtimeReason().contains("no overlayfs") && d.runtimeReason().contains("no cgroups"), d.runtimeReason());
    }

    @Test
    void jsonCarriesTheSameFindings() {
        Diagnosis d = Doctor.diagnose(host(Set.of(), Set.of("kvm", "kvm_pvm"), DeviceState.MISSING), Runtime.AUTO);
        Map<String, Object> j = Json.parseObject(d.json());
        assertEquals("pvm", j.get("kvm"));
        assertEquals("ns", j.get("runtime"));
        assertEquals(Boolean.TRUE, j.get("ok"));
        @SuppressWarnings("unchecked")
        Map<String, Object> checks = (Map<String, Object>) j.get("checks");
        assertTrue(checks.keySet().containsAll(List.of("dev_kvm", "tun", "netns", "overlayfs", "cgroup", "root", "disk", "java")),
                checks.keySet().toString());
    }

    @Test
    void oldJavaAndLowDiskAreFlagged() {
        HostFacts f = host(Set.of(), Set.of(), DeviceState.MISSING);
        HostFacts old = new HostFacts(f.cpuFlags(), f.modules(), f.modulesSource(), f.devKvm(), f.devNetTun(), f.netns(),
                f.filesystems(), f.cgroupVersion(), f.cgroupControllers(), true, f.dataDir(), 1L << 30, f.freeAt(),
                "17.0.9+9", "/old");
        Diagnosis d = Doctor.diagnose(old, Runtime.AUTO);
        assertFalse(d.check("java").orElseThrow().ok());
        assertFalse(d.check("disk").orElseThrow().ok());
    }
}
