#!/usr/bin/env bash
# Benchmark (not run by CI) of a fleet (issue 13, docs/fleet.md), side by side, on a private
# PostgreSQL cluster (scripts/pg-cluster.sh) and sasldb-authd started by bin/sasldb-authd:
#
#   (f1) logins/s through a replica (sasldb-authd --replica-of) against the LMDB store
#        (sasldb-authd -f FILE); also, when the daemon has it, direct mode (-f postgresql://...)
#        and Dovecot's own passdb sql on the same database (dovecot-core, dovecot-pgsql): the load
#        of scripts/bench-dovecot.sh (scripts/authload.py, PROCS x DEPTH pipelined AUTH PLAIN),
#        RUNS alternating runs of SECONDS_PER_RUN each after a warm-up;
#   (f2) change propagation latency, p50 and p99, with 2 replica nodes under login load
#        (authload.py on both): CHANGES password updates committed in the database, each timed
#        from the moment its UPDATE was sent until each node first answers the new password;
#   (f3) first copy of a COPY_USERS-user store (the daemon started on a new replica file, timed to
#        its first successful login of the last user: JVM start included) against
#        `pg_dump -t sasldb4j.records | psql` of the same table into another database;
#   (f4) `saslpasswd --batch` of BATCH_USERS plaintext users into an empty PostgreSQL store against
#        `psql \copy` of the same rows into the same table (its triggers fire for both).
#
# Prints a Markdown section (machine, date, load, medians and every run) for docs/benchmarks.md;
# --append appends it there. Needs root (the cluster's postgres account, Dovecot's master).
# Environment: RUNS (default 3), SECONDS_PER_RUN (10), PROCS (4), DEPTH (8), CHANGES (100),
#   F2_PROCS (load processes per node during f2, default 2; 0: no load),
#   COPY_USERS (1000000), BATCH_USERS (200000), ONLY (a space-separated subset of f1 f2 f3 f4),
#   BENCH_LABEL (a note printed with the results), BENCH_KEEP=1 (keep the work directory),
#   F2_LOGLEVEL (the f2 nodes' --log-level, default FINE: each applied change is logged, which the
#   server-side propagation figures read), F2_PIN=1 (f2 only: the database, the writer and the probe on
#   CPU 0, the nodes and their load on the other CPUs: as when the database, the administrator and the
#   client each have a machine of their own, and only the nodes are saturated).
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/sbin:/sbin" LC_ALL=C.UTF-8
RUNS=${RUNS:-3} SECS=${SECONDS_PER_RUN:-10} PROCS=${PROCS:-4} DEPTH=${DEPTH:-8}
CHANGES=${CHANGES:-100} F2_PROCS=${F2_PROCS:-2} COPY_USERS=${COPY_USERS:-1000000} BATCH_USERS=${BATCH_USERS:-200000}
ONLY=${ONLY:-f1 f2 f3 f4}
APPEND=; [ "${1:-}" = --append ] && APPEND=1
REALM=example.org
die() { echo "bench-fleet: $*" >&2; exit 1; }
note() { echo "bench-fleet: $*" >&2; }
want() { [[ " $ONLY " == *" $1 "* ]]; }
[ "$(id -u)" = 0 ] || die "must run as root (the cluster's postgres account, Dovecot's master)"
command -v python3 >/dev/null || die "python3 missing"

WORK=$(mktemp -d /tmp/sasldb4j-bench-fleet.XXXXXX)
chmod 0755 "$WORK"
PG=$WORK/pg
PIDS=() LOADERS=()
stop_loaders() {   # authload.py and its client processes
    local p
    for p in "${LOADERS[@]}"; do pkill -TERM -P "$p" 2>/dev/null; kill -TERM "$p" 2>/dev/null; done
    for p in "${LOADERS[@]}"; do wait "$p" 2>/dev/null; done
    LOADERS=()
}
cleanup() {
    set +e
    stop_loaders
    for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
    [ -f "$WORK/dovecot.conf" ] && dovecot -c "$WORK/dovecot.conf" stop 2>/dev/null
    [ -d "$PG" ] && scripts/pg-cluster.sh stop "$PG" >/dev/null 2>&1
    sleep 0.5
    if [ "${BENCH_KEEP:-}" = 1 ]; then note "work directory kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }
now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2 - $1:.2f}')"; }

bin/saslpasswd -v >/dev/null 2>&1 || true
bin/sasldb-authd --help >/dev/null 2>&1 || die "bin/sasldb-authd does not start"
URL=$(scripts/pg-cluster.sh start "$PG") || die "the private cluster did not start"
# shellcheck disable=SC1091
. "$PG/env"
PSQL=(psql -X -q -v ON_ERROR_STOP=1)
printf 'alicepw' | bin/saslpasswd -p -c -f "$URL" -u "$REALM" alice >/dev/null || die "saslpasswd into $URL failed"
mkdir -m 0700 "$WORK/lmdb"
printf 'alicepw' | bin/saslpasswd -p -c -f "$WORK/lmdb/sasldb" -u "$REALM" alice >/dev/null || die "saslpasswd into LMDB failed"
DIRECT=; bin/sasldb-authd --help 2>&1 | grep -q -- '--pool-size' && DIRECT=1

start_authd() {   # socket log args... ; sets STARTED (pid); waits for the socket
    local sock=$1 logf=$2
    shift 2
    rm -f "$sock"
    bin/sasldb-authd --foreground --realm "$REALM" --dovecot-socket "$sock" --log-level "${LOGLEVEL:-WARNING}" \
        --failure-delay 0 --throttle off "$@" >"$logf" 2>&1 &
    STARTED=$!
    PIDS+=("$STARTED")
    for _ in $(seq 600); do
        [ -S "$sock" ] && return 0
        kill -0 "$STARTED" 2>/dev/null || { cat "$logf" >&2; die "sasldb-authd $* exited"; }
        sleep 0.1
    done
    cat "$logf" >&2
    die "sasldb-authd $* did not create its socket"
}
stop_authd() { kill -TERM "$1" 2>/dev/null; wait "$1" 2>/dev/null; }
load() {   # socket seconds [procs depth] -> JSON line
    python3 scripts/authload.py "$1" alice@$REALM alicepw --procs "${3:-$PROCS}" --depth "${4:-$DEPTH}" --seconds "$2" --warmup 1
}
wait_login() {   # socket user password seconds: 0 once the login works
    printf '%s\n' "$3" | python3 scripts/lib/dovecot-login.py "$1" "$2" --within "$4" >/dev/null
}

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
SECTION=$(cat <<MD

### Fleet run of $(date -u '+%Y-%m-%d %H:%M') UTC${BENCH_LABEL:+ ($BENCH_LABEL)}

\`scripts/bench-fleet.sh\` on $(nproc) cores ($CPU), $(free -g | awk '/^Mem:/ {print $2}') GiB; PostgreSQL
$(psql -X -At -c 'SHOW server_version' | cut -d' ' -f1) (private cluster, \`fsync = off\` as for tests); load average $LOAD0 at the start; $RUNS runs per
measurement, medians in bold.
MD
)

# --- (f1) logins/s --------------------------------------------------------------------------------
if want f1; then
    start_authd "$WORK/lmdb.sock" "$WORK/lmdb.log" -f "$WORK/lmdb/sasldb"; P_LMDB=$STARTED
    start_authd "$WORK/replica.sock" "$WORK/replica.log" --replica-of "$URL" -f "$WORK/f1-replica"; P_REPL=$STARTED
    wait_login "$WORK/replica.sock" alice@$REALM alicepw 30 || die "the replica does not answer alice"
    SERVERS=("lmdb:sasldb-authd, LMDB store:$WORK/lmdb.sock" "replica:sasldb-authd, replica of PostgreSQL:$WORK/replica.sock")
    if [ -n "$DIRECT" ]; then
        start_authd "$WORK/direct.sock" "$WORK/direct.log" -f "$URL"
        SERVERS+=("direct:sasldb-authd, PostgreSQL directly (pool):$WORK/direct.sock")
    fi
    if command -v dovecot >/dev/null && ls /usr/lib/dovecot/modules/auth/libdriver_pgsql.so /usr/lib/dovecot/modules/libdriver_pgsql.so >/dev/null 2>&1; then
        # Dovecot's passdb sql on the same database: the view of docs/postgresql-readers.md.
        mkdir -p "$WORK/dovecot-run" "$WORK/dovecot-state"
        pw=$(awk -F: '$4 == "sasldb4j" {print $5}' "$PGPASSFILE")
        cat > "$WORK/dovecot-sql.conf.ext" <<CONF
driver = pgsql
connect = host=127.0.0.1 port=$PGPORT dbname=sasldb4j user=sasldb4j password=$pw
password_query = SELECT "user", password FROM sasldb4j.dovecot_passdb WHERE authid = '%n' AND realm = '%d'
CONF
        chmod 0644 "$WORK/dovecot-sql.conf.ext"   # a private cluster's random password, scratch directory
        cat > "$WORK/dovecot.conf" <<CONF
base_dir = $WORK/dovecot-run
state_dir = $WORK/dovecot-state
instance_name = sasldb4j-bench-fleet
protocols =
ssl = no
log_path = $WORK/dovecot.log
default_internal_user = dovecot
default_login_user = dovenull
auth_mechanisms = plain
passdb {
  driver = sql
  args = $WORK/dovecot-sql.conf.ext
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
        if dovecot -c "$WORK/dovecot.conf"; then
            for _ in $(seq 100); do [ -S "$WORK/dovecot-auth" ] && break; sleep 0.1; done
            if wait_login "$WORK/dovecot-auth" alice@$REALM alicepw 10; then
                SERVERS+=("dovecot:Dovecot auth, passdb sql (pgsql):$WORK/dovecot-auth")
            else
                note "Dovecot passdb sql does not authenticate alice: left out (see $WORK/dovecot.log)"
            fi
        fi
    fi
    note "f1: warming up"
    for s in "${SERVERS[@]}"; do
        IFS=: read -r key label sock <<<"$s"
        load "$sock" 10 >/dev/null || die "$label: AUTH PLAIN fails"
    done
    declare -A RATE P50 P99
    for i in $(seq "$RUNS"); do
        for s in "${SERVERS[@]}"; do
            IFS=: read -r key label sock <<<"$s"
            r=$(load "$sock" "$SECS") || die "$label run failed: $r"
            note "f1 run $i: $label $r"
            RATE[$key]+="$(field "$r" rate) " P50[$key]+="$(field "$r" p50) " P99[$key]+="$(field "$r" p99) "
        done
    done
    SECTION+=$(cat <<MD


**(f1) Logins per second** (\`scripts/authload.py\`: $PROCS processes x $DEPTH outstanding \`AUTH PLAIN\`, $SECS s per run, alternating):

| Server | requests/s (runs) | median | p50 ms (median) | p99 ms (median) |
|---|---|---|---|---|
MD
)
    for s in "${SERVERS[@]}"; do
        IFS=: read -r key label sock <<<"$s"
        # shellcheck disable=SC2086
        SECTION+=$'\n'"| $label | ${RATE[$key]% } | **$(median ${RATE[$key]})** | $(median ${P50[$key]}) | $(median ${P99[$key]}) |"
    done
    # shellcheck disable=SC2086
    SECTION+=$'\n\n'"Replica / LMDB store: **$(python3 -c "print(f'{$(median ${RATE[replica]}) / $(median ${RATE[lmdb]}):.2f}')")x**."
    for p in "${PIDS[@]}"; do stop_authd "$p"; done
    PIDS=()
    [ -f "$WORK/dovecot.conf" ] && dovecot -c "$WORK/dovecot.conf" stop 2>/dev/null
fi

# --- (f2) propagation under load -------------------------------------------------------------------
if want f2; then
    printf 'probe0' | bin/saslpasswd -p -c -f "$URL" -u "$REALM" probe >/dev/null || die "saslpasswd probe failed"
    # The server logs each UPDATE as it arrives and the nodes (at FINE) each change they apply: the
    # time between them is the propagation itself, without the probe's own login round trips.
    scripts/pg-cluster.sh psql "$PG" -q -c "ALTER SYSTEM SET log_statement = 'mod'" -c 'SELECT pg_reload_conf()' >/dev/null
    LOGLEVEL=${F2_LOGLEVEL:-FINE} start_authd "$WORK/n1.sock" "$WORK/n1.log" --replica-of "$URL" -f "$WORK/n1-replica"
    LOGLEVEL=${F2_LOGLEVEL:-FINE} start_authd "$WORK/n2.sock" "$WORK/n2.log" --replica-of "$URL" -f "$WORK/n2-replica"
    wait_login "$WORK/n1.sock" probe@$REALM probe0 30 && wait_login "$WORK/n2.sock" probe@$REALM probe0 30 \
        || die "the nodes do not answer the probe user"
    PIN=() PIN_PROBE=()
    if [ "${F2_PIN:-0}" = 1 ]; then
        # The database on CPU 0 (the postmaster and its backends; later backends inherit it) with the
        # probe and its psql (the client and the administrator, elsewhere in a real fleet); the nodes
        # and their load on the remaining CPUs.
        command -v taskset >/dev/null || die "F2_PIN=1 needs taskset (util-linux)"
        REST="1-$(($(nproc) - 1))"
        [ "$(nproc)" -ge 2 ] || die "F2_PIN=1 needs at least 2 CPUs"
        PGPID=$(head -n 1 "$(readlink -f "$PG/cluster")/data/postmaster.pid")
        for p in "$PGPID" $(pgrep -P "$PGPID"); do taskset -a -p -c 0 "$p" >/dev/null || die "taskset $p failed"; done
        for p in "${PIDS[@]}"; do taskset -a -p -c "$REST" "$p" >/dev/null || die "taskset $p failed"; done
        PIN=(taskset -c "$REST") PIN_PROBE=(taskset -c 0)
        [ "$REST" != 1-1 ] || REST=1
    fi
    # Login load on both nodes for the whole measurement (half the f1 load each: two daemons share the cores).
    LOAD_SECS=$((CHANGES + 60))
    if [ "$F2_PROCS" -gt 0 ]; then
        # Started directly (not through load()), so that $! is authload.py itself, to be stopped below.
        for n in 1 2; do
            "${PIN[@]}" python3 scripts/authload.py "$WORK/n$n.sock" alice@$REALM alicepw --procs "$F2_PROCS" --depth "$DEPTH" \
                --seconds "$LOAD_SECS" --warmup 1 >"$WORK/n$n.load" 2>&1 &
            LOADERS+=("$!")
        done
        sleep 3
    fi
    cat > "$WORK/probe.py" <<'PY'
import base64, json, os, socket, subprocess, sys, time
socks, changes, realm = sys.argv[1:3], int(sys.argv[3]), sys.argv[4]

class Node:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.connect(path)
        self.s.sendall(b"VERSION\t1\t0\nCPID\t%d\n" % os.getpid())
        self.buf = b""
        while b"DONE\n" not in self.buf:
            self.buf += self.s.recv(65536)
        self.buf = self.buf.split(b"DONE\n", 1)[1]
        self.n = 0
    def ok(self, pw):
        self.n += 1
        resp = base64.b64encode(b"\0probe@" + realm.encode() + b"\0" + pw)
        self.s.sendall(b"AUTH\t%d\tPLAIN\tservice=smtp\tnologin\tresp=%s\n" % (self.n, resp))
        while b"\n" not in self.buf:
            self.buf += self.s.recv(65536)
        line, self.buf = self.buf.split(b"\n", 1)
        return line.startswith(b"OK")

nodes = [Node(p) for p in socks]
psql = subprocess.Popen(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1"], stdin=subprocess.PIPE,
                        stdout=subprocess.PIPE, text=True, bufsize=1)
lat = []
for i in range(1, changes + 1):
    pw = b"probe%d" % i
    t0 = time.perf_counter()
    psql.stdin.write("UPDATE sasldb4j.records SET value = convert_to('probe%d', 'UTF8') WHERE authid = 'probe'"
                     " AND realm = '%s' AND property = 'userPassword';\n\\echo done\n" % (i, realm))
    psql.stdin.flush()
    pending = set(range(len(nodes)))
    while pending:
        for k in list(pending):
            if nodes[k].ok(pw):
                lat.append((time.perf_counter() - t0) * 1000)
                pending.discard(k)
        if time.perf_counter() - t0 > 60:
            sys.exit("probe: change %d not seen by node(s) %s within 60 s (%s)" % (i, sorted(k + 1 for k in pending),
                     time.strftime("%H:%M:%S")))
    assert psql.stdout.readline().strip() == "done"
    time.sleep(0.2)
lat.sort()
pct = lambda q: round(lat[min(len(lat) - 1, int(q * len(lat)))], 1)
print(json.dumps({"samples": len(lat), "p50": pct(0.5), "p99": pct(0.99), "max": round(lat[-1], 1)}))
PY
    F2=()
    for i in $(seq "$RUNS"); do
        r=$("${PIN_PROBE[@]}" python3 "$WORK/probe.py" "$WORK/n1.sock" "$WORK/n2.sock" "$((CHANGES / RUNS))" "$REALM") || die "propagation probe failed: $r"
        note "f2 run $i: $r"
        F2+=("$r")
    done
    stop_loaders
    scripts/pg-cluster.sh psql "$PG" -q -c 'ALTER SYSTEM RESET log_statement' -c 'SELECT pg_reload_conf()' >/dev/null
    SERVER_SIDE=$(python3 - "$(readlink -f "$PG/cluster")/server.log" "$WORK/n1.log" "$WORK/n2.log" <<'PY'
import re, sys
from datetime import datetime, timezone
ups = []
for line in open(sys.argv[1], errors="replace"):
    m = re.match(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) UTC .*statement: UPDATE sasldb4j\.records SET value = convert_to\('probe", line)
    if m:
        ups.append(datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=timezone.utc))
lat = []
for log in sys.argv[2:]:
    applied = [datetime.fromisoformat(l.split()[0].replace("Z", "+00:00")) for l in open(log, errors="replace")
               if ": applied " in l and " replica " in l]
    for u in ups:
        after = [a for a in applied if a >= u]
        if after:
            lat.append((after[0] - u).total_seconds() * 1000)
if not lat:
    sys.exit("no UPDATE in the server log or no applied change in the nodes' logs (F2_LOGLEVEL must be FINE)")
checks = [int(m.group(1)) for log in sys.argv[2:] for l in open(log, errors="replace")
          for m in [re.search(r": applied .* in (\d+) ms \(database", l)] if m]
pct = lambda v, q: round(sorted(v)[min(len(v) - 1, int(q * len(v)))], 1)
print("%d %s %s %s %s %s" % (len(lat), pct(lat, 0.5), pct(lat, 0.99), round(max(lat), 1),
      pct(checks, 0.5) if checks else "-", pct(checks, 0.99) if checks else "-"))
PY
) || SERVER_SIDE="0 - - - - -"
    note "f2 server side (samples p50 p99 max; the nodes' checks p50 p99): $SERVER_SIDE"
    read -r SS_N SS_P50 SS_P99 SS_MAX SS_C50 SS_C99 <<<"$SERVER_SIDE"
    if [ "$F2_PROCS" -gt 0 ]; then
        F2_WHAT="each under \`authload.py\` ($F2_PROCS processes x $DEPTH outstanding logins) meanwhile"
    else
        F2_WHAT="without login load (F2_PROCS=0)"
    fi
    if [ ${#PIN[@]} -gt 0 ]; then
        F2_WHAT+="; the database, the probe and its psql pinned to CPU 0, the nodes and their load to CPU $REST (\`F2_PIN=1\`: as when the database, the administrator and the client are on machines of their own, and the nodes are saturated)"
    fi
    P50S=() P99S=()
    for r in "${F2[@]}"; do P50S+=("$(field "$r" p50)"); P99S+=("$(field "$r" p99)"); done
    SECTION+=$(cat <<MD


**(f2) Change propagation** with 2 replica nodes, $F2_WHAT; $RUNS runs of $((CHANGES / RUNS)) password changes (an \`UPDATE\` of \`sasldb4j.records\` through one
psql session), each timed from sending the \`UPDATE\` to each node's first \`OK\` for the new password (both
nodes, so 2 samples per change; the time includes the commit):

| | p50 ms (runs) | median p50 | p99 ms (runs) | median p99 |
|---|---|---|---|---|
| database -> replica login (the probe's view) | ${P50S[*]} | **$(median "${P50S[@]}")** | ${P99S[*]} | **$(median "${P99S[@]}")** |
| UPDATE received by the server -> applied by the node (logs; all runs, $SS_N samples) | | **$SS_P50** | | **$SS_P99** (max $SS_MAX) |
| of which the node's check (database answer and LMDB write, from its log) | | $SS_C50 | | $SS_C99 |

The first row includes the probe's own login round trips; on a machine saturated by the load, the probe
process itself is at times descheduled for seconds (its logins then pause on both nodes at the same
moment in the nodes' logs). The second row is the propagation: from the server's log of each \`UPDATE\`
(\`log_statement = 'mod'\`) to each node's log of applying it (\`--log-level FINE\`).
MD
)
    for p in "${PIDS[@]}"; do stop_authd "$p"; done
    PIDS=()
fi

# --- (f3) first copy of a large store ----------------------------------------------------------------
if want f3; then
    note "f3: filling the database with $COPY_USERS users"
    "${PSQL[@]}" <<SQL || die "filling the database failed"
TRUNCATE sasldb4j.records;
INSERT INTO sasldb4j.records (authid, realm, property, value)
    SELECT 'user' || lpad(i::text, 7, '0'), '$REALM', 'userPassword', convert_to('pw ' || i, 'UTF8')
      FROM generate_series(1, $COPY_USERS) i;
VACUUM ANALYZE sasldb4j.records;
SQL
    last=user$(printf '%07d' "$COPY_USERS")@$REALM
    scripts/pg-cluster.sh psql "$PG" -q -c 'CREATE DATABASE dumpcopy OWNER sasldb4j' >/dev/null
    C3=() D3=() K3=()
    for i in $(seq "$RUNS"); do
        rm -f "$WORK/f3-replica"*
        t0=$(now)
        LOGLEVEL=INFO start_authd "$WORK/f3.sock" "$WORK/f3.log" --replica-of "$URL" -f "$WORK/f3-replica"
        wait_login "$WORK/f3.sock" "$last" "pw $COPY_USERS" 600 || die "the first copy did not serve $last"
        C3+=("$(secs "$t0" "$(now)")")
        # The copy alone, as the daemon logs it ("first copy of NAME done: U users, R records, seq S, T s").
        K3+=("$(sed -n 's/.*first copy of .* done: .*, \([0-9.]*\) s$/\1/p' "$WORK/f3.log" | tail -1)")
        stop_authd "$STARTED"; PIDS=()
        # The target database has the sasldb4j schema (functions, change log) without the table,
        # so the dump's triggers can be created: only the table and its rows travel.
        "${PSQL[@]}" -d dumpcopy -c 'DROP SCHEMA IF EXISTS sasldb4j CASCADE' >/dev/null
        { sed 's/^;;$/;/' store/postgresql/src/main/resources/org/sasldb4j/store/postgresql/schema-1.sql
          printf ';\nDROP TABLE sasldb4j.records CASCADE;\n'; } | "${PSQL[@]}" -d dumpcopy >/dev/null 2>&1 \
            || die "preparing the pg_dump target failed"
        t0=$(now)
        pg_dump -t sasldb4j.records --no-owner sasldb4j | "${PSQL[@]}" -d dumpcopy >/dev/null \
            || die "pg_dump | psql failed"
        D3+=("$(secs "$t0" "$(now)")")
        note "f3 run $i: first copy ${C3[-1]} s (the copy itself ${K3[-1]} s), pg_dump | psql ${D3[-1]} s"
    done
    n=$("${PSQL[@]}" -At -d dumpcopy -c 'SELECT count(*) FROM sasldb4j.records')
    [ "$n" = "$COPY_USERS" ] || die "pg_dump | psql copied $n rows, not $COPY_USERS"
    SECTION+=$(cat <<MD


**(f3) First copy** of a $COPY_USERS-user store (one \`userPassword\` each)$([ "$COPY_USERS" -lt 1000000 ] && echo " (scaled down from the issue's 1,000,000)"):

| | seconds (runs) | median |
|---|---|---|
| \`sasldb-authd --replica-of\`: start on a new replica file to the first login of the last user (JVM start included) | ${C3[*]} | **$(median "${C3[@]}")** |
| the copy itself, as the daemon logs it (\`first copy of NAME done: ..., T s\`) | ${K3[*]} | **$(median "${K3[@]}")** |
| \`pg_dump -t sasldb4j.records \| psql\` into another database (table, rows, primary key) | ${D3[*]} | **$(median "${D3[@]}")** |
MD
)
fi

# --- (f4) saslpasswd --batch into PostgreSQL --------------------------------------------------------
if want f4; then
    python3 - "$WORK" "$BATCH_USERS" "$REALM" <<'PY'
import sys
w, n, realm = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with open(w + "/f4.batch", "w") as b, open(w + "/f4.copy", "w") as c:
    for i in range(1, n + 1):
        user, pw = "buser%07d" % i, "pw %d" % i
        b.write("add %s@%s %s\n" % (user, realm, pw))
        c.write("%s\t%s\tuserPassword\t\\\\x%s\n" % (user, realm, pw.encode().hex()))
PY
    B4=() C4=()
    for i in $(seq "$RUNS"); do
        "${PSQL[@]}" -c 'TRUNCATE sasldb4j.records, sasldb4j.changes' >/dev/null
        t0=$(now)
        bin/saslpasswd --batch "$WORK/f4.batch" -f "$URL" >/dev/null 2>"$WORK/f4.err" || { cat "$WORK/f4.err" >&2; die "saslpasswd --batch failed"; }
        B4+=("$(secs "$t0" "$(now)")")
        n=$("${PSQL[@]}" -At -c 'SELECT count(*) FROM sasldb4j.records')
        [ "$n" = "$BATCH_USERS" ] || die "saslpasswd --batch stored $n records, not $BATCH_USERS"
        "${PSQL[@]}" -c 'TRUNCATE sasldb4j.records, sasldb4j.changes' >/dev/null
        t0=$(now)
        "${PSQL[@]}" -c "\\copy sasldb4j.records (authid, realm, property, value) FROM '$WORK/f4.copy'" >/dev/null || die "psql \\copy failed"
        C4+=("$(secs "$t0" "$(now)")")
        note "f4 run $i: saslpasswd --batch ${B4[-1]} s, psql \\copy ${C4[-1]} s"
    done
    SECTION+=$(cat <<MD


**(f4) Bulk load** of $BATCH_USERS plaintext users into an empty table (its change-log triggers fire for both)$([ "$BATCH_USERS" -lt 200000 ] && echo " (scaled down from the issue's 200,000)"):

| | seconds (runs) | median |
|---|---|---|
| \`bin/saslpasswd --batch FILE -f postgresql://...\` | ${B4[*]} | **$(median "${B4[@]}")** |
| \`psql -c '\\copy sasldb4j.records FROM FILE'\` of the same rows | ${C4[*]} | **$(median "${C4[@]}")** |
MD
)
fi

SECTION+=$'\n\n'"Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
printf '%s\n' "$SECTION"
if [ -n "$APPEND" ]; then printf '%s\n' "$SECTION" >> docs/benchmarks.md; note "appended to docs/benchmarks.md"; fi
