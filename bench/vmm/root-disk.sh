#!/usr/bin/env bash
# vm root disk creation: a full copy per box (as before copy-on-write root disks) against a copy-on-write overlay over
# a shared base (now), time and host disk per box, in a directory under /var/tmp removed at the end.
# Usage (root, for the test image): bench/vmm/root-disk.sh [DISK_GB=2] [BOXES=10] [IMAGE_EXT4]
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -d /usr/lib/jvm/temurin-25-jdk-amd64 ]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 PATH=/usr/lib/jvm/temurin-25-jdk-amd64/bin:$PATH
fi
export MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}"
mvn -B -q -pl worker test-compile
mvn -B -q -pl worker dependency:build-classpath -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test >/dev/null
exec java --enable-native-access=ALL-UNNAMED -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "worker/target/classes:worker/target/test-classes:$(cat worker/target/bench.cp)" \
  boxd.worker.bench.RootDiskBench "$@"
