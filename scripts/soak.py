#!/usr/bin/env python3
"""Load generator, checker and sampler for scripts/soak.sh and scripts/argon2-flood.sh.

Speaks the two protocols sasldb-authd serves, as their real clients do:
  - Dovecot auth-client protocol (what Postfix's smtpd_sasl_type = dovecot speaks): VERSION/CPID
    handshake, then AUTH/CONT for PLAIN, LOGIN, CRAM-MD5, SCRAM-SHA-1 and SCRAM-SHA-256 (the client
    side of SCRAM computes its proof and checks the server's signature);
  - saslauthd protocol: four counted strings (login, password, service, realm), one answer.

`soak` mode keeps a model of the store (user -> password and kind), changes the store with the real
`saslpasswd` (password changes, kind switches, adds, deletes, disable/enable, --batch imports) while
waves of connections log in, and checks every answer against the model: a change must be seen by the
next login. It samples the daemon's RSS, open descriptors, threads and LMDB reader slots, writes them
as CSV and as an SVG chart, and fails when a sample series grows after warm-up (criterion in
docs/benchmarks.md, "Soak test").

`flood` mode opens many concurrent connections of hashed-only (Argon2id) logins and samples RSS
during and after the flood (issue: the memory budget must bound RSS).

Standard library only.
"""
import argparse
import base64
import csv
import hashlib
import hmac
import os
import random
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

REALM = "example.org"


# --- protocol clients --------------------------------------------------------------------------

class ProtocolError(Exception):
    pass


def b64(b):
    if isinstance(b, str):
        b = b.encode()
    return base64.b64encode(b).decode()


def unb64(s):
    return base64.b64decode(s)


class Dovecot:
    """One auth-client connection, handshake done as Postfix does it."""
    _ids = 0

    def __init__(self, path, timeout=30):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(timeout)
        self.s.connect(path)
        self.buf = b""
        self.send("VERSION\t1\t0\nCPID\t%d" % os.getpid())
        while True:
            line = self.line()
            if line == "DONE":
                break

    def send(self, text):
        self.s.sendall(text.encode() + b"\n")

    def line(self):
        while b"\n" not in self.buf:
            chunk = self.s.recv(65536)
            if not chunk:
                raise ProtocolError("connection closed by the daemon")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode("utf-8", "replace")

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass

    def _next_id(self):
        Dovecot._ids += 1
        return Dovecot._ids

    def _answer(self, rid):
        """Reads until a line for this request; returns (verb, fields)."""
        while True:
            parts = self.line().split("\t")
            if len(parts) >= 2 and parts[1] == str(rid):
                return parts[0], parts[2:]

    @staticmethod
    def _outcome(verb, fields):
        if verb == "OK":
            return "OK"
        if verb == "FAIL":
            temp = any(f == "temp" or f.startswith("code=temp") for f in fields)
            return "TEMP" if temp else "FAIL"
        raise ProtocolError("unexpected %s %s" % (verb, fields))

    def auth(self, mech, user, password):
        rid = self._next_id()
        head = "AUTH\t%d\t%s\tservice=smtp\tnologin\tlip=127.0.0.1\trip=127.0.0.1" % (rid, mech)
        if mech == "PLAIN":
            self.send(head + "\tresp=" + b64(b"\0" + user.encode() + b"\0" + password.encode()))
            return self._outcome(*self._answer(rid))
        if mech == "LOGIN":
            self.send(head)
            for value in (user, password):
                verb, fields = self._answer(rid)
                if verb != "CONT":
                    return self._outcome(verb, fields)
                self.send("CONT\t%d\t%s" % (rid, b64(value)))
            return self._outcome(*self._answer(rid))
        if mech == "CRAM-MD5":
            self.send(head)
            verb, fields = self._answer(rid)
            if verb != "CONT":
                return self._outcome(verb, fields)
            challenge = unb64(fields[0])
            digest = hmac.new(password.encode(), challenge, hashlib.md5).hexdigest()
            self.send("CONT\t%d\t%s" % (rid, b64(user + " " + digest)))
            return self._outcome(*self._answer(rid))
        if mech.startswith("SCRAM-"):
            return self._scram(rid, head, mech, user, password)
        raise ValueError(mech)

    def _scram(self, rid, head, mech, user, password):
        algo = {"SCRAM-SHA-1": "sha1", "SCRAM-SHA-256": "sha256"}[mech]
        cnonce = b64(os.urandom(18))
        name = user.replace("=", "=3D").replace(",", "=2C")
        first_bare = "n=%s,r=%s" % (name, cnonce)
        self.send(head + "\tresp=" + b64("n,," + first_bare))
        verb, fields = self._answer(rid)
        if verb != "CONT":
            return self._outcome(verb, fields)
        server_first = unb64(fields[0]).decode()
        attrs = dict(a.split("=", 1) for a in server_first.split(","))
        if not attrs["r"].startswith(cnonce):
            raise ProtocolError("SCRAM server nonce does not extend the client's")
        salted = hashlib.pbkdf2_hmac(algo, password.encode(), unb64(attrs["s"]), int(attrs["i"]))
        client_key = hmac.new(salted, b"Client Key", algo).digest()
        stored_key = hashlib.new(algo, client_key).digest()
        without_proof = "c=biws,r=" + attrs["r"]
        auth_message = ",".join((first_bare, server_first, without_proof)).encode()
        signature = hmac.new(stored_key, auth_message, algo).digest()
        proof = bytes(a ^ b for a, b in zip(client_key, signature))
        self.send("CONT\t%d\t%s" % (rid, b64(without_proof + ",p=" + b64(proof))))
        verb, fields = self._answer(rid)
        server_final = None
        if verb == "CONT":
            server_final = unb64(fields[0]).decode()
            self.send("CONT\t%d\t" % rid)
            verb, fields = self._answer(rid)
        elif verb == "OK":
            for f in fields:
                if f.startswith("resp="):
                    server_final = unb64(f[5:]).decode()
        outcome = self._outcome(verb, fields)
        if outcome == "OK":
            server_key = hmac.new(salted, b"Server Key", algo).digest()
            expected = "v=" + b64(hmac.new(server_key, auth_message, algo).digest())
            if server_final != expected:
                raise ProtocolError("SCRAM server signature wrong: the daemon does not know the key")
        return outcome


def saslauthd(path, user, password, timeout=30):
    """One saslauthd request on its own connection; OK, FAIL or TEMP (closed unanswered, or not OK/NO)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(path)
        msg = b""
        for field in (user, password, "smtp", REALM):
            data = field.encode()
            msg += struct.pack(">H", len(data)) + data
        s.sendall(msg)
        data = b""
        while True:
            chunk = s.recv(1024)
            if not chunk:
                break
            data += chunk
            if len(data) >= 2 and len(data) >= 2 + struct.unpack(">H", data[:2])[0]:
                break
        if len(data) < 2:
            return "TEMP"  # closed unanswered: the daemon's temporary failure
        answer = data[2:2 + struct.unpack(">H", data[:2])[0]].decode("utf-8", "replace")
        return "OK" if answer.startswith("OK") else "FAIL" if answer.startswith("NO") else "TEMP"
    finally:
        s.close()


# --- sampling ---------------------------------------------------------------------------------

def proc_sample(pid, store):
    status = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            status[k] = v.strip()
    rss = int(status["VmRSS"].split()[0]) / 1024.0
    threads = int(status["Threads"])
    fds = len(os.listdir("/proc/%d/fd" % pid))
    return rss, fds, threads, reader_slots(pid, store)


def reader_slots(pid, store):
    """LMDB reader slots held by pid, as `mdb_stat -r` lists them (-1 if unreadable)."""
    args = ["mdb_stat", "-r"] + ([] if os.path.isdir(store) else ["-n"]) + [store]
    try:
        out = subprocess.run(args, capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.TimeoutExpired):
        return -1
    n = 0
    for line in out.splitlines():
        cols = line.split()
        if len(cols) >= 3 and cols[0].isdigit() and int(cols[0]) == pid:
            n += 1
    return n


class Sampler(threading.Thread):
    def __init__(self, pid, store, interval, phase):
        super().__init__(daemon=True)
        self.pid, self.store, self.interval, self.phase = pid, store, interval, phase
        self.rows = []
        self.stop = threading.Event()
        self.t0 = time.monotonic()

    def run(self):
        while not self.stop.is_set():
            t = time.monotonic() - self.t0
            try:
                rss, fds, threads, readers = proc_sample(self.pid, self.store)
            except (OSError, ValueError, KeyError):
                break
            self.rows.append((round(t, 1), round(rss, 1), fds, threads, readers, self.phase[0]))
            self.stop.wait(self.interval)


# --- the model of the store ---------------------------------------------------------------------

MECHS = ["PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256"]


class User:
    def __init__(self, name, password, kind):
        self.name, self.password, self.kind = name, password, kind   # kind: plain hashed disabled absent
        self.lock = threading.Lock()


def expected(user, password, mech):
    """What the daemon must answer: OK only for the right password on an enabled user whose
    secrets serve the mechanism (hashed-only users have no CRAM-MD5 secret)."""
    if user is None or user.kind in ("absent", "disabled") or password != user.password:
        return "FAIL"
    if user.kind == "hashed" and mech == "CRAM-MD5":
        return "FAIL"
    return "OK"


class Soak:
    def __init__(self, a):
        self.a = a
        self.rng = random.Random(a.seed)
        self.users = {}
        self.stats_lock = threading.Lock()
        self.checks = {}
        self.errors = []
        self.mutations = {}
        self.hups = 0
        self.phase = ["warmup"]
        self.done = threading.Event()
        self.pw_counter = 0

    def password(self):
        with self.stats_lock:
            self.pw_counter += 1
            return "pw-%d-%s" % (self.pw_counter, b64(os.urandom(6)))

    # saslpasswd runs --------------------------------------------------------------------------

    def saslpasswd(self, args, stdin=None):
        cmd = [self.a.saslpasswd, "-f", self.a.store, "-u", REALM] + args
        r = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=300)
        if r.returncode != 0:
            self.error("saslpasswd %s exited %d: %s" % (" ".join(args[:3]), r.returncode, r.stderr.strip()[:300]))
        return r.returncode == 0

    def set_password(self, u, kind, password):
        args = ["-p", "-c"] if u.kind == "absent" else ["-p"]
        if kind == "hashed":
            args += ["-n", "--remove-plaintext"]
        if self.saslpasswd(args + [u.name], password):
            u.password, u.kind = password, kind

    def setup(self):
        for i in range(self.a.plain_users):
            self.users["p%d" % i] = User("p%d" % i, None, "absent")
        for i in range(self.a.hashed_users):
            self.users["h%d" % i] = User("h%d" % i, None, "absent")
        for i in range(self.a.batch_users):
            self.users["b%d" % i] = User("b%d" % i, None, "absent")
        self.users["d0"] = User("d0", None, "absent")
        lines = ["add %s %s" % (n, self.password()) for n in self.users if n[0] in "pbd"]
        self.batch(lines)
        for n, u in self.users.items():
            if n[0] == "h":
                self.set_password(u, "hashed", self.password())
        if self.saslpasswd(["--disable", "d0"]):
            self.users["d0"].kind = "disabled"
        bad = [n for n, u in self.users.items() if u.kind == "absent"]
        if bad:
            raise SystemExit("soak: could not create users %s" % bad)

    def batch(self, lines):
        """A --batch import of add/del lines; updates the model for the users named."""
        path = os.path.join(self.a.work, "batch.txt")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        ok = self.saslpasswd(["--batch", path])
        os.unlink(path)
        if ok:
            for line in lines:
                parts = line.split(" ", 2)
                u = self.users[parts[1]]
                if parts[0] == "add":
                    u.password, u.kind = parts[2], "plain"
                else:
                    u.password, u.kind = None, "absent"

    def mutate_once(self):
        r = self.rng.random()
        if r < 0.15:   # a --batch import over several batch users: adds and deletes
            names = self.rng.sample([n for n in self.users if n[0] == "b"], 4)
            locks = [self.users[n].lock for n in names]
            for lk in locks:
                lk.acquire()
            try:
                lines = [("del %s" % n) if self.rng.random() < 0.3 else ("add %s %s" % (n, self.password()))
                         for n in names]
                self.batch(lines)
            finally:
                for lk in locks:
                    lk.release()
            kind = "batch"
        elif r < 0.55:   # a password change keeping the kind
            u = self.users[self.rng.choice([n for n in self.users if n[0] == "p"])]
            with u.lock:
                self.set_password(u, u.kind, self.password())
            kind = "change"
        elif r < 0.70:   # plaintext <-> hashed-only switch of a plain user
            u = self.users[self.rng.choice([n for n in self.users if n[0] == "p"])]
            with u.lock:
                self.set_password(u, "hashed" if u.kind == "plain" else "plain", self.password())
            kind = "switch"
        elif r < 0.85:   # delete and re-add a batch user on the command line
            u = self.users[self.rng.choice([n for n in self.users if n[0] == "b"])]
            with u.lock:
                if u.kind == "absent":
                    self.set_password(u, "plain", self.password())
                    kind = "add"
                elif self.saslpasswd(["-d", u.name]):
                    u.password, u.kind = None, "absent"
                    kind = "delete"
                else:
                    kind = "delete"
        else:   # disable / enable d0
            u = self.users["d0"]
            with u.lock:
                if u.kind == "disabled":
                    if self.saslpasswd(["--enable", "d0"]):
                        u.kind = "plain"
                elif self.saslpasswd(["--disable", "d0"]):
                    u.kind = "disabled"
            kind = "disable/enable"
        with self.stats_lock:
            self.mutations[kind] = self.mutations.get(kind, 0) + 1

    def mutator(self):
        next_hup = time.monotonic() + self.a.hup_every
        while not self.done.is_set():
            self.mutate_once()
            if time.monotonic() >= next_hup:
                os.kill(self.a.pid, signal.SIGHUP)
                self.hups += 1
                next_hup = time.monotonic() + self.a.hup_every
            self.done.wait(self.a.mutate_every)

    # logins -----------------------------------------------------------------------------------

    def error(self, msg):
        with self.stats_lock:
            self.errors.append("%.1fs %s" % (time.monotonic() - self.t0, msg))
            if len(self.errors) <= 20:
                print("soak: ERROR " + msg, file=sys.stderr, flush=True)

    def count(self, key):
        with self.stats_lock:
            self.checks[key] = self.checks.get(key, 0) + 1

    def pick(self):
        """A (user name, User or None, password to try) triple, the user locked if known."""
        r = self.rng.random()
        if r < 0.08:
            return "nobody%d" % self.rng.randrange(1000), None, "whatever"
        pool = [n for n in self.users if n[0] in "pbd"]
        if r < 0.20:   # hashed users: Argon2id, the expensive path, kept to a share
            pool = [n for n in self.users if n[0] == "h"]
        for _ in range(10):
            u = self.users[self.rng.choice(pool)]
            if u.lock.acquire(blocking=False):
                wrong = self.rng.random() < 0.15 or u.password is None
                return u.name, u, ("not-" + (u.password or "x")) if wrong else u.password
        return "nobody", None, "whatever"

    def one_login(self, check):
        name, user, password = self.pick()
        try:
            want_mech = check[0]
            want = expected(user, password, want_mech)
            got = check[1](name, password)
        finally:
            if user is not None:
                user.lock.release()
        kind = "unknown" if user is None else user.kind
        self.count((want_mech, kind, want))
        if got != want:
            self.error("%s %s (%s user, %s password): expected %s, got %s" % (
                want_mech, name, kind, "right" if user and password == user.password else "wrong", want, got))

    def dovecot_session(self):
        try:
            c = Dovecot(self.a.dovecot)
        except (OSError, ProtocolError) as e:
            self.error("Dovecot connect: %s" % e)
            return
        try:
            for _ in range(self.rng.randint(1, self.a.per_connection)):
                mech = self.rng.choice(MECHS)
                self.one_login((mech, lambda n, p, m=mech: c.auth(m, n, p)))
        except (OSError, ProtocolError, KeyError, ValueError) as e:
            self.error("Dovecot session: %r" % e)
        finally:
            c.close()

    def saslauthd_session(self):
        try:
            self.one_login(("saslauthd", lambda n, p: saslauthd(self.a.saslauthd, n, p)))
        except (OSError, ProtocolError) as e:
            self.error("saslauthd: %r" % e)

    def client(self, until):
        while time.monotonic() < until and not self.done.is_set():
            if self.rng.random() < 0.25:
                self.saslauthd_session()
            else:
                self.dovecot_session()

    def run(self):
        self.t0 = time.monotonic()
        sampler = Sampler(self.a.pid, self.a.store, self.a.sample_every, self.phase)
        sampler.t0 = self.t0
        sampler.start()
        mut = threading.Thread(target=self.mutator, daemon=True)
        mut.start()
        end = self.t0 + self.a.duration
        waves = 0
        last_progress = self.t0
        while time.monotonic() < end:
            waves += 1
            self.phase[0] = "warmup" if time.monotonic() - self.t0 < self.a.warmup else "wave"
            until = min(end, time.monotonic() + self.a.wave_seconds)
            threads = [threading.Thread(target=self.client, args=(until,)) for _ in range(self.a.concurrency)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            if time.monotonic() >= end:
                break
            if time.monotonic() - last_progress >= 60 and sampler.rows:
                last_progress = time.monotonic()
                r = sampler.rows[-1]
                print("soak: %4.0fs %d waves, %d answers, %d wrong; RSS %.0f MiB, %d fds, %d threads, %d reader slots"
                      % (r[0], waves, sum(self.checks.values()), len(self.errors), r[1], r[2], r[3], r[4]),
                      file=sys.stderr, flush=True)
            self.phase[0] = "warmup" if time.monotonic() - self.t0 < self.a.warmup else "pause"
            time.sleep(min(self.a.pause, max(0, end - time.monotonic())))
        self.done.set()
        mut.join()
        # One last sample after everything settled, then stop.
        time.sleep(self.a.sample_every)
        sampler.stop.set()
        sampler.join()
        # A final full pass: every user answers as the model says, on every mechanism.
        for name, u in self.users.items():
            for mech in MECHS:
                c = Dovecot(self.a.dovecot)
                try:
                    got = c.auth(mech, name, u.password or "x")
                finally:
                    c.close()
                want = expected(u, u.password or "x", mech)
                if got != want:
                    self.error("final pass %s %s (%s): expected %s, got %s" % (mech, name, u.kind, want, got))
        return waves, sampler.rows


# --- flatness and chart ----------------------------------------------------------------------

SERIES = [("rss_mib", "RSS (MiB)", 1), ("fds", "open descriptors", 2), ("threads", "threads", 3),
          ("reader_slots", "LMDB reader slots", 4)]


def settled(rows, warmup):
    """One row per pause after warm-up: its per-column minimum, the state the daemon returns to when
    no client is connected and the pool's idle threads have exited."""
    out, group = [], []
    for r in rows + [(None, 0, 0, 0, 0, "end")]:
        if r[5] == "pause" and r[0] >= warmup:
            group.append(r)
            continue
        # A pause the end of the run cut short (often one sample, taken before the pool's idle
        # threads exited) never settled: judging it flagged a flat run as growing.
        if group and r[5] != "end":
            out.append((group[-1][0],) + tuple(min(g[i] for g in group) for i in range(1, 5)))
        group = []
    return out


# The daemon's reader pool holds at most this many LMDB read transactions per store file
# (docs/architecture.md, "Bounded reader slots"); it fills lazily, so a short run can see it grow
# up to here. A leak (a slot per thread that ever read) passes it within the first waves.
READER_BOUND = 16


def flatness(rows, warmup, rss_factor, rss_slack, count_slack, concurrency, budget):
    """The flatness criterion (docs/benchmarks.md, "Soak test"); returns failure strings.

    Leaks show in the settled state between waves, so the settled series (one value per pause) is
    split in thirds and the last third's max must stay within the first third's max x rss_factor +
    rss_slack MiB (RSS) or + count_slack (fds, threads, reader slots). During waves, every sample
    stays under what the load explains: RSS under the settled level + the hashing budget + 128 MiB,
    threads and fds under the settled level + 2 per connection + 8, reader slots never above the
    first third's maximum + count_slack or the reader pool's bound, whichever is higher."""
    quiet = settled(rows, warmup)
    if len(quiet) < 3:
        return ["too few pauses after warm-up (%d): run longer" % len(quiet)]
    third = max(1, len(quiet) // 3)
    first, last = quiet[:third], quiet[-third:]
    problems = []
    for key, label, i in SERIES:
        f, l = max(r[i] for r in first), max(r[i] for r in last)
        limit = f * rss_factor + rss_slack if key == "rss_mib" else f + count_slack
        if key == "reader_slots":
            limit = max(limit, READER_BOUND)
        if l > limit:
            problems.append("%s between waves grew: first third after warm-up max %s, last third max %s (limit %.1f)"
                            % (label, f, l, limit))
    after = [r for r in rows if r[0] >= warmup]
    base = {i: max(r[i] for r in first) for _, _, i in SERIES}
    ceilings = {1: base[1] + budget + 128, 2: base[2] + 2 * concurrency + 8, 3: base[3] + 2 * concurrency + 8}
    thirds = len(after) // 3
    if thirds:
        ceilings[4] = max(max(r[4] for r in after[:thirds]) + count_slack, READER_BOUND)
    for key, label, i in SERIES:
        if i in ceilings:
            peak = max(r[i] for r in after)
            if peak > ceilings[i]:
                problems.append("%s peaked at %s during waves, above %.1f" % (label, peak, ceilings[i]))
    return problems


def svg_chart(rows, warmup, title, subtitle, path):
    """Draws each series against time: every sample (blue) and the settled value of each pause
    after warm-up (orange), the series the flatness criterion judges."""
    words, lines = subtitle.split("; "), [""]
    for w in words:
        if lines[-1] and len(lines[-1]) + len(w) > 120:
            lines.append("")
        lines[-1] += ("; " if lines[-1] else "") + w
    width, panel_h, left, right = 900, 150, 70, 20
    top = 76 + 16 * len(lines)
    gap = 40
    height = top + len(SERIES) * (panel_h + gap) + 20
    tmax = max(r[0] for r in rows) or 1
    quiet = settled(rows, warmup)
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" '
           'font-size="12">' % (width, height),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="%d" y="22" font-size="16" font-weight="bold">%s</text>' % (left, esc(title))]
    for k, line in enumerate(lines):
        out.append('<text x="%d" y="%d" fill="#444">%s</text>' % (left, 42 + 16 * k, esc(line)))
    ly = 42 + 16 * len(lines)
    out.append('<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="#1f6fb4" stroke-width="2"/>' % (left, left + 20, ly - 4, ly - 4))
    out.append('<text x="%d" y="%d" fill="#444">every sample (2 s)</text>' % (left + 26, ly))
    out.append('<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="#e07b00" stroke-width="2"/>'
               % (left + 170, left + 190, ly - 4, ly - 4))
    out.append('<text x="%d" y="%d" fill="#444">between waves (settled; judged for flatness)</text>' % (left + 196, ly))
    pw = width - left - right
    for n, (key, label, i) in enumerate(SERIES):
        y0 = top + n * (panel_h + gap)
        vals = [r[i] for r in rows]
        vmax = max(vals) if vals else 1
        vmax = vmax * 1.15 if vmax > 0 else 1
        out.append('<text x="%d" y="%d" font-weight="bold">%s</text>' % (left, y0 - 6, esc(label)))
        wx = left + pw * min(warmup, tmax) / tmax
        out.append('<rect x="%d" y="%d" width="%.1f" height="%d" fill="#eee"/>' % (left, y0, wx - left, panel_h))
        out.append('<text x="%d" y="%d" fill="#888">warm-up</text>' % (left + 4, y0 + 14))
        out.append('<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#999"/>' % (left, y0, pw, panel_h))
        for frac in (0, 0.5, 1):
            v = vmax * frac
            y = y0 + panel_h - panel_h * frac
            out.append('<text x="%d" y="%.1f" text-anchor="end" fill="#444">%s</text>'
                       % (left - 6, y + 4, ("%.0f" % v) if vmax >= 10 else ("%.1f" % v)))
            if 0 < frac:
                out.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#ddd"/>' % (left, left + pw, y, y))
        for series, colour in ((rows, "#1f6fb4"), (quiet, "#e07b00")):
            pts = " ".join("%.1f,%.1f" % (left + pw * r[0] / tmax, y0 + panel_h - panel_h * r[i] / vmax) for r in series)
            out.append('<polyline fill="none" stroke="%s" stroke-width="1.5" points="%s"/>' % (colour, pts))
        for k in range(0, 6):
            t = tmax * k / 5
            x = left + pw * k / 5
            out.append('<text x="%.1f" y="%d" text-anchor="middle" fill="#444">%s</text>'
                       % (x, y0 + panel_h + 14, "%.0f min" % (t / 60) if tmax >= 300 else "%.0f s" % t))
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def read_csv(path):
    with open(path) as f:
        return [(float(r[0]), float(r[1]), int(r[2]), int(r[3]), int(r[4]), r[5]) for r in list(csv.reader(f))[1:]]


def chart_main(a):
    """Redraws a chart from a samples CSV (e.g. to re-render a recorded run)."""
    rows = read_csv(a.csv)
    svg_chart(rows, a.warmup, a.title, a.subtitle or "", a.svg)
    problems = flatness(rows, a.warmup, a.rss_factor, a.rss_slack, a.count_slack, a.concurrency, a.budget)
    for p in problems:
        print("soak: NOT FLAT: " + p, file=sys.stderr)
    return 1 if problems else 0


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_csv(rows, path):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["t_s", "rss_mib", "fds", "threads", "reader_slots", "phase"])
        w.writerows(rows)


# --- modes -----------------------------------------------------------------------------------

def soak_main(a):
    s = Soak(a)
    s.setup()
    print("soak: %d users created; %ds of waves of %d connections (%ds wave, %ds pause)"
          % (len(s.users), a.duration, a.concurrency, a.wave_seconds, a.pause), file=sys.stderr, flush=True)
    waves, rows = s.run()
    write_csv(rows, a.csv)
    problems = flatness(rows, a.warmup, a.rss_factor, a.rss_slack, a.count_slack, a.concurrency, a.budget)
    total = sum(s.checks.values())
    by_mech = {}
    for (mech, _, want), n in s.checks.items():
        by_mech.setdefault(mech, [0, 0])[0 if want == "OK" else 1] += n
    verdict = "PASS" if not problems and not s.errors else "FAIL"
    last = rows[-1] if rows else (0, 0, 0, 0, 0)
    subtitle = ("%s: %d checked answers, %d wrong; %d waves; %s; %d SIGHUPs; last sample RSS %.0f MiB, "
                "%d fds, %d threads, %d reader slots" % (
                    verdict, total, len(s.errors), waves,
                    ", ".join("%d %s" % (n, k) for k, n in sorted(s.mutations.items())), s.hups,
                    last[1], last[2], last[3], last[4]))
    if a.svg:
        svg_chart(rows, a.warmup, a.title, subtitle, a.svg)
    print("soak: " + subtitle, file=sys.stderr)
    print("soak: answers by mechanism (expected OK / expected FAIL): " + ", ".join(
        "%s %d/%d" % (m, v[0], v[1]) for m, v in sorted(by_mech.items())), file=sys.stderr)
    for p in problems:
        print("soak: NOT FLAT: " + p, file=sys.stderr)
    if len(s.errors) > 20:
        print("soak: ... %d wrong answers in all (first 20 above)" % len(s.errors), file=sys.stderr)
    expected_kinds = {"PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256", "saslauthd"}
    missing = expected_kinds - set(by_mech)
    if missing:
        print("soak: mechanisms never exercised: %s" % sorted(missing), file=sys.stderr)
        verdict = "FAIL"
    return 0 if verdict == "PASS" else 1


def flood_main(a):
    """Floods hashed-only logins from a.concurrency connections; samples RSS."""
    # Warm-up: a few logins load libargon2 and compile the path, so "before" is the idle daemon.
    for i in range(a.hashed_users):
        c = Dovecot(a.dovecot)
        try:
            if c.auth("PLAIN", "h%d" % i, a.password) != "OK":
                raise SystemExit("flood: the hashed user h%d cannot log in" % i)
        finally:
            c.close()
    phase = ["before"]
    sampler = Sampler(a.pid, a.store, a.sample_every, phase)
    sampler.start()
    time.sleep(a.settle)
    errors = []
    counts = {"OK": 0, "FAIL": 0, "TEMP": 0}
    lock = threading.Lock()
    barrier = threading.Barrier(a.concurrency)

    def one(i):
        try:
            c = Dovecot(a.dovecot, timeout=120)
        except OSError as e:
            with lock:
                errors.append(str(e))
            return
        try:
            barrier.wait(timeout=60)
            for _ in range(a.per_connection):
                got = c.auth("PLAIN", "h%d" % (i % a.hashed_users), a.password)
                with lock:
                    counts[got] += 1
        except (OSError, ProtocolError, threading.BrokenBarrierError) as e:
            with lock:
                errors.append(repr(e))
        finally:
            c.close()

    for rnd in range(a.rounds):
        phase[0] = "flood"
        threads = [threading.Thread(target=one, args=(i,)) for i in range(a.concurrency)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        phase[0] = "after"
        time.sleep(a.settle)
    sampler.stop.set()
    sampler.join()
    rows = sampler.rows
    write_csv(rows, a.csv)
    before = [r[1] for r in rows if r[5] == "before"]
    during = [r[1] for r in rows if r[5] == "flood"]
    after = [r[1] for r in rows if r[5] == "after"]
    base = max(before) if before else rows[0][1]
    peak = max(during + after)
    final = after[-1] if after else rows[-1][1]
    print("flood: %d connections x %d logins x %d rounds: %d OK, %d FAIL, %d temporary failures, %d errors"
          % (a.concurrency, a.per_connection, a.rounds, counts["OK"], counts["FAIL"], counts["TEMP"], len(errors)),
          file=sys.stderr)
    print("flood: RSS before %.0f MiB, peak %.0f MiB, after the flood %.0f MiB (budget %d MiB, allowed slack %d MiB)"
          % (base, peak, final, a.budget, a.slack), file=sys.stderr)
    print("FLOOD_RESULT base=%.0f peak=%.0f final=%.0f ok=%d fail=%d temp=%d"
          % (base, peak, final, counts["OK"], counts["FAIL"], counts["TEMP"]))
    bad = []
    if peak > base + a.budget + a.slack:
        bad.append("peak RSS %.0f MiB exceeds before-flood %.0f + budget %d + slack %d MiB" % (peak, base, a.budget, a.slack))
    if final > base + a.after_slack:
        bad.append("RSS after the flood %.0f MiB exceeds before-flood %.0f + %d MiB: memory kept"
                   % (final, base, a.after_slack))
    if counts["OK"] == 0 or counts["FAIL"] > 0 or errors:
        bad.append("logins did not all succeed or wait (OK %d, FAIL %d, errors %s)" % (counts["OK"], counts["FAIL"], errors[:3]))
    for b in bad:
        print("flood: FAIL: " + b, file=sys.stderr)
    return 1 if bad else 0


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("mode", choices=["soak", "flood", "chart"])
    p.add_argument("--pid", type=int)
    p.add_argument("--store")
    p.add_argument("--dovecot")
    p.add_argument("--saslauthd")
    p.add_argument("--saslpasswd")
    p.add_argument("--work")
    p.add_argument("--duration", type=int, default=120)
    p.add_argument("--warmup", type=float, default=30)
    p.add_argument("--concurrency", type=int, default=40)
    p.add_argument("--per-connection", type=int, default=3)
    p.add_argument("--wave-seconds", type=float, default=6)
    p.add_argument("--pause", type=float, default=5)
    p.add_argument("--mutate-every", type=float, default=0.5)
    p.add_argument("--hup-every", type=float, default=15)
    p.add_argument("--sample-every", type=float, default=2)
    p.add_argument("--plain-users", type=int, default=20)
    p.add_argument("--hashed-users", type=int, default=4)
    p.add_argument("--batch-users", type=int, default=10)
    p.add_argument("--rss-factor", type=float, default=1.2)
    p.add_argument("--rss-slack", type=float, default=16)
    p.add_argument("--count-slack", type=int, default=2)
    p.add_argument("--csv", required=True)
    p.add_argument("--svg")
    p.add_argument("--title", default="sasldb-authd soak test")
    p.add_argument("--subtitle")
    p.add_argument("--seed", type=int, default=None)
    # flood
    p.add_argument("--password", default="")
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--settle", type=float, default=10)
    p.add_argument("--budget", type=int, default=512)
    p.add_argument("--slack", type=int, default=128)
    p.add_argument("--after-slack", type=int, default=128)
    a = p.parse_args()
    if a.mode == "chart":
        if not a.svg:
            p.error("chart needs --svg")
        sys.exit(chart_main(a))
    if a.pid is None or not a.store or not a.dovecot:
        p.error("%s needs --pid, --store and --dovecot" % a.mode)
    sys.exit(soak_main(a) if a.mode == "soak" else flood_main(a))


if __name__ == "__main__":
    main()
