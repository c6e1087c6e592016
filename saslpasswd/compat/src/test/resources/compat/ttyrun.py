#!/usr/bin/env python3
"""Runs a command with stdin and stdout on a pseudo-terminal and answers its two password prompts.

    ttyrun.py PREFIX ENTRY1 ENTRY2 COMMAND ARG...

Writes what the terminal showed to PREFIX.out, the command's stderr to PREFIX.err and its exit
code to PREFIX.rc (124 when it was still running after 60 s). CompatIT compares these per side.
"""
import os
import pty
import select
import subprocess
import sys
import time

prefix, e1, e2 = sys.argv[1], sys.argv[2], sys.argv[3]
cmd = sys.argv[4:]
m, s = pty.openpty()
p = subprocess.Popen(cmd, stdin=s, stdout=s, stderr=subprocess.PIPE, close_fds=True)
os.close(s)
out = b""
entries = [os.fsencode(e1) + b"\n", os.fsencode(e2) + b"\n"]
deadline = time.monotonic() + 60
timed_out = True
while time.monotonic() < deadline:
    r, _, _ = select.select([m], [], [], 0.1)
    if r:
        try:
            d = os.read(m, 4096)
        except OSError:
            timed_out = False
            break
        if not d:
            timed_out = False
            break
        out += d
        if entries and (out.endswith(b"Password: ") or out.endswith(b"(for verification): ")):
            # the prompt is written before echo is turned off; give the program that moment
            time.sleep(0.1)
            os.write(m, entries.pop(0))
    elif p.poll() is not None:
        timed_out = False
        break
if p.poll() is None:
    p.kill()
err = p.stderr.read()
rc = p.wait()
with open(prefix + ".out", "wb") as f:
    f.write(out)
with open(prefix + ".err", "wb") as f:
    f.write(err)
with open(prefix + ".rc", "w") as f:
    f.write("%d\n" % (124 if timed_out else rc))
