#!/usr/bin/env python3
"""Pipelined AUTH PLAIN load on a Dovecot auth-client socket (scripts/bench-dovecot.sh).

PROCS client processes each open one connection (as each Postfix smtpd process keeps one), do the
VERSION/CPID handshake, and keep DEPTH requests outstanding: every answer is timed from the moment
its AUTH line was written and immediately replaced by a new request. Requests answered during the
first WARMUP seconds are not counted. Prints one JSON object: requests/s over the measured window
and latency percentiles in milliseconds. Any answer other than OK is an error (exit 1).

Usage: authload.py SOCKET USER PASSWORD [--procs 4] [--depth 8] [--seconds 10] [--warmup 2]
Standard library only.
"""
import argparse
import base64
import json
import multiprocessing
import os
import socket
import sys
import time


def client(path, user, password, depth, start, warmup_end, end, out):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.sendall(b"VERSION\t1\t0\nCPID\t%d\n" % os.getpid())
    buf = b""
    while b"DONE\n" not in buf:
        chunk = s.recv(65536)
        if not chunk:
            raise SystemExit("authload: the server closed the connection during the handshake")
        buf += chunk
    buf = buf.split(b"DONE\n", 1)[1]
    resp = base64.b64encode(b"\0" + user.encode() + b"\0" + password.encode())
    tail = b"\tPLAIN\tservice=smtp\tnologin\tlip=127.0.0.1\trip=127.0.0.1\tresp=" + resp + b"\n"
    sent = {}
    next_id = 1
    lat = []
    errors = 0
    clock = time.perf_counter_ns
    while time.time() < start:
        time.sleep(0.001)

    def send(n):
        nonlocal next_id
        lines = []
        now = clock()
        for _ in range(n):
            lines.append(b"AUTH\t%d" % next_id + tail)
            sent[next_id] = now
            next_id += 1
        s.sendall(b"".join(lines))

    send(depth)
    warm_ns = clock() + int((warmup_end - time.time()) * 1e9)
    end_ns = clock() + int((end - time.time()) * 1e9)
    measured_from = None
    while True:
        while b"\n" not in buf:
            chunk = s.recv(65536)
            if not chunk:
                raise SystemExit("authload: the server closed the connection")
            buf += chunk
        now = clock()
        lines = buf.split(b"\n")
        buf = lines.pop()
        answered = 0
        for line in lines:
            verb, rid = line.split(b"\t", 2)[:2]
            t0 = sent.pop(int(rid), None)
            if t0 is None:
                continue
            answered += 1
            if verb != b"OK":
                errors += 1
            if t0 >= warm_ns:
                if measured_from is None:
                    measured_from = t0
                lat.append(now - t0)
        if now >= end_ns:
            break
        if answered:
            send(answered)
    measured_to = clock()
    s.close()
    out.put((lat, errors, (measured_to - (measured_from or measured_to)) / 1e9))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("socket")
    p.add_argument("user")
    p.add_argument("password")
    p.add_argument("--procs", type=int, default=4)
    p.add_argument("--depth", type=int, default=8)
    p.add_argument("--seconds", type=float, default=10)
    p.add_argument("--warmup", type=float, default=2)
    a = p.parse_args()
    start = time.time() + 0.5
    q = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=client, args=(a.socket, a.user, a.password, a.depth, start,
                                                          start + a.warmup, start + a.warmup + a.seconds, q))
             for _ in range(a.procs)]
    for pr in procs:
        pr.start()
    results = [q.get() for _ in procs]
    for pr in procs:
        pr.join()
    lat = sorted(x for r in results for x in r[0])
    errors = sum(r[1] for r in results)
    window = max(r[2] for r in results) or a.seconds

    def pct(q):
        return round(lat[min(len(lat) - 1, int(q * len(lat)))] / 1e6, 3) if lat else None

    print(json.dumps({"requests": len(lat), "rate": round(len(lat) / window), "p50": pct(0.50),
                      "p90": pct(0.90), "p99": pct(0.99), "p999": pct(0.999), "max": pct(1.0), "errors": errors}))
    sys.exit(1 if errors or not lat else 0)


if __name__ == "__main__":
    main()
