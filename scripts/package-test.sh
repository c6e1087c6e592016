#!/usr/bin/env bash
# Installs the packages that `mvn package` built (module saslpasswd/dist) on this machine and uses
# them as an administrator would, from PATH, with nothing of the checkout:
#   1. lintian on the .deb: no error and no warning (overrides shipped in the package count);
#   2. `apt-get install ./sasldb4j_*_all.deb`: the four commands in /usr/sbin, their man pages,
#      the system account sasldb4j (not root, no shell, in group sasl), `--version` of every tool,
#      scripts/unit-check.sh (systemd-analyze verify + security) on the INSTALLED unit;
#   3. a smoke scenario as a non-root admin in group sasl and as root: create a user, list it,
#      convert a real Cyrus sasldb2 (corpus small.sasldb2) and compare the listing, store modes;
#   4. the daemon started exactly as the installed unit's ExecStart= under its User=/Group=/
#      SupplementaryGroups=/UMask=, with the conffile edited as an admin would and
#      $STATE_DIRECTORY set; PLAIN logins through its Dovecot socket (right password OK, wrong
#      FAIL); SIGTERM: exit status 0 within a few seconds, socket removed;
#   5. `apt-get remove`: commands gone, conffile and stores kept; `apt-get purge`: conffile and
#      /var/cache/sasldb4j gone, stores (and /etc/sasldb2, by checksum) and the account kept;
#   6. the .tar.gz unpacked at another path, its make-cache, and steps 3-4 from there (the daemon
#      from its sbin/sasldb-authd with --config), with the deb purged.
# Prints one PASS/FAIL line per check and a summary; exits 0 only if every check passed.
# Runs as root (as CI does) on a throwaway machine: it installs and purges the package sasldb4j
# and creates the user sasldb4j-ci-admin (kept, like the account). Needs lintian, python3,
# setpriv/runuser (util-linux) and systemd-analyze; installs lintian when missing.
#
# Usage: scripts/package-test.sh [--deb FILE] [--tar FILE]
#        (default: the newest saslpasswd/dist/target/sasldb4j_*_all.deb and sasldb4j-*.tar.gz)
set -Eeuo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
export PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8

deb="" tar=""
while [ $# -gt 0 ]; do
    case $1 in
        --deb) deb=$2; shift 2 ;;
        --tar) tar=$2; shift 2 ;;
        *) echo "usage: $0 [--deb FILE] [--tar FILE]" >&2; exit 2 ;;
    esac
done

passes=0 fails=0
pass() { echo "PASS package-test: $*"; passes=$((passes + 1)); }
fail() { echo "FAIL package-test: $*"; fails=$((fails + 1)); }
# check NAME CMD...: PASS if CMD succeeds, else FAIL with CMD's output.
check() {
    local name=$1 out
    shift
    if out=$("$@" 2>&1); then pass "$name"; else fail "$name: $(tail -n 5 <<<"$out" | tr '\n' ' ')"; fi
}
die() { fail "$*"; summary; }
summary() {
    echo "package-test: $passes passed, $fails failed"
    [ "$fails" = 0 ] && exit 0
    exit 1
}
[ "$(id -u)" = 0 ] || { echo "package-test: must run as root (it installs a package)" >&2; exit 1; }
apt() { flock /tmp/apt.lock apt-get -y -qq -o Dpkg::Use-Pty=0 "$@"; }

newest() { ls -t $1 2>/dev/null | head -n 1 || true; }
[ -n "$deb" ] || deb=$(newest "saslpasswd/dist/target/sasldb4j_*_all.deb")
[ -n "$tar" ] || tar=$(newest "saslpasswd/dist/target/sasldb4j-*.tar.gz")
[ -n "$deb" ] && [ -f "$deb" ] || die "no .deb: expected saslpasswd/dist/target/sasldb4j_*_all.deb (run mvn -DskipTests package) or --deb FILE"
[ -n "$tar" ] && [ -f "$tar" ] || die "no .tar.gz: expected saslpasswd/dist/target/sasldb4j-*.tar.gz (run mvn -DskipTests package) or --tar FILE"
deb=$(readlink -f "$deb") tar=$(readlink -f "$tar")
# The project's version (the tools print it; the tarball's top directory names it).
upstream=$(sed -n '0,/<version>/s|.*<version>\(.*\)</version>.*|\1|p' pom.xml)
version=$(dpkg-deb -f "$deb" Version)
echo "package-test: $deb (Debian version $version), $tar (version $upstream)" >&2

for c in lintian python3 setpriv runuser systemd-analyze; do
    if ! command -v "$c" >/dev/null; then
        pkg=$c
        case $c in setpriv | runuser) pkg=util-linux ;; systemd-analyze) pkg=systemd ;; esac
        echo "package-test: installing $pkg" >&2
        apt update >&2 && apt install --no-install-recommends "$pkg" >&2
    fi
done

unit=/lib/systemd/system/sasldb-authd.service
conf=/etc/sasldb4j/sasldb-authd.conf
admin=sasldb4j-ci-admin
account=sasldb4j
corpus=$repo/store/migration/src/test/resources/corpus/small
password='correct horse ünïcode'
T=$(mktemp -d /tmp/package-test.XXXXXX)
chmod 0755 "$T"
daemon_pid="" listener_pid="" installed=0
cleanup() {
    [ -z "$listener_pid" ] || kill "$listener_pid" 2>/dev/null || true
    if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then
        kill -KILL "$daemon_pid" 2>/dev/null || true
    fi
    # Aborted between install and purge: leave no package behind.
    if [ "$installed" = 1 ]; then apt purge sasldb4j >/dev/null 2>&1 || true; fi
    rm -rf "$T"
}
trap cleanup EXIT
# A command failing outside a check aborts the run: say where, as a failure.
trap 'fail "aborted at line $LINENO: $BASH_COMMAND"; summary' ERR

# ---------------------------------------------------------------------------------------------
# 1. lintian
# ---------------------------------------------------------------------------------------------
# --fail-on error,warning: overrides shipped in the package silence a tag; anything else fails.
if out=$(lintian --fail-on error,warning --no-tag-display-limit "$deb" 2>&1); then
    pass "lintian $(basename "$deb"): no error, no warning"
else
    fail "lintian $(basename "$deb"): $(grep -E '^[EW]: ' <<<"$out" | tr '\n' ';' || echo "$out")"
fi

# ---------------------------------------------------------------------------------------------
# 2. install
# ---------------------------------------------------------------------------------------------
sum_etc_sasldb2=$( [ -f /etc/sasldb2 ] && sha256sum < /etc/sasldb2 || echo absent)
if dpkg-query -W -f '${db:Status-Status}' sasldb4j 2>/dev/null | grep -qvx 'not-installed'; then
    apt purge sasldb4j >&2 || fail "apt-get purge of an earlier sasldb4j failed"
fi
if ! out=$(apt install "$deb" 2>&1); then
    fail "apt-get install $(basename "$deb"): $(tail -n 5 <<<"$out" | tr '\n' ' ')"
    installed=0
else
    pass "apt-get install ./$(basename "$deb")"
    installed=1
fi

tools=(saslpasswd sasldblistusers sasldbconvert sasldb-authd)
if [ "$installed" = 1 ]; then
    hash -r
    for t in "${tools[@]}"; do
        p=$(command -v "$t" || true)
        if [ "$p" = "/usr/sbin/$t" ]; then pass "$t on PATH: $p"; else fail "$t on PATH: got '${p:-nothing}', want /usr/sbin/$t"; fi
        m=$(man -w 8 "$t" 2>/dev/null || true)
        if [ "$m" = "/usr/share/man/man8/$t.8.gz" ] && gzip -t "$m"; then pass "man page $m"; else fail "man -w 8 $t: got '${m:-nothing}', want /usr/share/man/man8/$t.8.gz"; fi
    done
    # The account: a system account, never root, no login shell, in group sasl.
    if ent=$(getent passwd "$account"); then
        IFS=: read -r _ _ uid _ _ home shell <<<"$ent"
        if [ "$uid" != 0 ] && [ "$uid" -lt 1000 ]; then pass "account $account: system uid $uid"; else fail "account $account: uid $uid (want a system uid, not 0)"; fi
        case $shell in */nologin | /bin/false) pass "account $account: no login shell ($shell)" ;; *) fail "account $account: login shell $shell" ;; esac
        if id -nG "$account" | tr ' ' '\n' | grep -qx sasl; then pass "account $account in group sasl"; else fail "account $account not in group sasl (groups: $(id -nG "$account"))"; fi
    else
        fail "account $account does not exist after install"
    fi
    # --version: the real version first.
    for t in "${tools[@]}"; do
        v=$("$t" --version 2>&1 | head -n 1 || true)
        if [[ "$v" == *"$upstream"* ]] && [[ "$v" != *[Uu]sage* ]]; then pass "$t --version: $v"; else fail "$t --version: first line '$v' lacks $upstream"; fi
    done
    if [ -f "$unit" ]; then
        checked=0
        while IFS= read -r line; do
            case $line in
                PASS*) pass "installed unit: ${line#PASS unit-check: }"; checked=$((checked + 1)) ;;
                FAIL*) fail "installed unit: ${line#FAIL unit-check: }"; checked=$((checked + 1)) ;;
            esac
        done < <(scripts/unit-check.sh "$unit" 2>&1 || true)
        [ "$checked" -ge 2 ] || fail "installed unit: scripts/unit-check.sh reported $checked checks, want 2"
    else
        fail "installed unit $unit is missing"
    fi
    [ -f "$conf" ] && pass "conffile $conf installed" || fail "conffile $conf missing"
    if dpkg-query -W -f '${Conffiles}' sasldb4j | grep -q " $conf "; then pass "$conf is a conffile"; else fail "$conf is not listed as a conffile"; fi
    if [ -d /var/cache/sasldb4j ] && [ -n "$(ls -A /var/cache/sasldb4j)" ]; then pass "postinst made /var/cache/sasldb4j"; else fail "/var/cache/sasldb4j missing or empty after install"; fi
    # Each tool's own archive, usable by this JVM with the installed jars: -Xshare:on (after the
    # launcher's -Xshare:auto, so it wins) makes a missing, stale or unpicked archive an error.
    for t in saslpasswd sasldblistusers sasldbconvert sasldb-authd; do
        if [ -f "/var/cache/sasldb4j/$t.jsa" ] && SASLDB4J_JAVA_OPTS=-Xshare:on "/usr/sbin/$t" --version >/dev/null 2>&1; then
            pass "$t starts from its class-data archive /var/cache/sasldb4j/$t.jsa"
        else
            fail "$t: /var/cache/sasldb4j/$t.jsa missing or not usable (-Xshare:on)"
        fi
    done
    # The JVM command line the launcher makes (JAVA prints it instead of running it): the one jar
    # as the whole class path (every extra jar is opened by each class-path scan at start-up) and
    # jffi's stub from the directory make-cache named after the jffi release in that jar.
    printf '#!/bin/sh\nprintf "%%s\\n" "$@"\n' > "$T/print-argv"
    chmod 0755 "$T/print-argv"
    argv=$(JAVA=$T/print-argv /usr/sbin/saslpasswd -v 2>&1 || true)
    cp=$(grep -A1 -x -- -cp <<<"$argv" | tail -n 1)
    [ "$cp" = /usr/share/sasldb4j/lib/sasldb4j.jar ] && [ "$(ls /usr/share/sasldb4j/lib)" = sasldb4j.jar ] \
        && pass "the class path is the one jar $cp" \
        || fail "class path '$cp', lib holds: $(ls /usr/share/sasldb4j/lib | tr '\n' ' ')"
    stub=$(sed -n 's/^-Djffi.boot.library.path=//p' <<<"$argv")
    jffi=$(python3 -c 'import sys, zipfile
p = zipfile.ZipFile(sys.argv[1]).read("META-INF/maven/com.github.jnr/jffi/pom.properties").decode()
print([l.split("=", 1)[1] for l in p.splitlines() if l.startswith("version=")][0])' /usr/share/sasldb4j/lib/sasldb4j.jar 2>&1 || true)
    if [ "$stub" = "/var/cache/sasldb4j/jffi-$jffi-native" ] && [ -s "$stub/libjffi-1.2.so" ]; then
        pass "saslpasswd loads jffi's stub from $stub (jffi $jffi in the jar)"
    else
        fail "saslpasswd: jffi's stub '$stub', want /var/cache/sasldb4j/jffi-$jffi-native/libjffi-1.2.so"
    fi
fi

# ---------------------------------------------------------------------------------------------
# 3. smoke scenario (used for the deb and the tarball)
# ---------------------------------------------------------------------------------------------
# The non-root administrator: a member of group sasl, as on Debian where /etc/sasldb2 is root:sasl.
getent group sasl >/dev/null || groupadd --system sasl
id "$admin" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$admin"
usermod -a -G sasl "$admin"

# as WHO CMD...: runs CMD as root or as the admin, with the sbin PATH an admin uses (sudo's
# secure_path; Debian's login PATH of non-root users lacks the sbin directories, as for saslpasswd2).
as() {
    local who=$1
    shift
    if [ "$who" = root ]; then
        "$@"
    else
        runuser -u "$who" -- env PATH="$PATH" HOME=/nonexistent "$@"
    fi
}

# The listing of a corpus file, from its .expected.txt, as sasldblistusers prints it.
expected_listing() {
    grep -v '^#' "$1" | awk -F'\t' '{ print $1 "@" $2 ": " $3 }' | LC_ALL=C sort
}

# scenario LABEL WHO BIN DIR: create, list, convert with the tools found in BIN (empty: PATH) as
# WHO, stores in DIR (which only WHO may write). Leaves DIR/users.lmdb with alice@example.org.
scenario() {
    local label=$1 who=$2 bin=$3 dir=$4 store=$4/users.lmdb out mode
    local saslpasswd=${bin}saslpasswd sasldblistusers=${bin}sasldblistusers sasldbconvert=${bin}sasldbconvert
    if printf '%s' "$password" | as "$who" "$saslpasswd" -p -c -f "$store" -u example.org alice >"$T/out" 2>&1; then
        pass "$label: saslpasswd -p -c -f $store -u example.org alice"
    else
        fail "$label: saslpasswd -p -c: $(tr '\n' ' ' < "$T/out")"
    fi
    out=$(as "$who" "$sasldblistusers" "$store" 2>&1 || true)
    if [ "$out" = "alice@example.org: userPassword" ]; then pass "$label: sasldblistusers lists alice@example.org: userPassword"; else fail "$label: sasldblistusers $store printed '$out'"; fi
    mode=$(stat -c %a "$store" 2>/dev/null || echo missing)
    if [ "$mode" != missing ] && [ $((8#$mode & 8#007)) = 0 ]; then pass "$label: store mode $mode (not world-accessible)"; else fail "$label: store mode $mode"; fi
    cp "$corpus.sasldb2" "$dir/cyrus.sasldb2"
    chmod 0644 "$dir/cyrus.sasldb2"
    if as "$who" "$sasldbconvert" -q "$dir/cyrus.sasldb2" "$dir/converted.lmdb" >"$T/out" 2>&1; then
        pass "$label: sasldbconvert corpus small.sasldb2"
    else
        fail "$label: sasldbconvert: $(tr '\n' ' ' < "$T/out")"
    fi
    as "$who" "$sasldblistusers" "$dir/converted.lmdb" 2>&1 | LC_ALL=C sort > "$T/got" || true
    expected_listing "$corpus.expected.txt" > "$T/want"
    if [ -s "$T/want" ] && cmp -s "$T/want" "$T/got"; then
        pass "$label: converted listing equals the corpus's $(wc -l < "$T/want") records"
    else
        fail "$label: converted listing differs: $(diff "$T/want" "$T/got" | head -n 6 | tr '\n' ' ')"
    fi
}

# A scratch directory for WHO's stores, which only WHO can write (the tools refuse a store in a
# directory others or its group can write, as OpenSSH's StrictModes): root's root:root 0755,
# the admin's admin:sasl 2750.
scratch() {
    local d=$T/$1 who=$2
    mkdir -p "$d"
    if [ "$who" = root ]; then chmod 0755 "$d"; else chown "$who:sasl" "$d" && chmod 2750 "$d"; fi
    echo "$d"
}

# shared_store LABEL BIN DIR: root's store DIR/users.lmdb made root:sasl 0660 as Debian's
# /etc/sasldb2 is; the admin (group sasl) adds bob to it; the listing shows alice and bob.
shared_store() {
    local label=$1 bin=$2 store=$3/users.lmdb out
    chgrp sasl "$store" "$store-lock" && chmod 0660 "$store" "$store-lock"
    if printf '%s' "$password" | as "$admin" "${bin}saslpasswd" -p -c -f "$store" -u example.org bob >"$T/out" 2>&1; then
        pass "$label: admin adds bob to root's root:sasl 0660 store"
    else
        fail "$label: admin's saslpasswd on root's root:sasl 0660 store: $(tr '\n' ' ' < "$T/out")"
    fi
    out=$(as "$admin" "${bin}sasldblistusers" "$store" 2>&1 | LC_ALL=C sort || true)
    if [ "$out" = $'alice@example.org: userPassword\nbob@example.org: userPassword' ]; then
        pass "$label: admin lists alice and bob"
    else
        fail "$label: admin's listing of the shared store: '$(tr '\n' ' ' <<<"$out")'"
    fi
}

# ---------------------------------------------------------------------------------------------
# 4. the daemon as its unit starts it
# ---------------------------------------------------------------------------------------------
# unit_value KEY: the unit's KEY= value (last one wins, as systemd does for these settings).
unit_value() { sed -n "s/^$1=//p" "$unit" | tail -n 1; }
# The unit's ExecStart= with its \ continuations joined and systemd's prefixes (-@:+!) removed.
unit_exec_start() {
    awk '/^ExecStart=/ { on = 1; sub(/^ExecStart=/, "") }
         on { line = $0; cont = sub(/\\[ \t]*$/, "", line); printf "%s ", line; if (!cont) { on = 0; print "" } }' "$unit" \
        | tail -n 1 | sed 's/^[-@:+!]*//'
}

# python3 client of the Dovecot auth-client protocol (what Postfix speaks): handshake, one AUTH
# PLAIN; prints OK or FAIL. The password comes from $AUTH_PASSWORD, never from argv.
auth() {
    AUTH_PASSWORD=$3 python3 - "$1" "$2" <<'EOF'
import base64, os, socket, sys
path, user = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(20)
s.connect(path)
s.sendall(b"VERSION\t1\t0\nCPID\t%d\n" % os.getpid())
buf = b""
def line():
    global buf
    while b"\n" not in buf:
        chunk = s.recv(4096)
        if not chunk:
            sys.exit("connection closed by the daemon")
        buf += chunk
    l, buf = buf.split(b"\n", 1)
    return l.decode()
while line() != "DONE":
    pass
resp = base64.b64encode(b"\0" + user.encode() + b"\0" + os.environ["AUTH_PASSWORD"].encode())
s.sendall(b"AUTH\t1\tPLAIN\tservice=smtp\tnologin\tlip=127.0.0.1\trip=127.0.0.1\tresp=" + resp + b"\n")
while True:
    f = line().split("\t")
    if len(f) > 1 and f[1] == "1":
        print(f[0])
        break
EOF
}

# Sets an option in a sasldb-authd config file as an admin edits it: an active line for the
# option is replaced, otherwise the line is added.
set_option() {
    local file=$1 key=$2 value=$3
    sed -i "/^[[:space:]]*$key[[:space:]]*=/d" "$file"
    printf '%s = %s\n' "$key" "$value" >> "$file"
}

# daemon LABEL CONF STORE_DIR ARGV...: edits CONF for a store in STORE_DIR, runs ARGV under the
# unit's account, groups and umask with systemd's environment, logs in, stops it with SIGTERM.
daemon() {
    local label=$1 cfg=$2 dir=$3
    shift 3
    local user group supp umask_ gids="" g gid sock status
    user=$(unit_value User) group=$(unit_value Group) supp=$(unit_value SupplementaryGroups) umask_=$(unit_value UMask)
    [ -n "$user" ] && [ "$user" != root ] || { fail "$label: the unit's User= is '${user:-unset}'"; return; }
    # systemd: initgroups(User=, Group=) plus SupplementaryGroups=; a missing group is a failed
    # start (status 216/GROUP), so it fails here too.
    for g in $(id -G "$user") $supp; do
        gid=$(getent group "$g" | cut -d: -f3) || { fail "$label: SupplementaryGroups= names group $g, which does not exist (systemd: 216/GROUP)"; return; }
        gids="${gids:+$gids,}$gid"
    done
    gids=$(tr ',' '\n' <<<"$gids" | awk '!seen[$0]++' | paste -sd,)
    local run=$T/run-$label state=$T/state-$label
    rm -rf "$run" "$state"
    install -d -o "$user" -g "${group:-$user}" -m 0750 "$run"
    install -d -o "$user" -g "${group:-$user}" -m 0700 "$state"
    sock=$run/auth
    set_option "$cfg" store "$dir/users.lmdb"
    set_option "$cfg" realm example.org
    set_option "$cfg" secrets plaintext
    set_option "$cfg" dovecot-socket "$sock"
    set_option "$cfg" socket-group "${group:-$user}"
    set_option "$cfg" failure-delay 100ms
    sed -i '/^[[:space:]]*saslauthd-socket[[:space:]]*=/d; /^[[:space:]]*pid-file[[:space:]]*=/d' "$cfg"
    # Type=notify: systemd's $NOTIFY_SOCKET, a datagram socket whose READY=1 is recorded.
    local notify=$run/notify ready=$T/ready-$label type
    type=$(unit_value Type)
    rm -f "$ready"
    python3 - "$notify" "$ready" <<'EOF' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o666)
s.settimeout(60)
try:
    while True:
        if "READY=1" in s.recv(4096).decode("utf-8", "replace").split("\n"):
            open(sys.argv[2], "w").close()
            break
except socket.timeout:
    pass
EOF
    listener_pid=$!
    local i
    for i in $(seq 1 100); do [ -S "$notify" ] && break; sleep 0.05; done
    echo "package-test: $label: starting $* as $user (groups $gids, umask ${umask_:-0022})" >&2
    (
        umask "${umask_:-0022}"
        exec setpriv --reuid="$user" --regid="${group:-$user}" --groups="$gids" --inh-caps=-all \
            env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
            USER="$user" LOGNAME="$user" HOME=/nonexistent SHELL=/usr/sbin/nologin STATE_DIRECTORY="$state" \
            ${type:+NOTIFY_SOCKET=$notify} \
            ${SASLDB4J_CACHE_DIR:+SASLDB4J_CACHE_DIR=$SASLDB4J_CACHE_DIR} "$@"
    ) >"$T/daemon-$label.log" 2>&1 < /dev/null &
    daemon_pid=$!
    # Ready (READY=1 for Type=notify, else the socket's existence) within 30 s.
    for i in $(seq 1 300); do
        if [ "$type" = notify ]; then [ -e "$ready" ] && break; else [ -S "$sock" ] && break; fi
        kill -0 "$daemon_pid" 2>/dev/null || break
        sleep 0.1
    done
    if [ "$type" = notify ]; then
        if [ -e "$ready" ] && [ -S "$sock" ]; then
            pass "$label: Type=notify: READY=1 sent, the socket listens by then"
        else
            fail "$label: Type=notify: READY=1 $( [ -e "$ready" ] && echo "sent before the socket existed" || echo "never sent")"
        fi
    fi
    kill "$listener_pid" 2>/dev/null || true
    wait "$listener_pid" 2>/dev/null || true
    if [ ! -S "$sock" ]; then
        fail "$label: the daemon made no socket $sock: $(tail -n 5 "$T/daemon-$label.log" | tr '\n' ' ')"
        kill -KILL "$daemon_pid" 2>/dev/null || true
        wait "$daemon_pid" 2>/dev/null || true
        daemon_pid=""
        return
    fi
    pass "$label: daemon started as $user (the unit's User=, groups, umask), socket $sock"
    local r
    r=$(auth "$sock" alice@example.org "$password" 2>&1 || true)
    [ "$r" = OK ] && pass "$label: AUTH PLAIN alice, right password: OK" || fail "$label: AUTH PLAIN alice, right password: '$r'"
    r=$(auth "$sock" alice "$password" 2>&1 || true)
    [ "$r" = OK ] && pass "$label: AUTH PLAIN alice (realm from the config), right password: OK" || fail "$label: AUTH PLAIN alice without realm: '$r'"
    r=$(auth "$sock" bob@example.org "$password" 2>&1 || true)
    [ "$r" = OK ] && pass "$label: AUTH PLAIN bob (added by the admin): OK" || fail "$label: AUTH PLAIN bob: '$r'"
    r=$(auth "$sock" alice@example.org "wrong $password" 2>&1 || true)
    [ "$r" = FAIL ] && pass "$label: AUTH PLAIN alice, wrong password: FAIL" || fail "$label: AUTH PLAIN alice, wrong password: '$r'"
    [ -s "$state/salt-key" ] && pass "$label: salt key made in \$STATE_DIRECTORY" || fail "$label: no salt-key in \$STATE_DIRECTORY"
    kill -TERM "$daemon_pid"
    for i in $(seq 1 50); do
        kill -0 "$daemon_pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$daemon_pid" 2>/dev/null; then
        fail "$label: still running 5 s after SIGTERM"
        kill -KILL "$daemon_pid" 2>/dev/null || true
    fi
    status=0
    wait "$daemon_pid" || status=$?
    daemon_pid=""
    [ "$status" = 0 ] && pass "$label: SIGTERM: exit status 0" || fail "$label: SIGTERM: exit status $status: $(tail -n 3 "$T/daemon-$label.log" | tr '\n' ' ')"
    [ ! -e "$sock" ] && pass "$label: socket removed on exit" || fail "$label: socket $sock left behind"
}

# Checksums of the deb scenario's stores ("missing" for a store that is not there).
store_sums() {
    local f
    for f in deb-admin/users.lmdb deb-root/users.lmdb deb-root/converted.lmdb; do
        if [ -f "$T/$f" ]; then sha256sum "$T/$f"; else echo "$f missing"; fi
    done
}

if [ "$installed" = 1 ]; then
    scenario "deb/root" root "" "$(scratch deb-root root)"
    scenario "deb/admin" "$admin" "" "$(scratch deb-admin "$admin")"
    shared_store "deb/admin" "" "$T/deb-root"
    if [ -f "$unit" ] && [ -f "$conf" ]; then
        read -ra argv <<<"$(unit_exec_start)"
        if [ "${argv[0]:-}" = /usr/sbin/sasldb-authd ]; then pass "unit ExecStart= runs /usr/sbin/sasldb-authd"; else fail "unit ExecStart= runs '${argv[0]:-nothing}'"; fi
        daemon deb "$conf" "$T/deb-root" "${argv[@]}"
    fi
    store_sums=$(store_sums)

    # -----------------------------------------------------------------------------------------
    # 5. remove, purge
    # -----------------------------------------------------------------------------------------
    check "apt-get remove sasldb4j" apt remove sasldb4j
    hash -r
    gone=1
    for t in "${tools[@]}"; do
        if command -v "$t" >/dev/null || [ -e "/usr/sbin/$t" ]; then gone=0; fail "after remove: $t still on PATH"; fi
    done
    [ "$gone" = 1 ] && pass "after remove: the four commands are gone"
    [ -f "$conf" ] && pass "after remove: conffile kept" || fail "after remove: conffile $conf gone"
    [[ "$store_sums" != *missing* ]] && [ "$(store_sums)" = "$store_sums" ] \
        && pass "after remove: stores unchanged" || fail "after remove: a store changed or vanished: $(store_sums | tr '\n' ' ')"
    check "apt-get purge sasldb4j" apt purge sasldb4j
    installed=0
    [ ! -e "$conf" ] && [ ! -e /etc/sasldb4j ] && pass "after purge: /etc/sasldb4j gone" || fail "after purge: /etc/sasldb4j still there: $(ls -A /etc/sasldb4j 2>&1 | tr '\n' ' ')"
    [ ! -e /var/cache/sasldb4j ] && pass "after purge: /var/cache/sasldb4j gone" || fail "after purge: /var/cache/sasldb4j still there"
    [[ "$store_sums" != *missing* ]] && [ "$(store_sums)" = "$store_sums" ] \
        && pass "after purge: stores unchanged" || fail "after purge: a store changed or vanished: $(store_sums | tr '\n' ' ')"
    [ "$( [ -f /etc/sasldb2 ] && sha256sum < /etc/sasldb2 || echo absent)" = "$sum_etc_sasldb2" ] \
        && pass "after purge: /etc/sasldb2 untouched" || fail "after purge: /etc/sasldb2 changed"
    getent passwd "$account" >/dev/null && pass "after purge: account $account kept" || fail "after purge: account $account deleted"
    if dpkg-query -W -f '${db:Status-Status}' sasldb4j 2>/dev/null | grep -qvx 'not-installed'; then fail "after purge: dpkg still knows sasldb4j"; else pass "after purge: dpkg knows no sasldb4j"; fi
fi

# ---------------------------------------------------------------------------------------------
# 6. the tarball, at another path, with nothing of the deb installed
# ---------------------------------------------------------------------------------------------
[ ! -e /usr/share/sasldb4j ] && [ ! -e /usr/sbin/saslpasswd ] || fail "tarball: files of the deb are still installed"
opt=$T/opt
mkdir -p "$opt"
if tar -xzf "$tar" -C "$opt"; then
    top=$(tar -tzf "$tar" | cut -d/ -f1 | LC_ALL=C sort -u | paste -sd' ')
    prefix=$opt/sasldb4j-other
    mv "$opt/${top%% *}" "$prefix"
    chmod -R go+rX,go-w "$opt"
    [ "$top" = "sasldb4j-$upstream" ] && pass "tarball: one top directory $top" || fail "tarball: top directory '$top', want sasldb4j-$upstream"
    for t in "${tools[@]}"; do
        [ -x "$prefix/sbin/$t" ] && pass "tarball: sbin/$t" || fail "tarball: sbin/$t missing"
    done
    # Without the cache first (the launchers must run without it), then with make-cache's.
    v=$(SASLDB4J_CACHE_DIR=$opt/no-cache "$prefix/sbin/sasldbconvert" --version 2>&1 | head -n 1 || true)
    [[ "$v" == *"$upstream"* ]] && pass "tarball: sasldbconvert --version without a cache: $v" || fail "tarball: sasldbconvert --version without a cache: '$v'"
    export SASLDB4J_CACHE_DIR=$opt/cache
    if out=$("$prefix/share/sasldb4j/make-cache" "$SASLDB4J_CACHE_DIR" 2>&1) && [ -n "$(ls -A "$SASLDB4J_CACHE_DIR" 2>/dev/null)" ]; then
        pass "tarball: share/sasldb4j/make-cache $SASLDB4J_CACHE_DIR"
    else
        fail "tarball: make-cache: $(tail -n 3 <<<"$out" | tr '\n' ' ')"
    fi
    if SASLDB4J_JAVA_OPTS=-Xshare:on "$prefix/sbin/saslpasswd" --version >/dev/null 2>&1; then
        pass "tarball: saslpasswd starts from its class-data archive ($SASLDB4J_CACHE_DIR/saslpasswd.jsa)"
    else
        fail "tarball: saslpasswd: $SASLDB4J_CACHE_DIR/saslpasswd.jsa missing or not usable (-Xshare:on)"
    fi
    chmod -R go+rX,go-w "$SASLDB4J_CACHE_DIR" 2>/dev/null || true
    scenario "tar/root" root "$prefix/sbin/" "$(scratch tar-root root)"
    scenario "tar/admin" "$admin" "$prefix/sbin/" "$(scratch tar-admin "$admin")"
    shared_store "tar/admin" "$prefix/sbin/" "$T/tar-root"
    if getent passwd "$account" >/dev/null && [ -f "$prefix/share/doc/sasldb4j/examples/sasldb-authd.conf" ] \
            || [ -f "$prefix/etc/sasldb4j/sasldb-authd.conf" ]; then
        cfg=$T/tar-authd.conf
        cp "$prefix/etc/sasldb4j/sasldb-authd.conf" "$cfg" 2>/dev/null || cp "$prefix/share/doc/sasldb4j/examples/sasldb-authd.conf" "$cfg"
        chmod 0644 "$cfg"
        unit=$prefix/lib/systemd/system/sasldb-authd.service
        if [ -f "$unit" ]; then
            daemon tar "$cfg" "$T/tar-root" "$prefix/sbin/sasldb-authd" --config "$cfg"
        else
            fail "tarball: lib/systemd/system/sasldb-authd.service missing"
        fi
    else
        fail "tarball: no account $account or no sample config to run the daemon with"
    fi
else
    fail "tarball: tar -xzf $tar failed"
fi

summary
