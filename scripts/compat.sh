#!/usr/bin/env bash
# Side-by-side compatibility scenario: our saslpasswd / sasldblistusers (bin/ launchers) against
# the real Cyrus saslpasswd2 / sasldblistusers2, in one scripted run.
#
#   scripts/compat.sh            # prints one PASS/FAIL line per check, then
#                                # "compat: N passed, M failed"; exit 1 on any failure
#
# What it covers (facts: ../shared/spec/cyrus-sasldb.md):
#   A  every applicable row of the saslpasswd2 outcome table (spec 9.7): stdout, stderr, exit code
#   B  the realm parsing cases (spec 2.1): both tools create into separate stores, listings compared
#   C  pipe-mode password bytes (spec 9.4): stored value bytes compared (db5.3_dump vs mdb_dump -n)
#   D  sorted listings and dumps of the resulting stores; `mdb_dump -n` of ours shows the Cyrus keys
#   E  sasldblistusers2 usage and failure cases (spec 10.1, 10.3)
# Where we deliberately differ from Cyrus (spec 14, docs/compatibility.md) the difference itself
# is asserted ("deliberate:" in the check name); the Cyrus side is checked against the spec too, so
# a drift of the real tool shows up as a failure of a "cyrus:" check.
#
# The program name is normalised (saslpasswd2 -> saslpasswd, sasldblistusers2 -> sasldblistusers)
# and so are the two per-side work directories. Every store is a temporary file (never /etc/sasldb2).
# Environment: OURS_SASLPASSWD / OURS_SASLDBLISTUSERS override our commands (default bin/...),
# COMPAT_KEEP=1 keeps the work directory, COMPAT_VERBOSE=1 shows diffs for passing checks too.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH="$PATH:/usr/sbin:/sbin"
scripts/install-test-deps.sh

# Deterministic messages: English glibc/libdb texts, UTF-8 arguments for the JVM.
export LC_ALL=C.UTF-8
unset SASL_DBNAME SASL_CONF_PATH || true
umask 022

# The real tools by bare name, as an administrator types them (glibc's getopt messages use argv[0]).
command -v saslpasswd2 > /dev/null && command -v sasldblistusers2 > /dev/null
CY_PW=saslpasswd2
CY_LS=sasldblistusers2
OURS_PW=${OURS_SASLPASSWD:-$ROOT/bin/saslpasswd}
OURS_LS=${OURS_SASLDBLISTUSERS:-$ROOT/bin/sasldblistusers}
CORPUS=${SASLDB4J_CORPUS:-$ROOT/../shared/corpus}
[ -d "$CORPUS" ] || CORPUS=/work/shared/corpus

# Cyrus's default realm: gethostname(), ASCII-lowercased (spec 2.3; uname -n is gethostname()).
HOSTREALM=$(uname -n | tr 'A-Z' 'a-z')

W=$(mktemp -d "${TMPDIR:-/tmp}/sasldb4j-compat.XXXXXX")
if [ "${COMPAT_KEEP:-}" = 1 ]; then
    echo "compat: work directory $W (kept)"
else
    trap 'rm -rf "$W"' EXIT
fi
mkdir -p "$W/cyrus" "$W/ours" "$W/run" "$W/in"
START=$SECONDS

PASSED=0
FAILED=0
FAILED_NAMES=()

pass() {
    PASSED=$((PASSED + 1))
    echo "PASS $1${2:+: $2}"
}
fail() {
    FAILED=$((FAILED + 1))
    FAILED_NAMES+=("$1")
    echo "FAIL $1${2:+: $2}"
}
# show FILE...: indented excerpt of files, for a FAIL line
show() {
    local f
    for f in "$@"; do
        echo "    --- ${f#"$W/"}"
        head -c 1500 "$f" | cat -A | head -n 25 | sed 's/^/    | /'
    done
}
showdiff() {
    diff -u --label "cyrus" --label "ours" "$1" "$2" | head -n 40 | cat -A | sed 's/^/    /' || true
}

# ---------------------------------------------------------------------------------------------
# Running the tools
# ---------------------------------------------------------------------------------------------
OURS_BROKEN=""

# run SIDE NAME INPUT CMD ARGS...  (INPUT: a file for stdin, or "" for /dev/null)
# ARGS may contain @S@, replaced by the side's store directory. Leaves $W/run/NAME.SIDE.{out,err,rc}.
run() {
    local side=$1 name=$2 input=$3
    shift 3
    local cmd=$1
    shift
    local dir="$W/$side" args=() a
    for a in "$@"; do args+=("${a//@S@/$dir}"); done
    local base="$W/run/$name.$side"
    if [ "$side" = ours ] && [ -n "$OURS_BROKEN" ]; then
        : > "$base.out"
        echo "$OURS_BROKEN" > "$base.err"
        echo 70 > "$base.rc"
    else
        local rc=0
        timeout 60 "$cmd" "${args[@]}" < "${input:-/dev/null}" > "$base.out" 2> "$base.err" || rc=$?
        echo "$rc" > "$base.rc"
    fi
    # normalised copies for comparison
    sed -e 's/saslpasswd2/saslpasswd/g' -e 's/sasldblistusers2/sasldblistusers/g' \
        -e "s#$W/cyrus#@S@#g" -e "s#$W/ours#@S@#g" "$base.out" > "$base.nout"
    sed -e 's/saslpasswd2/saslpasswd/g' -e 's/sasldblistusers2/sasldblistusers/g' \
        -e "s#$W/cyrus#@S@#g" -e "s#$W/ours#@S@#g" "$base.err" > "$base.nerr"
}
# pw NAME INPUT ARGS... / ls NAME ARGS...: both sides
pw() {
    local name=$1 input=$2
    shift 2
    run cyrus "$name" "$input" "$CY_PW" "$@"
    run ours "$name" "$input" "$OURS_PW" "$@"
}
lsu() {
    local name=$1
    shift
    run cyrus "$name" "" "$CY_LS" "$@"
    run ours "$name" "" "$OURS_LS" "$@"
}
rc_of() { cat "$W/run/$1.$2.rc"; }
f_of() { echo "$W/run/$1.$2.$3"; }   # f_of NAME SIDE nout|nerr|out|err

# Drops our deliberate notices from a normalised stderr: lines naming the realm taken from the host
# name (docs/compatibility.md, spec 14 D6/D7). Writes the rest to $2.
strip_notices() {
    grep -v -E "^(saslpasswd|sasldblistusers): (note|warning): " "$1" > "$2" || true
}

# same NAME [notices]: stdout, stderr and exit code equal after normalisation.
# With "notices", our stderr may additionally hold notice lines (listed in the PASS line).
same() {
    local name=$1 mode=${2:-}
    local co ce cr oo oe or
    co=$(f_of "$name" cyrus nout); ce=$(f_of "$name" cyrus nerr); cr=$(rc_of "$name" cyrus)
    oo=$(f_of "$name" ours nout); oe=$(f_of "$name" ours nerr); or=$(rc_of "$name" ours)
    local extra=""
    if [ "$mode" = notices ]; then
        strip_notices "$oe" "$oe.stripped"
        if ! cmp -s "$oe" "$oe.stripped"; then
            extra=" (deliberate notice: $({ diff "$oe.stripped" "$oe" || true; } | sed -n 's/^> //p' | head -n 2 | tr '\n' ' '))"
        fi
        oe="$oe.stripped"
    fi
    local bad=""
    [ "$cr" = "$or" ] || bad="$bad exit code cyrus=$cr ours=$or;"
    cmp -s "$co" "$oo" || bad="$bad stdout differs;"
    cmp -s "$ce" "$oe" || bad="$bad stderr differs;"
    if [ -z "$bad" ]; then
        pass "$name" "rc $cr, stdout and stderr identical$extra"
        [ "${COMPAT_VERBOSE:-}" = 1 ] && show "$oe" || true
    else
        fail "$name" "${bad%;}"
        if ! cmp -s "$co" "$oo"; then showdiff "$co" "$oo"; fi
        if ! cmp -s "$ce" "$oe"; then showdiff "$ce" "$oe"; fi
    fi
}

# same_but_stderr NAME WHY OURS_STDERR_REGEX: exit code and stdout identical; ours' stderr is the
# documented deliberate text (one line matching the anchored regex) where Cyrus prints its own.
same_but_stderr() {
    local name=$1 why=$2 re=$3
    local cr or oe
    cr=$(rc_of "$name" cyrus); or=$(rc_of "$name" ours); oe=$(f_of "$name" ours nerr)
    if [ "$cr" = "$or" ] && cmp -s "$(f_of "$name" cyrus nout)" "$(f_of "$name" ours nout)" \
        && [ "$(wc -l < "$oe")" = 1 ] && grep -q -x -E -- "$re" "$oe"; then
        pass "deliberate:$name" "$why; rc $or both; cyrus stderr: '$(head -n 1 "$(f_of "$name" cyrus nerr)")', ours: '$(cat "$oe")'"
    else
        fail "deliberate:$name" "$why; expected rc $cr and stderr /$re/; ours rc $or"
        showdiff "$(f_of "$name" cyrus nerr)" "$oe"
    fi
}
# expect_notice NAME REGEX WHY: ours' stderr holds a line matching REGEX (a documented note/warning)
expect_notice() {
    if grep -q -E -- "$2" "$(f_of "$1" ours nerr)"; then
        pass "deliberate:$1-notice" "$3: $(grep -E -- "$2" "$(f_of "$1" ours nerr)" | head -n 1)"
    else
        fail "deliberate:$1-notice" "$3: no stderr line matching /$2/"
        show "$(f_of "$1" ours nerr)"
    fi
}

# cyrus_is NAME RC STDERR_EXPECTED_FILE_OR_- : the real tool behaves as the spec says (catches drift).
cyrus_is() {
    local name=$1 want_rc=$2 want_err=$3
    local cr ce
    cr=$(rc_of "$name" cyrus); ce=$(f_of "$name" cyrus nerr)
    local bad=""
    [ "$cr" = "$want_rc" ] || bad="$bad rc $cr (spec: $want_rc);"
    if [ "$want_err" != "-" ] && ! printf '%b' "$want_err" | cmp -s - "$ce"; then
        bad="$bad stderr not as in the spec;"
    fi
    if [ -z "$bad" ]; then
        pass "cyrus:$name" "rc $cr as the spec says"
    else
        fail "cyrus:$name" "${bad%;}"
        show "$ce"
    fi
}

# ours_fails NAME WHY [REGEX [RC]]: ours exits non-zero (RC if given; docs/compatibility.md) with
# exactly one line on stderr (matching REGEX), nothing on stdout. Used where Cyrus is silently wrong
# and we deliberately refuse.
ours_fails() {
    local name=$1 why=$2 re=${3:-.} want=${4:-}
    local or oe oo n
    or=$(rc_of "$name" ours); oe=$(f_of "$name" ours nerr); oo=$(f_of "$name" ours nout)
    n=$(wc -l < "$oe")
    if [ "$or" != 0 ] && [ "$or" != 124 ] && { [ -z "$want" ] || [ "$or" = "$want" ]; } \
        && [ "$n" = 1 ] && [ ! -s "$oo" ] && grep -q -E -- "$re" "$oe"; then
        pass "deliberate:$name" "$why; ours rc $or: $(head -n 1 "$oe")"
    else
        fail "deliberate:$name" "$why; expected exit ${want:-non-zero}, one stderr line matching /$re/, empty stdout; got rc $or, $n stderr lines"
        show "$oe" "$oo"
    fi
}

# unchanged NAME FILE SHA: the file still has the given content (a refused target is never written)
unchanged() {
    local name=$1 file=$2 sha=$3
    if [ "$(sha256sum < "$file")" = "$sha" ]; then
        pass "deliberate:$name" "refused file left byte-for-byte unchanged"
    else
        fail "deliberate:$name" "refused file $file was modified"
    fi
}

# Canonical dump: one line per record "hex(key) hex(value)", sorted. From the hex (bytevalue)
# formats, which are exact; the -p (printable) dumps are kept for reading and for the literal check
# below (mdb_dump -p does not escape a backslash, so -p text alone is ambiguous).
canon_dump() {
    python3 -c '
import sys
lines = open(sys.argv[1], encoding="ascii").read().split("\n")
i = lines.index("HEADER=END") + 1
recs = []
while lines[i] != "DATA=END":
    recs.append(lines[i].strip() + " " + lines[i + 1].strip())
    i += 2
for r in sorted(recs):
    k, v = r.split(" ")
    print(k, v)
' "$1"
}
# Readable form of a canonical dump line: key components and value with C escapes.
readable() {
    python3 -c '
import sys
def esc(b):
    return "".join(chr(c) if 32 <= c < 127 and c != 92 else "\\x%02x" % c for c in b)
for line in open(sys.argv[1]):
    k, v = line.split()
    v = esc(bytes.fromhex(v))
    print(esc(bytes.fromhex(k)), "=>", v if len(v) < 60 else v[:40] + "...(%d chars)" % len(v))
' "$1"
}
cyrus_dump() {   # FILE OUT: canonical pairs of a Berkeley DB store
    db5.3_dump "$1" > "$2.raw"
    db5.3_dump -p "$1" > "$2.p"
    canon_dump "$2.raw" > "$2"
}
ours_dump() {    # FILE OUT: canonical pairs of our LMDB store (main, unnamed database)
    mdb_dump -n "$1" > "$2.raw" 2> "$2.err" || { : > "$2"; return 1; }
    mdb_dump -n -p "$1" > "$2.p" 2> "$2.err"
    canon_dump "$2.raw" > "$2"
}
# value_of DUMP KEY_TEXT: hex of the value stored under the key (authid\0realm\0property given as text
# with \0 written as '\0'), or "-" when absent.
value_of() {
    local keyhex
    keyhex=$(printf '%b' "$2" | od -An -v -tx1 | tr -d ' \n')
    awk -v k="$keyhex" '$1 == k { print $2; found = 1 } END { if (!found) print "-" }' "$1"
}

# ---------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------
IN=$W/in
printf 'secret' > "$IN/secret"
printf 'secret-2' > "$IN/secret2"
printf 'pw' > "$IN/pw"
: > "$IN/empty"
printf '\n' > "$IN/lf"
printf 'two\n\n' > "$IN/two"
printf 'crlf\r\n' > "$IN/crlf"
printf 'a\nb\n' > "$IN/anb"
printf 'x\0y' > "$IN/nul"
printf 'sp ace\ttab\n' > "$IN/space"
printf '\xc3\xa9t\xc3\xa9\xff\x01' > "$IN/bin"
printf 'back\\slash\\41' > "$IN/backslash"
head -c 3000 /dev/zero | tr '\0' A > "$IN/a3000"
head -c 2048 /dev/zero | tr '\0' B > "$IN/b2048"
{ head -c 2047 /dev/zero | tr '\0' C; printf '\n'; } > "$IN/c2047lf"

# A helper for the terminal rows: runs a command with stdin and stdout on a pty, answers the two
# prompts, records what the terminal showed, stderr and the exit code.
cat > "$W/ttyrun.py" <<'PY'
import os, pty, select, subprocess, sys, time
prefix, e1, e2 = sys.argv[1], sys.argv[2], sys.argv[3]
cmd = sys.argv[4:]
m, s = pty.openpty()
p = subprocess.Popen(cmd, stdin=s, stdout=s, stderr=subprocess.PIPE, close_fds=True)
os.close(s)
out = b""
entries = [e1.encode() + b"\n", e2.encode() + b"\n"]
deadline = time.time() + 60
while time.time() < deadline:
    r, _, _ = select.select([m], [], [], 0.1)
    if r:
        try:
            d = os.read(m, 4096)
        except OSError:
            break
        if not d:
            break
        out += d
        if entries and (out.endswith(b"Password: ") or out.endswith(b"(for verification): ")):
            time.sleep(0.1)
            os.write(m, entries.pop(0))
    elif p.poll() is not None:
        break
if p.poll() is None:
    p.kill()
err = p.stderr.read()
rc = p.wait()
open(prefix + ".out", "wb").write(out)
open(prefix + ".err", "wb").write(err)
open(prefix + ".rc", "w").write("%d\n" % rc)
PY
# tty SIDE NAME ENTRY1 ENTRY2 CMD ARGS...
tty() {
    local side=$1 name=$2 e1=$3 e2=$4 cmd=$5
    shift 5
    local dir="$W/$side" args=() a base="$W/run/$name.$side"
    for a in "$@"; do args+=("${a//@S@/$dir}"); done
    if [ "$side" = ours ] && [ -n "$OURS_BROKEN" ]; then
        : > "$base.out"; echo "$OURS_BROKEN" > "$base.err"; echo 70 > "$base.rc"
    else
        python3 "$W/ttyrun.py" "$base" "$e1" "$e2" "$cmd" "${args[@]}"
    fi
    sed -e 's/saslpasswd2/saslpasswd/g' -e "s#$W/cyrus#@S@#g" -e "s#$W/ours#@S@#g" "$base.out" > "$base.nout"
    sed -e 's/saslpasswd2/saslpasswd/g' -e "s#$W/cyrus#@S@#g" -e "s#$W/ours#@S@#g" "$base.err" > "$base.nerr"
}

USAGE_PW='\nThis product includes software developed by Computing Services\nat Carnegie Mellon University (http://www.cmu.edu/computing/).\n\nsaslpasswd: usage: saslpasswd [-v] [-c [-p] [-n]] [-d] [-a appname] [-f sasldb] [-u DOM] userid\n\t-p\tpipe mode -- no prompt, password read on stdin\n\t-c\tcreate -- ask mechs to create the account\n\t-d\tdisable -- ask mechs to disable/delete the account\n\t-n\tno userPassword -- don'"'"'t set plaintext userPassword property\n\t  \t                   (only set mechanism-specific secrets)\n\t-f sasldb\tuse given file as sasldb\n\t-a appname\tuse appname as application name\n\t-u DOM\tuse DOM for user domain\n\t-v\tprint version numbers and exit\n'
USAGE_LS='\nThis product includes software developed by Computing Services\nat Carnegie Mellon University (http://www.cmu.edu/computing/).\n\nsasldblistusers: usage: sasldblistusers [-v] [[-f] sasldb]\n\t-f sasldb\tuse given file as sasldb\n\t-v\tprint version numbers and exit\n'
BANNER='\nThis product includes software developed by Computing Services\nat Carnegie Mellon University (http://www.cmu.edu/computing/).\n\n'

# ---------------------------------------------------------------------------------------------
# Preflight: our launchers build the jars on first use. If that fails, every "ours" check fails
# fast instead of rebuilding on each call.
# ---------------------------------------------------------------------------------------------
echo "compat: cyrus $CY_PW, ours $OURS_PW; host realm '$HOSTREALM'; work $W"
for tool in "$OURS_PW" "$OURS_LS"; do
    rc=0
    timeout 900 "$tool" -v < /dev/null > "$W/preflight.out" 2> "$W/preflight.err" || rc=$?
    if [ "$rc" != 0 ]; then
        OURS_BROKEN="(not run: '$tool -v' failed with rc $rc: $(grep -v '^$' "$W/preflight.err" | tail -n 1))"
        fail "preflight:$(basename "$tool")" "$tool -v exits $rc"
        show "$W/preflight.err"
        break
    fi
    pass "preflight:$(basename "$tool")" "builds and starts"
done

# =============================================================================================
# A. saslpasswd2 outcome table (spec 9.7)
# =============================================================================================
echo "--- A. saslpasswd outcomes (spec 9.7)"

pw create "$IN/secret" -p -c -f @S@/main.db -u example.org alice
same create
cyrus_is create 0 ''

pw update "$IN/secret2" -p -c -f @S@/main.db -u example.org alice
same update

pw create-without-c "$IN/pw" -p -f @S@/main.db -u example.org nocflag
same create-without-c

pw create-gone "$IN/pw" -p -c -f @S@/main.db -u example.org gone
pw delete "" -d -f @S@/main.db -u example.org gone
same delete
cyrus_is delete 0 ''

for opt in -h '-?'; do
    pw "usage$opt" "" "$opt"
    same "usage$opt"
done
cyrus_is usage-h 1 "$USAGE_PW"
pw usage-no-userid "" -p -f @S@/main.db
same usage-no-userid
pw usage-two-userids "" -p -f @S@/main.db one two
same usage-two-userids
pw usage-c-and-d "" -c -d -f @S@/main.db alice
same usage-c-and-d
cyrus_is usage-c-and-d 1 "$USAGE_PW"
pw invalid-option "" -x -f @S@/main.db alice
same invalid-option
cyrus_is invalid-option 1 "saslpasswd: invalid option -- 'x'\n$USAGE_PW"
pw missing-argument "" alice -f
same missing-argument
cyrus_is missing-argument 1 "saslpasswd: option requires an argument -- 'f'\n$USAGE_PW"

pw version "" -v
cr=$(rc_of version cyrus); or=$(rc_of version ours)
if [ "$cr" = 0 ] && [ "$or" = 0 ] && [ ! -s "$(f_of version ours nout)" ] \
    && cmp -s <(head -n 5 "$(f_of version cyrus nerr)") <(head -n 5 "$(f_of version ours nerr)") \
    && [ "$(wc -l < "$(f_of version ours nerr)")" = 6 ] && sed -n 6p "$(f_of version ours nerr)" | grep -q '^sasldb4j version '; then
    pass "deliberate:version" "rc 0, stdout empty, first five lines identical; last line ours: $(sed -n 6p "$(f_of version ours nerr)")"
else
    fail "deliberate:version" "expected rc 0, empty stdout, Cyrus's first 5 lines then 'sasldb4j version ...'; cyrus rc $cr, ours rc $or"
    showdiff "$(f_of version cyrus nerr)" "$(f_of version ours nerr)"
fi

pw appname-slash "$IN/pw" -p -a my/app -f @S@/main.db alice
same appname-slash
cyrus_is appname-slash 1 'appname must not contain /\n'

pw pipe-empty "$IN/empty" -p -c -f @S@/main.db -u example.org emptypw
cyrus_is pipe-empty 7 'saslpasswd: invalid parameter supplied\n'
same_but_stderr pipe-empty "empty password: Cyrus's 'errstring: detail' form with the reason" \
    'saslpasswd: invalid parameter supplied: the password is empty'
pw pipe-lf "$IN/lf" -c -f @S@/main.db -u example.org lfpw
cyrus_is pipe-lf 7 'saslpasswd: invalid parameter supplied\n'
same_but_stderr pipe-lf "password of only LF" 'saslpasswd: invalid parameter supplied: the password is empty'

# tty: prompts on the terminal, mismatch -> rc 7; a match stores the entry
for side in cyrus ours; do
    cmd=$CY_PW; [ $side = ours ] && cmd=$OURS_PW
    tty $side tty-mismatch one two "$cmd" -c -f @S@/main.db -u example.org ttyuser
    tty $side tty-match tty-secret tty-secret "$cmd" -c -f @S@/main.db -u example.org ttyuser
done
same tty-mismatch
cyrus_is tty-mismatch 7 "saslpasswd: passwords don't match; aborting\n"
same tty-match

# not writable: the target is a directory / its directory does not exist
mkdir -p "$W/cyrus/adir" "$W/ours/adir"
pw target-directory "$IN/pw" -p -c -f @S@/adir -u example.org u
cyrus_is target-directory 1 'saslpasswd: generic failure\n'
ours_fails target-directory "Cyrus says only 'generic failure'; ours names the problem" 'adir'
pw target-parent-missing "$IN/pw" -p -c -f @S@/nodir/db -u example.org u
cyrus_is target-parent-missing 1 'saslpasswd: generic failure\n'
ours_fails target-parent-missing "Cyrus says only 'generic failure'; ours names the problem" 'nodir'

# not writable for the caller (root bypasses file modes: run both tools as nobody when possible)
if command -v setpriv >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    for side in cyrus ours; do
        printf 'pw' | "$CY_PW" -p -c -f "$W/$side/ro.db" -u example.org seed 2>/dev/null || true
        chmod 0644 "$W/$side/ro.db"
    done
    # ours must be an LMDB store: recreate with our tool
    rm -f "$W/ours/ro.db"
    if [ -z "$OURS_BROKEN" ]; then
        "$OURS_PW" -p -c -f "$W/ours/ro.db" -u example.org seed < "$IN/pw" > /dev/null 2>&1 || true
        chmod 0644 "$W/ours/ro.db" "$W/ours/ro.db-lock" 2>/dev/null || true
    fi
    chmod 0755 "$W" "$W/cyrus" "$W/ours" "$W/in"
    chmod 0644 "$IN/pw"
    for side in cyrus ours; do
        cmd=$CY_PW; [ $side = ours ] && cmd=$OURS_PW
        run $side not-writable "$IN/pw" setpriv --reuid=65534 --regid=65534 --clear-groups \
            env HOME=/nonexistent "$cmd" -p -c -f @S@/ro.db -u example.org intruder
    done
    cyrus_is not-writable 1 '-'
    if grep -q 'saslpasswd: generic failure' "$(f_of not-writable cyrus nerr)"; then
        pass "cyrus:not-writable-message" "generic failure"
    else
        fail "cyrus:not-writable-message" "expected 'saslpasswd2: generic failure'"; show "$(f_of not-writable cyrus nerr)"
    fi
    ours_fails not-writable "Cyrus says only 'generic failure'; ours names the file" 'ro\.db'
fi

# a text file / a Berkeley DB btree: Cyrus fails with 'generic failure'; ours refuses and says why
for side in cyrus ours; do
    printf 'this is not a database\n' > "$W/$side/text.db"
    cp "$CORPUS/small-btree.sasldb2" "$W/$side/btree.db"; chmod 0640 "$W/$side/btree.db"
done
text_sha=$(sha256sum < "$W/ours/text.db"); btree_sha=$(sha256sum < "$W/ours/btree.db")
pw target-text "$IN/pw" -p -c -f @S@/text.db -u example.org u
cyrus_is target-text 1 '-'
if [ "$(tail -n 1 "$(f_of target-text cyrus nerr)")" = "saslpasswd: generic failure" ]; then
    pass "cyrus:target-text-message" "ends with 'generic failure' (spec omits libdb's BDB0004 line before it)"
else
    fail "cyrus:target-text-message" "expected 'saslpasswd: generic failure'"; show "$(f_of target-text cyrus nerr)"
fi
ours_fails target-text "text file refused with a reason" 'text\.db'
unchanged target-text-untouched "$W/ours/text.db" "$text_sha"
pw target-btree "$IN/pw" -p -c -f @S@/btree.db -u example.org u
cyrus_is target-btree 1 '-'
ours_fails target-btree "Berkeley DB file refused; the message names the migration command" 'sasldbconvert'
unchanged target-btree-untouched "$W/ours/btree.db" "$btree_sha"

# truncated Berkeley DB hash: Cyrus appends to it (rc 0); ours refuses any Berkeley DB file
for side in cyrus ours; do cp "$CORPUS/small-truncated.sasldb2" "$W/$side/trunc.db"; chmod 0640 "$W/$side/trunc.db"; done
trunc_sha=$(sha256sum < "$W/ours/trunc.db")
pw target-truncated "$IN/pw" -p -c -f @S@/trunc.db -u example.org u
cyrus_is target-truncated 0 ''
ours_fails target-truncated "truncated Berkeley DB refused (Cyrus writes into it, spec 14 D2)" 'sasldbconvert'
unchanged target-truncated-untouched "$W/ours/trunc.db" "$trunc_sha"

# zero-byte target: both create a store inside it
: > "$W/cyrus/zero.db"; : > "$W/ours/zero.db"
pw target-zero "$IN/pw" -p -c -f @S@/zero.db -u example.org zuser
cr=$(rc_of target-zero cyrus); or=$(rc_of target-zero ours)
if [ "$cr" = 0 ] && [ "$or" = 0 ] && [ ! -s "$(f_of target-zero ours nerr)" ] && [ ! -s "$(f_of target-zero ours nout)" ]; then
    pass target-zero "rc 0 both, ours silent"
else
    fail target-zero "cyrus rc $cr, ours rc $or (expected 0, ours silent)"; show "$(f_of target-zero ours nerr)"
fi
if grep -q 'BDB0004' "$(f_of target-zero cyrus nerr)"; then
    echo "NOTE cyrus:target-zero: saslpasswd2 prints libdb's 'BDB0004 fop_read_meta: ...: unexpected file type or format' yet succeeds (spec 9.7 says no stderr)"
fi
if [ -z "$OURS_BROKEN" ] && mdb_dump -n "$W/ours/zero.db" > /dev/null 2>&1 \
    && mdb_dump -n -p "$W/ours/zero.db" | grep -q -F ' zuser\00example.org\00userPassword'; then
    pass target-zero-is-lmdb "the zero-byte file became an LMDB store holding the user"
else
    fail target-zero-is-lmdb "mdb_dump -n cannot read it or the user is missing"
fi

# -d of a user that does not exist: rc 0 (spec 9.7); ours may say so (spec 14 D8)
pw delete-missing "" -d -f @S@/main.db -u example.org nobody
cyrus_is delete-missing 0 ''
same_but_stderr delete-missing "D8: Cyrus is silent" 'saslpasswd: user not found: nobody@example\.org \(nothing deleted\)'
pw delete-missing-realm "" -d -f @S@/main.db -u nowhere.example alice
same_but_stderr delete-missing-realm "D8: the user exists in another realm only" \
    'saslpasswd: user not found: alice@nowhere\.example \(nothing deleted\)'
pw delete-missing-store "" -d -f @S@/never.db -u example.org nobody
same_but_stderr delete-missing-store "D8: no store at all" \
    'saslpasswd: user not found: nobody@example\.org \(nothing deleted\): there is no store at .*never\.db; check -f'
# -d with a mistyped directory: Cyrus exits 1 with 'generic failure'; ours the same 1, naming the store.
pw delete-missing-dir "" -d -f @S@/typo/path -u example.org nobody
cyrus_is delete-missing-dir 1 'saslpasswd: generic failure\n'
same_but_stderr delete-missing-dir "Cyrus says only 'generic failure'; ours names the missing store and directory" \
    'saslpasswd: .*typo/path: no such store, and no directory .*typo; check -f \(nothing deleted\)'
if [ -e "$W/cyrus/never.db" ] && [ ! -e "$W/ours/never.db" ]; then
    pass "deliberate:delete-missing-store-no-file" "Cyrus creates the store file; ours does not"
else
    fail "deliberate:delete-missing-store-no-file" "expected a file from Cyrus and none from ours"
fi

# -n: Cyrus with Debian's plugins stores nothing (rc 0, silent); ours stores hashed secrets
# (Argon2id, SCRAM-SHA-1 as authPassword, SCRAM-SHA-256: docs/compatibility.md D8). Cyrus keeps an
# existing userPassword; ours deletes it. Own store, so the main listings below compare plaintext
# users only.
pw noplain-old "$IN/pw" -p -c -f @S@/noplain.db -u example.org olduser
pw noplain-new "$IN/pw" -p -c -n -f @S@/noplain.db -u example.org noplain
cyrus_is noplain-new 0 ''
noplain_keys() { mdb_dump -n -p "$W/ours/noplain.db" 2>/dev/null | grep -o -E '^ [^\\]*\\00[^\\]*\\00[A-Za-z0-9.-]+' | sed 's/^ //'; }
if [ "$(rc_of noplain-new ours)" = 0 ] && [ ! -s "$(f_of noplain-new ours nerr)" ] \
    && [ "$(noplain_keys | grep -c '^noplain')" = 3 ] \
    && noplain_keys | grep -q -x 'noplain\\00example.org\\00authPassword' \
    && noplain_keys | grep -q -x 'noplain\\00example.org\\00sasldb4j.argon2id' \
    && noplain_keys | grep -q -x 'noplain\\00example.org\\00sasldb4j.scram-sha-256'; then
    pass "deliberate:noplain-new" "D8: Cyrus stores nothing; ours rc 0, silent, stores authPassword (SCRAM-SHA-1), sasldb4j.argon2id, sasldb4j.scram-sha-256 and no userPassword"
else
    fail "deliberate:noplain-new" "expected rc 0, no stderr and exactly the three hashed secrets for noplain"
    noplain_keys; show "$(f_of noplain-new ours nerr)"
fi
pw noplain-existing "$IN/pw" -p -c -n -f @S@/noplain.db -u example.org olduser
cyrus_is noplain-existing 0 ''
# Cyrus keeps the old userPassword, which every mechanism uses first: the old password keeps working.
# Ours deletes it (no secret of the old password survives a change; docs/compatibility.md).
if [ "$(rc_of noplain-existing ours)" = 0 ] && [ ! -s "$(f_of noplain-existing ours nerr)" ] \
    && ! noplain_keys | grep -q -x 'olduser\\00example.org\\00userPassword' \
    && noplain_keys | grep -q -x 'olduser\\00example.org\\00sasldb4j.argon2id'; then
    pass "deliberate:noplain-existing" "Cyrus keeps the old userPassword (the old password still logs in); ours replaces it by the hashed secrets, silently"
else
    fail "deliberate:noplain-existing" "expected rc 0, no stderr, no userPassword left for olduser and its new hashed secrets"
    noplain_keys; show "$(f_of noplain-existing ours nerr)"
fi

# default realm from the host name (Cyrus: silent; ours says which realm it used: spec 14 D6)
pw hostrealm "$IN/pw" -p -c -f @S@/main.db hostuser
same hostrealm notices
if grep -q -F "$HOSTREALM" "$(f_of hostrealm ours nerr)"; then
    pass "deliberate:hostrealm-notice" "ours names the realm taken from the host name: $(head -n 1 "$(f_of hostrealm ours nerr)")"
else
    fail "deliberate:hostrealm-notice" "ours does not say on stderr that realm '$HOSTREALM' came from the host name"
fi

# =============================================================================================
# B. Realm parsing (spec 2.1), into separate stores; listings compared in D
# =============================================================================================
echo "--- B. realm parsing (spec 2.1)"
realm_case() {   # NAME ARGS...
    local name=$1
    shift
    pw "realm-$name" "$IN/pw" -p -c -f @S@/realm.db "$@"
    same "realm-$name" notices
}
realm_case plain alice
realm_case u-domain -u example.org bob
realm_case u-empty -u '' emptyrealm
realm_case trailing-at 'trail@'
realm_case leading-at '@lead'
realm_case two-ats 'a@b@c'
realm_case at-overrides-u -u other.example 'user2@realm.example'
realm_case mixed-case -u Ex.COM MixedCase
realm_case empty-id ''
realm_case whitespace-id ' hal '
realm_case utf8-id 'Jürgen.Ñoño'
expect_notice realm-whitespace-id '^saslpasswd: warning: ' "D7: an id with white space is stored with a warning"
expect_notice realm-empty-id '^saslpasswd: warning: ' "D7: an empty id is stored with a warning"
expect_notice realm-leading-at '^saslpasswd: warning: ' "D7: an empty user name is stored with a warning"
expect_notice realm-u-empty "-u ''" "D7: -u '' counts as no -u, and the note says so"
realm_case options-after-id carol -u example.org -f @S@/realm.db
# A POSIX locale must not mangle a UTF-8 user id (the JVM decodes argv with the locale's charset)
for side in cyrus ours; do
    cmd=$CY_PW; [ $side = ours ] && cmd=$OURS_PW
    run $side realm-utf8-posix-locale "$IN/pw" env LC_ALL=C LANG=C "$cmd" -p -c -f @S@/realm.db -u example.org 'zoë.posix'
done
same realm-utf8-posix-locale notices
# (the stored bytes of this id are compared in D: listing-realm, mdb_dump-realm)
# Names that lie (docs/compatibility.md): saslpasswd2 stores a control character or invalid UTF-8 as
# given; ours refuses both (exit 7, one line), so a name cannot forge listing lines and what is stored is
# what was typed (not U+FFFD). Own store, so the listings compared later stay the same.
pw names-newline "$IN/pw" -p -c -f @S@/names.db -u example.org $'evil\nroot'
cyrus_is names-newline 0 ''
ours_fails names-newline "a newline in a user id would forge sasldblistusers lines" 'control character 0x0a' 7
pw names-latin1 "$IN/pw" -p -c -f @S@/names.db -u example.org $'caf\xe9'
cyrus_is names-latin1 0 ''
ours_fails names-latin1 "invalid UTF-8 would be stored as U+FFFD" 'not valid UTF-8' 7

# Cyrus LMDB layout: data file + <path>-lock (MDB_NOSUBDIR), no named databases, same file mode
# (checked before any mdb_dump: mdb_dump itself creates a missing <path>-lock, with its own umask)
if [ -f "$W/ours/main.db" ] && [ -f "$W/ours/main.db-lock" ] && [ ! -e "$W/ours/main.db/data.mdb" ] \
    && { mdb_dump -n -l "$W/ours/main.db" > "$W/ours/main.subdbs" 2>&1 || true; } \
    && { [ ! -s "$W/ours/main.subdbs" ] || grep -q 'does not contain multiple databases' "$W/ours/main.subdbs"; }; then
    pass "lmdb-layout" "one data file plus main.db-lock, no named sub-databases"
else
    fail "lmdb-layout" "expected main.db + main.db-lock (MDB_NOSUBDIR) and only the unnamed database"
fi
cm=$(stat -c %a "$W/cyrus/realm.db"); om=$(stat -c %a "$W/ours/realm.db" 2> /dev/null || echo -)
olm=$(stat -c %a "$W/ours/realm.db-lock" 2> /dev/null || echo -)
if [ "$cm" = "$om" ] && [ "$om" = "$olm" ]; then
    pass "new-store-mode" "umask 022: cyrus $cm, ours $om (lock file $olm)"
else
    fail "new-store-mode" "umask 022: cyrus $cm, ours $om, ours lock $olm"
fi

# =============================================================================================
# C. Pipe-mode bytes (spec 9.4), into separate stores; stored values compared
# =============================================================================================
echo "--- C. pipe-mode bytes (spec 9.4)"
pipe_case() {    # NAME INPUT
    pw "pipe-$1" "$2" -p -c -f @S@/pipe.db -u example.org "p-$1"
}
for c in secret two crlf anb space bin backslash b2048 c2047lf; do
    pipe_case $c "$IN/$c"
    same "pipe-$c"
done
pipe_case nul "$IN/nul"
pipe_case a3000 "$IN/a3000"
# a password arriving in two pieces: Cyrus's single read() keeps the first; ours reads to EOF (D11)
run cyrus pipe-pieces <(printf 'part1'; sleep 0.5; printf 'part2') "$CY_PW" -p -c -f @S@/pipe.db -u example.org p-pieces
run ours pipe-pieces <(printf 'part1'; sleep 0.5; printf 'part2') "$OURS_PW" -p -c -f @S@/pipe.db -u example.org p-pieces
same pipe-pieces
# without -p: a pipe on stdin is pipe mode too
pw pipe-implicit "$IN/crlf" -c -f @S@/pipe.db -u example.org p-implicit
same pipe-implicit

dump_ok=1
cyrus_dump "$W/cyrus/pipe.db" "$W/cyrus/pipe.dump" || dump_ok=0
if [ -z "$OURS_BROKEN" ] && [ -f "$W/ours/pipe.db" ]; then
    ours_dump "$W/ours/pipe.db" "$W/ours/pipe.dump" || dump_ok=0
else
    : > "$W/ours/pipe.dump"
fi
hex() { printf '%b' "$1" | od -An -v -tx1 | tr -d ' \n'; }
# expected bytes (spec 9.4): one trailing LF stripped, CR kept
declare -A EXPECT=(
    [secret]=$(hex 'secret') [two]=$(hex 'two\n') [crlf]=$(hex 'crlf\r') [anb]=$(hex 'a\nb')
    [space]=$(hex 'sp ace\ttab') [bin]=$(hex '\xc3\xa9t\xc3\xa9\xff\x01') [backslash]=$(hex 'back\\slash\\41')
    [b2048]=$(head -c 2048 "$IN/b2048" | od -An -v -tx1 | tr -d ' \n')
    [c2047lf]=$(head -c 2047 "$IN/c2047lf" | od -An -v -tx1 | tr -d ' \n')
    [implicit]=$(hex 'crlf\r')
)
for c in secret two crlf anb space bin backslash b2048 c2047lf implicit; do
    key="p-$c\\0example.org\\0userPassword"
    cv=$(value_of "$W/cyrus/pipe.dump" "$key"); ov=$(value_of "$W/ours/pipe.dump" "$key")
    if [ "$cv" = "${EXPECT[$c]}" ] && [ "$ov" = "$cv" ]; then
        pass "pipe-bytes-$c" "stored value identical (${#cv} hex digits)"
    else
        fail "pipe-bytes-$c" "expected ${EXPECT[$c]:0:40}..., cyrus ${cv:0:40}, ours ${ov:0:40}"
    fi
done
cv=$(value_of "$W/cyrus/pipe.dump" 'p-pieces\0example.org\0userPassword')
ov=$(value_of "$W/ours/pipe.dump" 'p-pieces\0example.org\0userPassword')
if [ "$cv" = "$(hex 'part1')" ] && [ "$ov" = "$(hex 'part1part2')" ]; then
    pass "deliberate:pipe-bytes-pieces" "password written in two pieces: Cyrus stored 'part1', ours 'part1part2' (D11)"
else
    fail "deliberate:pipe-bytes-pieces" "cyrus $cv (expected 'part1'), ours $ov (expected 'part1part2')"
fi
# NUL and > 2048 bytes: Cyrus truncates silently (rc 0); ours rejects and stores nothing (spec 14 D11)
cyrus_is pipe-nul 0 ''
cv=$(value_of "$W/cyrus/pipe.dump" 'p-nul\0example.org\0userPassword')
[ "$cv" = "$(hex 'x')" ] && pass "cyrus:pipe-nul-truncated" "Cyrus stored 'x' of 'x\\0y'" \
    || fail "cyrus:pipe-nul-truncated" "Cyrus stored $cv"
ours_fails pipe-nul "Cyrus silently stores the bytes before the NUL; ours rejects" . 7
[ "$(value_of "$W/ours/pipe.dump" 'p-nul\0example.org\0userPassword')" = - ] \
    && pass "deliberate:pipe-nul-not-stored" "ours stored nothing" \
    || fail "deliberate:pipe-nul-not-stored" "ours stored a value for p-nul"
cyrus_is pipe-a3000 0 ''
cv=$(value_of "$W/cyrus/pipe.dump" 'p-a3000\0example.org\0userPassword')
[ "${#cv}" = 4096 ] && pass "cyrus:pipe-a3000-truncated" "Cyrus stored the first 2048 of 3000 bytes" \
    || fail "cyrus:pipe-a3000-truncated" "Cyrus stored $((${#cv} / 2)) bytes"
ours_fails pipe-a3000 "Cyrus silently stores the first 2048 of 3000 bytes; ours rejects" . 7
[ "$(value_of "$W/ours/pipe.dump" 'p-a3000\0example.org\0userPassword')" = - ] \
    && pass "deliberate:pipe-a3000-not-stored" "ours stored nothing" \
    || fail "deliberate:pipe-a3000-not-stored" "ours stored a value for p-a3000"

# =============================================================================================
# D. Listings and dumps of the resulting stores
# =============================================================================================
echo "--- D. listings and dumps"
# What ours must hold = what Cyrus holds, except the rows where we deliberately store nothing.
for store in main realm pipe; do
    lsu "list-$store" "@S@/$store.db"
    co=$(f_of "list-$store" cyrus out); oo=$(f_of "list-$store" ours out)
    cyrus_dump "$W/cyrus/$store.db" "$W/cyrus/$store.dump"
    if [ -z "$OURS_BROKEN" ] && [ -f "$W/ours/$store.db" ]; then
        ours_dump "$W/ours/$store.db" "$W/ours/$store.dump" || true
    else
        : > "$W/ours/$store.dump"
    fi
    # expected: the Cyrus records minus the deliberately refused ones
    grep -v -E "^($(hex 'p-nul')|$(hex 'p-a3000')|$(hex 'p-pieces'))00" "$W/cyrus/$store.dump" > "$W/cyrus/$store.expected" || true
    grep -v -E "^$(hex 'p-pieces')00" "$W/ours/$store.dump" > "$W/ours/$store.compared" || true
    grep -a -v -E '^p-(nul|a3000)@' "$co" | LC_ALL=C sort > "$W/cyrus/$store.list.sorted" || true
    LC_ALL=C sort "$oo" > "$W/ours/$store.list.sorted"
    if [ "$(rc_of "list-$store" ours)" = 0 ] && [ ! -s "$(f_of "list-$store" ours err)" ] \
        && cmp -s "$W/cyrus/$store.list.sorted" "$W/ours/$store.list.sorted"; then
        pass "listing-$store" "$(wc -l < "$oo") lines, sorted listings identical"
    else
        fail "listing-$store" "sorted listings differ (or ours rc $(rc_of "list-$store" ours) / stderr)"
        showdiff "$W/cyrus/$store.list.sorted" "$W/ours/$store.list.sorted"
        show "$(f_of "list-$store" ours err)"
    fi
    # LMDB order = bytewise key order (not the order of the listing text: ' hal @vm' < '@lead')
    python3 -c '
import sys
out = sys.stdout.buffer
for line in open(sys.argv[1]):
    k = bytes.fromhex(line.split()[0])
    parts = k.split(b"\0")
    if len(parts) == 3:
        out.write(parts[0] + b"@" + parts[1] + b": " + parts[2] + b"\n")
' "$W/ours/$store.dump" > "$W/ours/$store.keyorder"
    if [ -s "$oo" ] && cmp -s "$W/ours/$store.keyorder" "$oo"; then
        pass "listing-$store-order" "ours lists in LMDB order (bytewise by key), one line per record"
    else
        fail "listing-$store-order" "ours' listing is empty or not in the key order of mdb_dump"
        showdiff "$W/ours/$store.keyorder" "$oo"
    fi
    if cmp -s "$W/cyrus/$store.expected" "$W/ours/$store.compared" && [ -s "$W/ours/$store.compared" ]; then
        pass "mdb_dump-$store" "$(wc -l < "$W/ours/$store.compared") records: mdb_dump -n keys and values == db5.3_dump of the Cyrus store"
    else
        fail "mdb_dump-$store" "mdb_dump -n of ours differs from db5.3_dump of Cyrus's store"
        readable "$W/cyrus/$store.expected" > "$W/cyrus/$store.readable"
        readable "$W/ours/$store.compared" > "$W/ours/$store.readable" 2> /dev/null || true
        showdiff "$W/cyrus/$store.readable" "$W/ours/$store.readable"
    fi
done
# the UTF-8 id given under LC_ALL=C (B: realm-utf8-posix-locale) is stored as the bytes typed
ov=$(value_of "$W/ours/realm.dump" 'zo\xc3\xab.posix\0example.org\0userPassword')
cv=$(value_of "$W/cyrus/realm.dump" 'zo\xc3\xab.posix\0example.org\0userPassword')
if [ "$cv" != - ] && [ "$ov" != - ]; then
    pass "posix-locale-utf8-id" "under LC_ALL=C the id 'zoë.posix' is stored as its UTF-8 bytes by both"
else
    fail "posix-locale-utf8-id" "under LC_ALL=C the id 'zoë.posix' (UTF-8 bytes) is not stored as given: cyrus ${cv:0:6}, ours ${ov:0:6} (the JVM decodes argv with the locale's charset)"
fi
# literally, as an administrator reads it: the -p dump of ours shows the Cyrus key text
if [ -f "$W/ours/main.dump.p" ] && grep -q -x -F ' alice\00example.org\00userPassword' "$W/ours/main.dump.p" \
    && grep -q -x -F ' secret-2' "$W/ours/main.dump.p" \
    && grep -q -x -F ' alice\00example.org\00userPassword' "$W/cyrus/main.dump.p"; then
    pass "mdb_dump-p-literal" "'mdb_dump -n -p' shows ' alice\\00example.org\\00userPassword' / ' secret-2' as db5.3_dump -p does"
else
    fail "mdb_dump-p-literal" "the -p dumps do not show the expected key/value lines"
fi
# =============================================================================================
# E. sasldblistusers (spec 10.1, 10.3)
# =============================================================================================
echo "--- E. sasldblistusers (spec 10.1, 10.3)"
lsu ls-usage-h -h
same ls-usage-h
cyrus_is ls-usage-h 1 "$USAGE_LS"
lsu ls-usage-two a b
same ls-usage-two
lsu ls-invalid-option -x
same ls-invalid-option
cyrus_is ls-invalid-option 1 "sasldblistusers: invalid option -- 'x'\n${USAGE_LS}Unrecognized command line option\n"
lsu ls-missing-argument -f
same ls-missing-argument
lsu ls-f-option -f @S@/main.db
if [ "$(rc_of ls-f-option cyrus)" = "$(rc_of ls-f-option ours)" ] \
    && cmp -s <(LC_ALL=C sort "$(f_of ls-f-option cyrus nout)") <(LC_ALL=C sort "$(f_of ls-f-option ours nout)") \
    && cmp -s "$(f_of ls-f-option cyrus nerr)" "$(f_of ls-f-option ours nerr)"; then
    pass ls-f-option "-f FILE: same records (sorted), rc and stderr"
else
    fail ls-f-option "-f FILE: listings, rc or stderr differ"
fi
lsu ls-version -v
if [ "$(rc_of ls-version ours)" = 0 ] && cmp -s <(head -n 5 "$(f_of ls-version cyrus nerr)") <(head -n 5 "$(f_of ls-version ours nerr)") \
    && sed -n 6p "$(f_of ls-version ours nerr)" | grep -q '^sasldb4j version '; then
    pass "deliberate:ls-version" "rc 0, first five lines identical; last: $(sed -n 6p "$(f_of ls-version ours nerr)")"
else
    fail "deliberate:ls-version" "ours rc $(rc_of ls-version ours)"; showdiff "$(f_of ls-version cyrus nerr)" "$(f_of ls-version ours nerr)"
fi

# a valid, empty store: create and delete the only user with each tool
for side in cyrus ours; do
    cmd=$CY_PW; [ $side = ours ] && cmd=$OURS_PW
    run $side mk-empty "$IN/pw" "$cmd" -p -c -f @S@/empty.db -u example.org only
    run $side mk-empty2 "" "$cmd" -d -f @S@/empty.db -u example.org only
done
lsu ls-empty @S@/empty.db
same ls-empty

# failures: Cyrus prints 'listusers failed' (plus libdb lines) and exits 0; ours exits non-zero
# with one line on stderr (spec 14 D4)
ls_fail() {   # NAME FILE-ARG WHY CYRUS-STDERR-LAST-LINE
    lsu "ls-$1" "$2"
    local cr ce
    cr=$(rc_of "ls-$1" cyrus); ce=$(f_of "ls-$1" cyrus nerr)
    if [ "$cr" = 0 ] && [ "$(tail -n 1 "$ce")" = "$4" ]; then
        pass "cyrus:ls-$1" "rc 0 with '$4' (spec 10.3)"
    else
        fail "cyrus:ls-$1" "rc $cr, expected 0 and '$4'"; show "$ce"
    fi
    ours_fails "ls-$1" "$3" . 1
}
for side in cyrus ours; do
    printf 'hello, not a database\n' > "$W/$side/ls-text.db"
    mkdir -p "$W/$side/ls-dir"
    cp "$CORPUS/small-btree.sasldb2" "$W/$side/ls-btree.db"
    cp "$CORPUS/small-badmagic.sasldb2" "$W/$side/ls-badmagic.db"
    cp "$CORPUS/small.sasldb2" "$W/$side/ls-hash.db"
    head -c 5000 "$CORPUS/small.sasldb2" > "$W/$side/ls-odd.db"
    chmod 0640 "$W/$side"/ls-*.db
done
ls_fail missing @S@/no-such.db "missing store" 'listusers failed'
ls_fail text @S@/ls-text.db "text file" 'listusers failed'
ls_fail directory @S@/ls-dir "directory" 'listusers failed'
ls_fail btree @S@/ls-btree.db "Berkeley DB btree" 'listusers failed'
ls_fail badmagic @S@/ls-badmagic.db "damaged (magic zeroed)" 'listusers failed'
ls_fail odd-size @S@/ls-odd.db "size not a page multiple" 'listusers failed'
# A Berkeley DB hash sasldb2: Cyrus lists it; ours points to the migration
lsu ls-bdb-hash @S@/ls-hash.db
[ "$(rc_of ls-bdb-hash cyrus)" = 0 ] && [ "$(wc -l < "$(f_of ls-bdb-hash cyrus out)")" = 9 ] \
    && pass "cyrus:ls-bdb-hash" "lists 9 records" || fail "cyrus:ls-bdb-hash" "expected 9 records, rc 0"
ours_fails ls-bdb-hash "a Berkeley DB sasldb2 is not ours to read in place; the message names the migration" 'sasldbconvert' 1

# zero-byte file: Cyrus prints libdb's BDB0004 + 'listusers failed', rc 0
: > "$W/cyrus/ls-zero.db"; : > "$W/ours/ls-zero.db"
lsu ls-zero @S@/ls-zero.db
ors=$(rc_of ls-zero ours)
if [ "$ors" != 0 ] && [ "$(wc -l < "$(f_of ls-zero ours nerr)")" = 1 ]; then
    pass "deliberate:ls-zero" "ours rc $ors: $(cat "$(f_of ls-zero ours nerr)")"
elif [ "$ors" = 0 ] && [ ! -s "$(f_of ls-zero ours nout)" ]; then
    pass "deliberate:ls-zero" "ours treats a zero-byte file as an empty store (rc 0, nothing listed)"
else
    fail "deliberate:ls-zero" "ours rc $ors"; show "$(f_of ls-zero ours nerr)"
fi
[ -s "$W/ours/ls-zero.db" ] && fail "deliberate:ls-zero-untouched" "listing wrote into the zero-byte file" \
    || pass "deliberate:ls-zero-untouched" "listing left the zero-byte file empty"

# Damaged LMDB store (ours only; Cyrus cannot read LMDB here)
if [ -z "$OURS_BROKEN" ] && [ -f "$W/ours/main.db" ]; then
    cp "$W/ours/main.db" "$W/ours/ls-damaged.db"
    # zero both meta pages' magic (pages 0 and 1, page size 4096)
    printf '\0\0\0\0' | dd of="$W/ours/ls-damaged.db" bs=1 seek=16 conv=notrunc status=none
    printf '\0\0\0\0' | dd of="$W/ours/ls-damaged.db" bs=1 seek=$((4096 + 16)) conv=notrunc status=none
    run ours ls-damaged-lmdb "" "$OURS_LS" "$W/ours/ls-damaged.db"
    ours_fails ls-damaged-lmdb "LMDB file with both meta pages damaged" . 1
    head -c 4096 "$W/ours/main.db" > "$W/ours/ls-cut.db"
    run ours ls-truncated-lmdb "" "$OURS_LS" "$W/ours/ls-cut.db"
    ours_fails ls-truncated-lmdb "LMDB file cut after its first page" . 1
fi

# A key without exactly two NULs: Cyrus loops forever (spec 14 D4); ours reports it and goes on
badkey_dump() {  # TYPE -> stdout
    printf 'VERSION=3\nformat=bytevalue\ntype=%s\nHEADER=END\n' "$1"
    printf ' %s\n %s\n' "$(hex 'alice\0example.org\0userPassword')" "$(hex 'secret')"
    printf ' %s\n %s\n' "$(hex 'badkey\0only-one-nul')" "$(hex 'v')"
    printf ' %s\n %s\n' "$(hex 'zed\0example.org\0userPassword')" "$(hex 'z')"
    printf 'DATA=END\n'
}
badkey_dump hash > "$W/in/badkey.bdb.txt"
db5.3_load -f "$W/in/badkey.bdb.txt" "$W/cyrus/badkey.db"
badkey_dump btree > "$W/in/badkey.mdb.txt"
mdb_load -n -f "$W/in/badkey.mdb.txt" "$W/ours/badkey.db"
chmod 0640 "$W/ours/badkey.db" "$W/ours/badkey.db-lock"
rc=0; timeout 3 "$CY_LS" "$W/cyrus/badkey.db" > /dev/null 2>&1 || rc=$?
if [ "$rc" = 124 ]; then
    pass "cyrus:ls-bad-key-loops" "sasldblistusers2 still running after 3 s (endless loop, spec 14 D4)"
else
    fail "cyrus:ls-bad-key-loops" "sasldblistusers2 ended with rc $rc (spec: never exits)"
fi
run ours ls-bad-key "" "$OURS_LS" "$W/ours/badkey.db"
bo=$(f_of ls-bad-key ours out); be=$(f_of ls-bad-key ours err)
if [ "$(rc_of ls-bad-key ours)" = 2 ] && grep -q -x 'alice@example.org: userPassword' "$bo" \
    && grep -q -x 'zed@example.org: userPassword' "$bo" && [ "$(wc -l < "$bo")" = 2 ] && grep -q badkey "$be"; then
    pass "deliberate:ls-bad-key" "ours lists the 2 good records, reports the bad key, rc $(rc_of ls-bad-key ours)"
else
    fail "deliberate:ls-bad-key" "ours rc $(rc_of ls-bad-key ours); expected rc 2, the 2 good lines and a warning naming the key"
    show "$bo" "$be"
fi

# ---------------------------------------------------------------------------------------------
echo "--- F. migration (sasldbconvert): the converted store lists like sasldblistusers2 on the original"
OURS_CONV=${OURS_SASLDBCONVERT:-$ROOT/bin/sasldbconvert}
mkdir -p "$W/conv"
# small.sasldb2 (corpus, written by saslpasswd2 on Debian), its big-endian twin, and the file the
# real saslpasswd2 wrote during this run (realm cases, UTF-8, empty realm).
for src in "$ROOT/store/migration/src/test/resources/corpus/small.sasldb2" "$ROOT/store/migration/src/test/resources/corpus/small-be.sasldb2" \
    "$W/cyrus/realm.db"; do
    name=$(basename "$src"); name=${name%.*}
    if [ ! -f "$src" ]; then
        fail "convert-$name" "source $src missing"
        continue
    fi
    rc=0
    "$OURS_CONV" -q "$src" "$W/conv/$name.lmdb" > "$W/conv/$name.out" 2> "$W/conv/$name.err" || rc=$?
    # saslpasswd2 writes keys with an empty user id for '@realm'; sasldbconvert copies them too, with a
    # warning naming them, rc 0 (--drop-unreachable would leave them out).
    "$CY_LS" "$src" 2>/dev/null | LC_ALL=C sort > "$W/conv/$name.cyrus"
    "$OURS_LS" "$W/conv/$name.lmdb" 2>/dev/null | LC_ALL=C sort > "$W/conv/$name.ours"
    if [ "$rc" = 0 ] && { ! grep -q '^@' "$W/conv/$name.cyrus" || grep -q 'the user name is empty' "$W/conv/$name.err"; } \
        && [ -s "$W/conv/$name.cyrus" ] && cmp -s "$W/conv/$name.cyrus" "$W/conv/$name.ours"; then
        pass "convert-$name" "rc $rc; $(wc -l < "$W/conv/$name.ours") lines, the same as sasldblistusers2 on the original (sorted)"
    else
        fail "convert-$name" "sasldbconvert rc $rc, or the listings differ"
        show "$W/conv/$name.err"; showdiff "$W/conv/$name.cyrus" "$W/conv/$name.ours"
    fi
done
# Values byte for byte: db5.3_dump of the original against mdb_dump of the conversion.
db5.3_dump -p "$ROOT/store/migration/src/test/resources/corpus/small.sasldb2" | sed -n '/HEADER=END/,/DATA=END/p' \
    | grep '^ ' | paste - - | LC_ALL=C sort > "$W/conv/small.bdbdump"
mdb_dump -n -p "$W/conv/small.lmdb" | sed -n '/HEADER=END/,/DATA=END/p' | grep '^ ' | paste - - | LC_ALL=C sort \
    > "$W/conv/small.mdbdump"
if [ -s "$W/conv/small.bdbdump" ] && cmp -s "$W/conv/small.bdbdump" "$W/conv/small.mdbdump"; then
    pass "convert-small-bytes" "mdb_dump -n -p of the converted store equals db5.3_dump -p of the original ($(wc -l < "$W/conv/small.mdbdump") records)"
else
    fail "convert-small-bytes" "the dumps differ"; showdiff "$W/conv/small.bdbdump" "$W/conv/small.mdbdump"
fi
# A truncated file: Cyrus lists 7 of 9 records and exits 0; sasldbconvert refuses, naming the page.
rc=0
"$OURS_CONV" "$ROOT/store/migration/src/test/resources/corpus/small-truncated.sasldb2" "$W/conv/trunc.lmdb" \
    > /dev/null 2> "$W/conv/trunc.err" || rc=$?
if [ "$rc" = 1 ] && grep -q 'page 2' "$W/conv/trunc.err" && [ ! -e "$W/conv/trunc.lmdb" ]; then
    pass "deliberate:convert-truncated" "refused, rc 1, nothing written: $(head -c 160 "$W/conv/trunc.err")"
else
    fail "deliberate:convert-truncated" "expected rc 1, a message naming page 2 and no target; rc $rc"; show "$W/conv/trunc.err"
fi

# ---------------------------------------------------------------------------------------------
echo "compat: finished in $((SECONDS - START)) s"
if [ "$FAILED" != 0 ]; then
    echo "compat: failed checks: ${FAILED_NAMES[*]}"
fi
echo "compat: $PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
