#!/usr/bin/env bash
# Benchmark of the migration (issue "Migration off Berkeley DB"): converting the 200,000-user
# Berkeley DB file of the corpus's gen-large.sh into an LMDB store with sasldbconvert, against
# `db5.3_dump FILE | db5.3_load NEW` on the same file, alternating, several runs each.
# Prints a markdown table with every run, the medians and the ratio. Not run by CI.
#
# Usage: scripts/bench-convert.sh [RUNS]      (default 5; needs db5.3-util and python3)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
WORK=${BENCH_WORK:-$(mktemp -d)}
trap '[ -n "${BENCH_WORK:-}" ] || rm -rf "$WORK"' EXIT
export PATH="$PATH:/usr/sbin:/sbin"

[ -f "$WORK/large.sasldb2" ] || bash store/migration/src/test/resources/corpus/gen-large.sh "$WORK" >/dev/null
bin/sasldbconvert --help >/dev/null   # builds the jar and the CDS archive outside the timings

now() { date +%s.%N; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

OURS=() BDB=()
for i in $(seq 1 "$RUNS"); do
    rm -f "$WORK/new.lmdb" "$WORK/new.lmdb-lock" "$WORK/new.bdb"
    t=$(now); db5.3_dump "$WORK/large.sasldb2" | db5.3_load "$WORK/new.bdb"; BDB+=("$(echo "$(now) - $t" | bc)")
    t=$(now); bin/sasldbconvert -q "$WORK/large.sasldb2" "$WORK/new.lmdb"; OURS+=("$(echo "$(now) - $t" | bc)")
    echo "bench-convert: run $i: db5.3_dump|db5.3_load ${BDB[-1]} s, sasldbconvert ${OURS[-1]} s" >&2
done
mo=$(median "${OURS[@]}"); mb=$(median "${BDB[@]}")
cat <<MD
### Run of $(date -u '+%Y-%m-%d %H:%M UTC')

- Machine: $(nproc) CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)), $(free -g | awk '/Mem:/ {print $2}') GiB RAM,
  load average $(cut -d' ' -f1-3 /proc/loadavg); $(java -version 2>&1 | head -n 1); commit $(git rev-parse --short HEAD).
- Source: gen-large.sh's 200,000-user hash file ($(stat -c %s "$WORK/large.sasldb2") bytes); target a new file each run.

| command | runs (s) | median |
|---|---|---|
| \`db5.3_dump large.sasldb2 \\| db5.3_load new\` | ${BDB[*]} | **$mb** |
| \`sasldbconvert large.sasldb2 new.lmdb\` (whole process: JVM start, read, write, read-back check) | ${OURS[*]} | **$mo** |

Ratio sasldbconvert / dump|load: **$(echo "scale=2; $mo / $mb" | bc)** (target: at most 1.0).
MD
