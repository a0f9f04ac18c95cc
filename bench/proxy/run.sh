#!/usr/bin/env bash
# Requests/s and p99 latency through boxd's HTTP proxy vs nginx as a reverse proxy, both in front of the same
# backend (an nginx server block answering a short body), with wrk, in one run, on 127.0.0.1 only.
# Knobs: DURATION (per measurement, default 10s), WARMUP (JIT warm-up of our proxy, 20s), CONNS (64), THREADS (2), ROUNDS (3, alternating; best is kept),
#        BACKEND_PORT (18180), NGINX_PORT (18181).
set -euo pipefail
DURATION=${DURATION:-10s}; CONNS=${CONNS:-64}; THREADS=${THREADS:-2}; ROUNDS=${ROUNDS:-3}
BACKEND_PORT=${BACKEND_PORT:-18180}; NGINX_PORT=${NGINX_PORT:-18181}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
for c in wrk nginx java mvn; do
  command -v "$c" >/dev/null || { echo "bench/proxy: '$c' is missing (apt-get install wrk nginx; JDK 21+ and maven)" >&2; exit 2; }
done
for j in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64; do
  if [ -n "$j" ] && [ -x "$j/bin/java" ]; then export JAVA_HOME="$j" PATH="$j/bin:$PATH"; break; fi
done
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"

work=$(mktemp -d /tmp/boxd-bench-proxy.XXXXXX)
nginx_pid=""; proxy_pid=""; backend_pid=""
cleanup() {
  [ -n "$proxy_pid" ] && kill "$proxy_pid" 2>/dev/null || true
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null || true
  [ -n "$backend_pid" ] && kill "$backend_pid" 2>/dev/null || true
  sleep 0.3; rm -rf "$work"
}
trap cleanup EXIT

# two nginx instances: the backend on BACKEND_PORT, the reverse proxy on NGINX_PORT (upstream keep-alive, like ours).
# Separate processes, so each proxy's CPU time can be read on its own.
nginx_conf() { # name, server block
  mkdir -p "$work/$1/logs"
  cat > "$work/$1/nginx.conf" <<CONF
worker_processes ${NGINX_WORKERS:-auto};
daemon off;
pid $work/$1/nginx.pid;
error_log $work/$1/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/$1/body; proxy_temp_path $work/$1/proxy;
  fastcgi_temp_path $work/$1/fcgi; uwsgi_temp_path $work/$1/uwsgi; scgi_temp_path $work/$1/scgi;
  $2
}
CONF
}
nginx_conf backend "server { listen 127.0.0.1:$BACKEND_PORT; keepalive_requests 1000000;
           location / { default_type text/plain; return 200 \"hello from the backend\\n\"; } }"
nginx_conf rproxy "upstream backend { server 127.0.0.1:$BACKEND_PORT; keepalive 128; }
  server { listen 127.0.0.1:$NGINX_PORT; keepalive_requests 1000000;
           location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection \"\";
                        proxy_set_header Host \$host; proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
                        proxy_set_header X-Forwarded-Proto \$scheme; proxy_set_header X-Forwarded-Host \$host; } }"
nginx -p "$work/backend" -c "$work/backend/nginx.conf" &
backend_pid=$!
nginx -p "$work/rproxy" -c "$work/rproxy/nginx.conf" &
nginx_pid=$!

# our proxy, in front of the same backend
(cd "$ROOT" && mvn -B -q -o -pl proxy test-compile dependency:build-classpath -Dmdep.outputFile="$work/cp.txt" \
   -Dmdep.includeScope=test >/dev/null)
cp="$ROOT/proxy/target/classes:$ROOT/proxy/target/test-classes:$(cat "$work/cp.txt")"
mkfifo "$work/stdin"
java --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Dorg.slf4j.simpleLogger.defaultLogLevel=warn ${PROXY_JAVA_OPTS:-} \
  -cp "$cp" boxd.proxy.bench.ProxyBenchServer "$BACKEND_PORT" "$work/data" < "$work/stdin" > "$work/proxy.out" 2>&1 &
proxy_pid=$!
exec 3>"$work/stdin"
for _ in $(seq 1 600); do grep -q READY "$work/proxy.out" 2>/dev/null && break; sleep 0.1; done
grep -q READY "$work/proxy.out" || { echo "bench/proxy: the proxy did not start:" >&2; cat "$work/proxy.out" >&2; exit 1; }
PROXY_PORT=$(sed -n 's/.*READY http=\([0-9]*\).*/\1/p' "$work/proxy.out")
echo "boxd: $(grep READY "$work/proxy.out" | sed "s/^READY //")"

url_boxd="http://127.0.0.1:$PROXY_PORT/"; url_nginx="http://127.0.0.1:$NGINX_PORT/"
host="Host: bench.boxd.local"
curl -fsS -H "$host" "$url_boxd" | grep -q "hello from the backend" || { echo "bench/proxy: boxd proxy does not relay" >&2; exit 1; }
curl -fsS -H "$host" "$url_nginx" | grep -q "hello from the backend" || { echo "bench/proxy: nginx does not relay" >&2; exit 1; }

cpu_ticks() { # pid of a process (nginx master or java) -> utime+stime ticks of it and its children processes
  local pids="$1 $(pgrep -P "$1" | tr '\n' ' ')"
  for p in $pids; do cat "/proc/$p/stat" 2>/dev/null; done | awk '{ s += $14 + $15 } END { print s + 0 }'
}
TICK=$(getconf CLK_TCK)

run_wrk() { # url duration [pid] -> sets RPS, P99 (ms) and US_PER_REQ (CPU microseconds the proxy spent per request)
  local before=0 after=0
  [ -n "${3:-}" ] && before=$(cpu_ticks "$3")
  wrk -t"$THREADS" -c"$CONNS" -d"$2" --latency -H "$host" "$1" > "$work/wrk.txt"
  [ -n "${3:-}" ] && after=$(cpu_ticks "$3")
  if grep -q "Non-2xx\|Socket errors" "$work/wrk.txt"; then
    echo "bench/proxy: errors while measuring $1:" >&2; cat "$work/wrk.txt" >&2; exit 1
  fi
  RPS=$(awk '/^Requests\/sec:/ {print $2}' "$work/wrk.txt")
  local total; total=$(awk '/requests in/ {print $1}' "$work/wrk.txt")
  US_PER_REQ=$(awk -v a="$after" -v b="$before" -v t="$TICK" -v n="$total" 'BEGIN{ printf "%.1f", (a-b)/t*1e6/n }')
  P99=$(awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; print v}' "$work/wrk.txt")
}

echo "warming up (JIT) ..."
run_wrk "$url_boxd" "${WARMUP:-20s}"
run_wrk "$url_nginx" 2s

best_b=0; best_b_p99=0; best_n=0; best_n_p99=0
for r in $(seq 1 "$ROUNDS"); do
  run_wrk "$url_nginx" "$DURATION" "$nginx_pid"; n=$RPS; n99=$P99; ncpu=$US_PER_REQ
  run_wrk "$url_boxd" "$DURATION" "$proxy_pid"; b=$RPS; b99=$P99; bcpu=$US_PER_REQ
  printf 'round %d: nginx %8.0f req/s p99 %7.2f ms %6.1f us CPU/req | boxd %8.0f req/s p99 %7.2f ms %6.1f us CPU/req\n' \
    "$r" "$n" "$n99" "$ncpu" "$b" "$b99" "$bcpu"
  echo "$ncpu" >> "$work/ncpu"; echo "$bcpu" >> "$work/bcpu"
  if awk -v a="$n" -v b="$best_n" 'BEGIN{exit !(a>b)}'; then best_n=$n; best_n_p99=$n99; fi
  if awk -v a="$b" -v b="$best_b" 'BEGIN{exit !(a>b)}'; then best_b=$b; best_b_p99=$b99; fi
done
echo
echo "wrk -t$THREADS -c$CONNS -d$DURATION, best of $ROUNDS rounds, loopback, $(nproc) CPUs"
printf 'nginx %s reverse proxy: %10.0f req/s  p99 %7.2f ms\n' "$(nginx -v 2>&1 | sed 's/.*\///')" "$best_n" "$best_n_p99"
printf 'boxd proxy:               %10.0f req/s  p99 %7.2f ms\n' "$best_b" "$best_b_p99"
awk -v b="$best_b" -v n="$best_n" 'BEGIN{r=b/n; printf "ratio boxd/nginx: %.2fx (goal >= 0.90x): %s\n", r, (r>=0.9?"met":"NOT met")}'
med() { sort -n "$1" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "CPU per request (median of rounds; independent of other load on the machine): nginx $(med "$work/ncpu") us, boxd $(med "$work/bcpu") us"
exec 3>&-
