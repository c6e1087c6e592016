#!/usr/bin/env bash
# Measures how long sasldb-authd (started by bin/sasldb-authd, as the unit starts it) takes from
# SIGTERM to exit, with both sockets and 20 idle Dovecot connections open (Postfix keeps one per
# smtpd process), over $1 runs (default 5). Prints each time, the median and the maximum; also
# checks the exit status (0), that both sockets are gone and the JVM's heap cap (-Xmx).
# Results: docs/benchmarks.md ("SIGTERM to exit").
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
tmp=$(mktemp -d)
trap 'kill "${holder:-0}" 2>/dev/null || true; rm -rf "$tmp"' EXIT
printf secret | bin/saslpasswd -p -c -f "$tmp/sasldb2" -u example.org alice
mkdir -m 0700 "$tmp/run"
times=()
for i in $(seq "$runs"); do
    bin/sasldb-authd -f "$tmp/sasldb2" --realm example.org --dovecot-socket "$tmp/run/auth" \
        --saslauthd-socket "$tmp/run/mux" 2>"$tmp/log" &
    pid=$!
    for _ in $(seq 600); do [ -S "$tmp/run/auth" ] && [ -S "$tmp/run/mux" ] && break; sleep 0.05; done
    [ -S "$tmp/run/auth" ] || { cat "$tmp/log" >&2; echo "FAIL bench-sigterm: the daemon did not start"; exit 1; }
    [ "$i" = 1 ] && echo "heap: $(tr '\0' '\n' < /proc/$pid/cmdline | grep -- '^-Xmx' || echo 'no -Xmx')"
    python3 -c '
import socket, sys, time
cs = []
for _ in range(20):
    c = socket.socket(socket.AF_UNIX); c.connect(sys.argv[1]); cs.append(c)
print("held", flush=True)
time.sleep(3600)' "$tmp/run/auth" > "$tmp/held" &
    holder=$!
    for _ in $(seq 200); do grep -q held "$tmp/held" 2>/dev/null && break; sleep 0.05; done
    t0=$(date +%s%N)
    kill -TERM "$pid"
    rc=0; wait "$pid" || rc=$?
    t1=$(date +%s%N)
    kill "$holder"; wait "$holder" 2>/dev/null || true
    ms=$(( (t1 - t0) / 1000000 ))
    times+=("$ms")
    left=$(ls "$tmp/run")
    echo "run $i: SIGTERM to exit ${ms} ms, exit status $rc, sockets left: ${left:-none}"
    [ "$rc" = 0 ] && [ -z "$left" ] || { echo "FAIL bench-sigterm: unclean stop"; exit 1; }
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
echo "SIGTERM to exit over $runs runs: median $(sed -n "$(( (runs + 1) / 2 ))p" <<<"$sorted") ms, max $(tail -n1 <<<"$sorted") ms"
