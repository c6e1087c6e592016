#!/usr/bin/env bash
# Start-up of the packaged saslpasswd side by side with the checkout's bin/saslpasswd: one
# `printf pw | saslpasswd -p -c -f F -u r u` each (a cold JVM through its launcher), back to
# back in one hyperfine run after warm-up. Not run by CI: timing depends on the machine's load.
#
#   scripts/bench-installed.sh [-o REPORT.md] [--quick] [--alternate ROUNDS]
#
# The packaged side is /usr/sbin/saslpasswd when the package sasldb4j is installed (its cache
# made by postinst) and BENCH_FROM_DEB is not 1, else the built saslpasswd/dist/target/sasldb4j_*_all.deb unpacked with
# dpkg-deb into a temporary directory, its cache made there by share/sasldb4j/make-cache (the
# tarball's way; same files, same launcher). Prints the machine, both medians and the targets:
# packaged median <= 0.15 s, and no slower than the checkout's (within 5 %, the noise of a
# 20-run median on a shared machine). Exits 0 only when both hold.
# --alternate ROUNDS adds a round-robin run: one start of each side in turn, ROUNDS times after two
# rounds of warm-up, each timed by its own wait4 (wall, and CPU = user + system of the launcher,
# the JVM and anything they fork). hyperfine times all starts of one side, then the other's, so on
# a shared machine a burst of others' load can land on one side only; in turns it lands on both.
# Needs hyperfine and jq (python3 for --alternate); the package built (`mvn -DskipTests package`).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export LC_ALL=C.UTF-8
OUT=""
RUNS=20
ROUNDS=0
while [ $# -gt 0 ]; do
    case $1 in
        -o) OUT=$2; shift 2 ;;
        --quick) RUNS=5; shift ;;
        --alternate) ROUNDS=$2; shift 2 ;;
        *) echo "usage: scripts/bench-installed.sh [-o REPORT.md] [--quick] [--alternate ROUNDS]" >&2; exit 2 ;;
    esac
done
for c in hyperfine jq dpkg-deb; do
    command -v "$c" > /dev/null || { echo "bench-installed: needs $c (apt-get install $c)" >&2; exit 1; }
done

W=$(mktemp -d "${TMPDIR:-/tmp}/sasldb4j-bench-installed.XXXXXX")
trap 'rm -rf "$W"' EXIT
if [ "${BENCH_FROM_DEB:-0}" != 1 ] && dpkg-query -W -f='${Status}' sasldb4j 2>/dev/null | grep -q 'ok installed'; then
    PKG=/usr/sbin/saslpasswd
    WHERE="installed package sasldb4j $(dpkg-query -W -f='${Version}' sasldb4j), cache by postinst"
else
    deb=$(ls saslpasswd/dist/target/sasldb4j_*_all.deb 2>/dev/null | head -n 1)
    [ -n "$deb" ] || { echo "bench-installed: no package: run mvn -DskipTests package first" >&2; exit 1; }
    dpkg-deb -x "$deb" "$W/root"
    export SASLDB4J_CACHE_DIR=$W/cache
    "$W/root/usr/share/sasldb4j/make-cache" "$W/cache" > /dev/null
    PKG=$W/root/usr/sbin/saslpasswd
    WHERE="${deb##*/} unpacked with dpkg-deb, cache by make-cache"
fi
CHECKOUT=$ROOT/bin/saslpasswd

# Both sides built, trained and in the page cache before timing.
for side in "$PKG" "$CHECKOUT"; do
    printf 'x' | "$side" -p -c -f "$W/warm.db" -u r u > /dev/null 2> "$W/warm.err" \
        || { echo "bench-installed: $side does not run:" >&2; tail -n 5 "$W/warm.err" >&2; exit 1; }
done

hyperfine -w 3 -r "$RUNS" --export-json "$W/a.json" \
    -n packaged "printf pw | $PKG -p -c -f $W/p.db -u r u" \
    -n checkout "printf pw | $CHECKOUT -p -c -f $W/c.db -u r u" > "$W/hyperfine.txt" 2>&1 \
    || { cat "$W/hyperfine.txt" >&2; exit 1; }
med() { jq -r --arg n "$1" '.results[] | select(.command == $n) | .median' "$W/a.json"; }
# CPU time (user + system, mean) varies less than wall time on a loaded machine.
cpu() { jq -r --arg n "$1" '.results[] | select(.command == $n) | (.user + .system)' "$W/a.json"; }
pkg=$(med packaged) chk=$(med checkout)
ok_abs=$(awk -v p="$pkg" 'BEGIN { print (p <= 0.15) ? "met" : "NOT met" }')
ok_rel=$(awk -v p="$pkg" -v c="$chk" 'BEGIN { print (p <= c * 1.05) ? "met" : "NOT met" }')
ratio=$(awk -v p="$pkg" -v c="$chk" 'BEGIN { printf "%.3f", p / c }')

report=$(cat <<EOF
- Machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(. /etc/os-release && echo "$PRETTY_NAME"), load average $(cut -d' ' -f1-3 /proc/loadavg)
- Date: $(date -u '+%Y-%m-%d %H:%M UTC')
- Software: $(java -version 2>&1 | head -n 1), $(hyperfine --version)
- Packaged side: $WHERE
- Method: hyperfine, $RUNS runs per side after 3 warm-ups, the two commands back to back in one
  run; wall time of \`printf pw | saslpasswd -p -c -f F -u r u\` including the shell and the pipe

| command | median wall (s) | mean CPU (s) | target | |
| --- | --- | --- | --- | --- |
| packaged \`saslpasswd -p -c\` | $(printf '%.3f' "$pkg") | $(printf '%.3f' "$(cpu packaged)") | median <= 0.15 s | $ok_abs |
| checkout \`bin/saslpasswd -p -c\` | $(printf '%.3f' "$chk") | $(printf '%.3f' "$(cpu checkout)") | packaged no slower (5 %) | $ok_rel |

Ratio packaged / checkout (medians): $ratio
EOF
)
if [ "$ROUNDS" -gt 0 ]; then
    # Each start reads "pw" from a pipe, as in the hyperfine run; the two sides in turn.
    alt=$(python3 - "$ROUNDS" "$PKG" "$W/pa.db" "$CHECKOUT" "$W/ca.db" <<'PY'
import os, statistics, sys, time
rounds = int(sys.argv[1])
sides = [("packaged", sys.argv[2], sys.argv[3]), ("checkout", sys.argv[4], sys.argv[5])]
wall = {n: [] for n, _, _ in sides}
cpu = {n: [] for n, _, _ in sides}
for i in range(rounds + 2):
    for name, tool, db in sides:
        r, w = os.pipe()
        os.write(w, b"pw")
        os.close(w)
        t0 = time.monotonic()
        pid = os.fork()
        if pid == 0:
            os.dup2(r, 0)
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 1)
            os.dup2(null, 2)
            os.execv(tool, [tool, "-p", "-c", "-f", db, "-u", "r", "u"])
        _, status, usage = os.wait4(pid, 0)
        t1 = time.monotonic()
        os.close(r)
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"bench-installed: {tool} failed in the round-robin run")
        if i >= 2:
            wall[name].append(t1 - t0)
            cpu[name].append(usage.ru_utime + usage.ru_stime)
m = {n: (statistics.median(wall[n]), statistics.median(cpu[n])) for n in wall}
print(f"Round-robin, {rounds} rounds after 2 warm-up rounds (medians): packaged {m['packaged'][0]:.3f} s wall, "
      f"{m['packaged'][1]:.3f} s CPU; checkout {m['checkout'][0]:.3f} s wall, {m['checkout'][1]:.3f} s CPU; "
      f"ratio {m['packaged'][0] / m['checkout'][0]:.3f} wall, {m['packaged'][1] / m['checkout'][1]:.3f} CPU")
PY
    ) || exit 1
    report="$report

$alt"
fi
echo "$report"
[ -z "$OUT" ] || echo "$report" > "$OUT"
[ "$ok_abs" = met ] && [ "$ok_rel" = met ]
