# Start-up of the installed sasldb4j tools; sourced by the launchers in sbin/ (PREFIX/sbin/TOOL,
# with this file at PREFIX/share/sasldb4j/launch.bash: /usr for the Debian package, the unpacked
# directory for the tarball).
#
# launch MAIN_CLASS [ARGS...]
#   Runs MAIN_CLASS from the one jar set in share/sasldb4j/lib with the JVM settings of the
#   checkout's bin/lib/launch.bash (C1 for short runs, the GC per tool, the daemon's heap cap
#   and malloc tuning, the --add-opens flags lmdbjava needs), and, when make-cache has made
#   them, the class-data archive and jffi's native stub from the cache directory.
# Never builds, never writes: a missing or stale cache only makes the start slower.
# Environment: JAVA (java binary), SASLDB4J_JAVA_OPTS, SASLDB4J_HEAP (sasldb-authd's -Xmx,
# default 256m), SASLDB4J_CACHE_DIR (default /var/cache/sasldb4j for the package, PREFIX/cache
# for the tarball).

# Every $(...) forks; a start-up path of builtins saves milliseconds on each run.
sasldb4j_share=${BASH_SOURCE[0]%/*}
sasldb4j_prefix=${sasldb4j_share%/share/sasldb4j}

sasldb4j_cache_dir() {
    if [ -n "${SASLDB4J_CACHE_DIR:-}" ]; then
        sasldb4j_cache=$SASLDB4J_CACHE_DIR
    elif [ "$sasldb4j_prefix" = /usr ]; then
        sasldb4j_cache=/var/cache/sasldb4j
    else
        sasldb4j_cache=$sasldb4j_prefix/cache
    fi
}

# Sets $sasldb4j_cp (the class path, in the order the build wrote it: the archive is only used
# with the very class path it was dumped with), $sasldb4j_opens (--add-opens flags) and
# $sasldb4j_jffi (the jffi jar, whose native stub make-cache extracts), from files the build wrote.
sasldb4j_settings() {
    local jar jars
    read -r -a jars < "$sasldb4j_share/classpath"
    sasldb4j_cp=
    for jar in "${jars[@]}"; do
        sasldb4j_cp=${sasldb4j_cp:+$sasldb4j_cp:}$sasldb4j_share/lib/$jar
        case $jar in jffi-*-native.jar) sasldb4j_jffi=$jar ;; esac
    done
    read -r sasldb4j_opens < "$sasldb4j_share/jvm-options" || true
}

launch() {
    local main=$1
    shift
    # The JVM decodes argv with the locale's charset: under LC_ALL=C a UTF-8 user id would be
    # mangled. User ids are UTF-8 (as the C tools store the bytes typed in a UTF-8 terminal).
    case "${LC_ALL:-${LC_CTYPE:-${LANG:-}}}" in
        *[Uu][Tt][Ff]-8* | *[Uu][Tt][Ff]8*) ;;
        *) export LC_ALL=C.UTF-8 ;;
    esac
    local sasldb4j_cache sasldb4j_cp sasldb4j_opens sasldb4j_jffi=
    sasldb4j_cache_dir
    sasldb4j_settings
    # Both made by make-cache; the JVM checks the archive against this JVM and these jars
    # (-Xshare:auto: a stale one is ignored, silently with the logging off).
    local cds=() jffi=() stub=$sasldb4j_cache/${sasldb4j_jffi%.jar}
    [ -f "$sasldb4j_cache/sasldb4j.jsa" ] \
        && cds=(-XX:SharedArchiveFile="$sasldb4j_cache/sasldb4j.jsa" -Xshare:auto -Xlog:cds=off -Xlog:cds+dynamic=off)
    # The stub's directory is named after the jffi jar, so an old stub never meets a newer jffi.
    [ -f "$stub/libjffi-1.2.so" ] && jffi=(-Djffi.boot.library.path="$stub")
    # Short runs: C1 only (one compiler thread; the second core stays with the program), and
    # jnr-ffi's reflection binding instead of classes generated with ASM at start-up (those
    # cannot live in the archive).
    local jit=(-XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -Djnr.ffi.asm.enabled=false)
    local gc=(-XX:+UseSerialGC) heap=()
    case " $* " in
        # A batch may hold 200,000 users: C2, and a GC that copies on both cores.
        *" --batch"*) jit=(); gc=(-XX:+UseParallelGC) ;;
    esac
    case $main in
        # Conversions hold 200,000 records: C2 and a GC that copies them on both cores.
        *[Cc]onvert*) jit=(); gc=(-XX:+UseParallelGC) ;;
        # The daemon: full JIT, SerialGC (least CPU per short request), the heap capped (the
        # Argon2 memory is native, bounded by --memory-budget), and glibc's malloc kept from
        # hoarding Argon2 buffers in per-thread arenas (docs/benchmarks.md, scripts/argon2-flood.sh).
        *Authd*) jit=(); heap=(-Xmx"${SASLDB4J_HEAP:-256m}")
            export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2} MALLOC_MMAP_THRESHOLD_=${MALLOC_MMAP_THRESHOLD_:-131072} ;;
        # A listing can be 200,000 records: C2 pays for itself there, and costs ~10 ms on a small one.
        *Sasldblistusers*) jit=(-Djnr.ffi.asm.enabled=false) ;;
    esac
    # ${heap[@]} before $SASLDB4J_JAVA_OPTS: an -Xmx given there wins (the JVM takes the last).
    # shellcheck disable=SC2086
    exec "${JAVA:-java}" $sasldb4j_opens "${cds[@]}" "${jit[@]}" "${gc[@]}" "${heap[@]}" "${jffi[@]}" \
        -XX:-UsePerfData -Xss1m ${SASLDB4J_JAVA_OPTS:-} -Dsasldb4j.program="${0##*/}" \
        -cp "$sasldb4j_cp" "$main" "$@"
}
