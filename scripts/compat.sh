#!/usr/bin/env bash
# The side-by-side comparison with the real Cyrus tools (saslpasswd2, sasldblistusers2, db5.3_dump,
# mdb_dump) on its own. The cases live in the Maven module saslpasswd/compat (CompatIT; the cases
# are data in src/test/resources/compat/cases.txt) and also run in every `mvn verify`; see
# "How the comparison is tested" in docs/compatibility.md.
#
#   scripts/compat.sh                  # every case
#   scripts/compat.sh 'pipe-.*|ls-.*'  # the cases whose names match the regular expression
#
# Extra Maven options may follow the pattern (e.g. -o, -Dcompat.keep=true).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-test-deps.sh
pattern=${1:-}
[ $# -gt 0 ] && shift
exec mvn -B -ntp verify -pl saslpasswd/compat -am -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
    -Dit.test=CompatIT -Dfailsafe.failIfNoSpecifiedTests=false ${pattern:+"-Dcompat.case=$pattern"} "$@"
