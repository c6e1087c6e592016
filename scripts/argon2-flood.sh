#!/usr/bin/env bash
# Argon2 flood: does --memory-budget bound the daemon's memory, measured as RSS?
#
# Starts sasldb-authd (as bin/sasldb-authd launches it) on a store of hashed-only users (Argon2id,
# m=19 MiB), opens FLOOD_CONNECTIONS (default 240) Dovecot-protocol connections at once, each
# logging in with AUTH PLAIN (one Argon2id verification each), FLOOD_ROUNDS times (default 3) with
# FLOOD_SETTLE seconds (default 10) between, and samples VmRSS every 0.5 s.
# Fails when
#   - the peak RSS exceeds the RSS before the flood + the budget (FLOOD_BUDGET MiB, default 512)
#     + 128 MiB (thread stacks, socket buffers and heap of FLOOD_CONNECTIONS connections), or
#   - the RSS after the flood exceeds the RSS before it + 192 MiB (hash memory kept by malloc; what
#     remains legitimately is the heap grown for FLOOD_CONNECTIONS connections and the stacks of the
#     pool threads, still alive for the pool's idle timeout: about 120 MiB for 240), or
#   - a login fails (temporary failures of a full hashing queue are allowed and counted).
# Prints one FLOOD_RESULT line; FLOOD_OUT=DIR keeps the samples (CSV) and the daemon log.
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C.UTF-8
CONNS=${FLOOD_CONNECTIONS:-240} ROUNDS=${FLOOD_ROUNDS:-3} SETTLE=${FLOOD_SETTLE:-10} BUDGET=${FLOOD_BUDGET:-512}
HASHED=10
command -v python3 >/dev/null || { echo "argon2-flood: python3 missing" >&2; exit 1; }
WORK=$(mktemp -d /tmp/sasldb4j-flood.XXXXXX)
OUT=${FLOOD_OUT:-$WORK/out}
mkdir -p "$OUT"
PID=
cleanup() {
    set +e
    if [ -n "$PID" ]; then kill -TERM "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -m 0700 "$WORK/db" "$WORK/run"
STORE=$WORK/db/sasldb
for i in $(seq 0 $((HASHED - 1))); do
    printf 'flood-pw' | bin/saslpasswd -p -n -f "$STORE" -u example.org "h$i" >/dev/null
done
# --queue-timeout 60s: every login waits for its share of the budget, so the flood runs at the
# budget's full concurrency for as long as it lasts.
bin/sasldb-authd --foreground -f "$STORE" --realm example.org --dovecot-socket "$WORK/run/auth" \
    --memory-budget "$BUDGET" --queue-timeout 60s --max-connections $((CONNS + 16)) --log-level WARNING \
    >"$WORK/authd.log" 2>&1 &
PID=$!
for _ in $(seq 300); do [ -S "$WORK/run/auth" ] && break; sleep 0.1; done
[ -S "$WORK/run/auth" ] || { cat "$WORK/authd.log" >&2; echo "argon2-flood: sasldb-authd did not start" >&2; exit 1; }
echo "argon2-flood: daemon pid $PID, $CONNS connections x $ROUNDS rounds, budget $BUDGET MiB;" \
    "MALLOC_ARENA_MAX=$(tr '\0' '\n' < /proc/$PID/environ | sed -n 's/^MALLOC_ARENA_MAX=//p')" \
    "MALLOC_MMAP_THRESHOLD_=$(tr '\0' '\n' < /proc/$PID/environ | sed -n 's/^MALLOC_MMAP_THRESHOLD_=//p');" \
    "load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
status=0
python3 scripts/soak.py flood --pid "$PID" --store "$STORE" --dovecot "$WORK/run/auth" --password flood-pw \
    --hashed-users "$HASHED" --concurrency "$CONNS" --per-connection 1 --rounds "$ROUNDS" --settle "$SETTLE" \
    --sample-every 0.5 --budget "$BUDGET" --slack 128 --after-slack 192 --csv "$OUT/samples.csv" || status=$?
kill -0 "$PID" 2>/dev/null || { echo "argon2-flood: FAIL: the daemon died" >&2; status=1; }
cp "$WORK/authd.log" "$OUT/" 2>/dev/null || true
if [ "$status" = 0 ]; then echo "argon2-flood: PASS" >&2; else echo "argon2-flood: FAIL" >&2; fi
exit "$status"
