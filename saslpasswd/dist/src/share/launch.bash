# Start-up of the installed sasldb4j tools; sourced by the launchers in sbin/ (PREFIX/sbin/TOOL,
# with this file at PREFIX/share/sasldb4j/launch.bash: /usr for the Debian package, the unpacked
# directory for the tarball).
#
# launch MAIN_CLASS [ARGS...]
#   Runs MAIN_CLASS from the one jar of all four tools, share/sasldb4j/lib/sasldb4j.jar, with
#   the JVM settings of jvm-flags.bash, the file the checkout's bin/lib/launch.bash uses too (C1
#   for short runs, the GC per tool, the daemon's heap cap and malloc tuning), the --add-opens
#   flags lmdbjava needs, and, when make-cache has made them, the tool's class-data archive
#   (TOOL.jsa) and jffi's native stub from the cache directory.
# Never builds, never writes: a missing or stale cache only makes the start slower.
# Environment: JAVA (java binary), SASLDB4J_JAVA_OPTS, SASLDB4J_HEAP (sasldb-authd's -Xmx,
# default 256m), SASLDB4J_CACHE_DIR (default /var/cache/sasldb4j for the package, PREFIX/cache
# for the tarball).

# Every $(...) forks; a start-up path of builtins saves milliseconds on each run.
sasldb4j_share=${BASH_SOURCE[0]%/*}
sasldb4j_prefix=${sasldb4j_share%/share/sasldb4j}
# The JVM flags per tool, shared with the checkout's bin/lib/launch.bash (copied here by the build).
# shellcheck source=../../../../bin/lib/jvm-flags.bash
. "$sasldb4j_share/jvm-flags.bash"

sasldb4j_cache_dir() {
    if [ -n "${SASLDB4J_CACHE_DIR:-}" ]; then
        sasldb4j_cache=$SASLDB4J_CACHE_DIR
    elif [ "$sasldb4j_prefix" = /usr ]; then
        sasldb4j_cache=/var/cache/sasldb4j
    else
        sasldb4j_cache=$sasldb4j_prefix/cache
    fi
}

# Sets $sasldb4j_cp (the class path: the one jar of all four tools), $sasldb4j_opens
# (--add-opens flags) and $sasldb4j_jffi (the jffi release in the jar, e.g. jffi-1.3.13-native:
# the directory make-cache takes its native stub into), the last two from files the build wrote.
sasldb4j_settings() {
    sasldb4j_cp=$sasldb4j_share/lib/sasldb4j.jar
    read -r sasldb4j_jffi < "$sasldb4j_share/jffi" || true
    read -r sasldb4j_opens < "$sasldb4j_share/jvm-options" || true
}

# Sets $sasldb4j_tool to the tool MAIN_CLASS is (the name of its class-data archive, made by
# make-cache), empty for a class that is none of the four.
sasldb4j_tool_of() {
    case $1 in
        *.SaslpasswdCommand) sasldb4j_tool=saslpasswd ;;
        *.SasldblistusersCommand) sasldb4j_tool=sasldblistusers ;;
        *.SasldbconvertCommand) sasldb4j_tool=sasldbconvert ;;
        *.AuthdCommand) sasldb4j_tool=sasldb-authd ;;
        *) sasldb4j_tool= ;;
    esac
}

launch() {
    local main=$1
    shift
    local sasldb4j_jvm sasldb4j_tool sasldb4j_cache sasldb4j_cp sasldb4j_opens sasldb4j_jffi=
    sasldb4j_jvm_flags "$main" "$@"
    sasldb4j_tool_of "$main"
    sasldb4j_cache_dir
    sasldb4j_settings
    # Both made by make-cache: one archive per tool, holding the classes that tool loads (a
    # smaller archive maps and relocates faster than one of all four tools' classes). The JVM
    # checks the archive against this JVM and this jar (-Xshare:auto: a stale one is ignored,
    # silently with the logging off).
    local cds=() jffi=() archive=$sasldb4j_cache/$sasldb4j_tool.jsa stub=$sasldb4j_cache/$sasldb4j_jffi
    [ -n "$sasldb4j_tool" ] && [ -f "$archive" ] \
        && cds=(-XX:SharedArchiveFile="$archive" -Xshare:auto -Xlog:cds=off -Xlog:cds+dynamic=off)
    # The stub's directory is named after the jffi release, so an old stub never meets a newer jffi.
    [ -n "$sasldb4j_jffi" ] && [ -f "$stub/libjffi-1.2.so" ] && jffi=(-Djffi.boot.library.path="$stub")
    # The tool's JVM flags (jvm-flags.bash) before $SASLDB4J_JAVA_OPTS: an -Xmx given there wins
    # (the JVM takes the last).
    # shellcheck disable=SC2086
    exec "${JAVA:-java}" $sasldb4j_opens "${cds[@]}" "${jffi[@]}" "${sasldb4j_jvm[@]}" \
        ${SASLDB4J_JAVA_OPTS:-} -Dsasldb4j.program="${0##*/}" -cp "$sasldb4j_cp" "$main" "$@"
}
