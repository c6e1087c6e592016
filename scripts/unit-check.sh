#!/usr/bin/env bash
# Checks docs/sasldb-authd.service (or the unit given as $1) with systemd's own tools, offline
# (no running systemd needed, so it runs in CI containers):
#   - `systemd-analyze verify`: the unit parses and its ExecStart binary exists. The unit names
#     /usr/sbin/sasldb-authd, where the package installs it; a checkout has no such file, so the
#     check runs on a temporary copy whose ExecStart is the checkout's bin/sasldb-authd (the
#     copy differs from the unit in that one path only, and nothing is executed);
#   - `systemd-analyze security --offline=true`: the sandbox's exposure must stay at most
#     $UNIT_MAX_EXPOSURE (default 2.0); a setting removed or weakened makes this FAIL.
# Prints one PASS/FAIL line per check; exits 0 only if all passed. Needs systemd-analyze
# (Debian package systemd, installed by scripts/install-test-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
unit=${1:-docs/sasldb-authd.service}
max=${UNIT_MAX_EXPOSURE:-2.0}
PATH="$PATH:/usr/sbin:/sbin"
command -v systemd-analyze >/dev/null || { echo "FAIL unit-check: systemd-analyze is missing (apt-get install systemd)"; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
pass() { echo "PASS unit-check: $*"; }
fail() { echo "FAIL unit-check: $*"; fails=$((fails + 1)); }

# The copy keeps the unit's name: verify and security report by name. An installed unit (its
# ExecStart binary exists, scripts/package-test.sh) is checked unchanged.
copy="$tmp/${unit##*/}"
exec_start=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$unit")
if [ -x "$exec_start" ]; then
    cp "$unit" "$copy"
else
    sed "s|^ExecStart=/usr/sbin/sasldb-authd|ExecStart=$PWD/bin/sasldb-authd|" "$unit" > "$copy"
    grep -q "^ExecStart=$PWD/bin/sasldb-authd" "$copy" || fail "$unit: ExecStart is not /usr/sbin/sasldb-authd"
fi
# verify also loads the units named in Before=/Wants= (postfix@-.service), which a machine
# without Postfix lacks: only messages about our own unit count.
if out=$(systemd-analyze verify --man=no "$copy" 2>&1) && ! grep -F "${unit##*/}" <<<"$out" | grep -q .; then
    pass "systemd-analyze verify $unit"
else
    fail "systemd-analyze verify $unit: $out"
fi

report=$(systemd-analyze security --offline=true "$copy" 2>&1) || true
exposure=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' <<<"$report")
if [ -z "$exposure" ]; then
    fail "systemd-analyze security gave no exposure: $report"
elif awk -v e="$exposure" -v m="$max" 'BEGIN { exit !(e <= m) }'; then
    pass "exposure $exposure <= $max (systemd-analyze security --offline=true)"
else
    fail "exposure $exposure > $max; what is not sandboxed:"
    grep '✗' <<<"$report" >&2 || true
fi
# The drop-in an administrator adds for --rehash-on-login (docs/sasldb-authd-rehash.conf) must
# keep the unit valid and its exposure within the bound: checked on a copy of the unit with the
# drop-in's settings added to its [Service] section (only when checking the checkout's unit).
dropin=docs/sasldb-authd-rehash.conf
if [ "$unit" = docs/sasldb-authd.service ]; then
    mkdir "$tmp/dropin"
    both="$tmp/dropin/${unit##*/}"
    awk -v f="$dropin" '/^\[Install\]/ { while ((getline l < f) > 0) if (l !~ /^(#|\[|$)/) print l; print "" } { print }' \
        "$copy" > "$both"
    grep -q '^ReadWritePaths=-/etc/sasldb2$' "$both" || fail "$dropin: no ReadWritePaths= line was added"
    if out=$(systemd-analyze verify --man=no "$both" 2>&1) && ! grep -F "${unit##*/}" <<<"$out" | grep -q .; then
        pass "systemd-analyze verify $unit with $dropin"
    else
        fail "systemd-analyze verify $unit with $dropin: $out"
    fi
    report=$(systemd-analyze security --offline=true "$both" 2>&1) || true
    exposure=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' <<<"$report")
    if [ -n "$exposure" ] && awk -v e="$exposure" -v m="$max" 'BEGIN { exit !(e <= m) }'; then
        pass "exposure $exposure <= $max with $dropin"
    else
        fail "exposure '${exposure}' > $max with $dropin: $report"
    fi
fi
[ "$fails" = 0 ]
