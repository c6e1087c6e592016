#!/usr/bin/env bash
# Benchmark (not run by CI): sasldb-authd against Dovecot's own auth server, side by side, under a
# pipelined AUTH PLAIN load on the Dovecot auth-client socket: PROCS client processes (default 4)
# with DEPTH requests outstanding each (default 8), scripts/authload.py. Reports requests/s and
# latency percentiles; runs alternate between the two servers and the medians are printed as a
# Markdown section for docs/benchmarks.md (--append appends it).
#
# Dovecot (Debian's dovecot-core) runs as its own instance in a scratch directory: base_dir there,
# no mail protocols, passdb passwd-file with a {PLAIN} password; sasldb-authd serves a LMDB store
# with the same user's plaintext userPassword, started by bin/sasldb-authd (the launcher's JVM
# flags). Needs root (Dovecot's master) and the users dovecot and dovenull (made by the package).
#
# Environment: RUNS (default 5), SECONDS_PER_RUN (default 10), PROCS, DEPTH,
#   AUTHD_JAVA_OPTS (extra JVM flags for the daemon only, to compare settings; another collector
#   needs -XX:-UseSerialGC first, e.g. "-XX:-UseSerialGC -XX:+UseZGC"),
#   BENCH_LABEL (a note printed with the results, e.g. the machine's load).
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/sbin:/sbin" LC_ALL=C.UTF-8
RUNS=${RUNS:-5} SECS=${SECONDS_PER_RUN:-10} PROCS=${PROCS:-4} DEPTH=${DEPTH:-8}
APPEND=; [ "${1:-}" = --append ] && APPEND=1
die() { echo "bench-dovecot: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root (Dovecot's master process)"
if ! command -v dovecot >/dev/null; then
    flock /tmp/apt.lock apt-get install -y -qq dovecot-core >/dev/null || die "cannot install dovecot-core"
fi
command -v python3 >/dev/null || die "python3 missing"

WORK=$(mktemp -d /tmp/sasldb4j-bench-dovecot.XXXXXX)
chmod 0755 "$WORK"
AUTHD_PID=
cleanup() {
    set +e
    [ -n "$AUTHD_PID" ] && kill -TERM "$AUTHD_PID" 2>/dev/null && wait "$AUTHD_PID" 2>/dev/null
    [ -f "$WORK/dovecot.conf" ] && dovecot -c "$WORK/dovecot.conf" stop 2>/dev/null
    sleep 0.5
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- Dovecot: a private instance, auth only ------------------------------------------------------
mkdir -p "$WORK/dovecot-run" "$WORK/dovecot-state"
printf 'alice@example.org:{PLAIN}alicepw\n' > "$WORK/passwd"
chmod 0644 "$WORK/passwd"
cat > "$WORK/dovecot.conf" <<CONF
base_dir = $WORK/dovecot-run
state_dir = $WORK/dovecot-state
instance_name = sasldb4j-bench
protocols =
ssl = no
log_path = $WORK/dovecot.log
default_internal_user = dovecot
default_login_user = dovenull
auth_mechanisms = plain
passdb {
  driver = passwd-file
  args = $WORK/passwd
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=/nonexistent
}
service auth {
  unix_listener $WORK/dovecot-auth {
    mode = 0666
  }
}
CONF
dovecot -c "$WORK/dovecot.conf" || { cat "$WORK/dovecot.log" >&2 2>/dev/null; die "dovecot did not start"; }
for _ in $(seq 100); do [ -S "$WORK/dovecot-auth" ] && break; sleep 0.1; done
[ -S "$WORK/dovecot-auth" ] || { cat "$WORK/dovecot.log" >&2; die "no Dovecot auth socket"; }

# --- sasldb-authd ------------------------------------------------------------------------------
mkdir -m 0700 "$WORK/db"
printf 'alicepw' | bin/saslpasswd -p -c -f "$WORK/db/sasldb" -u example.org alice >/dev/null || die "saslpasswd failed"
SASLDB4J_JAVA_OPTS=${AUTHD_JAVA_OPTS:-} bin/sasldb-authd --foreground -f "$WORK/db/sasldb" --realm example.org --dovecot-socket "$WORK/authd" \
    --log-level WARNING >"$WORK/authd.log" 2>&1 &
AUTHD_PID=$!
for _ in $(seq 300); do [ -S "$WORK/authd" ] && break; sleep 0.1; done
[ -S "$WORK/authd" ] || { cat "$WORK/authd.log" >&2; die "sasldb-authd did not start"; }

load() {   # socket seconds -> JSON line
    python3 scripts/authload.py "$1" alice@example.org alicepw --procs "$PROCS" --depth "$DEPTH" --seconds "$2" --warmup 1
}
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Warm-up: the JVM compiles the request path with C2 after some thousands of requests.
echo "bench-dovecot: warming up" >&2
load "$WORK/authd" 15 >/dev/null || die "AUTH PLAIN through sasldb-authd fails"
load "$WORK/dovecot-auth" 3 >/dev/null || { cat "$WORK/dovecot.log" >&2; die "AUTH PLAIN through Dovecot fails"; }
DR=() DP=() AR=() AP=() D50=() A50=()
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
for i in $(seq "$RUNS"); do
    d=$(load "$WORK/dovecot-auth" "$SECS") || die "Dovecot run failed: $d"
    a=$(load "$WORK/authd" "$SECS") || die "sasldb-authd run failed: $a"
    DR+=("$(field "$d" rate)") DP+=("$(field "$d" p99)") D50+=("$(field "$d" p50)")
    AR+=("$(field "$a" rate)") AP+=("$(field "$a" p99)") A50+=("$(field "$a" p50)")
    echo "bench-dovecot: run $i: Dovecot $d" >&2
    echo "bench-dovecot: run $i: sasldb-authd $a" >&2
done
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)
ratio=$(python3 -c "print(f'{$(median "${AR[@]}") / $(median "${DR[@]}"):.2f}')")
section=$(cat <<MD

### Run of $(date -u '+%Y-%m-%d %H:%M') UTC${BENCH_LABEL:+ ($BENCH_LABEL)}

\`scripts/bench-dovecot.sh\`: $PROCS client processes x $DEPTH outstanding \`AUTH PLAIN\` each, $RUNS alternating runs of
${SECS} s after a warm-up; $(nproc) cores, load average $LOAD0 before and $LOAD1 after; Dovecot $(dovecot --version | cut -d' ' -f1);
daemon JVM options: launcher defaults${AUTHD_JAVA_OPTS:+ + \`$AUTHD_JAVA_OPTS\`}.

| Server | requests/s (runs) | median | p50 ms (median) | p99 ms (runs) | median p99 ms |
|---|---|---|---|---|---|
| Dovecot auth, passwd-file | ${DR[*]} | **$(median "${DR[@]}")** | $(median "${D50[@]}") | ${DP[*]} | **$(median "${DP[@]}")** |
| sasldb-authd, LMDB | ${AR[*]} | **$(median "${AR[@]}")** | $(median "${A50[@]}") | ${AP[*]} | **$(median "${AP[@]}")** |

Throughput ratio sasldb-authd / Dovecot: **${ratio}x**.
MD
)
printf '%s\n' "$section"
if [ -n "$APPEND" ]; then printf '%s\n' "$section" >> docs/benchmarks.md; echo "bench-dovecot: appended to docs/benchmarks.md" >&2; fi
