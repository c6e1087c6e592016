#!/usr/bin/env bash
# Benchmark (not run by CI): sasldb-authd against the Cyrus stack, side by side in one run.
#
#   1. Postfix end to end: sequential SMTP sessions (connect, EHLO, AUTH PLAIN, QUIT) from one
#      Python smtplib client, as in docs/reference/baselines.md §5, against one private Postfix instance with
#      two services: smtpd_sasl_type = dovecot -> sasldb-authd, and Cyrus libsasl reading a
#      Berkeley DB sasldb2 file (auxprop sasldb). Runs alternate between the two.
#   2. saslauthd protocol: `testsaslauthd -R N` against Debian's `saslauthd -a sasldb` and against
#      sasldb-authd's saslauthd socket (plaintext user; Argon2id user with and without the cache).
#
# saslauthd -a sasldb can only read /etc/sasldb2: the script moves an existing one aside and puts
# it back on exit. Needs root. Appends nothing by itself; prints a Markdown section to paste into
# docs/benchmarks.md (or pass --append to append it).
#
# Environment: SESSIONS (default 500), REPEATS (default 2000), RUNS (default 3),
# BENCH_PORT_BASE (default 12625).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH="$PATH:/usr/sbin:/sbin" LC_ALL=C.UTF-8
SESSIONS=${SESSIONS:-500} REPEATS=${REPEATS:-2000} RUNS=${RUNS:-3}
BASE=${BENCH_PORT_BASE:-12625}
P_AUTHD=$BASE P_CYRUS=$((BASE + 1))
REALM=example.org
APPEND=; [ "${1:-}" = --append ] && APPEND=1
die() { echo "bench-postfix: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root"
for t in postfix swaks saslauthd testsaslauthd saslpasswd2 python3; do
    command -v "$t" >/dev/null || die "$t missing (scripts/interop.sh installs the packages)"
done

WORK=$(mktemp -d /tmp/sasldb4j-bench.XXXXXX)
chmod 0711 "$WORK"
PF=$WORK/postfix
AUTHD_PID= SASLAUTHD_DIR=$WORK/saslauthd
SASLDB_BACKUP=
cleanup() {
    set +e
    [ -n "$AUTHD_PID" ] && kill -TERM "$AUTHD_PID" 2>/dev/null && wait "$AUTHD_PID" 2>/dev/null
    [ -f "$SASLAUTHD_DIR/saslauthd.pid" ] && kill -TERM "$(cat "$SASLAUTHD_DIR/saslauthd.pid")" 2>/dev/null
    if [ -f "$PF/etc/main.cf" ]; then
        postfix -c "$PF/etc" stop >/dev/null 2>&1
        sleep 1
    fi
    if [ -n "$SASLDB_BACKUP" ]; then mv -f "$SASLDB_BACKUP" /etc/sasldb2; else rm -f /etc/sasldb2; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bin/sasldb-authd --help >/dev/null 2>&1 || die "bin/sasldb-authd does not start"
AUTHD_JAR=$ROOT/auxprop-bridge/daemon/target/sasldb4j-authd-0.1.0-SNAPSHOT-all.jar

# --- stores: the same user in a sasldb4j LMDB store and in Berkeley DB sasldb2 files --------------
mkdir -m 0750 "$WORK/db" && chgrp postfix "$WORK/db"
printf 'alicepw' | bin/saslpasswd -p -c -f "$WORK/db/sasldb" -u "$REALM" alice >/dev/null || die "saslpasswd failed"
cat > "$WORK/MakeArgon.java" <<'JAVA'
import java.nio.file.Path;
import org.sasldb4j.store.*;
import org.sasldb4j.store.secret.*;
public class MakeArgon {
    public static void main(String[] a) {
        try (CredentialStore s = CredentialStore.open(Path.of(a[0]), StoreOptions.create().withAccess(StoreOptions.Access.READ_WRITE))) {
            s.update(w -> SecretSet.of(SecretSet.Kind.ARGON2ID).encode(UserId.of("argon", a[1]), "argonpw".toCharArray()).forEach(w::put));
        }
    }
}
JAVA
java --add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED -cp "$AUTHD_JAR" \
    "$WORK/MakeArgon.java" "$WORK/db/sasldb" "$REALM" || die "cannot add the Argon2id user"
printf 'alicepw' | saslpasswd2 -p -c -f "$WORK/db/sasldb2" -u "$REALM" alice || die "saslpasswd2 failed"
chgrp postfix "$WORK/db/sasldb2" && chmod 0640 "$WORK/db/sasldb2"

# --- private Postfix: dovecot -> sasldb-authd, and Cyrus sasldb ------------------------------------
mkdir -p "$PF/etc/sasl" "$PF/spool" "$PF/data" && chown postfix "$PF/data"
# A private Postfix like the one scripts/interop.sh builds; kept apart on purpose: this one
# logs nowhere and runs one smtpd per measured path, interop.sh keeps a log to assert on.
cat > "$PF/etc/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $PF/spool
data_directory = $PF/data
mail_owner = postfix
setgid_group = postdrop
myhostname = $REALM
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
smtpd_tls_security_level = none
smtpd_relay_restrictions = permit_sasl_authenticated, reject
maillog_file = /dev/null
maillog_file_prefixes = /dev
EOF
cat > "$PF/etc/master.cf" <<EOF
127.0.0.1:$P_AUTHD inet n - n - - smtpd
  -o smtpd_sasl_auth_enable=yes -o smtpd_sasl_type=dovecot -o smtpd_sasl_path=private/auth
  -o smtpd_sasl_security_options=noanonymous
127.0.0.1:$P_CYRUS inet n - n - - smtpd
  -o smtpd_sasl_auth_enable=yes -o smtpd_sasl_type=cyrus -o smtpd_sasl_path=bench-sasldb
  -o smtpd_sasl_security_options=noanonymous
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
proxymap  unix  -       -       n       -       -       proxymap
rewrite   unix  -       -       n       -       -       trivial-rewrite
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
EOF
cat > "$PF/etc/sasl/bench-sasldb.conf" <<EOF
pwcheck_method: auxprop
auxprop_plugin: sasldb
sasldb_path: $WORK/db/sasldb2
mech_list: PLAIN LOGIN CRAM-MD5
EOF
postfix -c "$PF/etc" start >/dev/null 2>&1 || die "postfix start failed"
mkdir -m 0750 "$WORK/run" && chgrp postfix "$WORK/run"
bin/sasldb-authd --foreground -f "$WORK/db/sasldb" --realm "$REALM" --socket-group postfix \
    --dovecot-socket "$PF/spool/private/auth" --saslauthd-socket "$WORK/run/mux" \
    --log-level WARNING >"$WORK/authd.log" 2>&1 &
AUTHD_PID=$!
for _ in $(seq 300); do [ -S "$WORK/run/mux" ] && break; sleep 0.1; done
[ -S "$WORK/run/mux" ] || { cat "$WORK/authd.log" >&2; die "sasldb-authd did not start"; }
sleep 1

smtp_rate() {   # port sessions -> sessions/s
    python3 - "$1" "$2" <<'PY'
import smtplib, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
t0 = time.perf_counter()
for _ in range(n):
    s = smtplib.SMTP("127.0.0.1", port)
    s.ehlo("bench.test")
    s.login("alice@example.org", "alicepw")   # AUTH PLAIN with initial response
    s.quit()
print(f"{n / (time.perf_counter() - t0):.0f}")
PY
}
saslauthd_rate() {   # socket user realm password repeats [cache] -> requests/s
    local t0 t1 out
    t0=$(date +%s.%N)
    out=$(testsaslauthd -f "$1" -s smtp -u "$2" -r "$3" -p "$4" -R "$5")
    t1=$(date +%s.%N)
    [ "$(printf '%s\n' "$out" | grep -c 'OK "Success."')" = "$5" ] || { echo "ERR"; return; }
    python3 -c "print(f'{$5 / ($t1 - $t0):.0f}')"
}
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# The JVM compiles the hot path with C2 only after some thousands of requests: warm it up with
# the saslauthd client (cheap) and a few hundred SMTP sessions, so the runs measure steady state.
echo "bench-postfix: warming up" >&2
saslauthd_rate "$WORK/run/mux" alice "$REALM" alicepw 20000 >/dev/null
smtp_rate "$P_AUTHD" 1000 >/dev/null || die "AUTH through sasldb-authd fails"
smtp_rate "$P_CYRUS" 300 >/dev/null || die "AUTH through Cyrus sasldb fails"
A=() C=()
for i in $(seq "$RUNS"); do
    C+=("$(smtp_rate "$P_CYRUS" "$SESSIONS")")
    A+=("$(smtp_rate "$P_AUTHD" "$SESSIONS")")
    echo "bench-postfix: run $i: Cyrus sasldb ${C[-1]}/s, sasldb-authd ${A[-1]}/s" >&2
done

# --- saslauthd protocol ---------------------------------------------------------------------------
[ -e /etc/sasldb2 ] && { SASLDB_BACKUP=$WORK/sasldb2.system; mv /etc/sasldb2 "$SASLDB_BACKUP"; }
cp "$WORK/db/sasldb2" /etc/sasldb2 && chmod 0640 /etc/sasldb2
mkdir -m 0755 "$SASLAUTHD_DIR"
saslauthd -a sasldb -m "$SASLAUTHD_DIR" -n 5 || die "saslauthd did not start"
for _ in $(seq 50); do [ -S "$SASLAUTHD_DIR/mux" ] && break; sleep 0.1; done
saslauthd_rate "$SASLAUTHD_DIR/mux" alice "$REALM" alicepw 200 >/dev/null
saslauthd_rate "$WORK/run/mux" alice "$REALM" alicepw 5000 >/dev/null
SD=() SA=()
for i in $(seq "$RUNS"); do
    SD+=("$(saslauthd_rate "$SASLAUTHD_DIR/mux" alice "$REALM" alicepw "$REPEATS")")
    SA+=("$(saslauthd_rate "$WORK/run/mux" alice "$REALM" alicepw "$REPEATS")")
    echo "bench-postfix: run $i: saslauthd -a sasldb ${SD[-1]}/s, sasldb-authd ${SA[-1]}/s" >&2
done
ARGON=$(saslauthd_rate "$WORK/run/mux" argon "$REALM" argonpw 200)
kill -TERM "$AUTHD_PID"; wait "$AUTHD_PID" 2>/dev/null
bin/sasldb-authd --foreground -f "$WORK/db/sasldb" --realm "$REALM" --saslauthd-socket "$WORK/run/mux" \
    --cache-ttl 60s --log-level WARNING >"$WORK/authd2.log" 2>&1 &
AUTHD_PID=$!
for _ in $(seq 300); do [ -S "$WORK/run/mux" ] && break; sleep 0.1; done
saslauthd_rate "$WORK/run/mux" argon "$REALM" argonpw 200 >/dev/null
ARGON_CACHED=$(saslauthd_rate "$WORK/run/mux" argon "$REALM" argonpw "$REPEATS")

CPU=$(nproc)
section=$(cat <<EOF

## Postfix and saslauthd

\`scripts/bench-postfix.sh\`, $(date -u +%Y-%m-%d), $CPU cores, Debian's Postfix $(postconf -d -h mail_version) and
saslauthd, no syslog daemon (Postfix logging to /dev/null), JVM warmed up before measuring, runs alternating.

**Postfix end to end** ($SESSIONS sequential sessions per run of connect, EHLO, AUTH PLAIN, QUIT; Python smtplib
client; sessions/s):

| Backend | Runs | Median |
|---|---|---|
| Postfix + Cyrus libsasl, sasldb (Berkeley DB) | ${C[*]} | **$(median "${C[@]}")** |
| Postfix \`smtpd_sasl_type = dovecot\` + sasldb-authd (LMDB, plaintext user) | ${A[*]} | **$(median "${A[@]}")** |

**saslauthd protocol** (\`testsaslauthd -R $REPEATS\`: one connection and one request per check; requests/s):

| Server | Runs | Median |
|---|---|---|
| Debian \`saslauthd -a sasldb\` (5 processes) | ${SD[*]} | **$(median "${SD[@]}")** |
| sasldb-authd, plaintext user | ${SA[*]} | **$(median "${SA[@]}")** |
| sasldb-authd, Argon2id user (m=19 MiB, t=2), 200 checks | $ARGON | $ARGON |
| sasldb-authd, Argon2id user, \`--cache-ttl 60s\` | $ARGON_CACHED | $ARGON_CACHED |

The Argon2id rows are bound by the hash (one verification ~30-40 ms of one core); the cache keys on an HMAC of
user and password under a per-process random key, so repeated logins of one user skip it.
EOF
)
printf '%s\n' "$section"
if [ -n "$APPEND" ]; then printf '%s\n' "$section" >> docs/benchmarks.md; echo "bench-postfix: appended to docs/benchmarks.md" >&2; fi
