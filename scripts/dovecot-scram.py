#!/usr/bin/env python3
"""One SCRAM-SHA-256 login (RFC 5802, RFC 7677) on a Dovecot auth-client socket
(scripts/dovecot-pgsql.sh): `doveadm auth test` only speaks PLAIN, so this is the client side of
the mechanism, spoken to Dovecot's auth server as an IMAP login process would.

Usage: dovecot-scram.py SOCKET USER < password
The password is read from standard input (never argv), minus one trailing newline. Prints one line:
"ok" (exit 0) when Dovecot accepted the proof and its server signature checked out, "fail: ..."
(exit 1) when Dovecot refused, "error: ..." (exit 2) on a protocol error, including a server
signature that does not match (a server that does not know the key).
Standard library only.
"""
import base64
import hashlib
import hmac
import os
import socket
import sys


def b64(data):
    return base64.b64encode(data).decode()


def fields(line):
    """The key=value fields of an auth-client reply line, after the verb and id."""
    out = {}
    for f in line.split("\t")[2:]:
        k, _, v = f.partition("=")
        out[k] = v
    return out


class Conn:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(30)
        self.s.connect(path)
        self.buf = b""

    def send(self, line):
        self.s.sendall(line.encode() + b"\n")

    def line(self):
        while b"\n" not in self.buf:
            chunk = self.s.recv(65536)
            if not chunk:
                raise SystemExit("error: Dovecot closed the connection")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode()


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[3], file=sys.stderr)
        return 2
    path, user = sys.argv[1], sys.argv[2]
    password = sys.stdin.buffer.read()
    if password.endswith(b"\n"):
        password = password[:-1]
    c = Conn(path)
    c.send("VERSION\t1\t2")
    c.send("CPID\t%d" % os.getpid())
    mechs = []
    while True:
        line = c.line()
        if line.startswith("MECH\t"):
            mechs.append(line.split("\t")[1])
        if line == "DONE":
            break
    if "SCRAM-SHA-256" not in mechs:
        print("error: Dovecot does not offer SCRAM-SHA-256 (offers %s)" % " ".join(mechs))
        return 2
    nonce = b64(os.urandom(18))
    bare = "n=%s,r=%s" % (user.replace("=", "=3D").replace(",", "=2C"), nonce)
    first = "n,," + bare
    c.send("AUTH\t1\tSCRAM-SHA-256\tservice=imap\tsecured\tresp=%s" % b64(first.encode()))
    line = c.line()
    if not line.startswith("CONT\t1\t"):
        print("fail: %s" % line.split("\t")[0])
        return 1
    server_first = base64.b64decode(line.split("\t")[2]).decode()
    attrs = dict(a.split("=", 1) for a in server_first.split(","))
    if not attrs["r"].startswith(nonce):
        print("error: server nonce does not extend the client's")
        return 2
    salted = hashlib.pbkdf2_hmac("sha256", password, base64.b64decode(attrs["s"]), int(attrs["i"]))
    client_key = hmac.new(salted, b"Client Key", "sha256").digest()
    stored_key = hashlib.sha256(client_key).digest()
    final_bare = "c=biws,r=" + attrs["r"]
    auth_message = ",".join((bare, server_first, final_bare)).encode()
    signature = hmac.new(stored_key, auth_message, "sha256").digest()
    proof = bytes(a ^ b for a, b in zip(client_key, signature))
    c.send("CONT\t1\t%s" % b64((final_bare + ",p=" + b64(proof)).encode()))
    line = c.line()
    server_final = None
    if line.startswith("CONT\t1\t"):
        server_final = base64.b64decode(line.split("\t")[2]).decode()
        c.send("CONT\t1\t")
        line = c.line()
    elif line.startswith("OK\t1") and "resp" in fields(line):
        server_final = base64.b64decode(fields(line)["resp"]).decode()
    if not line.startswith("OK\t1"):
        print("fail: %s" % line.split("\t")[0])
        return 1
    server_key = hmac.new(salted, b"Server Key", "sha256").digest()
    expected = "v=" + b64(hmac.new(server_key, auth_message, "sha256").digest())
    if server_final != expected:
        print("error: server signature %r does not match" % server_final)
        return 2
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
