# The JVM settings of the sasldb4j tools, in one place: sourced by the checkout's launcher
# (bin/lib/launch.bash) and by the installed one (share/sasldb4j/launch.bash, next to which the
# package build copies this file), and used by both for their class-data training runs, so an
# archive records the classes the real run loads.
#
# sasldb4j_jvm_flags MAIN_CLASS [ARGS...]
#   Sets the array sasldb4j_jvm to the JVM flags for running MAIN_CLASS with ARGS (JIT, GC,
#   heap, thread stack) and exports the environment that run needs (locale; the daemon's
#   malloc tuning). $SASLDB4J_JAVA_OPTS goes after these flags on the command line, so it wins.
# Environment: SASLDB4J_HEAP (sasldb-authd's -Xmx, default 256m), MALLOC_ARENA_MAX and
# MALLOC_MMAP_THRESHOLD_ (kept when set).

sasldb4j_jvm_flags() {
    local main=$1
    shift
    # The JVM decodes argv with the locale's charset: under LC_ALL=C a UTF-8 user id would be
    # mangled. User ids are UTF-8 (as the C tools store the bytes typed in a UTF-8 terminal).
    case "${LC_ALL:-${LC_CTYPE:-${LANG:-}}}" in
        *[Uu][Tt][Ff]-8* | *[Uu][Tt][Ff]8*) ;;
        *) export LC_ALL=C.UTF-8 ;;
    esac
    # Short runs: C1 only (one compiler thread; the second core stays with the program), and
    # jnr-ffi's reflection binding instead of classes generated with ASM at start-up (those
    # cannot live in the class-data archive). Bulk runs keep the full JIT and the faster
    # generated binding.
    local jit=(-XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -Djnr.ffi.asm.enabled=false)
    local gc=(-XX:+UseSerialGC) heap=()
    case " $* " in
        # A batch may hold 200,000 users: C2, and a GC that copies on both cores.
        *" --batch"*) jit=(); gc=(-XX:+UseParallelGC) ;;
    esac
    case $main in
        # Conversions hold 200,000 records: C2 and a GC that copies them on both cores.
        *[Cc]onvert*) jit=(); gc=(-XX:+UseParallelGC) ;;
        # The daemon: full JIT; SerialGC (small heap, many short requests: the least CPU per
        # request).
        # libargon2 mallocs each hash's memory (19 MiB): glibc serves that from per-thread arenas
        # (up to 8 per core) and, after the first free, raises its mmap threshold so later hashes
        # stay in the arenas, whose memory is kept. A flood of Argon2 logins then left RSS at
        # 1.3 GiB whatever --memory-budget said. A fixed threshold (which also turns off the
        # dynamic one) maps every hash buffer and unmaps it on free, so RSS follows the budget
        # and falls back after a flood; two arenas bound what small allocations keep
        # (scripts/argon2-flood.sh measures it, docs/benchmarks.md).
        # The heap is capped (default 256 MiB, $SASLDB4J_HEAP): without -Xmx the JVM may take a
        # quarter of the machine, while the daemon's Java objects are a few MiB per connection;
        # Argon2's memory is native, outside the heap, bounded by --memory-budget
        # (docs/postfix.md, "Memory").
        *Authd*) jit=(); heap=(-Xmx"${SASLDB4J_HEAP:-256m}")
            export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2} MALLOC_MMAP_THRESHOLD_=${MALLOC_MMAP_THRESHOLD_:-131072} ;;
        # A listing can be 200,000 records: C2 pays for itself there, and costs ~10 ms on a small one.
        *Sasldblistusers*) jit=(-Djnr.ffi.asm.enabled=false) ;;
    esac
    sasldb4j_jvm=("${jit[@]}" "${gc[@]}" "${heap[@]}" -XX:-UsePerfData -Xss1m)
}
