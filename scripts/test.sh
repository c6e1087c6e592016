#!/usr/bin/env bash
# Runs every test: installs the real Cyrus/LMDB/Berkeley DB tools from Debian's packages, checks
# the systemd unit with systemd-analyze (scripts/unit-check.sh: verify, exposure <= 2.0), runs
# the Maven build with all unit and integration tests (among them the side-by-side compatibility
# cases against the real saslpasswd2 / sasldblistusers2, module saslpasswd/compat; scripts/compat.sh
# runs those alone), installs and purges the .deb and runs the .tar.gz it built
# (scripts/package-test.sh), and the end-to-end check of a real Postfix
# authenticating through sasldb-authd, Cyrus saslauthd and Cyrus's sql plugin on SQLite and on
# PostgreSQL (swaks, 127.0.0.1), Dovecot's passdb sql on the PostgreSQL store
# (scripts/dovecot-pgsql.sh: plaintext, Argon2id-only and SCRAM-SHA-256-only users),
# the fail2ban filter against a real log of the daemon (scripts/fail2ban-check.sh, fail2ban-regex),
# then the attack replays that need real servers (scripts/attack.sh --scripts-only: the
# attack-tagged JUnit replays already ran inside mvn verify, which excludes no tag),
# a 2-minute soak of the daemon (answers checked; RSS, fds, threads, LMDB reader slots flat) and an
# Argon2 login flood whose RSS must stay within --memory-budget.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/sbin:/sbin"

scripts/install-test-deps.sh
scripts/unit-check.sh
mvn -B -ntp verify
scripts/package-test.sh
scripts/interop.sh
scripts/fleet-e2e.sh
scripts/dovecot-pgsql.sh
scripts/fail2ban-check.sh
scripts/attack.sh --scripts-only
scripts/soak.sh 120
scripts/argon2-flood.sh
