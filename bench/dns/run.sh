#!/usr/bin/env bash
# DNS queries per second: boxd's DnsServer vs nsd serving the same zone, both on loopback, measured with dnsperf in
# one run. Prints both figures and the ratio (goal: boxd >= 0.5x nsd).
#   bench/dns/run.sh [SECONDS] [BOXES]   (defaults: 10 s per server per round, 1000 boxes; ROUNDS=3)
# Needs: dnsperf and nsd (apt-get install dnsperf nsd), a JDK 21+ and Maven. Loopback only; cleans up after itself.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_EACH=${1:-10}
BOXES=${2:-1000}
BOXD_PORT=${BOXD_PORT:-15353}
NSD_PORT=${NSD_PORT:-15354}
CPUS=$(nproc)

for cmd in dnsperf nsd; do
  command -v "$cmd" >/dev/null || [ -x "/usr/sbin/$cmd" ] || { echo "bench/dns: '$cmd' is missing: apt-get install dnsperf nsd" >&2; exit 1; }
done
for j in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64; do
  if [ -n "$j" ] && [ -x "$j/bin/java" ]; then export JAVA_HOME="$j"; break; fi
done
export PATH="$JAVA_HOME/bin:/usr/sbin:$PATH" MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"

work=$(mktemp -d /tmp/boxd-bench-dns.XXXXXX)
boxd_pid=""; nsd_pid=""
cleanup() {
  [ -n "$boxd_pid" ] && kill "$boxd_pid" 2>/dev/null && wait "$boxd_pid" 2>/dev/null || true
  [ -n "$nsd_pid" ] && kill "$nsd_pid" 2>/dev/null && wait "$nsd_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "bench/dns: building the dns module (test classes) ..."
mvn -B -q -pl dns test-compile
mvn -B -q -o -pl dns dependency:build-classpath -Dmdep.outputFile="$work/cp.txt" >/dev/null
CP="dns/target/classes:dns/target/test-classes:$(cat "$work/cp.txt")"

# boxd: the real DnsServer over an in-memory control plane holding BOXES boxes; it also writes the zone and queries.
mkfifo "$work/boxd.in"
java ${BOXD_UDP_THREADS:+-Dboxd.dns.udpThreads=$BOXD_UDP_THREADS} -cp "$CP" boxd.dns.testing.BenchServer "$BOXD_PORT" "$BOXES" "$work" <"$work/boxd.in" >"$work/boxd.out" 2>&1 &
boxd_pid=$!
exec 3>"$work/boxd.in"   # holding the fifo open keeps the server running; closing it stops it
for _ in $(seq 100); do grep -q '^ready' "$work/boxd.out" 2>/dev/null && break; sleep 0.2; done
grep -q '^ready' "$work/boxd.out" || { echo "bench/dns: boxd server did not start:"; cat "$work/boxd.out"; exit 1; }

# nsd: same zone, its own recommended settings (one server process per CPU, SO_REUSEPORT), rate limiting off.
mkdir -p "$work/nsd"
cat >"$work/nsd/nsd.conf" <<CONF
server:
  ip-address: 127.0.0.1@$NSD_PORT
  server-count: $CPUS
  reuseport: yes
  username: ""
  chroot: ""
  database: ""
  zonesdir: "$work"
  zonelistfile: "$work/nsd/zone.list"
  xfrdfile: "$work/nsd/xfrd.state"
  xfrdir: "$work/nsd"
  pidfile: "$work/nsd/nsd.pid"
  logfile: "$work/nsd/nsd.log"
  verbosity: 0
  minimal-responses: yes   # answer section only where possible, like boxd (no NS and glue on every answer)
  rrl-ratelimit: 0
  rrl-whitelist-ratelimit: 0
remote-control:
  control-enable: no
zone:
  name: boxd.local
  zonefile: "$work/boxd.local.zone"
CONF
nsd -d -c "$work/nsd/nsd.conf" >"$work/nsd/stdout" 2>&1 &
nsd_pid=$!
for _ in $(seq 50); do dig +short +time=1 +tries=1 @127.0.0.1 -p "$NSD_PORT" box0.boxd.local A >/dev/null 2>&1 && break; sleep 0.2; done

check() { # same answers from both before measuring
  for q in "box1.boxd.local A" "www.box1.boxd.local A" "missing1.boxd.local A" "box1.boxd.local AAAA"; do
    a=$(dig +time=3 +tries=3 +noall +answer +comments @127.0.0.1 -p "$BOXD_PORT" $q | grep -E 'status:|^[a-z]' | sed -E 's/id: [0-9]+//' || true)
    b=$(dig +time=3 +tries=3 +noall +answer +comments @127.0.0.1 -p "$NSD_PORT" $q | grep -E 'status:|^[a-z]' | sed -E 's/id: [0-9]+//' || true)
    [ "$a" = "$b" ] || { echo "bench/dns: answers differ for '$q':"; echo "boxd: $a"; echo "nsd:  $b"; cat "$work/boxd.out"; exit 1; }
  done
}
check

descendants() { local c; for c in $(pgrep -P "$1" || true); do echo "$c"; descendants "$c"; done; }
cpu_ticks() { # cpu_ticks PID: user+system clock ticks of PID and all its descendants (nsd forks main and servers)
  local total=0 p
  for p in "$1" $(descendants "$1"); do
    # fields after "pid (comm) ": comm may hold spaces ("nsd: main"); utime and stime are the 12th and 13th after it
    [ -r "/proc/$p/stat" ] && total=$((total + $(sed 's/^.*) //' "/proc/$p/stat" | awk '{print $12 + $13}')))
  done
  echo "$total"
}
perf() { # perf PORT SECONDS -> queries per second
  dnsperf -s 127.0.0.1 -p "$1" -d "$work/queries.txt" -l "$2" -c 4 -T 1 -q 200 -t 2 2>&1 | tee -a "$work/dnsperf.log" \
    | awk '/Queries per second:/ {print $4}'
}
lost() { awk '/Queries lost:/ {print $3}' "$work/dnsperf.log" | tail -1; }

ROUNDS=${ROUNDS:-3}
echo "bench/dns: $BOXES boxes ($(wc -l <"$work/queries.txt") distinct queries), $ROUNDS rounds of ${SECONDS_EACH}s per server, alternating; $CPUS CPUs; dnsperf -c 4 -T 1 -q 200"
echo "bench/dns: load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
perf "$BOXD_PORT" 5 >/dev/null   # JIT warm-up for the JVM
perf "$NSD_PORT" 2 >/dev/null
boxd_all=(); nsd_all=()
for r in $(seq "$ROUNDS"); do
  t0=$(cpu_ticks "$boxd_pid"); b=$(perf "$BOXD_PORT" "$SECONDS_EACH"); bl=$(lost); bt=$(( $(cpu_ticks "$boxd_pid") - t0 ))
  t0=$(cpu_ticks "$nsd_pid"); n=$(perf "$NSD_PORT" "$SECONDS_EACH"); nl=$(lost); nt=$(( $(cpu_ticks "$nsd_pid") - t0 ))
  boxd_all+=("$b"); nsd_all+=("$n")
  # CPU time per query is less sensitive than q/s to other load on a shared machine.
  awk -v r="$r" -v a="$b" -v b="$n" -v al="$bl" -v bl="$nl" -v at="$bt" -v bt="$nt" -v s="$SECONDS_EACH" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { printf "round %d: boxd %9.0f q/s (lost %s, %.1f us CPU/query)   nsd %9.0f q/s (lost %s, %.1f us CPU/query)   ratio %.2f\n",
             r, a, al, at / hz * 1e6 / (a * s), b, bl, bt / hz * 1e6 / (b * s), a / b }'
done
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
boxd_qps=$(median "${boxd_all[@]}"); nsd_qps=$(median "${nsd_all[@]}")
printf 'boxd DnsServer      : %9.0f queries/s (median of %d)\n' "$boxd_qps" "$ROUNDS"
printf 'nsd %-16s: %9.0f queries/s (median of %d)\n' "$(nsd -v 2>&1 | head -1 | awk '{print $3}')" "$nsd_qps" "$ROUNDS"
awk -v a="$boxd_qps" -v b="$nsd_qps" 'BEGIN { r = a / b; printf "ratio boxd/nsd: %.2f (goal >= 0.50): %s\n", r, (r >= 0.5 ? "met" : "NOT met") }'
echo "bench/dns: load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
exec 3>&-
