#!/usr/bin/env bash
# Attack replay against the real sasldb-authd process (bin/sasldb-authd, default settings but
# for the sockets and realm), over an LMDB store made by bin/saslpasswd: the attacks that held
# when the project was attacked, sent the way a hostile client of the daemon's sockets would.
#   authzid     PLAIN and SCRAM-SHA-256 with alice's authzid and mallory's correct password
#   nul         NUL tricks in PLAIN, LOGIN and saslauthd fields
#   replay      recorded CRAM-MD5 response and SCRAM client-final sent again
#   nonce       SCRAM client-final with a nonce the server did not issue, proof right for it
#   overlong    16 KiB+ and 1 MiB Dovecot lines, 65535-byte saslauthd fields
#   serving     afterwards both sockets still log alice in and the process is alive
#   log         the daemon's log holds no password (plain, base64 or hex)
# Prints PASS/FAIL per attack; exits 0 only if every defence held. UNIX sockets only, in a
# private temporary directory: ATTACK_PORT_BASE is accepted and not needed.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
export LC_ALL=C.UTF-8
NAME=held-logins

fail_all() { echo "FAIL $NAME: $*"; exit 1; }
command -v python3 >/dev/null 2>&1 || scripts/install-test-deps.sh >&2 || fail_all "python3 missing and not installable"

WORK=$(mktemp -d /tmp/sasldb4j-attack-held.XXXXXX)
chmod 0700 "$WORK"
AUTHD_PID=
cleanup() {
    if [ -n "$AUTHD_PID" ] && kill -0 "$AUTHD_PID" 2>/dev/null; then
        kill -TERM "$AUTHD_PID"
        for _ in $(seq 50); do kill -0 "$AUTHD_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$AUTHD_PID" 2>/dev/null
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

umask 077
for u in alice:alicepw mallory:mallorypw; do
    printf '%s' "${u#*:}" | bin/saslpasswd -p -c -f "$WORK/sasldb" -u example.org "${u%%:*}" >/dev/null 2>"$WORK/saslpasswd.err" \
        || { cat "$WORK/saslpasswd.err" >&2; fail_all "bin/saslpasswd could not create the store"; }
done

bin/sasldb-authd --foreground -f "$WORK/sasldb" --realm example.org --secrets plaintext \
    --mechanisms "PLAIN LOGIN CRAM-MD5 SCRAM-SHA-256" \
    --dovecot-socket "$WORK/auth" --saslauthd-socket "$WORK/mux" >"$WORK/authd.log" 2>&1 &
AUTHD_PID=$!
for _ in $(seq 600); do
    [ -S "$WORK/auth" ] && [ -S "$WORK/mux" ] && break
    kill -0 "$AUTHD_PID" 2>/dev/null || { cat "$WORK/authd.log" >&2; fail_all "sasldb-authd exited at start"; }
    sleep 0.1
done
[ -S "$WORK/mux" ] || { cat "$WORK/authd.log" >&2; fail_all "sasldb-authd did not create its sockets"; }

python3 - "$WORK" "$AUTHD_PID" <<'EOF'
import base64, hashlib, hmac, os, socket, sys, time

work, pid = sys.argv[1], int(sys.argv[2])
AUTH = os.path.join(work, "auth")
MUX = os.path.join(work, "mux")
results = []

def report(name, ok, what):
    results.append(ok)
    print("%s held-logins/%s: %s" % ("PASS" if ok else "FAIL", name, what), flush=True)

def b64(b):
    return base64.b64encode(b if isinstance(b, bytes) else b.encode()).decode()

# The same few lines of Dovecot client as scripts/soak.py: a replay runs on its own, without
# importing another script.
class Dovecot:
    def __init__(self):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(15)
        self.s.connect(AUTH)
        self.buf = b""
        self.stash = {}
        self.send("VERSION\t1\t0\nCPID\t4242")
        while self.line() != "DONE":
            pass
    def send(self, text):
        self.s.sendall(text.encode() + b"\n")
    def line(self):
        while b"\n" not in self.buf:
            chunk = self.s.recv(65536)
            if not chunk:
                return None
            self.buf += chunk
        l, self.buf = self.buf.split(b"\n", 1)
        return l.decode()
    def reply(self, rid):
        """The next reply to request rid; replies to others (failures come late) are kept."""
        while rid not in self.stash:
            l = self.line()
            if l is None:
                return None
            self.stash.setdefault(int(l.split("\t")[1]), []).append(l)
        l = self.stash[rid].pop(0)
        if not self.stash[rid]:
            del self.stash[rid]
        return l
    def replies(self, ids):
        return {i: self.reply(i) for i in ids}
    def closed(self):
        try:
            while True:
                if not self.s.recv(65536):
                    return True
        except (ConnectionResetError, BrokenPipeError):
            return True
        except socket.timeout:
            return False

AUTH_LINE = "AUTH\t%d\t%s\tservice=smtp\tnologin\tlip=127.0.0.1\trip=192.0.2.66"

def saslauthd(fields, raw=None):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(15)
    s.connect(MUX)
    req = raw if raw is not None else b"".join(len(f).to_bytes(2, "big") + f for f in fields)
    try:
        s.sendall(req)
    except (BrokenPipeError, ConnectionResetError):
        pass
    data = b""
    try:
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    except (ConnectionResetError, socket.timeout):
        pass
    s.close()
    if len(data) < 2:
        return None
    return data[2:2 + int.from_bytes(data[:2], "big")].decode(errors="replace")

def scram_final(password, bare, server_first, gs2=b"n,,", nonce=None):
    attrs = dict(p.split("=", 1) for p in server_first.split(","))
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(attrs["s"]), int(attrs["i"]))
    ck = hmac.new(salted, b"Client Key", "sha256").digest()
    sk = hashlib.sha256(ck).digest()
    without = "c=%s,r=%s" % (b64(gs2), nonce or attrs["r"])
    sig = hmac.new(sk, ("%s,%s,%s" % (bare, server_first, without)).encode(), "sha256").digest()
    return without + ",p=" + b64(bytes(a ^ b for a, b in zip(ck, sig)))

def scram(c, rid, user, password, authzid="", nonce=None, final=None):
    """Returns (reply line, client-final sent)."""
    gs2 = "n,%s," % ("a=" + authzid if authzid else "")
    bare = "n=%s,r=clientnonce%d" % (user, rid)
    c.send(AUTH_LINE % (rid, "SCRAM-SHA-256") + "\tresp=" + b64(gs2 + bare))
    l = c.reply(rid)
    if not l.startswith("CONT\t"):
        return l, None
    server_first = base64.b64decode(l.split("\t")[2]).decode()
    fin = final or scram_final(password, bare, server_first, gs2.encode(), nonce)
    c.send("CONT\t%d\t%s" % (rid, b64(fin)))
    l = c.reply(rid)
    if l.startswith("CONT\t"):
        c.send("CONT\t%d\t" % rid)
        l = c.reply(rid)
    return l, fin

def fails(reply, rid):
    return reply is not None and reply.startswith("FAIL\t%d\t" % rid)

try:
    c = Dovecot()
    # authzid ---------------------------------------------------------------------------------
    c.send(AUTH_LINE % (1, "PLAIN") + "\tresp=" + b64(b"\0mallory\0mallorypw"))
    control = c.reply(1)
    ids = []
    for i, authzid in enumerate([b"alice", b"alice@example.org", b"ALICE"]):
        ids.append(10 + i)
        c.send(AUTH_LINE % (10 + i, "PLAIN") + "\tresp=" + b64(authzid + b"\0mallory\0mallorypw"))
    got = c.replies(ids)
    s_ok, _ = scram(c, 20, "mallory", "mallorypw")
    s_bad, _ = scram(c, 21, "mallory", "mallorypw", authzid="alice")
    ok = (control == "OK\t1\tuser=mallory@example.org" and all(fails(got.get(i), i) for i in ids)
          and s_ok == "OK\t20\tuser=mallory@example.org" and fails(s_bad, 21))
    report("authzid", ok, "PLAIN and SCRAM as alice with mallory's password refused; mallory as herself logged in"
           if ok else "control %r, PLAIN %r, SCRAM %r / %r" % (control, got, s_ok, s_bad))

    # nul --------------------------------------------------------------------------------------
    tricks = [b"\0mallory\0mallorypw\0alice", b"\0alice\0alicepw\0", b"alice\0\0mallorypw", b"\0\0alicepw"]
    ids = []
    for i, m in enumerate(tricks):
        ids.append(30 + i)
        c.send(AUTH_LINE % (30 + i, "PLAIN") + "\tresp=" + b64(m))
    for i, (u, p) in enumerate([(b"alice\0evil", b"alicepw"), (b"alice", b"alicepw\0junk"),
                                (b"alice@example.org\0userPassword", b"alicepw")]):
        rid = 40 + i
        ids.append(rid)
        c.send(AUTH_LINE % (rid, "LOGIN") + "\tresp=" + b64(u))
        assert c.reply(rid) == "CONT\t%d\tUGFzc3dvcmQ6" % rid
        c.send("CONT\t%d\t%s" % (rid, b64(p)))
    got = c.replies(ids)
    mux = [saslauthd([b"alice\0x", b"alicepw", b"smtp", b""]), saslauthd([b"alice", b"alicepw\0", b"smtp", b""]),
           saslauthd([b"alice", b"alicepw", b"smtp", b"example.org\0userPassword"])]
    ok = all(fails(got.get(i), i) for i in ids) and all(r == "NO" for r in mux)
    report("nul", ok, "NUL inside PLAIN, LOGIN and saslauthd fields never cut a name or password short"
           if ok else "dovecot %r, saslauthd %r" % (got, mux))

    # replay ------------------------------------------------------------------------------------
    c.send(AUTH_LINE % (50, "CRAM-MD5"))
    challenge = base64.b64decode(c.reply(50).split("\t")[2])
    response = b64(b"alice " + hmac.new(b"alicepw", challenge, "md5").hexdigest().encode())
    c.send("CONT\t50\t" + response)
    first = c.reply(50)
    c.send(AUTH_LINE % (51, "CRAM-MD5"))
    challenge2 = base64.b64decode(c.reply(51).split("\t")[2])
    c.send("CONT\t51\t" + response)
    cram_replay = c.reply(51)
    s_first, recorded = scram(c, 52, "alice", "alicepw")
    s_replay, _ = scram(c, 53, "alice", "alicepw", final=recorded)
    ok = (first == "OK\t50\tuser=alice@example.org" and challenge2 != challenge and fails(cram_replay, 51)
          and s_first == "OK\t52\tuser=alice@example.org" and fails(s_replay, 53))
    report("replay", ok, "recorded CRAM-MD5 response and SCRAM client-final refused on a fresh exchange"
           if ok else "CRAM %r/%r, SCRAM %r/%r" % (first, cram_replay, s_first, s_replay))

    # nonce -------------------------------------------------------------------------------------
    bad = []
    for i, nonce in enumerate(["clientnonce60", "otherclient" + "A" * 32]):
        r, _ = scram(c, 60 + i, "alice", "alicepw", nonce=nonce)
        bad.append((r, 60 + i))
    ok = all(fails(r, i) for r, i in bad)
    report("nonce", ok, "SCRAM proofs over a nonce the server did not issue refused" if ok else repr(bad))

    # overlong ----------------------------------------------------------------------------------
    closed = []
    for size in (16385, 1 << 20):
        a = Dovecot()
        try:
            a.s.sendall(b"AUTH\t1\tPLAIN\tservice=smtp\tresp=" + b"A" * size)
        except (BrokenPipeError, ConnectionResetError):
            pass
        closed.append(a.closed())
        a.s.close()
    field = [saslauthd(None, raw=(0xffff).to_bytes(2, "big") + b"x" * 0xffff + b"\0\0" * 3),
             saslauthd(None, raw=b"\xff" * (1 << 20))]
    c.send(AUTH_LINE % (70, "PLAIN") + "\tresp=" + b64(b"\0alice\0alicepw"))
    bystander = c.reply(70)
    ok = all(closed) and field[0] == "NO" and (field[1] is None or field[1].startswith("NO")) \
        and bystander == "OK\t70\tuser=alice@example.org"
    report("overlong", ok, "over-long lines and fields closed only their own connection"
           if ok else "closed %r, saslauthd %r, bystander %r" % (closed, field, bystander))

    # serving -----------------------------------------------------------------------------------
    d = Dovecot()
    d.send(AUTH_LINE % (1, "PLAIN") + "\tresp=" + b64(b"\0alice\0alicepw"))
    dl = d.reply(1)
    ml = saslauthd([b"alice", b"alicepw", b"smtp", b""])
    try:
        os.kill(pid, 0)
        alive = True
    except OSError:
        alive = False
    ok = dl == "OK\t1\tuser=alice@example.org" and ml == "OK" and alive
    report("serving", ok, "both sockets still serve alice; the process is alive"
           if ok else "dovecot %r, saslauthd %r, alive %r" % (dl, ml, alive))
except Exception as e:  # a hang, a reset, a protocol surprise: the defence did not hold as expected
    report("client", False, "the replay itself broke: %r" % (e,))

# log -----------------------------------------------------------------------------------------
time.sleep(0.5)
log = open(os.path.join(work, "authd.log"), "rb").read()
leaks = [p for p in (b"alicepw", b"mallorypw") for form in (p, base64.b64encode(p), p.hex().encode()) if form in log]
report("log", not leaks, "no password in the daemon's log (plain, base64, hex)" if not leaks else "found %r" % leaks)
sys.exit(0 if all(results) else 1)
EOF
rc=$?
if [ "$rc" != 0 ]; then
    echo "--- sasldb-authd log (last lines)" >&2
    tail -n 30 "$WORK/authd.log" >&2
fi
exit "$rc"
