#!/bin/bash
# Regenerates the Berkeley DB / dump fixtures of the pure-Java sasldb2 reader
# (store/migration/src/test/resources/generated/) with the real tools: db5.3_load / db5.3_dump (Debian
# package db5.3-util) and gdbm_load / gdbm_dump (package gdbmtool), plus python3.
#
# Every database holds the same kind of random records: authids and realms of random non-NUL
# bytes (some realms empty, one authid empty), a few property names, values of random length up
# to several KiB using every byte value, a few keys long enough to need overflow pages.
# For each NAME it writes
#   NAME.sasldb2       the database (hash or btree, little/big-endian, page size 512/4096/65536)
#   NAME.expected.txt  its records in the corpus format (sorted bytewise, value as hex)
#   NAME.order.txt     the keys (hex) in the order db5.3_dump prints them
# and text dumps of one of them: dump-bytevalue.txt, dump-print.txt (db5.3_dump -p) and
# gdbm-ascii.txt (gdbm_dump of a GDBM file loaded with the same records), with .expected.txt.
#
# Usage: scripts/gen-bdb-fixtures.sh [OUTDIR] [SEED]
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$HERE/store/migration/src/test/resources/generated}
SEED=${2:-20240611}
for t in db5.3_load db5.3_dump gdbm_load gdbm_dump python3; do
  command -v "$t" >/dev/null || { echo "needs $t (apt-get install db5.3-util gdbmtool python3)" >&2; exit 1; }
done
mkdir -p "$OUT"
if [ -n "${KEEP_WORK:-}" ]; then WORK=$KEEP_WORK; mkdir -p "$WORK"; else WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT; fi

# name type byte-order page-size record-count [extra header lines]
VARIANTS=(
  "hash-le-512 hash 1234 512 20"
  "hash-be-512 hash 4321 512 20"
  "hash-le-4096 hash 1234 4096 30"
  "hash-be-4096 hash 4321 4096 30"
  "hash-le-65536 hash 1234 65536 24"
  "hash-be-65536 hash 4321 65536 24"
  "btree-le-512 btree 1234 512 20"
  "btree-be-512 btree 4321 512 20"
  "btree-le-4096 btree 1234 4096 30"
  "btree-be-4096 btree 4321 4096 30"
  "btree-le-65536 btree 1234 65536 24"
  "btree-be-65536 btree 4321 65536 24"
  "hash-nelem-512 hash 1234 512 20 h_ffactor=2|h_nelem=200"
  "hash-chksum-4096 hash 1234 4096 20 chksum=1"
  "btree-many-512 btree 4321 512 400 small"
)

i=0
for v in "${VARIANTS[@]}"; do
  read -r name type order psize count extra <<<"$v"
  i=$((i + 1))
  python3 - "$WORK/$name.load" "$OUT/$name.expected.txt" "$type" "$order" "$psize" "$count" "$((SEED + i))" "${extra:-}" <<'PY'
import random, sys
load, expected, typ, order, psize, count, seed, extra = sys.argv[1:9]
rnd = random.Random(int(seed))
small = extra == 'small'
# Key components: any byte but NUL (the separator) and TAB, LF, CR (which the expected-file
# format cannot show).
KEYBYTES = [b for b in range(1, 256) if b not in (9, 10, 13)]
def nonnul(lo, hi):
    return bytes(rnd.choice(KEYBYTES) for _ in range(rnd.randint(lo, hi)))
props = [b'userPassword', b'cmusaslsecretOTP', b'authPassword', b'cmusaslsecretCRAM-MD5']
recs = {}
n = int(count)
while len(recs) < n:
    k = len(recs)
    authid = b'' if k == 3 else nonnul(1, 24)
    if authid.startswith(b'#'):
        authid = b'x' + authid             # a leading '#' would make the expected line a comment
    realm = b'' if k % 5 == 0 else nonnul(1, 24)
    prop = props[k % len(props)] if k % 7 else nonnul(1, 16)
    if k in (5, 11) and not small:
        authid = b'x' + nonnul(600, 2500)   # key on overflow pages even with big pages
    if small:
        value = bytes(rnd.randrange(256) for _ in range(rnd.randint(0, 40)))
    elif k == 0:
        value = bytes(range(256)) * 2        # every byte value
    elif k == 1:
        value = b''
    elif k == 2 and psize == '65536':
        value = bytes(rnd.randrange(256) for _ in range(rnd.randint(17000, 20000)))  # overflows 64 KiB pages
    elif k % 5 == 0:
        value = bytes(rnd.randrange(256) for _ in range(rnd.randint(1500, 4500)))
    else:
        value = bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 200)))
    recs[authid + b'\0' + realm + b'\0' + prop] = value
with open(load, 'w') as f:
    f.write('VERSION=3\nformat=bytevalue\ntype=%s\ndb_pagesize=%s\ndb_lorder=%s\n' % (typ, psize, order))
    for h in extra.split('|'):
        if '=' in h:
            f.write(h + '\n')
    f.write('HEADER=END\n')
    for key, value in recs.items():
        f.write(' ' + key.hex() + '\n ' + value.hex() + '\n')
    f.write('DATA=END\n')
lines = []
for key, value in recs.items():
    a, r, p = key.split(b'\0')
    lines.append(b'\t'.join([a, r, p, value.hex().encode()]))
with open(expected, 'wb') as f:
    f.write(b'#user\trealm\tproperty\tvalue_hex\n')
    for line in sorted(lines):
        f.write(line + b'\n')
PY
  rm -f "$OUT/$name.sasldb2"
  db5.3_load -f "$WORK/$name.load" "$OUT/$name.sasldb2"
  db5.3_dump "$OUT/$name.sasldb2" | sed -n '/^HEADER=END$/,/^DATA=END$/p' | sed '1d;$d' \
    | awk 'NR % 2 == 1 { sub(/^ /, ""); print }' > "$OUT/$name.order.txt"
done

# Keys Cyrus cannot parse (one NUL, three NULs, empty property) among sound records, one with
# an empty authid: the reader must report each bad key with its page and keep the rest.
printf 'VERSION=3\nformat=print\ntype=hash\ndb_pagesize=512\nHEADER=END\n%s\nDATA=END\n' \
  "$(printf ' %s\n %s\n' \
      'alice\00example.org\00userPassword' 'secret' \
      'one-nul\00userPassword' 'x' \
      'three\00nuls\00in\00key' 'y' \
      'empty-prop\00realm\00' 'z' \
      '\00example.org\00userPassword' 'at-realm')" > "$WORK/bad-keys.load"
rm -f "$OUT/bad-keys.sasldb2"
db5.3_load -f "$WORK/bad-keys.load" "$OUT/bad-keys.sasldb2"
printf '#user\trealm\tproperty\tvalue_hex\n\texample.org\tuserPassword\t%s\nalice\texample.org\tuserPassword\t%s\n' \
  "$(printf at-realm | od -An -tx1 | tr -d ' \n')" "$(printf secret | od -An -tx1 | tr -d ' \n')" > "$OUT/bad-keys.expected.txt"

# Text dumps of one database, by the real tools.
src=hash-le-512
db5.3_dump "$OUT/$src.sasldb2" > "$OUT/dump-bytevalue.txt"
db5.3_dump -p "$OUT/$src.sasldb2" > "$OUT/dump-print.txt"
cp "$OUT/$src.expected.txt" "$OUT/dump-bytevalue.expected.txt"
cp "$OUT/$src.expected.txt" "$OUT/dump-print.expected.txt"
python3 - "$WORK/$src.load" "$WORK/gdbm.in" <<'PY'
import base64, sys
# Rewrites a db_load input as a gdbm_load input (the gdbm_dump ASCII format).
out = open(sys.argv[2], 'w')
out.write('# GDBM dump file created by gen-bdb-fixtures.sh\n#:version=1.1\n#:format=standard\n# End of header\n')
items = [bytes.fromhex(l[1:].strip()) for l in open(sys.argv[1]) if l.startswith(' ')]
# gdbm_load 1.23 rejects an empty datum followed by more data ("Malformed data"): leave the
# record with an empty value out of this fixture.
pairs = [(items[i], items[i + 1]) for i in range(0, len(items), 2) if items[i + 1]]
items = [b for pair in pairs for b in pair]
for b in items:
    out.write('#:len=%d\n' % len(b))
    s = base64.b64encode(b).decode()
    for i in range(0, len(s), 76):
        out.write(s[i:i + 76] + '\n')
out.write('#:count=%d\n# End of data\n' % (len(items) // 2))
PY
rm -f "$WORK/x.gdbm"
gdbm_load "$WORK/gdbm.in" "$WORK/x.gdbm"
gdbm_dump "$WORK/x.gdbm" "$OUT/gdbm-ascii.txt"
grep -av $'\t$' "$OUT/$src.expected.txt" > "$OUT/gdbm-ascii.expected.txt"
du -ch "$OUT" | tail -1
