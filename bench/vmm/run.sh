#!/usr/bin/env bash
# boxd vmm benchmark: start-to-first-guest-instruction time, VMM memory overhead per idle VM (N VMs, 1 vCPU /
# 128 MiB each, one JVM), virtio-blk throughput through the device model over a raw file and over a copy-on-write
# disk (no KVM needed for those). Each line names the KVM kind.
# Usage: bench/vmm/run.sh [VMS] [BLOCK_MIB]        (defaults 20 and 512)
set -euo pipefail
cd "$(dirname "$0")/../.."
for j in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64; do
  if [ -n "$j" ] && [ -x "$j/bin/java" ]; then export JAVA_HOME="$j"; break; fi
done
export PATH="$JAVA_HOME/bin:$PATH" MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
mvn -B -q -pl vmm test -Dtest=VmmBenchmark -Dsurefire.failIfNoSpecifiedTests=false -DskipITs \
    -Dbench.vms="${1:-20}" -Dbench.blockMiB="${2:-512}" ${BENCH_COW_CLUSTER_KIB:+-Dbench.cowClusterKiB=$BENCH_COW_CLUSTER_KIB} -Dsurefire.redirectTestOutputToFile=false 2>&1 \
  | grep -E '^(==|virtio-blk|start to first|VMM memory|.*skipped)' || { echo "benchmark failed; rerun without the filter to see why" >&2; exit 1; }
