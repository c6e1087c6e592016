# A private Postfix instance for the end-to-end scripts (scripts/interop.sh, scripts/fleet-e2e.sh):
# Debian's Postfix run from its own config and queue directories (postfix -c DIR), on loopback
# ports of the caller's choosing; the system's /etc/postfix is neither read nor changed.
# Sourced; needs the caller's die() (prints one line and exits non-zero).
#
#   postfix_instance_write PF REALM LOG_PREFIX   main.cf into PF/etc, the standard services into
#        PF/etc/master.cf; the caller's smtpd entries come on stdin (written first). PF/spool is
#        the queue, PF/maillog the log; LOG_PREFIX is the directory maillog_file may name.
#   postfix_instance PF CMD                      postfix -c PF/etc CMD (check, start); on failure
#        runs it again under script(1) to show why (Postfix writes errors to a terminal only), dies
#   postfix_instance_stop PF                     stops it and waits for its master (at most 5 s)
#   smtp_auth_code PORT MECH USER PASSWORD       swaks AUTH through 127.0.0.1:PORT; prints the
#        server's last reply code (235 accepted, 535 refused, 454 temporary), or nothing

postfix_instance_write() {
    local pf=$1 realm=$2 prefix=$3
    mkdir -p "$pf/etc" "$pf/spool" "$pf/data"
    chown postfix "$pf/data"
    cat > "$pf/etc/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $pf/spool
data_directory = $pf/data
mail_owner = postfix
setgid_group = postdrop
myhostname = $realm
mydomain = $realm
myorigin = $realm
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
smtpd_tls_security_level = none
smtpd_relay_restrictions = permit_sasl_authenticated, reject
maillog_file = $pf/maillog
maillog_file_prefixes = $prefix
smtpd_banner = \$myhostname ESMTP interop
EOF
    {
        cat
        cat <<EOF
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
    } > "$pf/etc/master.cf"
}

postfix_instance() {
    postfix -c "$1/etc" "$2" >/dev/null 2>&1 && return 0
    command -v script >/dev/null && script -qc "postfix -c '$1/etc' $2" /dev/null | tail -5 >&2
    die "postfix $2 failed"
}

postfix_instance_stop() {
    local pf=$1 mp
    [ -f "$pf/etc/main.cf" ] || return 0
    postfix -c "$pf/etc" stop >/dev/null 2>&1
    mp=$(head -1 "$pf/spool/pid/master.pid" 2>/dev/null | tr -d ' ')
    for _ in $(seq 50); do { [ -n "$mp" ] && kill -0 "$mp" 2>/dev/null; } || break; sleep 0.1; done
    [ -n "$mp" ] && kill -KILL "$mp" 2>/dev/null
    return 0
}

smtp_auth_code() {
    # swaks marks server lines with "<-" (or "<~" under TLS), errors with "<**"; 221 is QUIT's.
    timeout 30 swaks --server 127.0.0.1 --port "$1" --ehlo interop.test --auth "$2" \
        --auth-user "$3" --auth-password "$4" --quit-after AUTH 2>&1 \
        | sed -n 's/^ *<[-~*]* *\([0-9][0-9][0-9]\)[ -].*/\1/p' | grep -v '^221$' | tail -1
}
