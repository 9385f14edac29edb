#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests: pg.sh start DIR prints its admin URL
# (postgres://postgres@127.0.0.1:PORT/postgres); pg.sh stop DIR stops it and removes DIR;
# halt/resume stop and restart it on the same port, keeping the data.
set -euo pipefail
cmd=${1:?start|stop}; dir=${2:?directory}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
[[ -x $bin/initdb ]] || { echo "pg.sh: PostgreSQL server not installed (apt-get install postgresql)" >&2; exit 1; }

as_pg() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  # Below 32768: above it is the ephemeral range, where a leftover client socket can hold the port.
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 12000))
    if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then echo "$p"; return 0; fi
  done
  return 1
}

case $cmd in
start)
  mkdir -p "$dir"
  [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$dir"
  as_pg "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  for _ in 1 2 3 4 5; do
    port=$(free_port)
    if as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 30 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" start >/dev/null 2>&1; then
      echo "$port" >"$dir/port"
      echo "postgres://postgres@127.0.0.1:$port/postgres"
      exit 0
    fi
  done
  cat "$dir/log" >&2; exit 1 ;;
halt) # stop the server but keep its data and port (outage tests)
  as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null ;;
resume) # start it again on the same port
  as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 30 \
    -o "-p $(cat "$dir/port") -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" start >/dev/null ;;
stop)
  [[ -d $dir/data ]] && as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$dir" ;;
*) echo "usage: pg.sh start|halt|resume|stop DIR" >&2; exit 2 ;;
esac
