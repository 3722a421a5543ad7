#!/usr/bin/env bash
# Private, throw-away PostgreSQL + Redis for running the test suite against real services.
#
#   eval "$(scripts/services.sh start /tmp/inc-svc)"   # starts both, prints `export TEST_...=...`
#   make test
#   scripts/services.sh stop /tmp/inc-svc              # stops both (by recorded PID)
#   scripts/services.sh env /tmp/inc-svc               # prints the export lines again
#
# Both servers listen on unix sockets inside <dir> only: no TCP port is opened, so they never
# collide with (or touch) a PostgreSQL/Redis already running on the machine. Data is not
# durable (fsync off, no RDB/AOF). `stop` leaves <dir> (and its logs) in place; remove it
# yourself when done.
#
# When run as root, PostgreSQL (which refuses to run as root) runs as the `postgres` OS user;
# otherwise everything runs as the invoking user.
#
# Overrides: PG_BINDIR (dir holding initdb/pg_ctl), PG_SOCKET_PORT (default 5432; only the
# socket file name suffix), PG_DBNAME (default incubator_test).
#
# Everything except the export lines goes to stderr, so `eval "$(... start ...)"` is safe.
set -euo pipefail

PG_PORT="${PG_SOCKET_PORT:-5432}"
PG_DB="${PG_DBNAME:-incubator_test}"
PG_OS_USER=postgres
WAIT_SECONDS=30

log() { printf '[services] %s\n' "$*" >&2; }
die() { printf '[services] ERROR: %s\n' "$*" >&2; exit 1; }

usage() {
    cat >&2 <<EOF
usage: $0 start <dir>   start private PostgreSQL + Redis in <dir>, print export lines to eval
       $0 stop <dir>    stop them (by recorded PID)
       $0 env <dir>     print the export lines again
EOF
    exit 2
}

# ---------------------------------------------------------------------------------------- helpers

# Absolute, symlink-free path; creates the directory if needed.
abs_dir() {
    mkdir -p -- "$1"
    (cd -- "$1" && pwd -P)
}

# The dir ends up inside URLs and config files: keep it to characters that need no escaping.
check_dir_name() {
    case "$1" in
        *[!A-Za-z0-9._/-]*) die "directory '$1' contains characters unsafe for URLs; use [A-Za-z0-9._/-] only" ;;
    esac
    # sun_path is 108 bytes on Linux (104 on macOS); the longest name we create is .s.PGSQL.<port>.lock
    local longest="$1/.s.PGSQL.${PG_PORT}.lock"
    if [ "${#longest}" -gt 100 ]; then
        die "directory path '$1' is too long for unix socket names (keep it under ~80 characters)"
    fi
}

find_pg_bindir() {
    if [ -n "${PG_BINDIR:-}" ]; then
        [ -x "$PG_BINDIR/pg_ctl" ] || die "PG_BINDIR=$PG_BINDIR has no pg_ctl"
        printf '%s\n' "$PG_BINDIR"
        return
    fi
    local d
    # Debian/Ubuntu: /usr/lib/postgresql/<ver>/bin (pick the newest version).
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -n "$d" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ]; then
        printf '%s\n' "$d"
        return
    fi
    # Elsewhere (Fedora, Homebrew, ...): whatever is on PATH.
    d=$(command -v pg_ctl 2>/dev/null || true)
    if [ -n "$d" ]; then
        dirname -- "$d"
        return
    fi
    die "PostgreSQL server binaries not found (install 'postgresql' or set PG_BINDIR)"
}

# Run a command as the OS user that owns the PostgreSQL cluster, from inside $SVC_DIR
# (so the target user never needs access to the caller's working directory).
as_pg() {
    if [ "$(id -u)" -ne 0 ]; then
        (cd -- "$SVC_DIR" && "$@")
    elif command -v runuser >/dev/null 2>&1; then
        (cd -- "$SVC_DIR" && runuser -u "$PG_OS_USER" -- "$@")
    else
        local cmd
        cmd=$(printf '%q ' "$@")
        (cd -- "$SVC_DIR" && su "$PG_OS_USER" -s /bin/sh -c "$cmd")
    fi
}

# True if PID is alive AND its command line mentions our dir: guards against PID reuse and
# makes it impossible to signal the machine's own postgres/redis.
pid_is_ours() {
    local pid="$1" args
    [ -n "$pid" ] || return 1
    case "$pid" in *[!0-9]*) return 1 ;; esac
    kill -0 "$pid" 2>/dev/null || return 1
    if [ -r "/proc/$pid/cmdline" ]; then
        args=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)
    else
        args=$(ps -p "$pid" -o args= 2>/dev/null || true)   # no /proc (macOS)
    fi
    case "$args" in *"$SVC_DIR"*) return 0 ;; esac
    return 1
}

# kill -TERM, wait, then -KILL as a last resort.
kill_pid() {
    local pid="$1" name="$2" i
    pid_is_ours "$pid" || return 0
    log "stopping $name (pid $pid) with SIGTERM"
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < WAIT_SECONDS * 10; i++)); do
        pid_is_ours "$pid" || return 0
        sleep 0.1
    done
    log "$name (pid $pid) still alive after ${WAIT_SECONDS}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
}

print_env() {
    local d="$1"
    printf "export TEST_DATABASE_URL='postgresql+psycopg://postgres@/%s?host=%s&port=%s'\n" "$PG_DB" "$d" "$PG_PORT"
    printf "export TEST_BROKER_URL='redis+socket://%s/redis.sock'\n" "$d"
    printf "export TEST_RATELIMIT_STORAGE_URI='redis+unix://%s/redis.sock'\n" "$d"
}

# ----------------------------------------------------------------------------------- postgresql

start_postgres() {
    local bindir datadir pid
    bindir=$(find_pg_bindir)
    datadir="$SVC_DIR/pgdata"
    log "PostgreSQL binaries: $bindir ($("$bindir/postgres" --version 2>/dev/null || echo '?'))"

    if [ "$(id -u)" -eq 0 ]; then
        id "$PG_OS_USER" >/dev/null 2>&1 || die "OS user '$PG_OS_USER' does not exist (is the postgresql package installed?)"
        # postgres must be able to write the dir (data dir + socket); keep root's group on it so
        # redis (running as root) writes there through plain group permissions.
        chown "$PG_OS_USER:$(id -g)" "$SVC_DIR"
        chmod 0770 "$SVC_DIR"
        if ! as_pg test -w "$SVC_DIR"; then
            die "user '$PG_OS_USER' cannot reach $SVC_DIR: every parent directory must be traversable (o+x)"
        fi
    fi

    if [ -e "$datadir/PG_VERSION" ]; then
        log "reusing existing data directory $datadir"
    else
        log "initdb -> $datadir"
        if ! as_pg "$bindir/initdb" -D "$datadir" --auth=trust -U postgres --encoding=UTF8 \
                --locale=C.UTF-8 --no-sync >"$SVC_DIR/initdb.log" 2>&1; then
            log "initdb with --locale=C.UTF-8 failed; retrying with --locale=C"
            rm -rf -- "$datadir"
            as_pg "$bindir/initdb" -D "$datadir" --auth=trust -U postgres --encoding=UTF8 \
                --locale=C --no-sync >"$SVC_DIR/initdb.log" 2>&1 \
                || { cat "$SVC_DIR/initdb.log" >&2; die "initdb failed (log: $SVC_DIR/initdb.log)"; }
        fi
        # Later settings win, so appending overrides initdb's defaults.
        as_pg sh -c 'cat >> "$1/postgresql.conf"' sh "$datadir" <<EOF

# --- added by scripts/services.sh: private, socket-only, non-durable test server ---
listen_addresses = ''
unix_socket_directories = '$SVC_DIR'
port = $PG_PORT
max_connections = 100
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
    fi

    log "starting PostgreSQL (unix socket $SVC_DIR/.s.PGSQL.$PG_PORT, no TCP listener)"
    if ! as_pg "$bindir/pg_ctl" start -D "$datadir" -l "$SVC_DIR/postgres.log" -w -t "$WAIT_SECONDS" >&2; then
        tail -n 30 "$SVC_DIR/postgres.log" >&2 2>/dev/null || true
        die "PostgreSQL did not start (log: $SVC_DIR/postgres.log)"
    fi

    local i
    for ((i = 0; i < WAIT_SECONDS * 10; i++)); do
        if "$bindir/pg_isready" -q -h "$SVC_DIR" -p "$PG_PORT"; then break; fi
        sleep 0.1
    done
    "$bindir/pg_isready" -h "$SVC_DIR" -p "$PG_PORT" >&2 || die "PostgreSQL is not accepting connections"

    pid=$(head -n 1 "$datadir/postmaster.pid")
    printf '%s\n' "$pid" >"$SVC_DIR/postgres.pid"
    log "PostgreSQL up, postmaster pid $pid"

    local exists
    exists=$("$bindir/psql" -h "$SVC_DIR" -p "$PG_PORT" -U postgres -d postgres -XtAq \
        -c "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'")
    if [ "$exists" = "1" ]; then
        log "database $PG_DB already exists"
    else
        "$bindir/createdb" -h "$SVC_DIR" -p "$PG_PORT" -U postgres "$PG_DB"
        log "created database $PG_DB"
    fi
}

stop_postgres() {
    local datadir="$SVC_DIR/pgdata" pid="" bindir
    [ -f "$SVC_DIR/postgres.pid" ] && pid=$(head -n 1 "$SVC_DIR/postgres.pid" || true)
    if [ -z "$pid" ] && [ -f "$datadir/postmaster.pid" ]; then
        pid=$(head -n 1 "$datadir/postmaster.pid" || true)
    fi
    if pid_is_ours "$pid" && [ -f "$datadir/postmaster.pid" ]; then
        bindir=$(find_pg_bindir 2>/dev/null || true)
        if [ -n "$bindir" ]; then
            log "pg_ctl stop -m fast -D $datadir"
            as_pg "$bindir/pg_ctl" stop -m fast -D "$datadir" -w -t "$WAIT_SECONDS" >&2 || true
        fi
    fi
    kill_pid "$pid" "PostgreSQL"
    rm -f -- "$SVC_DIR/postgres.pid"
}

# ---------------------------------------------------------------------------------------- redis

start_redis() {
    local sock="$SVC_DIR/redis.sock" pid="" i
    command -v redis-server >/dev/null 2>&1 || die "redis-server not found (install 'redis-server')"
    command -v redis-cli >/dev/null 2>&1 || die "redis-cli not found (install 'redis-tools')"
    log "starting Redis ($(redis-server --version 2>/dev/null || true)) on unix socket $sock, no TCP port"
    redis-server --port 0 --unixsocket "$sock" --unixsocketperm 777 \
        --save '' --appendonly no --daemonize yes \
        --pidfile "$SVC_DIR/redis.pid" --dir "$SVC_DIR" --logfile "$SVC_DIR/redis.log" >&2 \
        || die "redis-server failed to start (log: $SVC_DIR/redis.log)"
    for ((i = 0; i < WAIT_SECONDS * 10; i++)); do
        if [ "$(redis-cli -s "$sock" ping 2>/dev/null || true)" = "PONG" ]; then break; fi
        sleep 0.1
    done
    [ "$(redis-cli -s "$sock" ping 2>/dev/null || true)" = "PONG" ] || {
        tail -n 30 "$SVC_DIR/redis.log" >&2 2>/dev/null || true
        die "Redis did not answer PING (log: $SVC_DIR/redis.log)"
    }
    for ((i = 0; i < 50; i++)); do
        [ -s "$SVC_DIR/redis.pid" ] && break
        sleep 0.1
    done
    pid=$(head -n 1 "$SVC_DIR/redis.pid" 2>/dev/null || true)
    [ -n "$pid" ] || die "Redis is up but wrote no pidfile $SVC_DIR/redis.pid"
    log "Redis up, pid $pid"
}

stop_redis() {
    local pid=""
    [ -f "$SVC_DIR/redis.pid" ] && pid=$(head -n 1 "$SVC_DIR/redis.pid" || true)
    kill_pid "$pid" "Redis"
    rm -f -- "$SVC_DIR/redis.pid" "$SVC_DIR/redis.sock"
}

# ----------------------------------------------------------------------------------------- main

cmd_start() {
    # If anything fails half-way, stop what this invocation already started.
    trap 'rc=$?; if [ "$rc" -ne 0 ]; then log "start failed; stopping what was started"; stop_redis || true; stop_postgres || true; fi' EXIT
    if pid_is_ours "$(head -n 1 "$SVC_DIR/postgres.pid" 2>/dev/null || true)" \
        || pid_is_ours "$(head -n 1 "$SVC_DIR/redis.pid" 2>/dev/null || true)"; then
        trap - EXIT
        die "services already running in $SVC_DIR (run: $0 stop $SVC_DIR)"
    fi
    start_postgres
    start_redis
    trap - EXIT
    log "ready; stop with: $0 stop $SVC_DIR"
    print_env "$SVC_DIR"
}

cmd_stop() {
    stop_redis
    stop_postgres
    log "stopped services in $SVC_DIR"
}

[ "$#" -eq 2 ] || usage
case "$1" in
    start)
        SVC_DIR=$(abs_dir "$2")
        check_dir_name "$SVC_DIR"
        cmd_start
        ;;
    stop)
        [ -d "$2" ] || { log "no such directory $2; nothing to stop"; exit 0; }
        SVC_DIR=$(cd -- "$2" && pwd -P)
        cmd_stop
        ;;
    env)
        SVC_DIR=$(cd -- "$2" && pwd -P)
        check_dir_name "$SVC_DIR"
        print_env "$SVC_DIR"
        ;;
    *) usage ;;
esac
