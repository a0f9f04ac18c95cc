#!/usr/bin/env bash
# Control-plane benchmark: box creates per second and p50/p99 latency on a 3-node boxd cluster (separate JVMs on
# loopback) at 1 and 64 concurrent clients, side by side with puts of the same payload size on a 3-node etcd 3.4
# (Debian etcd-server, loopback), same client harness, same run; then scheduler placements per second for 10,000
# boxes over 1,000 simulated workers.
#   bench/control/run.sh [OPS_AT_1_CLIENT] [OPS_PER_CLIENT_AT_64]     (defaults: 300 and 30)
# Needs: etcd (apt-get install etcd-server etcd-client), a JDK 21+ and Maven. Loopback only; cleans up after itself.
set -euo pipefail
cd "$(dirname "$0")/../.."
OPS1=${1:-300}
OPS64=${2:-30}

command -v etcd >/dev/null || { echo "bench/control: 'etcd' is missing: apt-get install etcd-server etcd-client" >&2; exit 1; }
for j in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64; do
  if [ -n "$j" ] && [ -x "$j/bin/java" ]; then export JAVA_HOME="$j"; break; fi
done
export PATH="$JAVA_HOME/bin:$PATH" MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"

work=$(mktemp -d /tmp/boxd-bench-control.XXXXXX)
cleanup() {
  local rc=$?
  if [ "$rc" -ne 0 ]; then
    mkdir -p /tmp/boxd-bench-control-logs && cp "$work"/*.log "$work"/*/*.log /tmp/boxd-bench-control-logs/ 2>/dev/null || true
    echo "bench/control: failed; node logs kept in /tmp/boxd-bench-control-logs" >&2
  fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "bench/control: building the control module (test classes) ..."
mvn -B -q -pl control test-compile
mvn -B -q -o -pl control dependency:build-classpath -Dmdep.outputFile="$work/cp.txt" >/dev/null
CP="control/target/classes:control/target/test-classes:$(cat "$work/cp.txt")"
echo "bench/control: $(nproc) CPUs, $(etcd --version | head -1), java $(java -version 2>&1 | head -1)"
java --enable-native-access=ALL-UNNAMED -cp "$CP" boxd.control.ControlBench "$work" "$OPS1" "$OPS64"
