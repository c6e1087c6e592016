#!/usr/bin/env bash
# A private PostgreSQL cluster for tests and benchmarks: initdb in a scratch directory, its own
# port on 127.0.0.1, password (SCRAM) authentication; the system's cluster is never touched.
#
#   pg-cluster.sh start DIR [PORT] [--tls]
#                                    create (first time) and start; prints the store's URL. With
#                                    --tls (at creation) the server also accepts TLS: a CA of its
#                                    own (DIR/ca.crt) signs a certificate for 127.0.0.1 and
#                                    localhost; clients use sslmode=verify-full&sslrootcert=DIR/ca.crt
#   pg-cluster.sh stop DIR           stop it (fast shutdown) and delete its files
#   pg-cluster.sh halt DIR           stop it, keeping its files (start DIR starts it again)
#   pg-cluster.sh pause DIR          SIGSTOP the server and its backends: connections hang, as
#                                    for a lost network
#   pg-cluster.sh resume DIR         SIGCONT
#   pg-cluster.sh url DIR            postgresql://sasldb4j@127.0.0.1:PORT/sasldb4j (no password)
#   pg-cluster.sh psql DIR [ARGS]    psql as the cluster's superuser
#
# DIR receives: env (PGHOST PGPORT PGUSER PGDATABASE PGPASSFILE, to source), pgpass (0600, both
# roles' passwords), port; with --tls also ca.crt. Roles: sasldb4j (owns database sasldb4j; what the tools use) and
# sasldb4j_super (superuser, for tests that kill connections or read pg_stat_*).
# Run as root, the server runs as the 'postgres' account from Debian's postgresql package, with
# its files in a /tmp directory of its own (DIR's parents need not be open to it).
set -euo pipefail

cmd=${1:?usage: pg-cluster.sh start|stop|halt|pause|resume|url|psql DIR [PORT] [--tls]}
dir=${2:?usage: pg-cluster.sh $cmd DIR}
tls=
want_port=
if [ "$cmd" = start ]; then
    for a in "${@:3}"; do
        case "$a" in
            --tls) tls=1 ;;
            [0-9]*) want_port=$a ;;
            *) echo "pg-cluster.sh: unknown option '$a'" >&2; exit 2 ;;
        esac
    done
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bin" ] && [ -x "$bin/initdb" ] || {
    echo "pg-cluster.sh: PostgreSQL server binaries not found under /usr/lib/postgresql: run scripts/install-test-deps.sh" >&2
    exit 1
}

as_server() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

data_dir() {
    if [ -L "$dir/cluster" ] || [ -d "$dir/cluster" ]; then
        readlink -f "$dir/cluster"
    fi
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

create() {
    local port=$1 home
    if [ "$(id -u)" = 0 ]; then
        home=$(mktemp -d /tmp/sasldb4j-pg.XXXXXX)
        chown postgres: "$home"
        ln -sfn "$home" "$dir/cluster"
    else
        home="$dir/cluster"
        mkdir -p "$home"
    fi
    chmod 700 "$home"
    local super_pw app_pw
    super_pw=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
    app_pw=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
    printf '%s\n' "$super_pw" > "$home/.pwfile"
    [ "$(id -u)" = 0 ] && chown postgres: "$home/.pwfile"
    as_server "$bin/initdb" -D "$home/data" -U sasldb4j_super --pwfile="$home/.pwfile" -E UTF8 --locale=C.UTF-8 \
        --auth-host=scram-sha-256 --auth-local=scram-sha-256 >"$dir/initdb.log" 2>&1 || {
        echo "pg-cluster.sh: initdb failed; see $dir/initdb.log" >&2
        exit 1
    }
    rm -f "$home/.pwfile"
    if [ -n "$tls" ]; then make_certs "$home"; fi
    cat >>"$home/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$home'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
log_min_messages = warning
EOF
    echo "$port" > "$dir/port"
    umask 077
    cat > "$dir/pgpass" <<EOF
127.0.0.1:$port:*:sasldb4j_super:$super_pw
127.0.0.1:$port:*:sasldb4j:$app_pw
localhost:$port:*:sasldb4j_super:$super_pw
localhost:$port:*:sasldb4j:$app_pw
EOF
    cat > "$dir/env" <<EOF
export PGHOST=127.0.0.1 PGPORT=$port PGUSER=sasldb4j PGDATABASE=sasldb4j PGPASSFILE=$dir/pgpass
EOF
    umask 022
    start_server
    # The application role's password goes to psql on stdin, never on argv.
    printf "CREATE ROLE sasldb4j LOGIN PASSWORD '%s';\nCREATE DATABASE sasldb4j OWNER sasldb4j;\n" "$app_pw" \
        | super_psql -q -v ON_ERROR_STOP=1 -d postgres >/dev/null
}

# A CA of the cluster's own and a server certificate it signs, for 127.0.0.1 and localhost
# (verify-full checks the name the client connected to against the subjectAltName).
make_certs() {
    local home=$1 t
    t=$(mktemp -d)
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=sasldb4j test CA" \
        -keyout "$t/ca.key" -out "$t/ca.crt" >/dev/null 2>&1
    openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$t/server.key" -out "$t/server.csr" \
        >/dev/null 2>&1
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > "$t/ext"
    openssl x509 -req -in "$t/server.csr" -CA "$t/ca.crt" -CAkey "$t/ca.key" -CAcreateserial -days 2 \
        -extfile "$t/ext" -out "$t/server.crt" >/dev/null 2>&1
    install -m 0644 "$t/server.crt" "$home/data/server.crt"
    install -m 0600 "$t/server.key" "$home/data/server.key"
    if [ "$(id -u)" = 0 ]; then chown postgres: "$home/data/server.crt" "$home/data/server.key"; fi
    install -m 0644 "$t/ca.crt" "$dir/ca.crt"
    rm -rf "$t"
    printf "ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n" >>"$home/data/postgresql.conf"
}

start_server() {
    local home
    home=$(data_dir)
    as_server "$bin/pg_ctl" -D "$home/data" -l "$home/server.log" -w -t 60 start >/dev/null || {
        echo "pg-cluster.sh: the server did not start; see $home/server.log" >&2
        exit 1
    }
}

super_psql() {
    PGHOST=127.0.0.1 PGPORT=$(cat "$dir/port") PGUSER=sasldb4j_super PGPASSFILE="$dir/pgpass" psql -X "$@"
}

pid() {
    head -1 "$(data_dir)/data/postmaster.pid"
}

case "$cmd" in
    start)
        if [ -z "$(data_dir)" ]; then
            create "${want_port:-$(free_port)}"
        elif ! as_server "$bin/pg_ctl" -D "$(data_dir)/data" status >/dev/null 2>&1; then
            start_server
        fi
        echo "postgresql://sasldb4j@127.0.0.1:$(cat "$dir/port")/sasldb4j"
        ;;
    halt)
        [ -n "$(data_dir)" ] && as_server "$bin/pg_ctl" -D "$(data_dir)/data" -m fast -w stop >/dev/null 2>&1 || true
        ;;
    stop)
        home=$(data_dir)
        if [ -n "$home" ]; then
            kill -CONT "$(pid 2>/dev/null)" 2>/dev/null || true
            as_server "$bin/pg_ctl" -D "$home/data" -m immediate -w stop >/dev/null 2>&1 || true
            rm -rf "$home"
            rm -f "$dir/cluster"
        fi
        ;;
    pause) p=$(pid); kill -STOP "$p" $(pgrep -P "$p") ;;
    resume) p=$(pid); kill -CONT "$p" $(pgrep -P "$p") ;;
    url) echo "postgresql://sasldb4j@127.0.0.1:$(cat "$dir/port")/sasldb4j" ;;
    psql) shift 2; super_psql -d sasldb4j "$@" ;;
    *) echo "pg-cluster.sh: unknown command '$cmd'" >&2; exit 2 ;;
esac
