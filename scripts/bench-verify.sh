#!/bin/bash
# Benchmark of the auxprop bridge's verify (docs/benchmarks.md, "Bridge verify"):
# plaintext on a 1,000,000-user LMDB store, one thread; Argon2id with the default parameters.
# Compiles the bridge into auxprop-bridge/bridge/target-bridge (main code through Maven, the harness
# with javac, so unrelated test sources need not compile) and reuses the store it built there.
#
# Usage: scripts/bench-verify.sh [STORE] [USERS] [ROUNDS] [ARGON2_RUNS]
#        scripts/bench-verify.sh --libsasl [USERS] [ROUNDS]
#   --libsasl: the same plaintext checks through Debian's libsasl2 (sasl_checkpass, sasldb
#   plugin, Berkeley DB file made with saslpasswd2), as docs/reference/baselines.md §3 measures
#   them; needs gcc, libsasl2-2, libsasl2-modules-db and sasl2-bin.
set -euo pipefail
if [ "${1:-}" = "--libsasl" ]; then
  HERE=$(cd "$(dirname "$0")/.." && pwd)
  USERS=${2:-2000}; ROUNDS=${3:-5}
  WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
  gcc -O2 -o "$WORK/checkpass" "$HERE/auxprop-bridge/bridge/src/test/c/libsasl-checkpass.c" /usr/lib/x86_64-linux-gnu/libsasl2.so.2
  for i in $(seq 0 $((USERS - 1))); do
    printf 'pw-%07d-secret' "$i" | saslpasswd2 -p -c -f "$WORK/sasldb2" -u bench "$(printf 'user%07d' "$i")"
  done
  exec "$WORK/checkpass" "$WORK/sasldb2" "$USERS" "$ROUNDS"
fi
HERE=$(cd "$(dirname "$0")/.." && pwd)
OUT=target-bridge
MOD=$HERE/auxprop-bridge/bridge/$OUT
cd "$HERE"
mkdir -p "$MOD/bench-classes"
# The bridge is a library: its LMDB backend is a test dependency, hence includeScope=test; package,
# because the test scope holds test jars of the reactor.
mvn -q -Dsasldb4j.out=$OUT -pl auxprop-bridge/bridge -am package -DskipTests dependency:build-classpath \
  -Dmdep.outputFile="$MOD/bench.classpath" -Dmdep.includeScope=test
CP="$MOD/classes:$(cat "$MOD/bench.classpath")"
javac -d "$MOD/bench-classes" -cp "$CP" auxprop-bridge/bridge/src/test/java/org/sasldb4j/auxprop/bench/*.java
STORE=${1:-$MOD/bench/users-1m.lmdb}
exec java -Xms512m -Xmx2g --add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
  -cp "$MOD/bench-classes:$CP" org.sasldb4j.auxprop.bench.VerifyBench "$STORE" "${2:-1000000}" "${3:-5}" "${4:-40}"
