#!/usr/bin/env bash
# Benchmarks sasldb4j's tools side by side with the real C tools, in one run on one machine
# (reference figures: docs/reference/baselines.md). Not run by CI: slow and sensitive to machine load.
#
#   scripts/bench.sh [-o REPORT.md] [--quick]
#
# Prints a markdown report (machine, date, every run, medians, ratios, targets) and writes it to
# REPORT.md when -o is given. --quick uses fewer runs (for trying the script, not for numbers).
#
#   (a) one `saslpasswd -p -c` (bin/saslpasswd, a cold JVM)  vs  `saslpasswd2 -p -c`;  target <= 0.15 s
#   (b) `saslpasswd --batch` of 200,000 plaintext users     vs  `db5.3_load` of the same 200,000
#       records into a new Berkeley DB file;                   target: no slower
#   (c) `sasldblistusers` of the 200,000-user store         vs  `sasldblistusers2` on the Berkeley
#       DB file with the same records;                          target <= 3x
#
# Needs hyperfine, jq, python3 and the real tools (scripts/install-test-deps.sh installs the last).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH="$PATH:/usr/sbin:/sbin"
export LC_ALL=C.UTF-8

OUT=""
QUICK=0
while [ $# -gt 0 ]; do
    case $1 in
        -o) OUT=$2; shift 2 ;;
        --quick) QUICK=1; shift ;;
        *) echo "usage: scripts/bench.sh [-o REPORT.md] [--quick]" >&2; exit 2 ;;
    esac
done
for c in hyperfine jq python3; do
    command -v "$c" > /dev/null || { echo "bench: needs $c (apt-get install $c)" >&2; exit 1; }
done
scripts/install-test-deps.sh

if [ "$QUICK" = 1 ]; then RUNS_A=5; RUNS_B=2; RUNS_C=3; else RUNS_A=20; RUNS_B=5; RUNS_C=10; fi
N=${BENCH_USERS:-200000}

W=$(mktemp -d "${TMPDIR:-/tmp}/sasldb4j-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
PW=$ROOT/bin/saslpasswd
LS=$ROOT/bin/sasldblistusers

# Build the jars and their start-up archives before timing anything.
printf 'x' | "$PW" -p -c -f "$W/warm.db" -u example.org warm > /dev/null 2> "$W/warm.err" \
    || { echo "bench: $PW does not run:" >&2; tail -n 5 "$W/warm.err" >&2; exit 1; }
"$LS" "$W/warm.db" > /dev/null 2> "$W/warm.err" \
    || { echo "bench: $LS does not run:" >&2; tail -n 5 "$W/warm.err" >&2; exit 1; }

# ---- data: the same N records as a batch file and as a db_load text dump ----
# The corpus's "large" data set, made by its own generator (so the two cannot drift apart):
# gen-large.sh writes large.sasldb2 and large.expected.txt; both the db_load text and the batch
# file are written from the expected records, in key order like the generator's own dump (not
# db5.3_dump's bucket order, which db5.3_load loads about four times faster than it would the
# records as an administrator's dump or script gives them).
bash "$ROOT/store/migration/src/test/resources/corpus/gen-large.sh" "$W" "$N" > /dev/null
python3 - "$W" <<'PY'
import sys
w = sys.argv[1]
with open(w + '/large.expected.txt', 'rb') as src, open(w + '/large.batch', 'wb') as batch, \
        open(w + '/large.load.dump', 'w') as dump:
    dump.write('VERSION=3\nformat=bytevalue\ntype=hash\ndb_pagesize=4096\nHEADER=END\n')
    for line in src:
        if line.startswith(b'#'):
            continue
        user, realm, prop, value = line.rstrip(b'\n').split(b'\t')
        dump.write(' ' + (user + b'\0' + realm + b'\0' + prop).hex() + '\n ' + value.decode() + '\n')
        batch.write(b'add ' + user + b'@' + realm + b' ' + bytes.fromhex(value.decode()) + b'\n')
    dump.write('DATA=END\n')
PY
"$PW" --batch "$W/large.batch" -f "$W/large.lmdb" 2> "$W/batch.err" || { cat "$W/batch.err" >&2; exit 1; }
# sanity: both stores hold the same records
sasldblistusers2 "$W/large.sasldb2" | LC_ALL=C sort > "$W/list.c"
"$LS" "$W/large.lmdb" | LC_ALL=C sort > "$W/list.j"
cmp -s "$W/list.c" "$W/list.j" || { echo "bench: the two stores list different records" >&2; exit 1; }
[ "$(wc -l < "$W/list.c")" = "$N" ] || { echo "bench: expected $N records" >&2; exit 1; }

hf() {   # NAME RUNS WARMUP [hyperfine options] -- CMD_C CMD_J
    local name=$1 runs=$2 warmup=$3
    shift 3
    hyperfine --style none --warmup "$warmup" --runs "$runs" --export-json "$W/$name.json" "$@" > "$W/$name.log" 2>&1 \
        || { cat "$W/$name.log" >&2; exit 1; }
}

# (a) one user per process; the same user is rewritten each run (an update costs the same as a create)
printf 'x' | saslpasswd2 -p -c -f "$W/a.sasldb2" -u example.org alice
hf a "$RUNS_A" 3 -n saslpasswd2 "printf 'secret' | saslpasswd2 -p -c -f '$W/a.sasldb2' -u example.org alice" \
    -n saslpasswd "printf 'secret' | '$PW' -p -c -f '$W/a.lmdb' -u example.org alice"

# (b) 200,000 records into a new file
hf b "$RUNS_B" 1 \
    -n db5.3_load --prepare "rm -f '$W/b.sasldb2'" "db5.3_load -f '$W/large.load.dump' '$W/b.sasldb2'" \
    -n "saslpasswd --batch" --prepare "rm -f '$W/b.lmdb' '$W/b.lmdb-lock'" "'$PW' --batch '$W/large.batch' -f '$W/b.lmdb'"

# (c) listing 200,000 records
hf c "$RUNS_C" 2 -n sasldblistusers2 "sasldblistusers2 '$W/large.sasldb2' > /dev/null" \
    -n sasldblistusers "'$LS' '$W/large.lmdb' > /dev/null"

med() { jq -r ".results[$2].median" "$W/$1.json"; }
runs() { jq -r "[.results[$2].times[] | (. * 1000 | round / 1000 | tostring)] | join(\", \")" "$W/$1.json"; }
fmt() { printf '%.3f' "$1"; }
ratio() { python3 -c "print('%.2f' % ($1 / $2))"; }
le() { python3 -c "import sys; sys.exit(0 if $1 <= $2 else 1)"; }

ac=$(med a 0); aj=$(med a 1); bc=$(med b 0); bj=$(med b 1); cc=$(med c 0); cj=$(med c 1)
le "$aj" 0.15 && ta=met || ta="NOT met"
le "$bj" "$bc" && tb=met || tb="NOT met"
le "$cj" "$(python3 -c "print(3 * $cc)")" && tc=met || tc="NOT met"

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
{
    echo "### Run of $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "- Machine: $(nproc) CPUs ($cpu), $mem RAM, $(uname -sr); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- Software: $(java -version 2>&1 | head -n 1), $(saslpasswd2 -v 2>&1 | grep -m1 LibSasl), $(db5.3_load -V 2>&1 | head -n 1), hyperfine $(hyperfine --version | cut -d' ' -f2)"
    if [ -n "${SASLDB4J_COMMIT:-}" ]; then
        echo "- sasldb4j commit $SASLDB4J_COMMIT"
    else
        echo "- sasldb4j commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- store saslpasswd sasldblistusers bin 2>/dev/null || echo ' (with uncommitted changes)')"
    fi
    echo "- Method: hyperfine, wall time per command including the shell and the pipe (hyperfine subtracts"
    echo "  its shell start-up); the C tool and ours back to back in one hyperfine invocation, after warm-up"
    echo "  runs; medians; $N records; (b) starts each run from no file; outputs to /dev/null."
    echo
    echo "| What | C tool median (s) | sasldb4j median (s) | ratio | target | |"
    echo "|---|---|---|---|---|---|"
    echo "| (a) one \`saslpasswd -p -c\` vs \`saslpasswd2 -p -c\` | $(fmt "$ac") | $(fmt "$aj") | $(ratio "$aj" "$ac") | <= 0.15 s | $ta |"
    echo "| (b) \`saslpasswd --batch\` $N users vs \`db5.3_load\` | $(fmt "$bc") | $(fmt "$bj") | $(ratio "$bj" "$bc") | <= db5.3_load | $tb |"
    echo "| (c) \`sasldblistusers\` $N users vs \`sasldblistusers2\` | $(fmt "$cc") | $(fmt "$cj") | $(ratio "$cj" "$cc") | <= 3x | $tc |"
    echo
    echo "Every run (s):"
    echo
    echo "- (a) saslpasswd2: $(runs a 0)"
    echo "- (a) saslpasswd: $(runs a 1)"
    echo "- (b) db5.3_load: $(runs b 0)"
    echo "- (b) saslpasswd --batch: $(runs b 1)"
    echo "- (c) sasldblistusers2: $(runs c 0)"
    echo "- (c) sasldblistusers: $(runs c 1)"
} > "$W/report.md"
cat "$W/report.md"
if [ -n "$OUT" ]; then
    cp "$W/report.md" "$OUT"
fi
