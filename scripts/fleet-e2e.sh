#!/usr/bin/env bash
# End to end check of a fleet (issue 13, docs/fleet.md): one PostgreSQL store, two sasldb-authd
# nodes each serving its own LMDB replica of it, and the real Postfix of scripts/interop.sh in
# front of node 1 (path 1, smtpd_sasl_type = dovecot; swaks as the SMTP client); node 2 is asked
# directly on its Dovecot auth socket (scripts/lib/dovecot-login.py), as an smtpd would.
#
#   0. two nodes' Cyrus sasldb2 files are migrated into the database with sasldbconvert: the
#      second is refused without --merge, its conflicting user is reported and nothing written,
#      --prefer target settles it, and no user of either file is lost;
#   1. both nodes make their first copy and answer the users of the database;
#   2. saslpasswd changes a password in the database: both nodes answer the new one (and refuse
#      the old one) within PROPAGATION seconds; a disabled user is refused on both;
#   3. the database is stopped (scripts/pg-cluster.sh halt): logins still work on both nodes,
#      node 2 restarted while it is down serves its last copy, and an admin write fails with one
#      clear line;
#   4. the database comes back: a change made with saslpasswd and one made with plain SQL (psql,
#      the other path into the same table) reach both nodes by themselves;
#   5. node 2's replica file is deleted under it: it goes on answering and following from its open
#      copy, and makes a new first copy when restarted.
#
# Everything runs on 127.0.0.1 from a scratch directory: a private PostgreSQL cluster
# (scripts/pg-cluster.sh), a private Postfix instance (scripts/lib/postfix-instance.bash). The
# nodes connect as a role holding only the GRANTs docs/fleet.md lists (SELECT on
# sasldb4j.records, sasldb4j.changes and the sequence sasldb4j.changes_seq; LISTEN needs none): a node that
# needed more would fail here.
# Prints PASS/FAIL per check and ends with "fleet-e2e: N passed, M failed"; exits non-zero on any
# failure. Leaves no server running. Needs root (Postfix's master, the postgres account).
#
# Environment: FLEET_PORT_BASE (SMTP port, default 12625), FLEET_KEEP=1 (keep the work directory),
#   PROPAGATION (seconds a change may take to reach a node while the database is up, default 5),
#   RECOVERY (seconds a node may take to catch up after the database returns, default 45: a
#   replica retries with a delay doubling up to 30 s).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH="$PATH:/usr/sbin:/sbin"
export LC_ALL=C.UTF-8
P_SMTP=${FLEET_PORT_BASE:-12625}
PROPAGATION=${PROPAGATION:-5}
RECOVERY=${RECOVERY:-45}
REALM=example.org

log() { echo "fleet-e2e: $*" >&2; }
die() { log "$*"; echo "fleet-e2e: $PASS passed, $((FAIL + 1)) failed"; exit 1; }
PASS=0 FAIL=0
# shellcheck source=lib/postfix-instance.bash
. scripts/lib/postfix-instance.bash

# --- packages --------------------------------------------------------------------------------
need=()
for p in postfix swaks postgresql sasl2-bin libdigest-hmac-perl; do
    dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
    log "installing ${need[*]}"
    # "No configuration": the package must not configure or start the system's own Postfix.
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
    env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null \
        && env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
        || die "apt-get install ${need[*]} failed"
fi
[ "$(id -u)" = 0 ] || die "must run as root (Postfix's master, the cluster's postgres account)"

# --- work directory and cleanup ----------------------------------------------------------------
WORK=$(mktemp -d /tmp/sasldb4j-fleet.XXXXXX)
chmod 0711 "$WORK"   # smtpd (user postfix) must traverse it to reach node 1's socket
PF=$WORK/postfix
PG=$WORK/pg
NODE_PID=()
stop_node() {   # index
    local pid=${NODE_PID[$1]:-}
    [ -n "$pid" ] || return 0
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid"
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null
    fi
    wait "$pid" 2>/dev/null
    NODE_PID[$1]=
}
cleanup() {
    set +e
    stop_node 1
    stop_node 2
    postfix_instance_stop "$PF"
    [ -d "$PG" ] && scripts/pg-cluster.sh stop "$PG" >/dev/null 2>&1
    if [ "${FLEET_KEEP:-}" = 1 ]; then log "work directory kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

report() {   # ok? name detail
    if [ "$1" = 1 ]; then PASS=$((PASS + 1)); echo "PASS $2"; else FAIL=$((FAIL + 1)); echo "FAIL $2 ($3)"; fi
}

# --- build ---------------------------------------------------------------------------------------
log "building (first use only)"
bin/saslpasswd -v >/dev/null 2>&1 || true
bin/sasldb-authd --help >/dev/null 2>&1 || die "bin/sasldb-authd does not start"

# --- the database ------------------------------------------------------------------------------
URL=$(scripts/pg-cluster.sh start "$PG") || die "the private PostgreSQL cluster did not start"
# shellcheck disable=SC1091
. "$PG/env"   # PGHOST PGPORT PGUSER(sasldb4j: the admin role, owner of the database) PGPASSFILE
# --- 0. migration: two nodes' Cyrus sasldb2 files into the one database (docs/fleet.md) ----------
# mx1 and mx2 hold bob alike, alice with different passwords (a conflict), carol and dave on one
# node each. Made with Cyrus's own saslpasswd2 (Berkeley DB, as on a Debian node).
mkdir -m 0700 "$WORK/files"
cyrus_user() {   # file user password
    printf '%s' "$3" | saslpasswd2 -p -c -f "$1" -u "$REALM" "$2" || die "saslpasswd2 -f $1 $2 failed"
}
cyrus_user "$WORK/files/mx1.sasldb2" alice alicepw
cyrus_user "$WORK/files/mx1.sasldb2" bob bobpw
cyrus_user "$WORK/files/mx1.sasldb2" carol carolpw
cyrus_user "$WORK/files/mx2.sasldb2" alice alice-on-mx2
cyrus_user "$WORK/files/mx2.sasldb2" bob bobpw
cyrus_user "$WORK/files/mx2.sasldb2" dave davepw
convert() {   # args...: runs sasldbconvert; sets OUT (stdout and stderr) and RC
    OUT=$(bin/sasldbconvert "$@" 2>&1)
    RC=$?
}
db_users() { bin/sasldblistusers -f "$URL" 2>/dev/null | cut -d: -f1 | sort -u | tr '\n' ' '; }
convert "$WORK/files/mx1.sasldb2" "$URL"
[ "$RC" = 0 ] && report 1 "migration: mx1's file into the empty database" \
    || report 0 "migration: mx1's file into the empty database" "exit $RC: $OUT"
convert "$WORK/files/mx2.sasldb2" "$URL"
[ "$RC" != 0 ] && [[ $OUT == *"already holds records"* ]] \
    && report 1 "migration: mx2's file without --merge is refused" \
    || report 0 "migration: mx2's file without --merge is refused" "exit $RC: $OUT"
convert --merge --dry-run "$WORK/files/mx2.sasldb2" "$URL"
[ "$RC" = 1 ] && [[ $OUT == *'conflict: "alice@'* ]] && [[ $OUT != *'conflict: "bob@'* ]] \
    && report 1 "migration: the dry run names alice as the one conflict" \
    || report 0 "migration: the dry run names alice as the one conflict" "exit $RC: $OUT"
convert --merge "$WORK/files/mx2.sasldb2" "$URL"
users=$(db_users)
[ "$RC" = 1 ] && [[ $OUT == *'conflict: "alice@'* ]] && [ "$users" = "alice@$REALM bob@$REALM carol@$REALM " ] \
    && report 1 "migration: a merge with a conflict writes nothing" \
    || report 0 "migration: a merge with a conflict writes nothing" "exit $RC, users now: $users; $OUT"
convert --merge --prefer target "$WORK/files/mx2.sasldb2" "$URL"
users=$(db_users)
[ "$RC" = 0 ] && [[ $OUT == *'kept "alice@'* ]] && [[ $OUT == *'added "dave@'* ]] \
    && [ "$users" = "alice@$REALM bob@$REALM carol@$REALM dave@$REALM " ] \
    && report 1 "migration: --prefer target keeps alice's database records, adds dave" \
    || report 0 "migration: --prefer target keeps alice's database records, adds dave" "exit $RC, users: $users; $OUT"
files=$(for f in "$WORK"/files/mx*.sasldb2; do sasldblistusers2 -f "$f"; done | cut -d: -f1 | sort -u | tr '\n' ' ')
[ "$files" = "$users" ] && report 1 "migration: every user of both files is in the database" \
    || report 0 "migration: every user of both files is in the database" "files: $files; database: $users"

# The nodes' role: exactly the GRANTs of docs/fleet.md, its password in a 0600 file of its own.
NODE_PW=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
scripts/pg-cluster.sh psql "$PG" -q -v ON_ERROR_STOP=1 >/dev/null <<SQL || die "cannot create the node role"
CREATE ROLE sasldb4j_node LOGIN PASSWORD '$NODE_PW';
REVOKE ALL ON DATABASE sasldb4j FROM PUBLIC;
GRANT CONNECT ON DATABASE sasldb4j TO sasldb4j, sasldb4j_node;
GRANT USAGE  ON SCHEMA sasldb4j TO sasldb4j_node;
GRANT SELECT ON sasldb4j.records, sasldb4j.changes TO sasldb4j_node;
GRANT SELECT ON SEQUENCE sasldb4j.changes_seq TO sasldb4j_node;
SQL
(umask 077 && printf '127.0.0.1:%s:sasldb4j:sasldb4j_node:%s\n' "$PGPORT" "$NODE_PW" > "$WORK/node-pgpass")
NODE_URL="postgresql://sasldb4j_node@127.0.0.1:$PGPORT/sasldb4j"

# --- Postfix in front of node 1 ----------------------------------------------------------------
postfix_instance_write "$PF" "$REALM" "$WORK" <<EOF
127.0.0.1:$P_SMTP inet n - n - - smtpd
  -o syslog_name=postfix/fleet-node1
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_sasl_type=dovecot
  -o smtpd_sasl_path=private/auth
  -o smtpd_sasl_security_options=noanonymous
EOF
postfix_instance "$PF" check
postfix_instance "$PF" start

# --- the two nodes -----------------------------------------------------------------------------
SOCK=("" "$PF/spool/private/auth" "$WORK/node2/auth")
start_node() {   # index
    local n=$1
    mkdir -p -m 0750 "$WORK/node$n" && chgrp postfix "$WORK/node$n"
    rm -f "${SOCK[$n]}"
    PGPASSFILE=$WORK/node-pgpass bin/sasldb-authd --foreground --replica-of "$NODE_URL" -f "$WORK/node$n/replica" \
        --realm "$REALM" --dovecot-socket "${SOCK[$n]}" --socket-group postfix \
        --failure-delay 0 --throttle off >>"$WORK/node$n.log" 2>&1 &
    NODE_PID[$n]=$!
    for _ in $(seq 300); do
        [ -S "${SOCK[$n]}" ] && return 0
        kill -0 "${NODE_PID[$n]}" 2>/dev/null || { tail -20 "$WORK/node$n.log" >&2; die "node $n exited"; }
        sleep 0.1
    done
    tail -20 "$WORK/node$n.log" >&2
    die "node $n did not create its socket"
}
start_node 1
start_node 2

# node_login INDEX USER PASSWORD ok|fail [WITHIN]: asks the node's socket until the expected answer
# (at most WITHIN seconds); sets ANSWER to what it printed.
node_login() {
    ANSWER=$(printf '%s\n' "$3" | python3 scripts/lib/dovecot-login.py "${SOCK[$1]}" "$2@$REALM" \
        --expect "$4" --within "${5:-0}")
}
expect_node() {   # name index user password ok|fail [within]
    local name=$1
    shift
    node_login "$@" && report 1 "$name ($ANSWER)" || report 0 "$name" "expected $4, got $ANSWER"
}
expect_smtp() {   # name user password code
    local code
    code=$(smtp_auth_code "$P_SMTP" PLAIN "$2@$REALM" "$3")
    [ "$code" = "$4" ] && report 1 "$1" || report 0 "$1" "expected $4, got ${code:-nothing}"
}

# --- 1. first copy -----------------------------------------------------------------------------
expect_smtp "node 1 through Postfix: alice" alice alicepw 235
expect_smtp "node 1 through Postfix: wrong password" alice wrongpw 535
expect_node "node 2: alice" 2 alice alicepw ok
expect_node "node 2: wrong password" 2 alice wrongpw fail
expect_node "node 2: unknown user" 2 nobody alicepw fail

# --- 2. changes while the database is up -------------------------------------------------------
printf 'alicepw2' | bin/saslpasswd -p -f "$URL" -u "$REALM" alice >/dev/null || die "saslpasswd (change alice) failed"
expect_node "change: node 1 answers alice's new password" 1 alice alicepw2 ok "$PROPAGATION"
expect_node "change: node 2 answers alice's new password" 2 alice alicepw2 ok "$PROPAGATION"
expect_smtp "change: node 1 through Postfix, new password" alice alicepw2 235
expect_smtp "change: node 1 through Postfix, old password" alice alicepw 535
expect_node "change: node 2 refuses the old password" 2 alice alicepw fail
bin/saslpasswd --disable -f "$URL" -u "$REALM" bob >/dev/null || die "saslpasswd --disable bob failed"
expect_node "disable: node 1 refuses bob" 1 bob bobpw fail "$PROPAGATION"
expect_node "disable: node 2 refuses bob" 2 bob bobpw fail "$PROPAGATION"
expect_smtp "disable: node 1 through Postfix refuses bob" bob bobpw 535

# --- 3. the database stopped ---------------------------------------------------------------------
scripts/pg-cluster.sh halt "$PG"
sleep 2   # long enough for the nodes to notice (their connection ends with the server)
expect_smtp "database down: node 1 through Postfix, alice" alice alicepw2 235
expect_node "database down: node 2, alice" 2 alice alicepw2 ok
expect_node "database down: node 2 still refuses bob" 2 bob bobpw fail
# An admin write fails, with one clear line and no stack trace.
out=$(printf 'alicepw3' | bin/saslpasswd -p -f "$URL" -u "$REALM" alice 2>&1 >/dev/null)
rc=$?
lines=$(printf '%s\n' "$out" | grep -c .)
if [ "$rc" != 0 ] && [ "$lines" = 1 ] && ! printf '%s' "$out" | grep -qE 'Exception|^\s+at ' \
    && ! printf '%s' "$out" | grep -q 'alicepw3'; then
    report 1 "database down: saslpasswd fails with one line: $out"
else
    report 0 "database down: saslpasswd fails with one line" "exit $rc, $lines lines: $out"
fi
# A node started while the database is down serves its last copy.
stop_node 2
start_node 2
expect_node "database down: node 2 restarted, serves its last copy" 2 alice alicepw2 ok "$PROPAGATION"
expect_node "database down: node 2 restarted, still refuses bob" 2 bob bobpw fail

# --- 4. the database back ------------------------------------------------------------------------
scripts/pg-cluster.sh start "$PG" >/dev/null || die "the cluster did not start again"
# A change with the tools ...
printf 'alicepw3' | bin/saslpasswd -p -f "$URL" -u "$REALM" alice >/dev/null || die "saslpasswd (change alice again) failed"
# ... and one through plain SQL, the other path into the same table: the change log's triggers
# record it as well.
printf "DELETE FROM sasldb4j.records WHERE authid = 'carol' AND realm = '%s';\n" "$REALM" \
    | psql -X -q -v ON_ERROR_STOP=1 >/dev/null || die "psql DELETE carol failed"
expect_node "database back: node 1 caught up (alice's newest password)" 1 alice alicepw3 ok "$RECOVERY"
expect_node "database back: node 2 caught up (alice's newest password)" 2 alice alicepw3 ok "$RECOVERY"
expect_node "database back: node 1, carol deleted with psql" 1 carol carolpw fail "$PROPAGATION"
expect_node "database back: node 2, carol deleted with psql" 2 carol carolpw fail "$PROPAGATION"
expect_smtp "database back: node 1 through Postfix, newest password" alice alicepw3 235
expect_smtp "database back: node 1 through Postfix, carol" carol carolpw 535
# Once caught up, a change is again seen within the bound of a live database.
printf 'davepw2' | bin/saslpasswd -p -f "$URL" -u "$REALM" dave >/dev/null || die "saslpasswd (change dave) failed"
expect_node "database back: node 1, dave's change within ${PROPAGATION} s" 1 dave davepw2 ok "$PROPAGATION"
expect_node "database back: node 2, dave's change within ${PROPAGATION} s" 2 dave davepw2 ok "$PROPAGATION"

# --- 5. a replica file deleted under a running node -----------------------------------------------
rm -f "$WORK/node2/replica"
expect_node "replica deleted: node 2 still answers from its open copy" 2 alice alicepw3 ok
printf 'davepw3' | bin/saslpasswd -p -f "$URL" -u "$REALM" dave >/dev/null || die "saslpasswd (change dave again) failed"
expect_node "replica deleted: node 2 still follows the database" 2 dave davepw3 ok "$PROPAGATION"
stop_node 2
start_node 2
expect_node "replica deleted: node 2 restarted makes a new first copy" 2 dave davepw3 ok "$PROPAGATION"
# (its first start logged the same line: the restart must add a second one)
[ "$(grep -c "replica $WORK/node2/replica: no replica yet; copying" "$WORK/node2.log")" = 2 ] \
    && report 1 "replica deleted: node 2 logged the new first copy" \
    || report 0 "replica deleted: node 2 logged the new first copy" "no 'no replica yet' line in $WORK/node2.log"

# The outage was logged with the replica's staleness, and its end (docs/replica.md, "Log lines").
for n in 1 2; do
    grep -Eq "WARNING replica .*: database .* unreachable \(.*\); serving the last copy \(seq [0-9]+, [0-9]+ s stale\)" "$WORK/node$n.log" \
        && report 1 "node $n logged the outage with its staleness" \
        || report 0 "node $n logged the outage with its staleness" "no 'unreachable ... s stale' line in $WORK/node$n.log"
done
grep -Eq "INFO replica .* reachable again; caught up \(seq [0-9]+\) after [0-9]+ s unreachable" "$WORK/node1.log" \
    && report 1 "node 1 logged that it caught up" \
    || report 0 "node 1 logged that it caught up" "no 'reachable again; caught up' line in $WORK/node1.log"

# No secret in any node's log.
if ! grep -qE 'alicepw|bobpw|carolpw|davepw' "$WORK"/node[12].log && ! grep -qF "$NODE_PW" "$WORK"/node[12].log; then
    report 1 "node logs hold no password"
else
    report 0 "node logs hold no password" "see $WORK/node1.log, $WORK/node2.log"
fi

if [ "$FAIL" -gt 0 ]; then
    for n in 1 2; do log "node $n log:"; tail -n 25 "$WORK/node$n.log" >&2; done
    log "Postfix log:"; tail -n 20 "$PF/maillog" >&2 2>/dev/null
fi
echo "fleet-e2e: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
