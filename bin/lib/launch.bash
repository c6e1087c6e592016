# Common start-up for the sasldb4j command-line tools; sourced by the scripts in bin/.
#
# launch MODULE MAIN_CLASS [ARGS...]
#   Builds the module's shaded jar with Maven on first use (or when a source is newer), then
#   starts it as fast as a JVM allows:
#   - an AppCDS archive of the classes a typical run loads, trained once right after the build;
#   - C1 only for short runs (batch and conversion runs keep the full JIT);
#   - the system liblmdb.so.0 when present (lmdbjava need not extract its bundled copy);
#   - the --add-opens flags lmdbjava needs, read from the jar manifest's Add-Opens entry,
#     which the pom writes from the same property Surefire and Failsafe use.
# Environment: JAVA (java binary), SASLDB4J_REBUILD=1 (force a build), SASLDB4J_JAVA_OPTS.

sasldb4j_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
sasldb4j_cache="$sasldb4j_root/bin/.cache"

sasldb4j_die() {
    echo "$1" >&2
    exit 70
}

sasldb4j_build() {
    local module=$1 jar=$2
    command -v mvn >/dev/null 2>&1 || sasldb4j_die "sasldb4j: $jar is not built and Maven (mvn) is not installed; install maven and retry"
    echo "sasldb4j: building $module (first use; takes a minute)..." >&2
    local log="$sasldb4j_cache/build-$module.log"
    if ! (cd "$sasldb4j_root" && mvn -B -ntp -Dstyle.color=never -DskipTests package -pl "$module" -am) >"$log" 2>&1; then
        tail -n 30 "$log" >&2
        sasldb4j_die "sasldb4j: the build failed (full log: $log)"
    fi
    rm -f "$sasldb4j_cache/$module".*
}

# The --add-opens flags from the jar manifest, cached next to the CDS archive.
sasldb4j_flags() {
    local module=$1 jar=$2 file="$sasldb4j_cache/$module.flags"
    if [ ! -s "$file" ] || [ "$jar" -nt "$file" ]; then
        local opens
        opens=$(unzip -p "$jar" META-INF/MANIFEST.MF 2>/dev/null | tr -d '\r' | sed -n 's/^Add-Opens: //p')
        if [ -z "$opens" ]; then
            local tmp
            tmp=$(mktemp -d)
            (cd "$tmp" && jar xf "$jar" META-INF/MANIFEST.MF) 2>/dev/null
            opens=$(tr -d '\r' < "$tmp/META-INF/MANIFEST.MF" | sed -n 's/^Add-Opens: //p')
            rm -rf "$tmp"
        fi
        local out=""
        for p in $opens; do out="$out --add-opens $p=ALL-UNNAMED"; done
        echo "$out" > "$file"
    fi
    cat "$file"
}

# Runs one representative command with -XX:ArchiveClassesAtExit to make the CDS archive.
sasldb4j_train() {
    local module=$1 jar=$2 main=$3 flags=$4 archive="$sasldb4j_cache/$module.jsa"
    local tmp
    tmp=$(mktemp -d)
    local java=${JAVA:-java}
    case $module in
        saslpasswd)
            printf 'training-password' | "$java" $flags -XX:ArchiveClassesAtExit="$archive" -Xlog:cds=off -Xlog:cds+dynamic=off \
                -XX:TieredStopAtLevel=1 -Djnr.ffi.asm.enabled=false \
                -cp "$jar" org.sasldb4j.saslpasswd.SaslpasswdCommand -p -c -f "$tmp/db" -u example.org trainer \
                >/dev/null 2>&1 || true ;;
        auxprop-bridge)
            # A daemon: start-up time matters little; the archive holds what --help loads.
            "$java" $flags -XX:ArchiveClassesAtExit="$archive" -Xlog:cds=off -Xlog:cds+dynamic=off \
                -cp "$jar" "$main" --help >/dev/null 2>&1 || true ;;
        *)
            printf 'training-password' | "$sasldb4j_root/bin/saslpasswd" -p -c -f "$tmp/db" -u example.org trainer >/dev/null 2>&1 || true
            "$java" $flags -XX:ArchiveClassesAtExit="$archive" -Xlog:cds=off -Xlog:cds+dynamic=off \
                -XX:TieredStopAtLevel=1 -Djnr.ffi.asm.enabled=false \
                -cp "$jar" "$main" "$tmp/db" >/dev/null 2>&1 || true ;;
    esac
    rm -rf "$tmp"
}

launch() {
    local module=$1 main=$2
    shift 2
    # The JVM decodes argv with the locale's charset: under LC_ALL=C a UTF-8 user id would be
    # mangled. User ids are UTF-8 (as the C tools store the bytes typed in a UTF-8 terminal).
    case "${LC_ALL:-${LC_CTYPE:-${LANG:-}}}" in
        *[Uu][Tt][Ff]-8* | *[Uu][Tt][Ff]8*) ;;
        *) export LC_ALL=C.UTF-8 ;;
    esac
    local jar="$sasldb4j_root/$module/target/sasldb4j-$module-0.1.0-SNAPSHOT-all.jar"
    mkdir -p "$sasldb4j_cache"
    if [ "${SASLDB4J_REBUILD:-}" = 1 ] || [ ! -f "$jar" ] \
        || [ -n "$(find "$sasldb4j_root/store/src/main" "$sasldb4j_root/$module/src/main" "$sasldb4j_root/$module/pom.xml" "$sasldb4j_root/store/pom.xml" "$sasldb4j_root/pom.xml" -newer "$jar" -print -quit 2>/dev/null)" ]; then
        sasldb4j_build "$module" "$jar"
    fi
    local flags
    flags=$(sasldb4j_flags "$module" "$jar")
    local archive="$sasldb4j_cache/$module.jsa"
    if [ ! -f "$archive" ] || [ "$jar" -nt "$archive" ]; then
        sasldb4j_train "$module" "$jar" "$main" "$flags"
    fi
    local cds=()
    [ -f "$archive" ] && cds=(-XX:SharedArchiveFile="$archive" -Xlog:cds=off -Xlog:cds+dynamic=off)
    # Short runs: C1 only, and jnr-ffi's reflection binding instead of generating classes with
    # ASM at start-up (those cannot live in the CDS archive). Bulk runs keep the full JIT and
    # the faster generated binding.
    local jit=(-XX:TieredStopAtLevel=1 -Djnr.ffi.asm.enabled=false)
    case " $* " in
        *" --batch"*) jit=() ;;
    esac
    # Conversions and the daemon run long: full JIT and generated binding; the daemon keeps the
    # JVM's default collector.
    local gc=(-XX:+UseSerialGC)
    case $main in
        *Convert*) jit=() ;;
        *Authd*) jit=(); gc=() ;;
    esac
    # shellcheck disable=SC2086
    exec "${JAVA:-java}" $flags "${cds[@]}" "${jit[@]}" "${gc[@]}" -XX:-UsePerfData -Xss1m \
        ${SASLDB4J_JAVA_OPTS:-} -Dsasldb4j.program="$(basename "$0")" -cp "$jar" "$main" "$@"
}
