# Sourced by tests/run.sh: a throwaway PostgreSQL cluster (Debian's `postgresql`, 15 on bookworm) in a
# temp folder, listening on a free port on 127.0.0.1 only, unix socket in the same folder, trust auth
# (nothing else can reach it), fsync off (the data is thrown away). initdb and pg_ctl refuse to run as
# root, so as root they run as the `postgres` user the package creates.
# Exports PLATFORM_TEST_PG_CONNECTION (an Npgsql connection string) and PLATFORM_TEST_PG_PORT.
postgres_start() {
  local bindir dir port i
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
    ensure_apt_updated
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null 2>&1 || true
    bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  fi
  if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then echo "postgres: not installed; PostgreSQL tests will fail" >&2; return 0; fi
  dir=$(mktemp -d /tmp/platform-postgres.XXXXXX)
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$dir"
    _pg_run() { runuser -u postgres -- "$@"; }
  else
    _pg_run() { "$@"; }
  fi
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
  if ! _pg_run "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-locale --no-sync >"$dir/initdb.log" 2>&1; then
    echo "postgres: initdb failed (see below); PostgreSQL tests will fail" >&2; cat "$dir/initdb.log" >&2; rm -rf "$dir"; return 0
  fi
  if ! _pg_run "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      start >/dev/null 2>&1; then
    echo "postgres: server did not start; PostgreSQL tests will fail" >&2; cat "$dir/server.log" >&2; rm -rf "$dir"; return 0
  fi
  for i in $(seq 1 100); do
    if "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port"; then break; fi
    sleep 0.1
  done
  export PLATFORM_TEST_PG_PORT=$port
  export PLATFORM_TEST_PG_CONNECTION="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
  if [ "$(id -u)" -eq 0 ]; then
    on_exit "runuser -u postgres -- $bindir/pg_ctl -D $dir/data -m immediate stop; rm -rf $dir"
  else
    on_exit "$bindir/pg_ctl -D $dir/data -m immediate stop; rm -rf $dir"
  fi
}
postgres_start
