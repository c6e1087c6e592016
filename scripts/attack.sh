#!/usr/bin/env bash
# Replays every attack sasldb4j has been put through, so that a defence that stops holding fails
# the build. Two kinds of replay (docs/security.md lists them all, with the actor and defence):
#
#   - JUnit tests tagged @Tag("attack") in every module (unit *Test and integration *IT), run
#     with `mvn verify -Dgroups=attack`;
#   - executable scripts scripts/attacks/*.sh for attacks that need real servers (Postfix) or
#     other OS users. Each replays one attack against a private instance, prints
#     "PASS <name>: ..." or "FAIL <name>: ..." lines, exits 0 only when the defence held, cleans
#     up after itself, and takes its ports from $ATTACK_PORT_BASE.
#
# Usage: scripts/attack.sh [--scripts-only | --tests-only]
#   --scripts-only  skip the JUnit replays. scripts/test.sh (CI) uses this: the plain
#                   `mvn verify` it runs before already runs every attack-tagged test (the
#                   build excludes no tag), so CI does not run them twice.
#   --tests-only    skip the scripts.
#
# Prints PASS/FAIL per replay and ends with "attack: N passed, M failed"; exits non-zero when a
# replay failed or could not run. A skipped JUnit replay counts as failed (it proved nothing).
#
# Environment: ATTACK_PORT_BASE (default 13700; script i of the sorted list gets
# ATTACK_PORT_BASE + 10*i, i from 0), ATTACK_SCRIPT_TIMEOUT (seconds per script, default 900),
# MVN (default mvn), MVN_ARGS (extra Maven arguments, e.g. -o).
# Needs root or sudo on a fresh machine: it installs the test tools through
# scripts/install-test-deps.sh, and scripts install what they need themselves.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH="$PATH:/usr/sbin:/sbin"
export LC_ALL=C.UTF-8

BASE=${ATTACK_PORT_BASE:-13700}
SCRIPT_TIMEOUT=${ATTACK_SCRIPT_TIMEOUT:-900}
MVN=${MVN:-mvn}
run_tests=1
run_scripts=1
case "${1:-}" in
    "") ;;
    --scripts-only) run_tests=0 ;;
    --tests-only) run_scripts=0 ;;
    -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "attack: unknown option '$1' (use --scripts-only, --tests-only or --help)" >&2; exit 2 ;;
esac

passed=0
failed=0
pass() { echo "PASS $*"; passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }
log() { echo "attack: $*" >&2; }

WORK=$(mktemp -d /tmp/sasldb4j-attack.XXXXXX)
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

if ! scripts/install-test-deps.sh; then
    fail "setup: scripts/install-test-deps.sh failed (needs root or sudo)"
fi

# --scripts-only relies on the plain `mvn verify` running the attack-tagged tests.
if [ "$run_tests" = 0 ] && grep -Eq '<excludedGroups>[^<]*attack' pom.xml */pom.xml; then
    fail "setup: a pom excludes the attack tag from mvn verify, so --scripts-only leaves the JUnit replays unrun"
fi

# --- JUnit replays -------------------------------------------------------------------------------
# Counts the test cases in the Surefire/Failsafe reports written by this run (newer than the
# marker); stale reports of earlier runs are ignored.
junit_results() {
    python3 - "$WORK/marker" "$ROOT" <<'EOF'
import os, sys, glob
import xml.etree.ElementTree as ET
marker, root = sys.argv[1], sys.argv[2]
since = os.stat(marker).st_mtime
seen = 0
# FOLDER/target/ (docs, sasldblistusers) or FOLDER/MODULE/target/ (store/api, auxprop-bridge/daemon...)
reports = glob.glob(os.path.join(root, '*', '*', '*-reports', 'TEST-*.xml')) \
    + glob.glob(os.path.join(root, '*', '*', '*', '*-reports', 'TEST-*.xml'))
for path in sorted(reports):
    if os.stat(path).st_mtime < since:
        continue
    try:
        suite = ET.parse(path).getroot()
    except ET.ParseError as e:
        print("FAIL junit:%s: unreadable report (%s)" % (os.path.basename(path), e))
        continue
    for case in suite.iter('testcase'):
        seen += 1
        name = "junit:%s.%s" % (case.get('classname', '?').rsplit('.', 1)[-1], case.get('name', '?'))
        bad = [c for c in case if c.tag in ('failure', 'error')]
        if bad:
            text = (bad[0].get('message') or '').strip() or bad[0].get('type') or bad[0].tag
            print("FAIL %s: %s" % (name, text.splitlines()[0][:200]))
        elif case.find('skipped') is not None:
            print("FAIL %s: skipped, so it proved nothing (%s)" % (name, (case.find('skipped').get('message') or '')[:200]))
        else:
            print("PASS %s: held" % name)
print("SEEN %d" % seen)
EOF
}

if [ "$run_tests" = 1 ]; then
    if ! command -v "$MVN" >/dev/null 2>&1; then
        if [ "$(id -u)" = 0 ]; then
            log "installing maven"
            { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq maven; } >/dev/null 2>&1
        fi
    fi
    if ! command -v "$MVN" >/dev/null 2>&1; then
        fail "junit: no '$MVN' on PATH (apt-get install maven)"
    else
        touch "$WORK/marker"
        sleep 1 # report times have a one-second resolution on some file systems
        log "running the attack-tagged JUnit tests (mvn verify -Dgroups=attack)"
        # shellcheck disable=SC2086
        "$MVN" -B -ntp ${MVN_ARGS:-} verify -Dgroups=attack -DfailIfNoTests=false \
            -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false \
            >"$WORK/mvn.log" 2>&1
        mvn_rc=$?
        junit_results >"$WORK/junit.txt" 2>&1 || echo "FAIL junit: cannot read the test reports" >>"$WORK/junit.txt"
        seen=$(sed -n 's/^SEEN //p' "$WORK/junit.txt")
        while IFS= read -r line; do
            case "$line" in
                "PASS "*) pass "${line#PASS }" ;;
                "FAIL "*) fail "${line#FAIL }" ;;
            esac
        done <"$WORK/junit.txt"
        if [ "$mvn_rc" != 0 ]; then
            fail "junit: mvn verify -Dgroups=attack exited $mvn_rc; its last lines:"
            grep -E '\[ERROR\]|BUILD|Tests run:' "$WORK/mvn.log" | tail -20 | sed 's/^/    /'
        elif [ "${seen:-0}" = 0 ]; then
            fail "junit: no attack-tagged test ran (is the tag still \"attack\"?)"
        fi
    fi
fi

# --- script replays ------------------------------------------------------------------------------
if [ "$run_scripts" = 1 ]; then
    i=0
    found=0
    for script in scripts/attacks/*.sh; do
        [ -e "$script" ] || continue
        if [ ! -x "$script" ]; then
            log "skipping $script: not executable (chmod +x it to make it a replay)"
            continue
        fi
        found=$((found + 1))
        name=$(basename "$script" .sh)
        port=$((BASE + 10 * i))
        i=$((i + 1))
        log "running $script (ATTACK_PORT_BASE=$port)"
        out="$WORK/$name.out"
        ATTACK_PORT_BASE=$port timeout --kill-after=30 "$SCRIPT_TIMEOUT" "$script" </dev/null >"$out" 2>"$WORK/$name.err"
        rc=$?
        lines=0
        while IFS= read -r line; do
            case "$line" in
                "PASS "*) pass "${line#PASS }"; lines=$((lines + 1)) ;;
                "FAIL "*) fail "${line#FAIL }"; lines=$((lines + 1)) ;;
                *) echo "    $line" ;;
            esac
        done <"$out"
        if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
            fail "$name: did not finish within ${SCRIPT_TIMEOUT}s"
        elif [ "$rc" != 0 ] && ! grep -q '^FAIL ' "$out"; then
            fail "$name: exited $rc without a FAIL line"
        elif [ "$rc" = 0 ] && grep -q '^FAIL ' "$out"; then
            fail "$name: printed FAIL but exited 0"
        elif [ "$lines" = 0 ]; then
            fail "$name: printed no PASS or FAIL line"
        fi
        if [ "$rc" != 0 ]; then
            echo "    --- $script stderr (last lines)"
            tail -20 "$WORK/$name.err" | sed 's/^/    /'
        fi
    done
    [ "$found" -gt 0 ] || log "no executable scripts/attacks/*.sh"
fi

echo "attack: $passed passed, $failed failed"
[ "$failed" = 0 ]
