#!/usr/bin/env bash
# Outage replay: the set-up docs/postfix.md recommends (SASL only on the submission service, in
# master.cf -o lines; nothing SASL in main.cf) keeps incoming mail flowing while sasldb-authd is
# down, on Debian's real Postfix, and AUTH works again once the daemon is back:
#   1. auth socket absent: port "25" (no SASL) accepts a message for a local recipient;
#   2. the submission listener cannot authenticate: its smtpd logs "fatal: no SASL authentication
#      mechanisms" and exits before the banner (the client sees the connection closed, no 220,
#      no 454), and master logs "bad command startup -- throttling" for that service only;
#   3. port "25" still accepts mail while the submission service is throttled;
#   4. sasldb-authd started with the recommended configuration file (store of migrated Cyrus
#      users: --secrets plaintext, the realm sasldblistusers shows): once master's throttle is
#      over, submission offers AUTH and a login without @ gets 235.
# A private Postfix on 127.0.0.1 (postfix -c DIR, as scripts/interop.sh; two ports from
# ATTACK_PORT_BASE, default 13450), service_throttle_time shortened from 60 s to 3 s so the replay
# takes seconds. Prints PASS/FAIL per check, then "PASS auth-outage: ..." or "FAIL auth-outage:
# ..."; exits 0 only when every check held; leaves nothing running. Needs root (Postfix).
set -uo pipefail
cd "$(dirname "$0")/../.."
export PATH="$PATH:/usr/sbin:/sbin"
export LC_ALL=C.UTF-8
NAME=auth-outage
BASE=${ATTACK_PORT_BASE:-13450}
P_SMTP=$BASE P_SUBMISSION=$((BASE + 1))
THROTTLE=3

fail_all() { echo "FAIL $NAME: $*"; exit 1; }
[ "$(id -u)" = 0 ] || fail_all "must run as root (Postfix's master, sockets owned by group postfix)"
need=()
for p in postfix swaks; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
if [ ${#need[@]} -gt 0 ]; then
    # "No configuration": the package must not configure or start the system's own Postfix.
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
        || fail_all "apt-get install ${need[*]} failed"
fi

W=$(mktemp -d /tmp/sasldb4j-auth-outage.XXXXXX)
chmod 0711 "$W"   # smtpd (user postfix) traverses it to the socket
PF=$W/postfix
AUTHD_PID=
cleanup() {
    set +e
    if [ -n "$AUTHD_PID" ] && kill -0 "$AUTHD_PID" 2>/dev/null; then
        kill -TERM "$AUTHD_PID"
        for _ in $(seq 50); do kill -0 "$AUTHD_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$AUTHD_PID" 2>/dev/null
    fi
    if [ -f "$PF/etc/main.cf" ]; then
        postfix -c "$PF/etc" stop >/dev/null 2>&1
        local mp
        mp=$(head -1 "$PF/spool/pid/master.pid" 2>/dev/null | tr -d ' ')
        for _ in $(seq 50); do { [ -n "$mp" ] && kill -0 "$mp" 2>/dev/null; } || break; sleep 0.1; done
        [ -n "$mp" ] && kill -KILL "$mp" 2>/dev/null
    fi
    rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A store as migrated from Cyrus: plaintext userPassword, realm = the host name Cyrus used.
umask 077
printf 'alicepw' | bin/saslpasswd -p -c -f "$W/sasldb" -u mail.example.org alice >/dev/null 2>"$W/saslpasswd.err" \
    || { cat "$W/saslpasswd.err" >&2; fail_all "bin/saslpasswd could not create the store"; }
umask 022

mkdir -p "$PF/etc" "$PF/spool" "$PF/data"
chown postfix "$PF/data"
# Port "25": Debian's relay restrictions, no SASL. Everything SASL is on the submission entry.
cat > "$PF/etc/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $PF/spool
data_directory = $PF/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mail.example.org
mydomain = example.org
mydestination = \$myhostname, localhost
local_recipient_maps =
local_transport = discard:
alias_maps =
alias_database =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks =
smtpd_relay_restrictions = permit_mynetworks permit_sasl_authenticated defer_unauth_destination
smtpd_tls_security_level = none
service_throttle_time = ${THROTTLE}s
maillog_file = $PF/maillog
maillog_file_prefixes = $W
EOF
# The submission entry of docs/postfix.md, without TLS (no certificate here): that document adds
# -o smtpd_tls_security_level=encrypt and -o smtpd_tls_auth_only=yes.
cat > "$PF/etc/master.cf" <<EOF
127.0.0.1:$P_SMTP inet n - n - - smtpd
127.0.0.1:$P_SUBMISSION inet n - n - - smtpd
  -o syslog_name=postfix/submission
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_sasl_type=dovecot
  -o smtpd_sasl_path=sasldb4j/auth
  -o smtpd_sasl_security_options=noanonymous
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
postfix -c "$PF/etc" check >/dev/null 2>&1 && postfix -c "$PF/etc" start >/dev/null 2>&1 \
    || fail_all "the private Postfix did not start"
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$P_SUBMISSION") 2>/dev/null && break; sleep 0.1; done

PASS=0 FAIL=0
report() {   # ok? what detail
    if [ "$1" = 1 ]; then PASS=$((PASS + 1)); echo "PASS $NAME: $2"; else FAIL=$((FAIL + 1)); echo "FAIL $NAME: $2 ($3)"; fi
}
replies() { sed -n 's/^ *<[-~*]* *\([0-9][0-9][0-9]\)[ -].*/\1/p' | tr '\n' ' '; }
deliver() {   # what: a message from outside to a local recipient on port "25"
    local out
    out=$(timeout 20 swaks --server 127.0.0.1 --port "$P_SMTP" --ehlo outside.test --from a@outside.test \
        --to postmaster@mail.example.org 2>&1)
    if printf '%s\n' "$out" | grep -q '<-  250 2.0.0 Ok: queued'; then report 1 "$1"; else
        report 0 "$1" "$(printf '%s\n' "$out" | replies)"; fi
}

deliver "socket absent: port 25 (no SASL) accepts mail for a local recipient"

out=$(timeout 20 swaks --server 127.0.0.1 --port "$P_SUBMISSION" --ehlo client.test --quit-after EHLO 2>&1)
if printf '%s\n' "$out" | grep -q 'Remote host closed connection' && [ -z "$(printf '%s\n' "$out" | replies)" ]; then
    report 1 "socket absent: submission closes the connection before any reply (no 220, no 454)"
else
    report 0 "socket absent: submission closes the connection before any reply" "replies: $(printf '%s\n' "$out" | replies)"
fi
for _ in $(seq 50); do grep -q 'bad command startup -- throttling' "$PF/maillog" 2>/dev/null && break; sleep 0.1; done
if grep -q "postfix/submission/smtpd.*fatal: no SASL authentication mechanisms" "$PF/maillog" \
    && grep -q 'smtpd: bad command startup -- throttling' "$PF/maillog"; then
    report 1 "socket absent: submission smtpd logs 'fatal: no SASL authentication mechanisms', master throttles it"
else
    report 0 "socket absent: Postfix's log" "$(tail -n 5 "$PF/maillog" 2>/dev/null | tr '\n' '|')"
fi

deliver "submission throttled: port 25 still accepts mail"

# The recommended daemon configuration: realm taken from what sasldblistusers shows.
realm=$(bin/sasldblistusers -f "$W/sasldb" | sed -n 's/^alice@\([^:]*\): .*/\1/p' | head -1)
[ "$realm" = mail.example.org ] || report 0 "sasldblistusers shows the realm" "got '$realm'"
install -d -m 0750 -g postfix "$PF/spool/sasldb4j"
cat > "$W/sasldb-authd.conf" <<EOF
store = $W/sasldb
realm = $realm
secrets = plaintext
dovecot-socket = $PF/spool/sasldb4j/auth
socket-group = postfix
EOF
bin/sasldb-authd --config "$W/sasldb-authd.conf" --check-config >"$W/check.out" 2>&1 \
    && grep -q 'configuration OK' "$W/check.out" \
    && report 1 "sasldb-authd --check-config accepts the recommended configuration" \
    || report 0 "sasldb-authd --check-config" "$(cat "$W/check.out")"
bin/sasldb-authd --config "$W/sasldb-authd.conf" --failure-delay 0 >"$W/authd.log" 2>&1 &
AUTHD_PID=$!
for _ in $(seq 300); do
    [ -S "$PF/spool/sasldb4j/auth" ] && break
    kill -0 "$AUTHD_PID" 2>/dev/null || break
    sleep 0.1
done
[ -S "$PF/spool/sasldb4j/auth" ] || { cat "$W/authd.log" >&2; fail_all "sasldb-authd did not create its socket"; }

# Socket back: the first connection after the throttle gets a working smtpd. Poll (the throttle is
# $THROTTLE s here, 60 s by default) for at most 30 s.
code=
for _ in $(seq 15); do
    out=$(timeout 20 swaks --server 127.0.0.1 --port "$P_SUBMISSION" --ehlo client.test --auth PLAIN \
        --auth-user alice --auth-password alicepw --quit-after AUTH 2>&1)
    code=$(printf '%s\n' "$out" | replies)
    [[ $code == *235* ]] && break
    sleep 2
done
if [[ $code == 220* ]] && [[ $code == *235* ]]; then
    report 1 "socket back: submission AUTH PLAIN as 'alice' (no @, realm from the configuration) gets 235"
else
    report 0 "socket back: submission AUTH" "replies: $code"
fi

if [ "$FAIL" -gt 0 ]; then
    echo "$NAME: Postfix log:" >&2; tail -n 20 "$PF/maillog" >&2 2>/dev/null
    echo "$NAME: sasldb-authd log:" >&2; tail -n 10 "$W/authd.log" >&2 2>/dev/null
    echo "FAIL $NAME: $FAIL of $((PASS + FAIL)) checks failed"
    exit 1
fi
echo "PASS $NAME: with SASL only on submission, port 25 took mail while the auth socket was absent (submission: closed before its banner, throttled); AUTH 235 once sasldb-authd was back"
exit 0
