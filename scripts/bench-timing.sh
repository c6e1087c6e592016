#!/bin/bash
# Who exists, told by the clock (docs/benchmarks.md, "User existence and timing"): runs
# UserExistenceTimingIT, the real sasldb-authd in-process on its two sockets, with more probes
# than CI uses, and prints its tables (median per user kind, Vargha-Delaney A and Mann-Whitney p
# against an unknown user, per mechanism; a plaintext store and a hashed store).
#
# Usage: scripts/bench-timing.sh [SAMPLES]     (default 1000 per user kind and mechanism)
# Exits non-zero if any kind is told apart from an unknown user (p < 0.001 and |A - 0.5| > 0.1).
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
SAMPLES=${1:-1000}
cd "$HERE"
LOG=$(mktemp); trap 'rm -f "$LOG"' EXIT
rc=0
# An integration test (Failsafe): no unit test and no other IT runs, and no static analysis.
mvn -q -pl auxprop-bridge/daemon -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=UserExistenceTimingIT -Dfailsafe.failIfNoSpecifiedTests=false -Dspotbugs.skip=true \
  -Dsasldb4j.timingSamples="$SAMPLES" >"$LOG" 2>&1 || rc=$?
grep -A30 '^UserExistenceTimingIT, ' "$LOG" | grep -E '^UserExistenceTimingIT|^\|' || true
if [ "$rc" -ne 0 ]; then
  echo "bench-timing: FAILED (a kind of user was told apart, or the build failed; log follows)" >&2
  tail -50 "$LOG" >&2
fi
exit "$rc"
