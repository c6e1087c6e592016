#!/usr/bin/env bash
# Installs the Debian packages the compatibility and interop tests run against: the real Cyrus
# tools (sasl2-bin), LMDB's tools (lmdb-utils, liblmdb0) and Berkeley DB's (db5.3-util); Cyrus
# libsasl's plugins (sasldb, sql) and gcc for LibsaslPasswordChangeIT's small libsasl client;
# python3 (the terminal driver of the compatibility cases) and setpriv (they run a tool as nobody);
# systemd for systemd-analyze and systemd-notify (scripts/unit-check.sh, SystemdLifecycleIT);
# lintian for the Debian package built by saslpasswd/dist (scripts/package-test.sh);
# fail2ban for fail2ban-regex (scripts/fail2ban-check.sh tests docs/fail2ban/sasldb-authd.conf). Its
# service is not started here: no systemd as init in CI containers, and invoke-rc.d obeys
# policy-rc.d where one denies starts; the check only runs fail2ban-regex on a file.
# prometheus for promtool (MetricsEndpointIT runs `promtool check metrics` on a scrape): its
# prometheus service is disabled and stopped right after the install, so no server keeps running.
# postgresql for the PostgreSQL store's tests: they only use the server binaries
# (/usr/lib/postgresql/*/bin: initdb, pg_ctl) through scripts/pg-cluster.sh, which runs a private
# cluster in a scratch directory on its own port. Debian's package also creates the system
# cluster (15/main, port 5432): it is left as the package made it and never used; it is not
# started by this install (the policy-rc.d below) and, when this run installed the package on a
# machine with systemd, not started at boot either.
# dovecot-core and dovecot-pgsql for scripts/dovecot-pgsql.sh (Dovecot's passdb sql reading the
# PostgreSQL store): a private Dovecot instance with its own config; the system's Dovecot service
# is not started here either, and disabled when this run installed it.
# Idempotent and quick when everything is present. Needs root or sudo.
set -euo pipefail

packages=(sasl2-bin lmdb-utils liblmdb0 db5.3-util python3 gcc libc6-dev libsasl2-modules libsasl2-modules-db
    libsasl2-modules-sql util-linux systemd lintian fail2ban prometheus postgresql dovecot-core dovecot-pgsql)
commands=(saslpasswd2 sasldblistusers2 testsaslauthd mdb_dump mdb_load mdb_stat db5.3_load db5.3_dump python3 gcc setpriv systemd-analyze systemd-notify lintian fail2ban-regex promtool
    psql dovecot doveadm)

missing=0
for c in "${commands[@]}"; do
    command -v "$c" >/dev/null 2>&1 || PATH="$PATH:/usr/sbin:/sbin" command -v "$c" >/dev/null 2>&1 || missing=1
done
[ -e /usr/lib/x86_64-linux-gnu/liblmdb.so.0 ] || [ -e /usr/lib/aarch64-linux-gnu/liblmdb.so.0 ] || missing=1
for plugin in libsql.so.2 libscram.so.2 libcrammd5.so.2 libsasldb.so.2; do
    [ -e "/usr/lib/x86_64-linux-gnu/sasl2/$plugin" ] || [ -e "/usr/lib/aarch64-linux-gnu/sasl2/$plugin" ] || missing=1
done
# PostgreSQL's server binaries are not on PATH (Debian keeps them per version).
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || missing=1
# Dovecot's PostgreSQL driver (dovecot-pgsql), loaded by passdb sql with driver = pgsql.
[ -e /usr/lib/dovecot/modules/libdriver_pgsql.so ] || missing=1
if [ "$missing" = 0 ]; then
    exit 0
fi

sudo=""
if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "install-test-deps: need root or sudo to install ${packages[*]}" >&2; exit 1; }
    sudo=sudo
fi
echo "install-test-deps: installing ${packages[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >&2
# Packages with services (fail2ban) must not start them on the test machine: a policy-rc.d that
# denies every start, for the time of this install only, unless the machine already has one.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
    $sudo chmod 0755 "$policy"
    trap '$sudo rm -f "$policy"' EXIT
fi
# Services this run installs (not ones the machine already had) are disabled below.
fresh=()
for unit in postgresql:postgresql dovecot-core:dovecot; do
    dpkg -s "${unit%%:*}" >/dev/null 2>&1 || fresh+=("${unit#*:}.service")
done
$sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >&2
# Only promtool is wanted: never leave the Prometheus server running (nor starting at boot).
# PostgreSQL and Dovecot: the tests run private instances; the system's services, when this run
# installed them, must not start at boot (the policy-rc.d above kept them from starting now).
if command -v systemctl >/dev/null 2>&1; then
    $sudo systemctl disable --now prometheus.service >/dev/null 2>&1 || true
    for unit in "${fresh[@]}"; do
        $sudo systemctl disable --now "$unit" >/dev/null 2>&1 || true
    done
fi
