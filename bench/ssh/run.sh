#!/usr/bin/env bash
# SSH front door benchmark, boxd's MINA SSHD frontend side by side with OpenSSH's sshd on the same machine, same run:
#  1. connection set-up: `ssh HOST whoami` (connect, key exchange, public-key auth, one exec, exit), N runs each,
#     interleaved, after 5 warm-up runs each; p50 and p90 wall time per run.
#  2. 200 concurrent sessions held: 200 clients each open a session without a PTY (boxd: line mode; OpenSSH: `sh`
#     reading stdin), run `whoami` in it and keep it open; time until all 200 answered, then the server's resident
#     memory while they are held.
#   bench/ssh/run.sh [N] [SESSIONS]        (defaults: 50 and 200)
# Needs: openssh-client, openssh-server, a JDK 21+, Maven; run as root (sshd logs the client in as root). Loopback only;
# cleans up after itself.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-50}
SESSIONS=${2:-200}
HOLD=120

for j in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64; do
  if [ -n "$j" ] && [ -x "$j/bin/java" ]; then export JAVA_HOME="$j"; break; fi
done
export PATH="$JAVA_HOME/bin:$PATH" MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
SSHD=$(command -v sshd || echo /usr/sbin/sshd)
[ -x "$SSHD" ] || { echo "bench/ssh: sshd is missing: apt-get install openssh-server" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "bench/ssh: run as root (the OpenSSH side logs in as root with a bench key)" >&2; exit 1; }

work=$(mktemp -d /tmp/boxd-bench-ssh.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$work/sshd.pid" ] && kill "$(cat "$work/sshd.pid")" 2>/dev/null || true
  exec 3>&- 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {  # a port nothing listens on
  local p
  while :; do
    p=$(( 20000 + RANDOM % 30000 ))
    [ -z "$(ss -Htln "( sport = :$p )" 2>/dev/null)" ] && { echo "$p"; return; }
  done
}

echo "bench/ssh: building ssh-frontend (test classes) ..."
mvn -B -q -o -pl ssh-frontend test-compile
mvn -B -q -o -pl ssh-frontend dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$work/cp.txt" >/dev/null
CP="ssh-frontend/target/classes:ssh-frontend/target/test-classes:$(cat "$work/cp.txt")"

ssh-keygen -q -t ed25519 -N '' -f "$work/key"
ssh-keygen -q -t ed25519 -N '' -f "$work/host_ed25519"
cp "$work/key.pub" "$work/authorized_keys"
mkdir -p /run/sshd

# --- boxd frontend ---
BPORT=$(free_port)
mkfifo "$work/server.in"
java --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -cp "$CP" boxd.ssh.SshBenchServer \
  "$work/data" "$BPORT" < "$work/server.in" > "$work/server.out" 2>"$work/server.err" &
JPID=$!; pids+=("$JPID")
exec 3>"$work/server.in"
for _ in $(seq 1 300); do grep -q READY "$work/server.out" 2>/dev/null && break; sleep 0.1; done
grep -q READY "$work/server.out" || { echo "bench/ssh: the frontend did not start:"; cat "$work/server.err"; exit 1; }

# --- OpenSSH sshd ---
OPORT=$(free_port)
cat > "$work/sshd_config" <<CFG
ListenAddress 127.0.0.1
Port $OPORT
HostKey $work/host_ed25519
AuthorizedKeysFile $work/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UsePAM no
StrictModes no
PidFile $work/sshd.pid
MaxStartups 1000
MaxSessions 1000
# bash sources ~/.bashrc for commands run by sshd unless it is a nested shell; the machine's own ~/.bashrc must not
# be what is measured
SetEnv SHLVL=1
CFG
"$SSHD" -f "$work/sshd_config" -E "$work/sshd.log"
for _ in $(seq 1 100); do [ -f "$work/sshd.pid" ] && break; sleep 0.1; done

SSHOPTS=(-i "$work/key" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o IdentitiesOnly=yes
         -o BatchMode=yes -o LogLevel=ERROR)
boxd_ssh() { ssh "${SSHOPTS[@]}" -p "$BPORT" bench@127.0.0.1 "$@"; }
open_ssh() { ssh "${SSHOPTS[@]}" -p "$OPORT" root@127.0.0.1 "$@"; }
boxd_held() { ssh "${SSHOPTS[@]}" -T -p "$BPORT" bench@127.0.0.1; }
open_held() { ssh "${SSHOPTS[@]}" -T -p "$OPORT" root@127.0.0.1 sh; }

echo "bench/ssh: $(nproc) CPUs ($(uptime | sed 's/.*load average/load average/')), $(ssh -V 2>&1), java $(java -version 2>&1 | head -1 | cut -d'"' -f2)"
boxd_ssh whoami >/dev/null   # makes the account
for _ in 1 2 3 4 5; do boxd_ssh whoami >/dev/null; open_ssh whoami >/dev/null; done

ms() { echo $(( $(date +%s%N) / 1000000 )); }
: > "$work/boxd.ms"; : > "$work/openssh.ms"
for _ in $(seq 1 "$N"); do
  t=$(ms); boxd_ssh whoami >/dev/null; echo $(( $(ms) - t )) >> "$work/boxd.ms"
  t=$(ms); open_ssh whoami >/dev/null; echo $(( $(ms) - t )) >> "$work/openssh.ms"
done
pct() { sort -n "$1" | awk -v p="$2" '{a[NR]=$1} END {i=int((NR*p+99)/100); if (i<1) i=1; print a[i]}'; }
b50=$(pct "$work/boxd.ms" 50); b90=$(pct "$work/boxd.ms" 90)
o50=$(pct "$work/openssh.ms" 50); o90=$(pct "$work/openssh.ms" 90)
echo "set-up (connect + auth + whoami + exit), $N runs each:"
printf '  boxd frontend  p50 %4d ms  p90 %4d ms\n' "$b50" "$b90"
printf '  OpenSSH sshd   p50 %4d ms  p90 %4d ms\n' "$o50" "$o90"
awk -v b="$b50" -v o="$o50" 'BEGIN { printf "  ratio boxd/sshd at p50: %.2fx (goal: within 1.2x)\n", b/o }'

rss_kb() { ps -o rss= -p "$1" | tr -d ' '; }
tree_kb() {  # resident memory of a process and all its descendants
  ps -eo pid=,ppid=,rss= | awk -v root="$1" '{p[$1]=$2; r[$1]=$3}
    END {for (x in p) {y=x; while (y && y!=root && y in p) y=p[y]; if (y==root) s+=r[x]}; print s+0}'
}
connected() { ss -Htn state established "( dport = :$1 )" 2>/dev/null | wc -l; }

hold() {  # hold NAME CMD...: SESSIONS sessions that each run whoami, then stay open for HOLD seconds
  local name=$1 t0 n
  shift
  mkdir -p "$work/$name"
  t0=$(ms)
  for i in $(seq 1 "$SESSIONS"); do
    ( { echo whoami; sleep "$HOLD"; } | "$@" > "$work/$name/$i.out" 2>&1 ) &
  done
  n=0
  for _ in $(seq 1 1800); do
    n=$( (grep -l -E '^(bench|root)' "$work/$name"/*.out 2>/dev/null || true) | wc -l)
    [ "$n" -ge "$SESSIONS" ] && break
    sleep 0.1
  done
  echo "$n $(( $(ms) - t0 ))"
}
drain() { for _ in $(seq 1 $(( (HOLD + 30) * 10 ))); do [ "$(connected "$1")" -eq 0 ] && return; sleep 0.1; done; }

echo "$SESSIONS concurrent sessions held (each ran whoami and stays open):"
base=$(rss_kb "$JPID")
read -r n t < <(hold boxd boxd_held)
sleep 2
printf '  boxd frontend  %d/%d answered in %5d ms, %d held, JVM RSS %d MB -> %d MB\n' \
  "$n" "$SESSIONS" "$t" "$(connected "$BPORT")" $((base / 1024)) $(( $(rss_kb "$JPID") / 1024 ))
drain "$BPORT"
SPID=$(cat "$work/sshd.pid")
obase=$(tree_kb "$SPID")
read -r n t < <(hold openssh open_held)
sleep 2
printf '  OpenSSH sshd   %d/%d answered in %5d ms, %d held, sshd + children RSS %d MB -> %d MB\n' \
  "$n" "$SESSIONS" "$t" "$(connected "$OPORT")" $((obase / 1024)) $(( $(tree_kb "$SPID") / 1024 ))
drain "$OPORT"
