#!/usr/bin/env bash
# Attack replay: a password-guessing run against one account from many client addresses through
# a real Postfix (swaks from 127.0.0.11-16, which Postfix passes to the daemon as rip=), against
# sasldb-authd with its throttle at the defaults (--throttle-delay 2s doubling to 8s): each
# later guess must wait longer (0, 2, 4, 8, 8 s), while the real user, logging in from a clean
# address during the attack, gets 235 at once, and her success does not reset the attacker.
# Runs scripts/interop.sh's private Postfix and sasldb-authd with INTEROP_ONLY=guessing.
# Prints "PASS guessing: ..." or "FAIL guessing: ..."; exits 0 only on PASS.
# Environment: ATTACK_PORT_BASE (default 13500). Needs root (Postfix), as interop.sh.
set -uo pipefail
cd "$(dirname "$0")/../.."
out=$(INTEROP_PORT_BASE=${ATTACK_PORT_BASE:-13500} INTEROP_ONLY=guessing scripts/interop.sh 2>&1)
rc=$?
printf '%s\n' "$out" | grep -E '^(PASS|FAIL) ' | sed 's/^/  /'
if [ "$rc" -eq 0 ]; then
    echo "PASS guessing: guesses at one account from 6 addresses waited 0, 2, 4, 8, 8, 8 s; its user from a clean address got 235 at once"
    exit 0
fi
echo "FAIL guessing: $(printf '%s\n' "$out" | grep -E '^FAIL |interop: ' | head -3 | tr '\n' ' ')"
exit 1
