#!/usr/bin/env python3
"""One AUTH PLAIN on a Dovecot auth-client socket, as Postfix asks it; optionally repeated until
the answer is the expected one (scripts/fleet-e2e.sh: has a change reached this node yet?).

Usage: dovecot-login.py SOCKET USER [--expect ok|fail] [--within SECONDS]
The password is read from standard input (one line, without its newline), never from argv.
Prints the answer (ok, fail, tempfail: the daemon closed the connection, unreachable) and, with
--within, how long it took to get the expected one. Exit 0 when the (last) answer is the expected
one (default: ok), 1 otherwise. Standard library only; twin of the client in scripts/soak.py,
kept apart so this one stays a small single-purpose tool.
"""
import argparse
import base64
import os
import socket
import sys
import time


def login(path, user, password, timeout=10.0):
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        s.connect(path)
    except OSError:
        return "unreachable"
    try:
        s.sendall(b"VERSION\t1\t0\nCPID\t%d\n" % os.getpid())
        buf = b""
        while b"DONE\n" not in buf:
            chunk = s.recv(65536)
            if not chunk:
                return "tempfail"
            buf += chunk
        buf = buf.split(b"DONE\n", 1)[1]
        resp = base64.b64encode(b"\0" + user.encode() + b"\0" + password)
        s.sendall(b"AUTH\t1\tPLAIN\tservice=smtp\tnologin\tlip=127.0.0.1\trip=127.0.0.1\tresp=" + resp + b"\n")
        while b"\n" not in buf:
            chunk = s.recv(65536)
            if not chunk:
                return "tempfail"
            buf += chunk
        verb = buf.split(b"\n", 1)[0].split(b"\t", 1)[0]
        return {b"OK": "ok", b"FAIL": "fail"}.get(verb, "unexpected " + verb.decode("ascii", "replace"))
    except OSError:
        return "tempfail"
    finally:
        s.close()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("socket")
    p.add_argument("user")
    p.add_argument("--expect", choices=["ok", "fail"], default="ok")
    p.add_argument("--within", type=float, default=0.0)
    a = p.parse_args()
    password = sys.stdin.buffer.readline().rstrip(b"\n")
    t0 = time.monotonic()
    while True:
        got = login(a.socket, a.user, password)
        elapsed = time.monotonic() - t0
        if got == a.expect or elapsed >= a.within:
            break
        time.sleep(0.05)
    if a.within:
        print("%s after %.2f s" % (got, elapsed))
    else:
        print(got)
    sys.exit(0 if got == a.expect else 1)


if __name__ == "__main__":
    main()
