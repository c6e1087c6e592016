#!/usr/bin/env bash
# Attack replay: SMTP clients that abort every AUTH exchange with "*" (16 sessions x 9 aborted
# AUTH LOGIN exchanges through a real Postfix, twice) must not make later logins fail.
# Runs scripts/interop.sh's private Postfix and sasldb-authd with INTEROP_ONLY=attacks.
# Prints "PASS abandoned-exchanges: ..." or "FAIL abandoned-exchanges: ..."; exits 0 only on PASS.
# Environment: ATTACK_PORT_BASE (default 13400). Needs root (Postfix), as interop.sh.
set -uo pipefail
cd "$(dirname "$0")/../.."
out=$(INTEROP_PORT_BASE=${ATTACK_PORT_BASE:-13400} INTEROP_ONLY=attacks scripts/interop.sh 2>&1)
rc=$?
printf '%s\n' "$out" | grep -E '^(PASS|FAIL) ' | sed 's/^/  /'
if [ "$rc" -eq 0 ]; then
    echo "PASS abandoned-exchanges: 2 x 144 exchanges aborted with * through Postfix filled a daemon connection's open requests (\"dropped the oldest\" logged), and PLAIN/LOGIN/CRAM-MD5 logins still got 235"
    exit 0
fi
echo "FAIL abandoned-exchanges: $(printf '%s\n' "$out" | grep -E '^FAIL |interop: ' | head -3 | tr '\n' ' ')"
exit 1
