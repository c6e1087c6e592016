#!/usr/bin/env bash
# Dovecot's passdb sql reading a sasldb4j PostgreSQL store (docs/postgresql-readers.md), checked
# against the real programs: Debian's dovecot-core and dovecot-pgsql, a private PostgreSQL cluster
# (scripts/pg-cluster.sh), users written by sasldb4j's own saslpasswd.
#
#   - the store and its schema are created by `bin/saslpasswd -f postgresql://...`; users: a
#     plaintext one, an Argon2id-only one, a SCRAM-SHA-256-only one, one in the empty realm, one
#     with a UTF-8 password, and a disabled one;
#   - Dovecot connects as sasldb4j_reader, a role that may only SELECT the view
#     sasldb4j.dovecot_passdb (the GRANTs of docs/postgresql-readers.md);
#   - `doveadm auth test` (PLAIN) for each user with the right and a wrong password, the disabled
#     user refused; the SCRAM-SHA-256 mechanism itself (scripts/dovecot-scram.py) for the SCRAM
#     and the plaintext user, refused for the Argon2id-only user (no SCRAM keys to derive);
#   - a password changed with saslpasswd counts at the next login (no auth cache);
#   - the database stopped: Dovecot refuses every login (the reason sasldb4j has a replica);
#     started again: Dovecot reconnects by itself.
#
# Dovecot runs as a private instance: its own config, base_dir and logs in a scratch directory,
# no mail protocols and so no network listener (its auth server has only UNIX sockets there). The
# system's Dovecot and PostgreSQL cluster are not read, started or changed. The test passwords are
# throwaway values and go to doveadm on its command line (doveadm auth test reads them there).
# Prints PASS/FAIL per check and ends with "dovecot-pgsql: N passed, M failed"; exits non-zero on
# any failure. Leaves no server running. Needs root (Dovecot's master). DOVECOT_PGSQL_KEEP=1 keeps
# the scratch directory (the servers are stopped either way).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH="$PATH:/usr/sbin:/sbin"
export LC_ALL=C.UTF-8
REALM=example.org

log() { echo "dovecot-pgsql: $*" >&2; }
die() { log "$*"; echo "dovecot-pgsql: 0 passed, 1 failed"; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (Dovecot's master process)"
for c in dovecot doveadm psql python3; do
    command -v "$c" >/dev/null || die "$c not found: run scripts/install-test-deps.sh"
done
[ -e /usr/lib/dovecot/modules/libdriver_pgsql.so ] || die "Dovecot's pgsql driver is missing (dovecot-pgsql): run scripts/install-test-deps.sh"
getent passwd dovecot >/dev/null && getent passwd dovenull >/dev/null || die "no dovecot/dovenull users (made by dovecot-core)"

WORK=$(mktemp -d /tmp/sasldb4j-dovecot-pgsql.XXXXXX)
chmod 0755 "$WORK"   # Dovecot's unprivileged processes reach their sockets under base_dir
PG=$WORK/pg
CONF=$WORK/dovecot/dovecot.conf
cleanup() {
    set +e
    if [ -f "$CONF" ]; then
        local mp
        mp=$(cat "$WORK/dovecot/run/master.pid" 2>/dev/null)
        dovecot -c "$CONF" stop >/dev/null 2>&1
        for _ in $(seq 50); do { [ -n "$mp" ] && kill -0 "$mp" 2>/dev/null; } || break; sleep 0.1; done
        [ -n "$mp" ] && kill -KILL "$mp" 2>/dev/null
    fi
    "$ROOT/scripts/pg-cluster.sh" stop "$PG" >/dev/null 2>&1
    if [ "${DOVECOT_PGSQL_KEEP:-}" = 1 ]; then log "scratch directory kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the database, its schema and users, written by sasldb4j --------------------------------------
URL=$(scripts/pg-cluster.sh start "$PG") || die "could not start a private PostgreSQL cluster"
# PGHOST PGPORT PGUSER PGDATABASE PGPASSFILE: saslpasswd reads the password from the pgpass file.
. "$PG/env"
log "building saslpasswd (first use only)"
bin/saslpasswd -v >/dev/null 2>&1 || die "bin/saslpasswd does not start"
UTF8_PW='pässwörd ✓'
pw() {   # password saslpasswd-args...: the password on stdin, never on argv
    local p=$1
    shift
    printf '%s' "$p" | bin/saslpasswd -p -f "$URL" "$@" >"$WORK/saslpasswd.out" 2>&1 \
        || { cat "$WORK/saslpasswd.out" >&2; die "saslpasswd $* failed"; }
}
pw plainpw -c -u "$REALM" plain
pw argonpw --schemes argon2id -u "$REALM" argon
pw scrampw --schemes scram-sha-256 -u "$REALM" scram
pw bare-pw --default-realm '' bare
pw "$UTF8_PW" -u "$REALM" carol
pw dispw -u "$REALM" dis
bin/saslpasswd --disable -f "$URL" -u "$REALM" dis >/dev/null 2>&1 || die "saslpasswd --disable failed"

# --- the read-only role Dovecot connects as ------------------------------------------------------
# Creating a role needs CREATEROLE (the cluster's superuser here); the GRANTs are made by the
# schema's owner, the role the tools use. The password reaches psql on stdin, never on argv.
READER_PW=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
printf "CREATE ROLE sasldb4j_reader LOGIN PASSWORD '%s';\n" "$READER_PW" \
    | scripts/pg-cluster.sh psql "$PG" -q -v ON_ERROR_STOP=1 >/dev/null || die "CREATE ROLE sasldb4j_reader failed"
psql -X -q -v ON_ERROR_STOP=1 >/dev/null <<'SQL' || die "GRANT to sasldb4j_reader failed"
GRANT CONNECT ON DATABASE sasldb4j TO sasldb4j_reader;
GRANT USAGE ON SCHEMA sasldb4j TO sasldb4j_reader;
GRANT SELECT ON sasldb4j.dovecot_passdb TO sasldb4j_reader;
SQL

# --- checks ----------------------------------------------------------------------------------------
PASS=0 FAIL=0
report() {   # ok? name detail
    if [ "$1" = 1 ]; then PASS=$((PASS + 1)); echo "PASS $2"; else FAIL=$((FAIL + 1)); echo "FAIL $2 ($3)"; fi
}

# The reader sees the view and nothing else (the secrets table is not readable to it).
as_reader() { PGUSER=sasldb4j_reader PGPASSWORD=$READER_PW psql -X -At -v ON_ERROR_STOP=1 -c "$1" 2>&1; }
out=$(as_reader 'SELECT "user" FROM sasldb4j.dovecot_passdb ORDER BY 1' | tr '\n' ' ')
[ "$out" = "argon@$REALM bare carol@$REALM plain@$REALM scram@$REALM " ] \
    && report 1 "reader role: the view lists the enabled users" || report 0 "reader role: the view lists the enabled users" "$out"
out=$(as_reader 'SELECT count(*) FROM sasldb4j.records')
[[ $out == *"permission denied"* ]] && report 1 "reader role: sasldb4j.records is not readable" \
    || report 0 "reader role: sasldb4j.records is not readable" "$out"
out=$(as_reader "DELETE FROM sasldb4j.records")
[[ $out == *"permission denied"* ]] && report 1 "reader role: cannot write" || report 0 "reader role: cannot write" "$out"

# --- private Dovecot instance ----------------------------------------------------------------------
mkdir -p "$WORK/dovecot/run" "$WORK/dovecot/state"
# The SQL file holds the reader's password: root only (Dovecot's auth process reads it before it
# drops privileges).
(umask 077; cat > "$WORK/dovecot/sasldb4j-sql.conf.ext" <<EOF
driver = pgsql
connect = host=127.0.0.1 port=$PGPORT dbname=sasldb4j user=sasldb4j_reader password=$READER_PW
password_query = SELECT "user", password FROM sasldb4j.dovecot_passdb WHERE authid = '%n' AND realm = '%d'
EOF
)
cat > "$CONF" <<EOF
base_dir = $WORK/dovecot/run
state_dir = $WORK/dovecot/state
instance_name = sasldb4j-dovecot-pgsql
protocols =
ssl = no
log_path = $WORK/dovecot/dovecot.log
default_internal_user = dovecot
default_login_user = dovenull
auth_mechanisms = plain login scram-sha-256
# sasldb4j user ids are case-sensitive: Dovecot's default (%Lu) would lowercase them.
auth_username_format = %u
auth_verbose = yes
# Many failures on purpose, all from one client: no failure delay and no auth penalty (which
# would delay each later request by up to 15 s); a production instance keeps both.
auth_failure_delay = 0
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
passdb {
  driver = sql
  args = $WORK/dovecot/sasldb4j-sql.conf.ext
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=/nonexistent
}
EOF
dovecot -c "$CONF" 2>"$WORK/dovecot/start.err" || { cat "$WORK/dovecot/start.err" >&2; die "dovecot did not start"; }
SOCK=$WORK/dovecot/run/auth-client
for _ in $(seq 100); do [ -S "$SOCK" ] && break; sleep 0.1; done
[ -S "$SOCK" ] || { cat "$WORK/dovecot/dovecot.log" >&2; die "no Dovecot auth-client socket"; }

# auth USER PASSWORD EXPECT(ok|fail) NAME: doveadm auth test (AUTH PLAIN, service imap)
auth() {
    local out rc got
    out=$(timeout 60 doveadm -c "$CONF" auth test -x service=imap "$1" "$2" 2>&1)
    rc=$?
    got=fail; [ "$rc" = 0 ] && [[ $out == *"auth succeeded"* ]] && got=ok
    [ "$got" = "$3" ] && report 1 "$4" || report 0 "$4" "expected $3, doveadm exit $rc: $(printf '%s' "$out" | head -1)"
}
# scram USER PASSWORD EXPECT(ok|fail) NAME: the SCRAM-SHA-256 mechanism, password on stdin
scram() {
    local out
    out=$(printf '%s' "$2" | timeout 60 python3 scripts/dovecot-scram.py "$SOCK" "$1" 2>&1)
    [ "${out%%:*}" = "$3" ] && report 1 "$4" || report 0 "$4" "expected $3, got: $out"
}

auth "plain@$REALM" plainpw ok "PLAIN: plaintext user"
auth "plain@$REALM" wrongpw fail "PLAIN: plaintext user, wrong password"
auth "argon@$REALM" argonpw ok "PLAIN: Argon2id-only user ({ARGON2ID})"
auth "argon@$REALM" wrongpw fail "PLAIN: Argon2id-only user, wrong password"
auth "scram@$REALM" scrampw ok "PLAIN: SCRAM-SHA-256-only user ({SCRAM-SHA-256})"
auth "scram@$REALM" wrongpw fail "PLAIN: SCRAM-SHA-256-only user, wrong password"
auth bare bare-pw ok "PLAIN: user in the empty realm (no @)"
auth bare wrongpw fail "PLAIN: user in the empty realm, wrong password"
auth "carol@$REALM" "$UTF8_PW" ok "PLAIN: UTF-8 password"
auth "dis@$REALM" dispw fail "PLAIN: disabled user, right password"
auth "nobody@$REALM" plainpw fail "PLAIN: unknown user"
auth "plain@other.test" plainpw fail "PLAIN: right user, wrong realm"
auth "PLAIN@$REALM" plainpw fail "PLAIN: user ids are case-sensitive"
auth "x' OR '1'='1@$REALM" x fail "PLAIN: quote in the user id refused (auth_username_chars)"

scram "scram@$REALM" scrampw ok "SCRAM-SHA-256: SCRAM-SHA-256-only user"
scram "scram@$REALM" wrongpw fail "SCRAM-SHA-256: SCRAM-SHA-256-only user, wrong password"
scram "plain@$REALM" plainpw ok "SCRAM-SHA-256: plaintext user (Dovecot derives the keys)"
scram "argon@$REALM" argonpw fail "SCRAM-SHA-256: Argon2id-only user cannot (no SCRAM keys)"
scram "dis@$REALM" dispw fail "SCRAM-SHA-256: disabled user"

# A change made with saslpasswd counts at the next login.
pw newpw -u "$REALM" scram
auth "scram@$REALM" newpw ok "password changed by saslpasswd: new password"
auth "scram@$REALM" scrampw fail "password changed by saslpasswd: old password"
bin/saslpasswd --enable -f "$URL" -u "$REALM" dis >/dev/null 2>&1 || die "saslpasswd --enable failed"
auth "dis@$REALM" dispw ok "enabled again by saslpasswd --enable"
bin/saslpasswd -d -f "$URL" -u "$REALM" dis >/dev/null 2>&1 || die "saslpasswd -d failed"
auth "dis@$REALM" dispw fail "deleted by saslpasswd -d"

# The database down: Dovecot has no copy of its own and refuses every login.
scripts/pg-cluster.sh halt "$PG"
auth "plain@$REALM" plainpw fail "database stopped: plaintext user refused"
grep -q 'pgsql' "$WORK/dovecot/dovecot.log" && report 1 "database stopped: Dovecot logged the pgsql failure" \
    || report 0 "database stopped: Dovecot logged the pgsql failure" "no pgsql line in the log"
scripts/pg-cluster.sh start "$PG" >/dev/null || die "the cluster did not start again"
ok=0
for _ in $(seq 30); do
    if timeout 60 doveadm -c "$CONF" auth test -x service=imap "plain@$REALM" plainpw >/dev/null 2>&1; then ok=1; break; fi
    sleep 1
done
[ "$ok" = 1 ] && report 1 "database started again: Dovecot reconnects by itself" \
    || report 0 "database started again: Dovecot reconnects by itself" "no success within 30 s"

if [ "$FAIL" -gt 0 ]; then
    log "Dovecot log:"; tail -n 30 "$WORK/dovecot/dovecot.log" >&2
fi
echo "dovecot-pgsql: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
