# Sourced by .ci/run: a private PostgreSQL on 127.0.0.1 for the tests marked `postgres`.
# Debian's server binaries, a folder of its own owned by the postgres user, a free port, trust auth on
# loopback only; stopped and removed when CI exits. Exports XMPLAN_TEST_POSTGRES_URL.

start_postgres() {
  local bin=/usr/lib/postgresql/15/bin
  if [ ! -x "$bin/initdb" ]; then
    bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  fi
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    local sudo_cmd=""
    if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then sudo_cmd=sudo; fi
    $sudo_cmd apt-get update -qq && $sudo_cmd apt-get install -y -qq postgresql >/dev/null
    bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  fi
  PG_DIR="$(mktemp -d /tmp/xmplan-pg.XXXXXX)"
  PG_PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  as_postgres() {  # PostgreSQL refuses to run as root
    if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi
  }
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$PG_DIR"; fi
  as_postgres "'$bin/initdb' -D '$PG_DIR/data' -U postgres --auth=trust -E UTF8 --no-instructions" >/dev/null
  as_postgres "'$bin/pg_ctl' -D '$PG_DIR/data' -l '$PG_DIR/log' -w -o \"-h 127.0.0.1 -p $PG_PORT -k '$PG_DIR'\" start" >/dev/null
  PG_BIN="$bin"
  trap stop_postgres EXIT
  export XMPLAN_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$PG_PORT/postgres"
  echo "PostgreSQL on 127.0.0.1:$PG_PORT ($PG_DIR)"
}

stop_postgres() {
  if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR/data" ]; then
    as_postgres "'$PG_BIN/pg_ctl' -D '$PG_DIR/data' -m fast -w stop" >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
}
