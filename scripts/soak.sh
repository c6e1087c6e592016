#!/usr/bin/env bash
# Soak test of sasldb-authd (issue "months without a restart"): runs the real daemon with both
# sockets for a given time under waves of concurrent logins on every mechanism (PLAIN, LOGIN,
# CRAM-MD5, SCRAM-SHA-1, SCRAM-SHA-256 on the Dovecot socket; the saslauthd protocol), for
# plaintext, hashed-only and disabled users, wrong passwords and unknown users, while the real
# `saslpasswd` changes passwords, switches users between plaintext and hashed secrets, adds and
# deletes users and imports --batch files into the same store, and SIGHUP reloads arrive.
#
# Every answer is checked against a model of the store (a change must be seen by the next login),
# and the daemon's RSS, open descriptors, threads and LMDB reader slots (`mdb_stat -r`) are sampled.
# Pauses between waves are longer than the connection pool's idle-thread timeout, so pool threads
# exit and new ones are created at every wave (the churn that once used up LMDB's reader table).
# It fails on any wrong answer or temporary failure, or when a series is not flat after warm-up:
#   last third of the samples after warm-up, max  <=  first third's max x 1.2 + 16 MiB   (RSS)
#                                                  <=  first third's max + 2               (fds, threads, reader slots)
#
# Usage: scripts/soak.sh [DURATION_SECONDS]     (default 120; CI runs the default)
# Environment:
#   SOAK_OUT=DIR        keep samples.csv, chart.svg and the daemon log there (default: a temporary
#                       directory, removed unless the test fails)
#   SOAK_SVG=FILE       also copy the chart there (docs/soak-30min.svg for the documented run)
#   SOAK_CONCURRENCY    connections per wave (default 40); SOAK_POOL_IDLE (default 2s, used when
#   the daemon has --pool-idle-timeout; else the pool's fixed 60 s applies and pauses are 65 s)
#   SOAK_ARGS           extra arguments for scripts/soak.py (see its --help)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export LC_ALL=C.UTF-8
DURATION=${1:-120}
for t in python3 mdb_stat; do
    command -v "$t" >/dev/null || { echo "soak: $t missing (scripts/install-test-deps.sh installs lmdb-utils)" >&2; exit 1; }
done

WORK=$(mktemp -d /tmp/sasldb4j-soak.XXXXXX)
OUT=${SOAK_OUT:-$WORK/out}
mkdir -p "$OUT"
PID=
status=1
cleanup() {
    set +e
    if [ -n "$PID" ]; then kill -TERM "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; fi
    if [ "$status" != 0 ] && [ -z "${SOAK_OUT:-}" ]; then
        echo "soak: daemon log (last 30 lines):" >&2
        tail -n 30 "$WORK/authd.log" >&2
        kept=$(mktemp -d /tmp/sasldb4j-soak-failed.XXXXXX)
        cp -r "$OUT"/. "$kept"/ && echo "soak: samples, chart and log kept in $kept" >&2
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bin/saslpasswd --help >/dev/null 2>&1 || { echo "soak: bin/saslpasswd does not start" >&2; exit 1; }
help=$(bin/sasldb-authd --help 2>&1) || { echo "soak: bin/sasldb-authd does not start" >&2; exit 1; }
POOL_ARGS=()
if grep -q -- --pool-idle-timeout <<<"$help"; then
    POOL_IDLE=${SOAK_POOL_IDLE:-2s}
    POOL_ARGS=(--pool-idle-timeout "$POOL_IDLE")
    idle_s=$(python3 -c "import re,sys; v=sys.argv[1]; m=re.fullmatch(r'(\d+)(ms|s|m)?',v); n=int(m[1]); print({'ms':n/1000,'m':n*60}.get(m[2],n))" "$POOL_IDLE")
else
    echo "soak: this daemon has no --pool-idle-timeout: its pool keeps idle threads 60 s, so pauses are 65 s" >&2
    idle_s=60
fi
# Every client of soak.py is rip=127.0.0.1 and a share of its logins fail on purpose: the throttle
# would hold all of them, so it is off (a throughput test, not a guessing replay).
grep -q -- '--throttle ' <<<"$help" && POOL_ARGS+=(--throttle off)
PAUSE=$(python3 -c "i = float('$idle_s'); print(min(i * 1.5 + 1, i + 5))")
WARMUP=$(python3 -c "print(max(30, min(300, $DURATION * 0.15), float('$PAUSE') + 12))")

mkdir -m 0700 "$WORK/db" "$WORK/run"
STORE=$WORK/db/sasldb
# The store exists before the daemon starts; soak.py then fills it with the real saslpasswd.
printf 'seedpw' | bin/saslpasswd -p -c -f "$STORE" -u example.org seed >/dev/null
# --queue-timeout 60s: on a starved machine (CI neighbours) Argon2 logins wait for the hashing budget
# instead of getting the temporary failure a full queue answers after 5 s; any temporary failure is then
# a defect (reader table full, store unreadable) and fails the test.
bin/sasldb-authd --foreground -f "$STORE" --realm example.org \
    --dovecot-socket "$WORK/run/auth" --saslauthd-socket "$WORK/run/mux" \
    --failure-delay 20ms --queue-timeout 60s --log-level WARNING "${POOL_ARGS[@]}" >"$WORK/authd.log" 2>&1 &
PID=$!
for _ in $(seq 300); do [ -S "$WORK/run/mux" ] && [ -S "$WORK/run/auth" ] && break; sleep 0.1; done
[ -S "$WORK/run/mux" ] || { echo "soak: sasldb-authd did not start" >&2; exit 1; }

echo "soak: daemon pid $PID, ${DURATION}s, pool idle ${idle_s}s, pauses ${PAUSE}s, warm-up ${WARMUP}s; load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
set +e
# shellcheck disable=SC2086
python3 scripts/soak.py soak --pid "$PID" --store "$STORE" --dovecot "$WORK/run/auth" --saslauthd "$WORK/run/mux" \
    --saslpasswd "$ROOT/bin/saslpasswd" --work "$WORK" --duration "$DURATION" --pause "$PAUSE" --warmup "$WARMUP" \
    --concurrency "${SOAK_CONCURRENCY:-40}" --csv "$OUT/samples.csv" --svg "$OUT/chart.svg" \
    --title "sasldb-authd soak test, $((DURATION / 60)) min $((DURATION % 60)) s, $(date -u +%Y-%m-%d), $(nproc) cores" \
    ${SOAK_ARGS:-}
status=$?
set -e
kill -0 "$PID" 2>/dev/null || { echo "soak: FAIL: the daemon died" >&2; status=1; }
cp "$WORK/authd.log" "$OUT/authd.log" 2>/dev/null || true
[ -n "${SOAK_SVG:-}" ] && cp "$OUT/chart.svg" "$SOAK_SVG"
if [ "$status" = 0 ]; then echo "soak: PASS" >&2; else echo "soak: FAIL" >&2; fi
exit "$status"
