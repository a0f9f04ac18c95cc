#!/usr/bin/env bash
# Worker benchmark: create-to-first-successful-exec latency (boxes one after another, then at once) and memory per
# idle box, on the runtime the worker uses here (ns), inside a network namespace the benchmark makes and removes.
# Usage (root): bench/worker/run.sh [SEQUENTIAL=20] [CONCURRENT=10]
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -d /usr/lib/jvm/temurin-25-jdk-amd64 ]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 PATH=/usr/lib/jvm/temurin-25-jdk-amd64/bin:$PATH
fi
export MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}"
mvn -B -q -pl worker test-compile
mvn -B -q -pl worker dependency:build-classpath -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test >/dev/null
exec java --enable-native-access=ALL-UNNAMED -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dorg.slf4j.simpleLogger.showDateTime=true -Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS ${BENCH_JAVA_OPTS:-} \
  -cp "worker/target/classes:worker/target/test-classes:$(cat worker/target/bench.cp)" \
  boxd.worker.bench.WorkerBench "$@"
