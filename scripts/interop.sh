#!/usr/bin/env bash
# End-to-end check of the three ways a real Postfix (Debian's package) can authenticate SMTP
# clients against a sasldb4j store, with swaks as the SMTP client, all on 127.0.0.1:
#
#   path 1  smtpd_sasl_type = dovecot          -> sasldb-authd (Dovecot auth protocol), LMDB store
#   path 2  Cyrus libsasl, pwcheck_method: saslauthd -> sasldb-authd's saslauthd socket
#   path 3  Cyrus libsasl, auxprop_plugin: sql, sql_engine: sqlite3 -> sasldb4j SQLite store
#   path 3 pgsql  the same plugin with sql_engine: pgsql -> sasldb4j PostgreSQL store (a private
#           cluster, scripts/pg-cluster.sh; users written by saslpasswd; docs/postgresql-readers.md)
#
# A private Postfix instance runs from its own config and queue directories under a temporary
# directory (postfix -c DIR start), on its own ports; the system's /etc/postfix is not read or
# changed (Debian's smtpd reads the Cyrus files from DIR/sasl/).
# Prints PASS/FAIL per check and ends with "interop: N passed, M failed"; exits non-zero on any
# failure. Leaves no server running.
#
# Environment: INTEROP_PORT_BASE (default 12525), INTEROP_KEEP=1 (keep the work directory),
# INTEROP_ONLY=attacks (only the attack replay at the end; used by
# scripts/attacks/abandoned-exchanges.sh), INTEROP_ONLY=guessing (only the password-guessing
# replay, with the daemon's throttle on; used by scripts/attacks/guessing.sh).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH="$PATH:/usr/sbin:/sbin"
export LC_ALL=C.UTF-8
BASE=${INTEROP_PORT_BASE:-12525}
P_DOVECOT=$BASE P_SASLAUTHD=$((BASE + 1)) P_SQL=$((BASE + 2)) P_NOPLAIN=$((BASE + 3)) P_PGSQL=$((BASE + 4))
REALM=example.org

log() { echo "interop: $*" >&2; }
die() { log "$*"; echo "interop: 0 passed, 1 failed"; exit 1; }
# shellcheck source=lib/postfix-instance.bash
. scripts/lib/postfix-instance.bash

# --- packages --------------------------------------------------------------------------------
need=()
for p in postfix swaks sasl2-bin libsasl2-modules libsasl2-modules-sql sqlite3 libdigest-hmac-perl postgresql; do
    dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
    SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
    log "installing ${need[*]}"
    # "No configuration": the package must not configure or start the system's own Postfix.
    echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null \
        && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
        || die "apt-get install ${need[*]} failed"
fi
[ "$(id -u)" = 0 ] || die "must run as root (Postfix's master, sockets owned by group postfix)"
getent group postfix >/dev/null || die "no postfix group after installing postfix"

# --- work directory and cleanup ----------------------------------------------------------------
WORK=$(mktemp -d /tmp/sasldb4j-interop.XXXXXX)
chmod 0711 "$WORK"   # smtpd (user postfix) must traverse it to reach the sockets and the SQLite store
PF=$WORK/postfix
# Debian's smtpd reads Cyrus SASL settings from <config_directory>/sasl/<smtpd_sasl_path>.conf
# (observed with strace; cyrus_sasl_config_path is not used): here the private instance's own.
SASLCONF=$PF/etc/sasl
SASLNAME=sasldb4j-interop
AUTHD_PID=
PG=$WORK/pg
cleanup() {
    set +e
    if [ -n "$AUTHD_PID" ] && kill -0 "$AUTHD_PID" 2>/dev/null; then
        kill -TERM "$AUTHD_PID"
        for _ in $(seq 50); do kill -0 "$AUTHD_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$AUTHD_PID" 2>/dev/null
    fi
    postfix_instance_stop "$PF"
    [ -e "$PG/port" ] && "$ROOT/scripts/pg-cluster.sh" stop "$PG" >/dev/null 2>&1
    if [ "${INTEROP_KEEP:-}" = 1 ]; then log "work directory kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- build ---------------------------------------------------------------------------------------
log "building (first use only)"
bin/saslpasswd -v >/dev/null 2>&1 || true
bin/sasldb-authd --help >/dev/null 2>&1 || die "bin/sasldb-authd does not start"
AUTHD_JAR=$ROOT/auxprop-bridge/daemon/target/sasldb4j-authd-0.1.0-SNAPSHOT-all.jar
[ -f "$AUTHD_JAR" ] || die "$AUTHD_JAR missing after the build"

# --- stores ------------------------------------------------------------------------------------
# LMDB store for paths 1 and 2 (read by sasldb-authd as root); SQLite store for path 3, read by
# smtpd itself (user postfix): group postfix, and a group-writable directory because SQLite in
# WAL mode may need to create the -wal/-shm files next to it.
mkdir -m 0750 "$WORK/lmdb" && chgrp postfix "$WORK/lmdb"
mkdir -m 0770 "$WORK/sqlite" && chgrp postfix "$WORK/sqlite"
LMDB=$WORK/lmdb/sasldb
SQLITE=$WORK/sqlite/sasldb.sqlite
UTF8_PW='pässwörd ✓'
add_user() {   # store backend user realm password
    printf '%s' "$5" | bin/saslpasswd -p -c -f "$1" --backend "$2" -u "$4" "$3" >/dev/null \
        || die "saslpasswd failed for $3@$4 in $1"
}
for spec in "lmdb:$LMDB" "sqlite:$SQLITE"; do
    b=${spec%%:*} f=${spec#*:}
    add_user "$f" "$b" alice "$REALM" alicepw
    add_user "$f" "$b" carol "$REALM" "$UTF8_PW"
    add_user "$f" "$b" bob other.test bobpw
    add_user "$f" "$b" dis "$REALM" dispw
done
# Argon2id-only and disabled users, made with saslpasswd's own switches.
for spec in "lmdb:$LMDB" "sqlite:$SQLITE"; do
    b=${spec%%:*} f=${spec#*:}
    printf 'argonpw' | bin/saslpasswd -p -f "$f" --backend "$b" --schemes argon2id -u "$REALM" argon >/dev/null \
        || die "saslpasswd --schemes argon2id failed in $f"
    bin/saslpasswd --disable -f "$f" -u "$REALM" dis >/dev/null || die "saslpasswd --disable failed in $f"
done
chgrp postfix "$SQLITE"* && chmod 0660 "$SQLITE"*

# PostgreSQL store for path 3 pgsql (not needed by the attack replays): a private cluster; the
# schema and the same users, written by saslpasswd (the password from the cluster's pgpass file,
# through PGPASSFILE, never on argv). smtpd connects as sasldb4j_cyrus, a role that may only read
# sasldb4j.records (docs/postgresql-readers.md).
if [ -z "${INTEROP_ONLY:-}" ]; then
    PG_URL=$(scripts/pg-cluster.sh start "$PG") || die "could not start a private PostgreSQL cluster"
    PG_PORT=$(cat "$PG/port")
    pg_user() {   # user realm password [saslpasswd options]
        printf '%s' "$3" | PGPASSFILE=$PG/pgpass bin/saslpasswd -p -f "$PG_URL" -u "$2" "${@:4}" "$1" >/dev/null \
            || die "saslpasswd failed for $1@$2 in $PG_URL"
    }
    pg_user alice "$REALM" alicepw -c
    pg_user carol "$REALM" "$UTF8_PW"
    pg_user bob other.test bobpw
    pg_user dis "$REALM" dispw
    pg_user argon "$REALM" argonpw --schemes argon2id
    pg_user "o'brien" "$REALM" obrienpw
    PGPASSFILE=$PG/pgpass bin/saslpasswd --disable -f "$PG_URL" -u "$REALM" dis >/dev/null \
        || die "saslpasswd --disable failed in $PG_URL"
    CYRUS_PG_PW=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
    # CREATE ROLE needs the superuser; the GRANTs come from the schema's owner (the tools' role).
    printf "CREATE ROLE sasldb4j_cyrus LOGIN PASSWORD '%s';\n" "$CYRUS_PG_PW" \
        | scripts/pg-cluster.sh psql "$PG" -q -v ON_ERROR_STOP=1 >/dev/null || die "CREATE ROLE sasldb4j_cyrus failed"
    (. "$PG/env" && psql -X -q -v ON_ERROR_STOP=1 >/dev/null) <<'SQL' || die "GRANT to sasldb4j_cyrus failed"
GRANT CONNECT ON DATABASE sasldb4j TO sasldb4j_cyrus;
GRANT USAGE ON SCHEMA sasldb4j TO sasldb4j_cyrus;
GRANT SELECT ON sasldb4j.records TO sasldb4j_cyrus;
SQL
fi

# --- private Postfix instance ------------------------------------------------------------------
# One smtpd per SASL path under test; the entries differ only in their port and -o values.
postfix_instance_write "$PF" "$REALM" "$WORK" <<EOF
127.0.0.1:$P_DOVECOT inet n - n - - smtpd
  -o syslog_name=postfix/interop-dovecot
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_sasl_type=dovecot
  -o smtpd_sasl_path=private/auth
  -o smtpd_sasl_security_options=noanonymous
127.0.0.1:$P_SASLAUTHD inet n - n - - smtpd
  -o syslog_name=postfix/interop-saslauthd
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_sasl_type=cyrus
  -o smtpd_sasl_path=$SASLNAME-saslauthd
  -o smtpd_sasl_security_options=noanonymous
127.0.0.1:$P_SQL inet n - n - - smtpd
  -o syslog_name=postfix/interop-sql
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_sasl_type=cyrus
  -o smtpd_sasl_path=$SASLNAME-sql
  -o smtpd_sasl_security_options=noanonymous
127.0.0.1:$P_PGSQL inet n - n - - smtpd
  -o syslog_name=postfix/interop-pgsql
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_sasl_type=cyrus
  -o smtpd_sasl_path=$SASLNAME-pgsql
  -o smtpd_sasl_security_options=noanonymous
127.0.0.1:$P_NOPLAIN inet n - n - - smtpd
  -o syslog_name=postfix/interop-noplaintext
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_sasl_type=dovecot
  -o smtpd_sasl_path=private/auth
  -o smtpd_sasl_security_options=noanonymous,noplaintext
EOF
mkdir -p "$SASLCONF"
cat > "$SASLCONF/$SASLNAME-saslauthd.conf" <<EOF
pwcheck_method: saslauthd
saslauthd_path: $WORK/run/mux
mech_list: PLAIN LOGIN
EOF
# The NOT EXISTS clause makes a sasldb4j-disabled user fail through Cyrus too (libsasl itself
# ignores the sasldb4j.disabled property).
cat > "$SASLCONF/$SASLNAME-sql.conf" <<EOF
pwcheck_method: auxprop
auxprop_plugin: sql
sql_engine: sqlite3
sql_database: $SQLITE
sql_select: SELECT value FROM sasldb WHERE authid = '%u' AND realm = '%r' AND property = '%p' AND NOT EXISTS (SELECT 1 FROM sasldb WHERE authid = '%u' AND realm = '%r' AND property = 'sasldb4j.disabled')
mech_list: PLAIN LOGIN CRAM-MD5
EOF
chmod 0644 "$SASLCONF/$SASLNAME"-*.conf
# The same plugin on PostgreSQL. Cyrus substitutes %u, %r, %p (escaped by libpq) and takes the
# first column of the first row; values are bytea, convert_from makes them text. This file holds
# the database password: readable by smtpd (group postfix) and root only.
if [ -z "${INTEROP_ONLY:-}" ]; then
    (umask 027; cat > "$SASLCONF/$SASLNAME-pgsql.conf" <<EOF
pwcheck_method: auxprop
auxprop_plugin: sql
sql_engine: pgsql
sql_hostnames: 127.0.0.1:$PG_PORT
sql_user: sasldb4j_cyrus
sql_passwd: $CYRUS_PG_PW
sql_database: sasldb4j
sql_select: SELECT convert_from(value, 'UTF8') FROM sasldb4j.records WHERE authid = '%u' AND realm = '%r' AND property = '%p' AND NOT EXISTS (SELECT 1 FROM sasldb4j.records WHERE authid = '%u' AND realm = '%r' AND property = 'sasldb4j.disabled')
mech_list: PLAIN LOGIN CRAM-MD5
EOF
    )
    chown root:postfix "$SASLCONF/$SASLNAME-pgsql.conf" && chmod 0640 "$SASLCONF/$SASLNAME-pgsql.conf"
fi
postfix_instance "$PF" check
postfix_instance "$PF" start

# --- sasldb-authd --------------------------------------------------------------------------------
mkdir -m 0750 "$WORK/run" && chgrp postfix "$WORK/run"
# The attack replays need the daemon's FINE lines to prove the attack took effect (below).
AUTHD_LOG_LEVEL=
if [ "${INTEROP_ONLY:-}" = attacks ]; then AUTHD_LOG_LEVEL="--log-level FINE"; fi
# The checks make many failures from 127.0.0.1 on purpose: no throttle, except in the replay of
# password guessing, which runs with the throttle's defaults.
THROTTLE=(--throttle off)
[ "${INTEROP_ONLY:-}" = guessing ] && THROTTLE=()
bin/sasldb-authd --foreground -f "$LMDB" --realm "$REALM" \
    --dovecot-socket "$PF/spool/private/auth" --saslauthd-socket "$WORK/run/mux" \
    --socket-group postfix --failure-delay 0 $AUTHD_LOG_LEVEL "${THROTTLE[@]}" >"$WORK/authd.log" 2>&1 &
AUTHD_PID=$!
for _ in $(seq 300); do
    [ -S "$PF/spool/private/auth" ] && [ -S "$WORK/run/mux" ] && break
    kill -0 "$AUTHD_PID" 2>/dev/null || { cat "$WORK/authd.log" >&2; die "sasldb-authd exited"; }
    sleep 0.1
done
[ -S "$WORK/run/mux" ] || { cat "$WORK/authd.log" >&2; die "sasldb-authd did not create its sockets"; }
for _ in $(seq 100); do
    (exec 3<>/dev/tcp/127.0.0.1/$P_SQL) 2>/dev/null && break
    sleep 0.1
done

[ -n "${INTEROP_DEBUG:-}" ] && { log "paused: $WORK"; sleep "$INTEROP_DEBUG"; }
# --- checks ----------------------------------------------------------------------------------------
PASS=0 FAIL=0
report() {   # ok? name detail
    if [ "$1" = 1 ]; then PASS=$((PASS + 1)); echo "PASS $2"; else FAIL=$((FAIL + 1)); echo "FAIL $2 ($3)"; fi
}
# check NAME PORT MECH USER PASSWORD EXPECTED-CODE
check() {
    local out code
    out=$(timeout 30 swaks --server 127.0.0.1 --port "$2" --ehlo interop.test --auth "$3" \
        --auth-user "$4" --auth-password "$5" --quit-after AUTH 2>&1)
    # swaks marks server lines with "<-" (or "<~" under TLS), errors with "<**".
    code=$(printf '%s\n' "$out" | sed -n 's/^ *<[-~*]* *\([0-9][0-9][0-9]\)[ -].*/\1/p' | grep -v '^221$' | tail -1)
    [ "$code" = "$6" ] && report 1 "$1" || report 0 "$1" "expected $6, got ${code:-nothing}: $(printf '%s\n' "$out" | grep -E '^ *<[-~*]* *[0-9]{3}' | tail -1)"
}
# ehlo NAME PORT EXPECTED-AUTH-LINE
ehlo() {
    local line
    line=$(timeout 30 swaks --server 127.0.0.1 --port "$2" --ehlo interop.test --quit-after EHLO 2>&1 \
        | sed -n 's/^ *<[-~]* *250[- ]AUTH \(.*\)$/\1/p' | tr -d '\r')
    [ "$line" = "$3" ] && report 1 "$1" || report 0 "$1" "expected 'AUTH $3', got '${line}'"
}

run_path() {   # label port mechanisms... (argon: whether Argon2id-only users can use PLAIN/LOGIN there)
    local label=$1 port=$2 argon=$3
    shift 3
    for m in "$@"; do
        check "$label $m success" "$port" "$m" alice@$REALM alicepw 235
        check "$label $m success, default realm" "$port" "$m" alice alicepw 235
        check "$label $m wrong password" "$port" "$m" alice@$REALM wrongpw 535
        check "$label $m unknown user" "$port" "$m" nobody@$REALM alicepw 535
        check "$label $m disabled user" "$port" "$m" dis@$REALM dispw 535
        check "$label $m UTF-8 password" "$port" "$m" carol@$REALM "$UTF8_PW" 235
        check "$label $m other realm" "$port" "$m" bob@other.test bobpw 235
        check "$label $m other realm, wrong realm" "$port" "$m" bob@$REALM bobpw 535
        local want=535
        if [ "$argon" = yes ] && [ "$m" != CRAM-MD5 ]; then want=235; fi
        check "$label $m Argon2id-only user (expect $want)" "$port" "$m" argon@$REALM argonpw "$want"
    done
}

if [ -z "${INTEROP_ONLY:-}" ]; then
ehlo "path1 dovecot EHLO mechanisms" "$P_DOVECOT" "PLAIN LOGIN CRAM-MD5 SCRAM-SHA-1 SCRAM-SHA-256"
ehlo "path1 dovecot EHLO with noplaintext" "$P_NOPLAIN" "CRAM-MD5 SCRAM-SHA-1 SCRAM-SHA-256"
run_path "path1 dovecot" "$P_DOVECOT" yes PLAIN LOGIN CRAM-MD5
ehlo "path2 saslauthd EHLO mechanisms" "$P_SASLAUTHD" "PLAIN LOGIN"
run_path "path2 saslauthd" "$P_SASLAUTHD" yes PLAIN LOGIN
ehlo "path3 sql EHLO mechanisms" "$P_SQL" "PLAIN LOGIN CRAM-MD5"
run_path "path3 sql" "$P_SQL" no PLAIN LOGIN CRAM-MD5
ehlo "path3 pgsql EHLO mechanisms" "$P_PGSQL" "PLAIN LOGIN CRAM-MD5"
run_path "path3 pgsql" "$P_PGSQL" no PLAIN LOGIN CRAM-MD5
# Unlike sqlite3 (docs/sqlite.md, "Cyrus's sqlite3 quoting defect"), libpq quotes an apostrophe.
check "path3 pgsql PLAIN apostrophe in the user id" "$P_PGSQL" PLAIN "o'brien@$REALM" obrienpw 235
check "path3 pgsql PLAIN apostrophe in the user id, wrong password" "$P_PGSQL" PLAIN "o'brien@$REALM" wrongpw 535

# A change made with saslpasswd while everything runs counts at the next login.
printf 'newpw' | bin/saslpasswd -p -c -f "$LMDB" -u "$REALM" alice >/dev/null
printf 'newpw' | bin/saslpasswd -p -c -f "$SQLITE" --backend sqlite -u "$REALM" alice >/dev/null
printf 'newpw' | PGPASSFILE=$PG/pgpass bin/saslpasswd -p -c -f "$PG_URL" -u "$REALM" alice >/dev/null
for spec in "path1 dovecot:$P_DOVECOT" "path2 saslauthd:$P_SASLAUTHD" "path3 sql:$P_SQL" "path3 pgsql:$P_PGSQL"; do
    check "${spec%%:*} PLAIN password changed: new" "${spec#*:}" PLAIN alice@$REALM newpw 235
    check "${spec%%:*} PLAIN password changed: old" "${spec#*:}" PLAIN alice@$REALM alicepw 535
done

# saslpasswd -n on a user with a plaintext keeps nothing of the old password. (saslpasswd2 -n keeps the
# plaintext, which every mechanism uses first: the old password kept logging in, the new one failed.)
printf 'hashedpw' | bin/saslpasswd -p -n -f "$LMDB" -u "$REALM" alice >/dev/null
printf 'hashedpw' | bin/saslpasswd -p -n -f "$SQLITE" --backend sqlite -u "$REALM" alice >/dev/null
printf 'hashedpw' | PGPASSFILE=$PG/pgpass bin/saslpasswd -p -n -f "$PG_URL" -u "$REALM" alice >/dev/null
for spec in "path1 dovecot:$P_DOVECOT" "path2 saslauthd:$P_SASLAUTHD"; do
    check "${spec%%:*} PLAIN changed with -n: new" "${spec#*:}" PLAIN alice@$REALM hashedpw 235
    check "${spec%%:*} PLAIN changed with -n: old" "${spec#*:}" PLAIN alice@$REALM newpw 535
done
# libsasl's PLAIN needs a plaintext, so through the sql plugin the hashed-only user cannot log in at all.
check "path3 sql PLAIN changed with -n: old" "$P_SQL" PLAIN alice@$REALM newpw 535
check "path3 sql PLAIN changed with -n: new (no plaintext for libsasl)" "$P_SQL" PLAIN alice@$REALM hashedpw 535
check "path3 pgsql PLAIN changed with -n: old" "$P_PGSQL" PLAIN alice@$REALM newpw 535
check "path3 pgsql PLAIN changed with -n: new (no plaintext for libsasl)" "$P_PGSQL" PLAIN alice@$REALM hashedpw 535

# The database stopped: the sql plugin has no copy and every login fails; started again, the
# next login works.
printf 'pgpw' | PGPASSFILE=$PG/pgpass bin/saslpasswd -p -f "$PG_URL" -u "$REALM" carol >/dev/null
scripts/pg-cluster.sh halt "$PG"
check "path3 pgsql database stopped: PLAIN refused" "$P_PGSQL" PLAIN carol@$REALM pgpw 454
scripts/pg-cluster.sh start "$PG" >/dev/null || die "the PostgreSQL cluster did not start again"
check "path3 pgsql database started again: PLAIN" "$P_PGSQL" PLAIN carol@$REALM pgpw 235

# testsaslauthd straight at the daemon's saslauthd socket
out=$(testsaslauthd -f "$WORK/run/mux" -s smtp -u argon -r "$REALM" -p argonpw 2>&1)
[ "$out" = '0: OK "Success."' ] && report 1 "testsaslauthd Argon2id-only user" || report 0 "testsaslauthd Argon2id-only user" "$out"

# The daemon logged every authentication, never a password.
if grep -q 'auth dovecot: mech=PLAIN user=alice@example.org result=ok rip=127.0.0.1' "$WORK/authd.log" \
    && ! grep -qE 'alicepw|argonpw|dispw|bobpw|newpw|hashedpw' "$WORK/authd.log"; then
    report 1 "sasldb-authd log: one line per login, no secrets"
else
    report 0 "sasldb-authd log: one line per login, no secrets" "see $WORK/authd.log"
fi
fi   # INTEROP_ONLY

# --- attack: abandoned exchanges -----------------------------------------------------------------
if [ "${INTEROP_ONLY:-}" != guessing ]; then
# An SMTP client that answers "*" to a challenge leaves the request open at the daemon: Postfix
# (smtpd_sasl_authenticate) replies 501 itself and tells the daemon nothing. 16 sessions of 9
# aborted AUTH LOGIN exchanges each (under smtpd's error limits), one after the other so that the
# same smtpd process (and its one daemon connection) collects them all, then legitimate logins.
# aborted_session PORT COUNT: prints how many exchanges were aborted as planned (334, then 501).
aborted_session() {
    local line got=0 i
    exec 5<>"/dev/tcp/127.0.0.1/$1" || { echo 0; return; }
    read -r -t 10 line <&5
    printf 'EHLO attack.test\r\n' >&5
    while read -r -t 10 line <&5; do [[ $line == "250 "* ]] && break; done
    for ((i = 0; i < $2; i++)); do
        printf 'AUTH LOGIN\r\n' >&5
        read -r -t 10 line <&5
        [[ $line == 334* ]] || break
        printf '*\r\n' >&5
        read -r -t 10 line <&5
        [[ $line == 501* ]] && got=$((got + 1))
    done
    printf 'QUIT\r\n' >&5
    read -r -t 10 line <&5
    exec 5>&-
    echo "$got"
}
dropped_lines() { grep -c 'requests open; dropped the oldest' "$WORK/authd.log" || true; }
for wave in 1 2; do
    aborted=0
    dropped_before=$(dropped_lines)
    for s in $(seq 16); do
        aborted=$((aborted + $(aborted_session "$P_DOVECOT" 9)))
    done
    [ "$aborted" = 144 ] && report 1 "attack abandoned exchanges, wave $wave: 144 exchanges aborted with *" \
        || report 0 "attack abandoned exchanges, wave $wave: 144 exchanges aborted with *" "only $aborted got 334 then 501"
    # The attack took effect only if one daemon connection (one smtpd) filled its open requests:
    # the daemon (at FINE in this mode) then logs "N requests open; dropped the oldest".
    if [ "${INTEROP_ONLY:-}" = attacks ]; then
        dropped=$(( $(dropped_lines) - dropped_before ))
        [ "$dropped" -gt 0 ] && report 1 "attack abandoned exchanges, wave $wave: took effect ($dropped oldest requests dropped)" \
            || report 0 "attack abandoned exchanges, wave $wave: took effect" "no 'dropped the oldest' line in $WORK/authd.log: the open requests never reached the bound"
    fi
    for m in PLAIN LOGIN CRAM-MD5; do
        check "attack abandoned exchanges, wave $wave: legitimate $m login afterwards" "$P_DOVECOT" "$m" \
            bob@other.test bobpw 235
    done
done
fi

# --- attack: password guessing, one account from many addresses -----------------------------------
if [ "${INTEROP_ONLY:-}" = guessing ]; then
# timed_check NAME SOURCE-ADDRESS USER PASSWORD EXPECTED-CODE: as check, from SOURCE-ADDRESS
# (Postfix passes it to the daemon as rip=); sets MS to the milliseconds the AUTH took.
timed_check() {
    local out code t0
    t0=$(date +%s%N)
    out=$(timeout 30 swaks --server 127.0.0.1 --port "$P_DOVECOT" --local-interface "$2" --ehlo interop.test \
        --auth PLAIN --auth-user "$3" --auth-password "$4" --quit-after AUTH 2>&1)
    MS=$((($(date +%s%N) - t0) / 1000000))
    code=$(printf '%s\n' "$out" | sed -n 's/^ *<[-~*]* *\([0-9][0-9][0-9]\)[ -].*/\1/p' | grep -v '^221$' | tail -1)
    [ "$code" = "$5" ] && report 1 "$1 (${MS} ms)" || report 0 "$1" "expected $5, got ${code:-nothing}"
}
# A first login warms the daemon and Postfix up (its time is not judged).
timed_check "guessing: warm-up login from 127.0.0.2" 127.0.0.2 bob@other.test bobpw 235
# Five guesses at alice's password, each from a fresh address, as a botnet would: the daemon
# waits 0, 2, 4, 8, 8 s (--throttle-delay 2s doubling to --throttle-max-delay 8s) before each 535.
# A whole swaks session takes well under a second here, so the session's time shows the wait:
# at least the wait (the answer is due at the request's arrival + the wait), at most 4 s more
# (a loaded machine).
want=(0 2000 4000 8000 8000)
for i in 0 1 2 3 4; do
    timed_check "guessing: guess $((i + 1)) from 127.0.0.$((11 + i))" "127.0.0.$((11 + i))" alice@$REALM "guess$i" 535
    if [ "$MS" -ge "${want[i]}" ] && [ "$MS" -le $((want[i] + 4000)) ]; then
        report 1 "guessing: guess $((i + 1)) was answered after the ${want[i]} ms wait (session ${MS} ms)"
    else
        report 0 "guessing: guess $((i + 1)) was answered after the ${want[i]} ms wait" "the session took ${MS} ms"
    fi
done
# The real user, from a clean address, while her account is under attack: at once (a session
# without any wait; an 8 s penalty would show).
timed_check "guessing: alice's own login from 127.0.0.20 during the attack" 127.0.0.20 alice@$REALM alicepw 235
[ "$MS" -lt 2000 ] && report 1 "guessing: alice's login waited no penalty (session ${MS} ms)" \
    || report 0 "guessing: alice's login waited no penalty" "the session took ${MS} ms"
# ... and her success did not reset the attacker's wait ("alice" is the same account).
timed_check "guessing: guess 6 from 127.0.0.16 after alice's login" 127.0.0.16 alice "$REALM-guess" 535
[ "$MS" -ge 8000 ] && report 1 "guessing: guess 6 still waited 8 s (session ${MS} ms)" \
    || report 0 "guessing: guess 6 still waited 8 s" "the session took ${MS} ms"
grep -Eq "throttle: account alice@$REALM failed [0-9]+ logins in a row" "$WORK/authd.log" \
    && report 1 "guessing: the daemon logged the account reaching the cap" \
    || report 0 "guessing: the daemon logged the account reaching the cap" "$(grep -c . "$WORK/authd.log") log lines, none from the throttle"
fi

# --- temporary failures reach the SMTP client as 454 --------------------------------------------
if [ -z "${INTEROP_ONLY:-}" ]; then
# Postfix answers every FAIL with 535; the daemon closes the connection instead, which Postfix
# reports as 454 4.7.0 and reconnects for the next request. Here: the store replaced by a file that
# is not a store while the daemon runs, then put back.
# The daemon compares its store path with the open file about once a second (docs/postfix.md,
# "Replacing the store while the daemon runs"): after each swap, wait until a PLAIN login gets the
# expected code (15 s at most) before the checks.
wait_for_code() {
    for _ in $(seq 30); do
        timeout 30 swaks --server 127.0.0.1 --port "$P_DOVECOT" --ehlo interop.test --auth PLAIN \
            --auth-user bob@other.test --auth-password bobpw --quit-after AUTH 2>&1 \
            | grep -Eq "^ *<[-~*]* *$1" && return 0
        sleep 0.5
    done
}
mv "$LMDB" "$WORK/lmdb/sasldb.saved"
printf 'this is not a store\n' > "$LMDB" && chgrp postfix "$LMDB" && chmod 0640 "$LMDB"
wait_for_code 454
for m in PLAIN LOGIN CRAM-MD5; do
    check "temporary failure: store replaced by a non-store, $m (expect 454)" "$P_DOVECOT" "$m" bob@other.test bobpw 454
done
# Path 2: the saslauthd protocol has only OK and NO; the daemon closes the connection unanswered,
# which libsasl reports as SASL_FAIL and Postfix as 454 (a NO would be 535).
for m in PLAIN LOGIN; do
    check "temporary failure: store replaced by a non-store, path2 saslauthd $m (expect 454)" "$P_SASLAUTHD" "$m" \
        bob@other.test bobpw 454
done
mv -f "$WORK/lmdb/sasldb.saved" "$LMDB"
wait_for_code 235
for m in PLAIN LOGIN; do
    check "temporary failure over: store back, $m (expect 235)" "$P_DOVECOT" "$m" bob@other.test bobpw 235
done
check "temporary failure over: store back, path2 saslauthd PLAIN (expect 235)" "$P_SASLAUTHD" PLAIN \
    bob@other.test bobpw 235
fi

if [ "$FAIL" -gt 0 ]; then
    log "Postfix log:"; tail -n 40 "$PF/maillog" >&2 2>/dev/null
    log "sasldb-authd log:"; tail -n 20 "$WORK/authd.log" >&2
fi
echo "interop: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
