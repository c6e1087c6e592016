#!/usr/bin/env bash
# Tests docs/fail2ban/sasldb-authd.conf with Debian's fail2ban-regex against a real log of the
# daemon: starts bin/sasldb-authd on a scratch store (UNIX sockets in a scratch directory, stderr
# to a file as a hand-started daemon writes it), makes failed logins of every kind that is the
# client's doing from several addresses (Postfix's rip=, IPv4 and IPv6) over the Dovecot protocol,
# successes, a saslauthd failure without an address and a real temporary failure (the store moved
# away), then requires fail2ban-regex to match exactly the client's failures, with their hosts.
# Fails when fail2ban-regex is missing (scripts/install-test-deps.sh installs fail2ban).
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C.UTF-8
REALM=example.org
log() { echo "fail2ban-check: $*" >&2; }
fail() { echo "FAIL fail2ban-check: $*"; exit 1; }

command -v fail2ban-regex >/dev/null 2>&1 || fail "fail2ban-regex not found: install Debian's fail2ban (scripts/install-test-deps.sh)"
command -v python3 >/dev/null 2>&1 || fail "python3 not found"

WORK=$(mktemp -d /tmp/sasldb4j-fail2ban.XXXXXX)
chmod 0700 "$WORK"
AUTHD_PID=
cleanup() {
    set +e
    if [ -n "$AUTHD_PID" ] && kill -0 "$AUTHD_PID" 2>/dev/null; then
        kill -TERM "$AUTHD_PID"
        wait "$AUTHD_PID" 2>/dev/null
    fi
    [ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

STORE=$WORK/store/sasldb
mkdir -m 0700 "$WORK/store"
add() { printf '%s' "$2" | bin/saslpasswd -p -c -f "$STORE" -u "$REALM" "$1" >/dev/null || fail "saslpasswd $1"; }
add alice alicepw
add dis dispw
bin/saslpasswd --disable -f "$STORE" -u "$REALM" dis >/dev/null || fail "saslpasswd --disable"

bin/sasldb-authd --foreground -f "$STORE" --realm "$REALM" --dovecot-socket "$WORK/auth" \
    --saslauthd-socket "$WORK/mux" --failure-delay 0 >"$WORK/authd.log" 2>&1 &
AUTHD_PID=$!
for _ in $(seq 300); do
    [ -S "$WORK/auth" ] && [ -S "$WORK/mux" ] && break
    kill -0 "$AUTHD_PID" 2>/dev/null || { cat "$WORK/authd.log" >&2; fail "sasldb-authd exited"; }
    sleep 0.1
done
[ -S "$WORK/mux" ] || fail "sasldb-authd did not create its sockets"

# One login per line: address mechanism user password [expected reply word]. The client speaks
# the Dovecot protocol as Postfix does (rip= is the SMTP client's address).
login() {
    python3 - "$WORK/auth" "$@" <<'PY'
import base64, hashlib, hmac, socket, sys
path, rip, mech, user, pw = sys.argv[1:6]
s = socket.socket(socket.AF_UNIX); s.connect(path)
f = s.makefile("rwb")
f.write(b"VERSION\t1\t2\nCPID\t4242\n"); f.flush()
def line():
    l = f.readline()
    return l.decode().rstrip("\n")
while line() != "DONE":
    pass
base = "AUTH\t1\t%s\tservice=smtp\tnologin\tlip=127.0.0.1\trip=%s" % (mech, rip)
if mech == "PLAIN":
    f.write(("%s\tresp=%s\n" % (base, base64.b64encode(b"\0" + user.encode() + b"\0" + pw.encode()).decode())).encode())
elif mech == "CRAM-MD5":
    f.write(("%s\n" % base).encode()); f.flush()
    ch = base64.b64decode(line().split("\t")[2])
    d = hmac.new(pw.encode(), ch, hashlib.md5).hexdigest()
    f.write(("CONT\t1\t%s\n" % base64.b64encode((user + " " + d).encode()).decode()).encode())
elif mech == "BADB64":
    f.write(("AUTH\t1\tPLAIN\tservice=smtp\tnologin\tlip=127.0.0.1\trip=%s\tresp=!!notbase64\n" % rip).encode())
f.flush()
reply = line()
print(reply.split("\t")[0] if reply else "CLOSED")
PY
}
expect() {
    local want=$1; shift
    local got
    got=$(login "$@" 2>&1) || true
    [ "$got" = "$want" ] || fail "login $* answered '$got', expected '$want'"
}

# The client's failures: host -> count.
expect FAIL 192.0.2.1 PLAIN alice wrong1
expect FAIL 192.0.2.1 PLAIN alice wrong2
expect FAIL 192.0.2.1 CRAM-MD5 alice wrong3
expect FAIL 192.0.2.2 PLAIN nobody x
expect FAIL 192.0.2.2 CRAM-MD5 nobody x
expect FAIL 2001:db8::5 PLAIN dis dispw
expect FAIL 198.51.100.7 BADB64 - -
expect FAIL 198.51.100.7 PLAIN "alice@other.test" alicepw
# A user name trying to forge another address into the line: the ban goes to its sender.
expect FAIL 192.0.2.3 PLAIN "x rip=198.51.100.1 service=smtp" x
# Not the client's fault, or not a failure: never matched.
expect OK 192.0.2.1 PLAIN alice alicepw
expect OK 203.0.113.9 CRAM-MD5 alice alicepw
expect OK 2001:db8::5 PLAIN "alice@$REALM" alicepw
# saslauthd without a client address: logged with rip=-, nothing to ban.
python3 - "$WORK/mux" <<'PY'
import socket, struct, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(b"".join(struct.pack(">H", len(x)) + x for x in [b"alice", b"wrong", b"smtp", b"example.org"]))
n = struct.unpack(">H", s.recv(2))[0]
r = s.recv(n)
assert r.startswith(b"NO"), r
PY
# A real temporary failure: the store is gone (the daemon checks its path every second).
mv "$STORE" "$STORE.away"
for _ in $(seq 50); do
    got=$(login 192.0.2.99 PLAIN alice alicepw 2>&1) || true
    [ "$got" = "CLOSED" ] && break
    sleep 0.2
done
[ "$got" = "CLOSED" ] || fail "no temporary failure with the store moved away (answer '$got')"
mv "$STORE.away" "$STORE"
grep -q 'result=tempfail reason=temporary .*rip=192.0.2.99' "$WORK/authd.log" \
    || { cat "$WORK/authd.log" >&2; fail "the temporary failure was not logged"; }

kill -TERM "$AUTHD_PID"; wait "$AUTHD_PID" 2>/dev/null || true; AUTHD_PID=

EXPECTED=$(printf '%s\n' "3 192.0.2.1" "2 192.0.2.2" "1 2001:db8::5" "2 198.51.100.7" "1 192.0.2.3" | sort)
GOT=$(fail2ban-regex -o ip "$WORK/authd.log" docs/fail2ban/sasldb-authd.conf | sort | uniq -c | awk '{print $1, $2}' | sort)
SUMMARY=$(fail2ban-regex "$WORK/authd.log" docs/fail2ban/sasldb-authd.conf | grep '^Lines:')
if [ "$GOT" != "$EXPECTED" ]; then
    cat "$WORK/authd.log" >&2
    fail "fail2ban-regex matched hosts (count host): $(echo $GOT), expected: $(echo $EXPECTED)"
fi
echo "$SUMMARY" | grep -q ' 9 matched' || fail "fail2ban-regex: $SUMMARY (expected 9 matched)"
echo "PASS fail2ban-check: the filter matched the 9 client failures with their hosts, no success, temporary failure or address-less line ($SUMMARY)"
