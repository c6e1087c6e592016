# Common start-up for the sasldb4j command-line tools; sourced by the scripts in bin/.
#
# launch MODULE ARTIFACT MAIN_CLASS [ARGS...]
#   MODULE is the tool's module directory (e.g. saslpasswd/command), ARTIFACT its artifactId
#   (e.g. sasldb4j-saslpasswd; also names its files in bin/.cache).
#   Builds the module's shaded jar with Maven on first use (or when a source is newer) when run
#   by hand; under a service manager a missing or stale jar is one error line (no build); then
#   starts it as fast as a JVM allows:
#   - a static AppCDS archive of the classes a typical run loads, trained once after the build;
#   - jffi's native stub taken out of the jar once (not extracted into /tmp at every start);
#   - C1 only for short runs (batch and conversion runs keep the full JIT); these JVM flags
#     come from bin/lib/jvm-flags.bash, which the installed launcher uses too;
#   - the system liblmdb.so.0 when present (lmdbjava need not extract its bundled copy);
#   - the --add-opens flags lmdbjava needs, read from the jar manifest's Add-Opens entry,
#     which the pom writes from the same property Surefire and Failsafe use.
# Environment: JAVA (java binary), SASLDB4J_REBUILD=1 (force a build), SASLDB4J_NO_BUILD=1 (never
# build: a missing or stale jar is an error, as under systemd), SASLDB4J_JAVA_OPTS,
# SASLDB4J_HEAP (sasldb-authd's -Xmx, default 256m).

# Every $(...) forks; a start-up path of builtins saves milliseconds on each run.
case ${BASH_SOURCE[0]} in
    */bin/lib/launch.bash) sasldb4j_root=${BASH_SOURCE[0]%/bin/lib/launch.bash} ;;
    bin/lib/launch.bash) sasldb4j_root=. ;;
    *) sasldb4j_root=${BASH_SOURCE[0]%/*}/../.. ;;
esac
sasldb4j_root=${sasldb4j_root:-/}
case $sasldb4j_root in /*) ;; *) sasldb4j_root=$PWD/$sasldb4j_root ;; esac
sasldb4j_cache="$sasldb4j_root/bin/.cache"
# shellcheck source=jvm-flags.bash
. "$sasldb4j_root/bin/lib/jvm-flags.bash"

sasldb4j_die() {
    echo "$1" >&2
    exit 70
}

sasldb4j_build() {
    local module=$1 tool=$2 jar=$3
    command -v mvn >/dev/null 2>&1 || sasldb4j_die "sasldb4j: $jar is not built and Maven (mvn) is not installed; install maven and retry"
    echo "sasldb4j: building $module (first use; takes a minute)..." >&2
    local log="$sasldb4j_cache/build-$tool.log"
    if ! (cd "$sasldb4j_root" && mvn -B -ntp -Dstyle.color=never -DskipTests package -pl "$module" -am) >"$log" 2>&1; then
        tail -n 30 "$log" >&2
        sasldb4j_die "sasldb4j: the build failed (full log: $log)"
    fi
    rm -f "$sasldb4j_cache/$tool".*
}

# Builds only for someone who can see it happen. Under a service manager ($INVOCATION_ID is set
# by systemd for every unit it starts, $SASLDB4J_NO_BUILD=1 elsewhere) a build would run Maven
# as the service's account behind the administrator's back, fail on a read-only tree
# (ProtectSystem=strict) and then start the stale jar: there a missing or stale jar is one
# error line instead.
sasldb4j_may_build() {
    local jar=$1 what="is older than its sources"
    [ -f "$jar" ] || what="is not built"
    if [ -n "${INVOCATION_ID:-}" ] || [ "${SASLDB4J_NO_BUILD:-}" = 1 ]; then
        sasldb4j_die "sasldb4j: $jar $what; build it first: cd $sasldb4j_root && mvn -DskipTests package (or install the sasldb4j package)"
    fi
}

# The --add-opens flags from the jar manifest, cached next to the CDS archive; sets $flags.
sasldb4j_flags() {
    local tool=$1 jar=$2 file="$sasldb4j_cache/$tool.flags"
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
    read -r flags < "$file" || true
}

# Makes the module's CDS archive: one representative run records the classes it loads
# (-XX:DumpLoadedClassList), then a static archive is dumped from that list. A static archive,
# unlike JDK 17's dynamic one, also holds classes compiled for Java 5 (picocli's).
sasldb4j_train() {
    local tool=$1 jar=$2 main=$3 flags=$4 archive="$sasldb4j_cache/$tool.jsa"
    local list="$sasldb4j_cache/$tool.classlist" tmp
    tmp=$(mktemp -d)
    local java=${JAVA:-java}
    # Training changes only a scratch store: it must leave no record in the host's audit trail.
    local -x SASLDB4J_SYSLOG_SOCKET=none SASLDB4J_AUDIT_LOG= SASLDB4J_CHANGE_TIMES=
    # Two runs per tool: its Cyrus command line (which skips picocli) and one with a long option
    # (which builds the picocli model); their class lists are merged.
    local n=0
    run() {
        n=$((n + 1))
        "$java" $flags -XX:DumpLoadedClassList="$tmp/$n.lst" -XX:TieredStopAtLevel=1 -Djnr.ffi.asm.enabled=false \
            -Djffi.boot.library.path="$sasldb4j_cache/jni" -cp "$jar" "$@" >/dev/null 2>&1 < "$tmp/pw" || true
    }
    printf 'training-password' > "$tmp/pw"
    case $tool in
        sasldb4j-saslpasswd)
            run "$main" -p -c -f "$tmp/db" -u example.org trainer
            run "$main" --password-file "$tmp/pw" -f "$tmp/db" -u example.org trainer ;;
        sasldb4j-migration)
            # sasldbconvert: trained on a real Berkeley DB file of the corpus, into both backends.
            local sample="$sasldb4j_root/store/migration/src/test/resources/corpus/small.sasldb2"
            if [ -f "$sample" ]; then
                run "$main" -q "$sample" "$tmp/converted"
                run "$main" -q --backend sqlite "$sample" "$tmp/converted.sqlite"
            fi ;;
        sasldb4j-authd)
            # A daemon: start-up time matters little; the archive holds what --help loads.
            run "$main" --help ;;
        *)
            "$sasldb4j_root/bin/saslpasswd" -p -c -f "$tmp/db" -u example.org trainer < "$tmp/pw" >/dev/null 2>&1 || true
            run "$main" "$tmp/db"
            run "$main" --json "$tmp/db" ;;
    esac
    unset -f run
    # Later lists repeat classes of earlier ones; keep each class once (@-lines are directives).
    cat "$tmp"/*.lst 2>/dev/null | awk '/^@/ {print; next} !seen[$1]++' > "$list"
    if [ -s "$list" ]; then
        "$java" $flags -Xshare:dump -XX:SharedClassListFile="$list" -XX:SharedArchiveFile="$archive" \
            -cp "$jar" >/dev/null 2>&1 || rm -f "$archive"
    fi
    rm -rf "$tmp"
}

# jffi (under lmdbjava's JNR binding) extracts its native stub into the temp directory at every
# start unless told where one is: take it out of the jar once.
sasldb4j_jffi() {
    local jar=$1 dir="$sasldb4j_cache/jni"
    [ -f "$dir/libjffi-1.2.so" ] && [ "$dir/libjffi-1.2.so" -nt "$jar" ] && return 0
    local arch
    case $(uname -m) in
        x86_64 | amd64) arch=x86_64 ;;
        aarch64 | arm64) arch=aarch64 ;;
        *) return 0 ;;
    esac
    mkdir -p "$dir"
    unzip -o -j -q "$jar" "jni/$arch-Linux/libjffi-1.2.so" -d "$dir" 2>/dev/null \
        || (cd "$dir" && jar xf "$jar" "jni/$arch-Linux/libjffi-1.2.so" && mv "jni/$arch-Linux/libjffi-1.2.so" . && rm -rf jni) 2>/dev/null \
        || true
    touch "$dir/libjffi-1.2.so" 2>/dev/null || true
}

launch() {
    local module=$1 tool=$2 main=$3
    shift 3
    local sasldb4j_jvm
    sasldb4j_jvm_flags "$main" "$@"
    local jar="$sasldb4j_root/$module/target/$tool-0.1.0-SNAPSHOT-all.jar"
    [ -d "$sasldb4j_cache" ] || mkdir -p "$sasldb4j_cache"
    # The modules every tool is built from (store API, backends, command-line plumbing, bridge),
    # then the tool's own; a missing one (the bridge, for most tools) is skipped by find.
    local r=$sasldb4j_root m sources=()
    for m in store/api store/lmdb store/sqlite store/postgresql saslpasswd/cli "$module"; do sources+=("$r/$m/src/main" "$r/$m/pom.xml"); done
    [ "$tool" = sasldb4j-authd ] && sources+=("$r/auxprop-bridge/bridge/src/main" "$r/auxprop-bridge/bridge/pom.xml")
    if [ "${SASLDB4J_REBUILD:-}" = 1 ]; then
        sasldb4j_build "$module" "$tool" "$jar"
    elif [ ! -f "$jar" ] || [ -n "$(find "${sources[@]}" "$r/pom.xml" -newer "$jar" -print -quit 2>/dev/null)" ]; then
        sasldb4j_may_build "$jar"
        sasldb4j_build "$module" "$tool" "$jar"
    fi
    local flags
    sasldb4j_flags "$tool" "$jar"
    sasldb4j_jffi "$jar"
    local jffi=()
    [ -f "$sasldb4j_cache/jni/libjffi-1.2.so" ] && jffi=(-Djffi.boot.library.path="$sasldb4j_cache/jni")
    local archive="$sasldb4j_cache/$tool.jsa"
    if [ ! -f "$archive" ] || [ "$jar" -nt "$archive" ]; then
        sasldb4j_train "$tool" "$jar" "$main" "$flags"
    fi
    local cds=()
    [ -f "$archive" ] && cds=(-XX:SharedArchiveFile="$archive" -Xlog:cds=off -Xlog:cds+dynamic=off)
    # The tool's JVM flags (jvm-flags.bash) before $SASLDB4J_JAVA_OPTS: an -Xmx given there wins
    # (the JVM takes the last).
    # shellcheck disable=SC2086
    exec "${JAVA:-java}" $flags "${cds[@]}" "${jffi[@]}" "${sasldb4j_jvm[@]}" \
        ${SASLDB4J_JAVA_OPTS:-} -Dsasldb4j.program="${0##*/}" -cp "$jar" "$main" "$@"
}
