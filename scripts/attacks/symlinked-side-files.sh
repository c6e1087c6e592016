#!/usr/bin/env bash
# Attack replay: a local user who can write a store's directory plants links and files beside
# or instead of the store, then root runs the real tools (bin/saslpasswd, bin/sasldblistusers,
# bin/sasldbconvert, bin/sasldb-authd --pid-file). The defence holds when every tool refuses
# with one line and a non-zero exit, and the victim (a root file standing for /etc/passwd)
# keeps its bytes, mode, owner, group and inode.
#
# Needs root (the attacker's steps run as nobody through setpriv, from util-linux).
# Prints PASS/FAIL lines; exits 0 only if every defence held. No servers, no ports
# ($ATTACK_PORT_BASE is not used).
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
[ "$(id -u)" = 0 ] || { echo "FAIL symlinked-side-files: must run as root (the attacker is another user)"; exit 1; }
command -v setpriv >/dev/null || { echo "FAIL symlinked-side-files: setpriv (util-linux) is missing"; exit 1; }

W=$(mktemp -d /tmp/attack-side-files.XXXXXX)
trap 'rm -rf "$W"' EXIT
chmod 0711 "$W"
failed=0
pass() { echo "PASS symlinked-side-files: $1"; }
fail() { echo "FAIL symlinked-side-files: $1"; failed=1; }
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }

victim=$W/passwd
printf 'root:x:0:0:root:/root:/bin/bash\n' > "$victim"
chmod 0644 "$victim"
fingerprint() { printf '%s %s\n' "$(sha256sum < "$victim")" "$(stat -c '%a %u %g %i %h' "$victim")"; }
before=$(fingerprint)

# expect_refusal NAME CMD...: non-zero exit, exactly one line on stderr, victim unchanged.
expect_refusal() {
    local name=$1; shift
    local rc=0
    "$@" > "$W/out" 2> "$W/err" < "$W/pw" || rc=$?
    local lines
    lines=$(grep -c '' "$W/err")
    if [ "$(fingerprint)" != "$before" ]; then
        fail "$name: the victim file changed: $(stat -c '%a %U:%G' "$victim")"
    elif [ "$rc" = 0 ]; then
        fail "$name: exit 0 (expected a refusal)"
    elif [ "$lines" != 1 ]; then
        fail "$name: expected one line on stderr, got $lines: $(head -c 600 "$W/err")"
    else
        pass "$name: refused (exit $rc): $(cat "$W/err")"
    fi
}

printf 'pw' > "$W/pw"
PW=$root/bin/saslpasswd
LIST=$root/bin/sasldblistusers
CONVERT=$root/bin/sasldbconvert
AUTHD=$root/bin/sasldb-authd
# Build the jars now, so that build messages do not count as output of the runs below.
for t in "$PW" "$LIST" "$CONVERT" "$AUTHD"; do "$t" --help > /dev/null 2>&1 || true; done

# 1. A careless world-writable spool: root made the store, then the directory became 0777.
spool=$W/spool
mkdir -m 0755 "$spool"
"$PW" -p -c -f "$spool/sasldb2" -u ex.org alice < "$W/pw" || fail "setup: cannot create the store"
chmod 0777 "$spool"
nobody rm -f "$spool/sasldb2-lock"
nobody ln -s "$victim" "$spool/sasldb2-lock"
expect_refusal "saslpasswd, -lock linked to a root file in a 0777 directory" "$PW" -p -c -f "$spool/sasldb2" -u ex.org bob
expect_refusal "sasldblistusers, -lock linked to a root file in a 0777 directory" "$LIST" "$spool/sasldb2"
nobody ln -s "$victim" "$spool/new.lmdb-lock"
expect_refusal "sasldbconvert, target's -lock linked to a root file" "$CONVERT" "$root/store/migration/src/test/resources/corpus/small.sasldb2" "$spool/new.lmdb"
[ -e "$spool/new.lmdb" ] && fail "sasldbconvert left $spool/new.lmdb behind"

# 2. A sticky shared directory (like /tmp): others may add entries but not replace ours.
tmp=$W/tmp
mkdir -m 1777 "$tmp"
"$PW" -p -c -f "$tmp/sasldb2" -u ex.org alice < "$W/pw" || fail "setup: cannot create the store in a sticky directory"
rm -f "$tmp/sasldb2-lock"   # e.g. a store copied in without its lock file
nobody ln -s "$victim" "$tmp/sasldb2-lock"
expect_refusal "saslpasswd, -lock planted in a sticky directory" "$PW" -p -c -f "$tmp/sasldb2" -u ex.org bob
expect_refusal "sasldblistusers, -lock planted in a sticky directory" "$LIST" "$tmp/sasldb2"
nobody sh -c "umask 0; : > '$tmp/planted'"
expect_refusal "saslpasswd, planted 0666 zero-byte store" "$PW" -p -c -f "$tmp/planted" -u ex.org bob
[ -s "$tmp/planted" ] && fail "the planted store was written"
: > "$W/empty"
nobody ln -s "$W/empty" "$tmp/linked"
expect_refusal "saslpasswd, planted link to an empty file as the store" "$PW" -p -c -f "$tmp/linked" -u ex.org bob
[ -s "$W/empty" ] && fail "the empty file behind the link was written"

# 3. No attacker: umask 022; touch z; saslpasswd -f z u@r must end at 0640, not 0644.
mkdir -m 0755 "$W/own"
( umask 022; touch "$W/own/z"; "$PW" -p -c -f "$W/own/z" u@r < "$W/pw" ) || fail "saslpasswd on a touched file failed"
mode=$(stat -c '%a' "$W/own/z" "$W/own/z-lock" | tr '\n' ' ')
if [ "$mode" = "640 640 " ]; then pass "touched zero-byte store and its lock end at 0640"; else fail "touched store modes: $mode (want 640 640)"; fi

# 4. --pid-file planted as a link to a root file.
mkdir -m 0755 "$W/run" "$W/sock"
ln -s "$victim" "$W/run/authd.pid"
expect_refusal "sasldb-authd, --pid-file is a link to a root file" timeout 60 "$AUTHD" --foreground -f "$W/own/z" \
    --dovecot-socket "$W/sock/auth" --pid-file "$W/run/authd.pid"
[ -e "$W/sock/auth" ] && fail "sasldb-authd left its socket behind"

exit $failed
