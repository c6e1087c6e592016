#!/usr/bin/env bash
# Attack replay: SMTP clients that abort every AUTH exchange with "*" (16 sessions x 9 aborted
# AUTH LOGIN exchanges through a real Postfix) must not make later logins fail; and a store that
# becomes unreadable while the daemon runs must reach the SMTP client as 454 4.7.0, never 535.
# Runs scripts/interop.sh's private Postfix and sasldb-authd with INTEROP_ONLY=attacks.
# Prints "PASS abandoned-exchanges: ..." or "FAIL abandoned-exchanges: ..."; exits 0 only on PASS.
# Environment: ATTACK_PORT_BASE (default 13400). Needs root (Postfix), as interop.sh.
set -uo pipefail
cd "$(dirname "$0")/../.."
out=$(INTEROP_PORT_BASE=${ATTACK_PORT_BASE:-13400} INTEROP_ONLY=attacks scripts/interop.sh 2>&1)
rc=$?
printf '%s\n' "$out" | grep -E '^(PASS|FAIL) ' | sed 's/^/  /'
if [ "$rc" -eq 0 ]; then
    echo "PASS abandoned-exchanges: 144 aborted exchanges left PLAIN/LOGIN/CRAM-MD5 logins at 235; an unreadable store gave 454, then 235 again"
    exit 0
fi
echo "FAIL abandoned-exchanges: $(printf '%s\n' "$out" | grep -E '^FAIL |interop: ' | head -3 | tr '\n' ' ')"
exit 1
