#!/usr/bin/env bash
# The users-api benchmark: how close the service comes to what this machine allows.
#
#   bench/run.sh           full run (~5 min): writes bench/results.md and bench/results.json
#   bench/run.sh --smoke   every case for ~2 s (< 90 s): results in a temp dir; exits non-zero
#                          only when something is broken (never on speed)
#
# Installs what it needs (Debian: wrk nginx postgresql postgresql-contrib), builds users-api
# and bench/benchtool.c, starts nginx, a throwaway PostgreSQL and users-api on 127.0.0.1 only,
# measures, stops everything. Each number that has a reference is divided by that reference
# measured in the same run: nginx `return 200` for HTTP, pgbench -S for PostgreSQL, and this
# machine's own bcrypt rate for logins.
set -euo pipefail

MODE=full
case ${1:-} in
  "") ;;
  --smoke) MODE=smoke ;;
  -h | --help) sed -n '2,11p' "$0"; exit 0 ;;
  *) echo "usage: bench/run.sh [--smoke]" >&2; exit 2 ;;
esac

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=$ROOT/bench
SVC=$ROOT/services/users
API=$SVC/build/release/users-api
PY=python3

# A case runs DUR seconds; a case with a reference runs as SLICES slices of DUR/SLICES seconds,
# alternating with its reference (A B B A A B ...) so both see the same machine, which other
# people's jobs share. BCRYPT_SECS is split in two, before and after the login case.
if [[ $MODE == full ]]; then
  DUR=10 SLICES=10 WARM=3 USERS=100000 COLD_RUNS=5 LOGIN_CONNS=8 BCRYPT_SECS=10
  OUT=$BENCH
  WORK=$BENCH/tmp/last-run
else
  DUR=2 SLICES=1 WARM=1 USERS=2000 COLD_RUNS=3 LOGIN_CONNS=4 BCRYPT_SECS=2
  WORK=${BENCH_SMOKE_DIR:-$(mktemp -d /tmp/users-bench-smoke.XXXXXX)}
  OUT=$WORK
fi
CONNS=64
RAW=$WORK/raw
T0=$SECONDS

say() { printf '[bench %3ds] %s\n' $((SECONDS - T0)) "$*" >&2; }
die() { say "FAILED: $*"; exit 1; }

# ---------------------------------------------------------------- clean-up

API_PID="" NGINX_PID="" PGDIR=""
stop_pid() { # PID: SIGTERM, wait up to 15 s, then SIGKILL
  local pid=$1
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 150); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$?
  stop_pid "$API_PID"
  stop_pid "$NGINX_PID"
  [[ -n $PGDIR ]] && "$SVC/tests/pg.sh" stop "$PGDIR" >/dev/null 2>&1 || true
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- set-up

ulimit -n 8192 || die "cannot raise the open-file limit to 8192 (case 7 needs 1000+ sockets)"
rm -rf "$WORK/raw" "$WORK/nginx"
mkdir -p "$RAW" "$WORK/nginx"
say "mode $MODE; work dir $WORK"

"$ROOT/scripts/install-deps.sh" build bench
BUILD_NOTE=""
if ! make -s -C "$SVC" >"$WORK/build.log" 2>&1; then
  # The release build is -O2 -Werror; a newer-compiler warning must not stop the benchmark.
  make -s -C "$SVC" EXTRA_CFLAGS=-Wno-error >>"$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; die "users-api does not build"; }
  BUILD_NOTE="The release build failed with -Werror on this compiler (see the warnings in the build log); the benchmark built it with EXTRA_CFLAGS=-Wno-error: same -O2 code."
  say "release build needed -Wno-error (warnings: $(grep -c 'warning:' "$WORK/build.log"))"
fi
[[ -x $API ]] || die "no $API"
cc -O2 -Wall -Wextra -o "$WORK/benchtool" "$BENCH/benchtool.c" -lcrypt -lpthread -lsqlite3 \
  || die "benchtool does not build"
BT=$WORK/benchtool

free_port() { # a port below 32768 (above is the ephemeral range) that nobody listens on
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 12000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  return 1
}

# Settings every users-api process of the run gets.
export APP_ENV=production
export SECRET_KEY=bench-secret-key-0123456789abcdef0123456789abcde
export BCRYPT_LOG_ROUNDS=12 LOGIN_RATE_LIMIT_IP=0 LOGIN_RATE_LIMIT_ACCOUNT=0
export ACCESS_TOKEN_EXPIRATION=3600
export ADMIN_EMAIL=admin@bench.example.com ADMIN_PASSWORD=bench-admin-password
USER_PASSWORD=bench-user-password
[[ ${#SECRET_KEY} -eq 48 ]] || die "SECRET_KEY must be 48 characters"

# ---------------------------------------------------------------- helpers

SNAP_PIDS=()
snap() { "$PY" "$BENCH/report.py" snap "$1" "${SNAP_PIDS[@]}"; }

# Request shape (method, body, Authorization) comes from the WRK_* variables.
warmup() { # NAME PORT PATH CONNS
  timeout $((WARM + 30)) wrk -t2 -c"$4" -d"${WARM}s" --timeout 10s -s "$BENCH/wrk.lua" \
    "http://127.0.0.1:$2$3" >"$RAW/$1.warmup" 2>&1 || true
}
wrk_slice() { # NAME PORT PATH CONNS SECONDS INDEX -> RAW/NAME.INDEX.{wrk,before,after}
  snap "$RAW/$1.$6.before"
  timeout $(($5 + 30)) wrk -t2 -c"$4" -d"$5s" --timeout 10s -s "$BENCH/wrk.lua" \
    "http://127.0.0.1:$2$3" >"$RAW/$1.$6.wrk" 2>&1 || true
  snap "$RAW/$1.$6.after"
}
record() { # NAME PATH CONNS [key=value...]: the slices of NAME -> RAW/NAME.json
  local name=$1 path=$2 conns=$3; shift 3
  "$PY" "$BENCH/report.py" case "$RAW" "$name" path="$path" conns="$conns" "$@"
  say "$name: $(grep -o '"rps": [0-9.]*' "$RAW/$name.json" | head -n1 || echo 'no numbers')"
}
run_wrk() { # NAME PORT PATH CONNS [key=value...]: warm-up, then one DUR-second run
  local name=$1 port=$2 path=$3 conns=$4; shift 4
  # (smoke: no warm-up for logins; the server is warm and a login warm-up costs a drain)
  [[ $MODE == smoke && $path == /auth/login ]] || warmup "$name" "$port" "$path" "$conns"
  [[ $path == /auth/login ]] && drain "$port"
  wrk_slice "$name" "$port" "$path" "$conns" "$DUR" 1
  [[ $path == /auth/login ]] && drain "$port"
  record "$name" "$path" "$conns" "$@"
}
SLICE=$((DUR / SLICES))
first_is_ref() { (( $1 % 2 == 1 )); } # slice order A B B A A B ...

start_api() { # NAME DATABASE_URL LOG_LEVEL: starts users-api on a free port, sets API_PID API_PORT
  local name=$1 db=$2 level=$3
  API_PORT=$(free_port) || die "no free port"
  PORT=$API_PORT DATABASE_URL=$db LOG_LEVEL=$level "$API" serve >"$WORK/api-$name.log" 2>&1 &
  API_PID=$!
  "$BT" wait-ping "$API_PORT" 60 || { tail -n 20 "$WORK/api-$name.log" >&2; die "users-api ($name) did not answer /ping"; }
  say "users-api ($name, LOG_LEVEL=$level) pid $API_PID on 127.0.0.1:$API_PORT"
}

stop_api() {
  stop_pid "$API_PID"
  API_PID=""
}

drain() { # PORT: wait (at most 30 s) until no request is in flight but /metrics itself, so
  # bcrypt jobs left over from a warm-up's cut connections do not eat into the measurement
  for _ in $(seq 1 300); do
    local n
    n=$(curl -s --max-time 5 "http://127.0.0.1:$1/metrics" | awk '/^users_api_http_requests_in_flight / {print $2}')
    [[ -n $n && $n -le 1 ]] && return 0
    sleep 0.1
  done
  say "drain: requests still in flight after 30 s"
}

preload_counts() { # PORT -> "queries requests" read ahead so far (users_api_preload_*_total)
  curl -s --max-time 5 "http://127.0.0.1:$1/metrics" \
    | awk '/^users_api_preload_queries_total / {q=$2} /^users_api_preload_requests_total / {r=$2} END {print q+0, r+0}'
}
preload_kv() { # PORT "Q0 R0" -> preload_queries=N preload_requests=N since then
  local now
  read -r -a now <<<"$(preload_counts "$1")"
  read -r -a was <<<"$2"
  echo "preload_queries=$((${now[0]} - ${was[0]})) preload_requests=$((${now[1]} - ${was[1]}))"
}

hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }

login_token() { # PORT EMAIL PASSWORD -> access token
  curl -sS --max-time 30 -X POST -H 'Content-Type: application/json' \
    -d "{\"email\":\"$2\",\"password\":\"$3\"}" "http://127.0.0.1:$1/auth/login" \
    | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p'
}

# ---------------------------------------------------------------- databases

say "seed hash (bcrypt cost 12) and databases with $USERS users"
HASH=$("$BT" bcrypt-hash 12 "$USER_PASSWORD")
NOW=$(date +%s)

PGDIR=$(mktemp -d /tmp/users-bench-pg.XXXXXX)
PGADMIN=$("$SVC/tests/pg.sh" start "$PGDIR") || die "PostgreSQL did not start"
PGPORT=$(cat "$PGDIR/port")
say "PostgreSQL up on 127.0.0.1:$PGPORT"
PGPID=$(head -n1 "$PGDIR/data/postmaster.pid")
psql -q -v ON_ERROR_STOP=1 "$PGADMIN" -c "CREATE DATABASE users" -c "CREATE DATABASE pgbench" >/dev/null
PGURL=postgres://postgres@127.0.0.1:$PGPORT/users
DATABASE_URL=$PGURL LOG_LEVEL=warn "$API" migrate >"$WORK/migrate-pg.log" 2>&1 || { cat "$WORK/migrate-pg.log" >&2; die "migrate (PostgreSQL)"; }
psql -q -v ON_ERROR_STOP=1 "$PGURL" >/dev/null <<SQL
INSERT INTO users (username, email, password_hash, active, admin, created_at)
SELECT 'user' || g, 'user' || g || '@bench.example.com', '$HASH', true, false, $NOW
FROM generate_series(1, $USERS) AS g;
VACUUM ANALYZE users;
SQL
pgbench -i -s 1 -q -h 127.0.0.1 -p "$PGPORT" -U postgres pgbench >"$WORK/pgbench-init.log" 2>&1 \
  || { cat "$WORK/pgbench-init.log" >&2; die "pgbench -i"; }

say "PostgreSQL seeded"
SQLITE_FILE=$WORK/users.db
rm -f "$SQLITE_FILE" "$SQLITE_FILE"-wal "$SQLITE_FILE"-shm
SQLURL=sqlite://$SQLITE_FILE
DATABASE_URL=$SQLURL LOG_LEVEL=warn "$API" migrate >"$WORK/migrate-sqlite.log" 2>&1 || { cat "$WORK/migrate-sqlite.log" >&2; die "migrate (SQLite)"; }
"$BT" sqlite-exec "$SQLITE_FILE" "
WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < $USERS)
INSERT INTO users (username, email, password_hash, active, admin, created_at)
SELECT 'user' || n, 'user' || n || '@bench.example.com', '$HASH', 1, 0, $NOW FROM g;
ANALYZE;" || die "seeding SQLite"
USER_ID=$((USERS / 2))
say "seeded ($((SECONDS - T0)) s so far)"

# ---------------------------------------------------------------- nginx (the HTTP reference)

NGINX_PORT=$(free_port) || die "no free port"
N=$WORK/nginx
cat >"$N/nginx.conf" <<CONF
worker_processes 2;
daemon off;
pid $N/nginx.pid;
error_log $N/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $N/body;
  proxy_temp_path $N/proxy;
  fastcgi_temp_path $N/fastcgi;
  uwsgi_temp_path $N/uwsgi;
  scgi_temp_path $N/scgi;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location = /ping {
      default_type application/json;
      return 200 '{"status":"success","message":"pong!"}';
    }
  }
}
CONF
nginx -p "$N" -c "$N/nginx.conf" >"$N/stdout.log" 2>&1 &
NGINX_PID=$!
"$BT" wait-ping "$NGINX_PORT" 20 || { cat "$N/error.log" >&2; die "nginx did not answer"; }

# ---------------------------------------------------------------- the cases, per backend

export WRK_METHOD="" WRK_BODY="" WRK_AUTH=""
LOGIN_BODY="{\"email\":\"user7@bench.example.com\",\"password\":\"$USER_PASSWORD\"}"
declare -A HWM

for backend in sqlite postgres; do
  if [[ $backend == sqlite ]]; then db=$SQLURL; else db=$PGURL; fi
  start_api "$backend" "$db" warn
  SNAP_PIDS=("server=$API_PID")
  [[ $backend == postgres ]] && SNAP_PIDS+=("pg=$PGPID")
  TOKEN=$(login_token "$API_PORT" "$ADMIN_EMAIL" "$ADMIN_PASSWORD")
  [[ -n $TOKEN ]] || die "no access token from POST /auth/login ($backend)"

  if [[ $backend == sqlite ]]; then
    # 1. /ping (no database involved) in slices alternating with nginx
    warmup ping_nginx "$NGINX_PORT" /ping $CONNS
    warmup ping "$API_PORT" /ping $CONNS
    for i in $(seq 1 $SLICES); do
      for who in $(first_is_ref "$i" && echo "ref api" || echo "api ref"); do
        if [[ $who == ref ]]; then
          SNAP_PIDS=("nginx=$NGINX_PID"); wrk_slice ping_nginx "$NGINX_PORT" /ping $CONNS $SLICE "$i"
        else
          SNAP_PIDS=("server=$API_PID"); wrk_slice ping "$API_PORT" /ping $CONNS $SLICE "$i"
        fi
      done
    done
    record ping_nginx /ping $CONNS backend=-
    record ping /ping $CONNS backend=-
    SNAP_PIDS=("server=$API_PID")
    WRK_AUTH="Bearer $TOKEN"
    run_wrk "user_get_$backend" "$API_PORT" "/users/$USER_ID" $CONNS backend=$backend
  else
    # 2. GET /users/<id> in slices alternating with pgbench -S (the database limit)
    pgb=(pgbench -S -M prepared -n -c $CONNS -j 2 -h 127.0.0.1 -p "$PGPORT" -U postgres)
    timeout $((WARM + 30)) "${pgb[@]}" -T "$WARM" pgbench >"$RAW/pgbench.warmup" 2>&1 || true
    WRK_AUTH="Bearer $TOKEN"
    warmup "user_get_$backend" "$API_PORT" "/users/$USER_ID" $CONNS
    pre=$(preload_counts "$API_PORT")
    for i in $(seq 1 $SLICES); do
      for who in $(first_is_ref "$i" && echo "ref api" || echo "api ref"); do
        if [[ $who == ref ]]; then
          SNAP_PIDS=("pg=$PGPID")
          snap "$RAW/pgbench.$i.before"
          timeout $((SLICE + 30)) "${pgb[@]}" -T "$SLICE" -l --sampling-rate=0.1 \
            --log-prefix="$RAW/pgbench_log_$i" pgbench >"$RAW/pgbench.$i.out" 2>&1 || true
          snap "$RAW/pgbench.$i.after"
        else
          SNAP_PIDS=("server=$API_PID" "pg=$PGPID")
          wrk_slice "user_get_$backend" "$API_PORT" "/users/$USER_ID" $CONNS $SLICE "$i"
        fi
      done
    done
    "$PY" "$BENCH/report.py" pgbench "$RAW" pgbench conns=$CONNS backend=postgres
    say "pgbench: $(grep -o '"rps": [0-9.]*' "$RAW/pgbench.json" || echo 'no numbers')"
    # shellcheck disable=SC2046 # word splitting wanted: two key=value arguments
    record "user_get_$backend" "/users/$USER_ID" $CONNS backend=$backend $(preload_kv "$API_PORT" "$pre")
    SNAP_PIDS=("server=$API_PID" "pg=$PGPID")
  fi

  pre=$(preload_counts "$API_PORT")
  run_wrk "auth_status_$backend" "$API_PORT" /auth/status $CONNS backend=$backend
  if [[ $backend == postgres ]]; then # again, with what was read ahead meanwhile
    # shellcheck disable=SC2046
    record "auth_status_$backend" /auth/status $CONNS backend=$backend $(preload_kv "$API_PORT" "$pre")
  fi
  run_wrk "users_list_$backend" "$API_PORT" "/users?limit=100" $CONNS backend=$backend
  WRK_AUTH=""

  # 5. logins at cost 12, between two halves of this machine's bcrypt rate on every core
  bcrypt_half() { # INDEX
    timeout $((BCRYPT_SECS + 60)) "$BT" bcrypt-limit "$((BCRYPT_SECS / 2))" 12 \
      >"$RAW/bcrypt_$backend.$1.out" || die "bcrypt-limit"
    say "bcrypt limit: $(cat "$RAW/bcrypt_$backend.$1.out")"
  }
  if [[ $MODE == smoke && $backend == postgres ]]; then # smoke: measured once, before SQLite's
    cp "$RAW/bcrypt_sqlite.1.out" "$RAW/bcrypt_postgres.1.out"
  else
    bcrypt_half 1
  fi
  WRK_METHOD=POST WRK_BODY=$LOGIN_BODY
  run_wrk "login_$backend" "$API_PORT" /auth/login $LOGIN_CONNS backend=$backend
  WRK_METHOD="" WRK_BODY=""
  [[ $MODE == smoke ]] || bcrypt_half 2

  if [[ $backend == postgres ]]; then
    # 6. /ping while logins saturate the bcrypt workers: both wrk at once
    snap "$RAW/storm_ping.before"
    WRK_METHOD=POST WRK_BODY=$LOGIN_BODY timeout $((DUR + 40)) wrk -t2 -c$LOGIN_CONNS -d$((DUR + 2))s \
      --timeout 10s -s "$BENCH/wrk.lua" "http://127.0.0.1:$API_PORT/auth/login" >"$RAW/storm_login.wrk" 2>&1 &
    storm=$!
    sleep 1 # the login queue fills first
    timeout $((DUR + 30)) wrk -t2 -c$CONNS -d${DUR}s --timeout 10s -s "$BENCH/wrk.lua" \
      "http://127.0.0.1:$API_PORT/ping" >"$RAW/storm_ping.wrk" 2>&1 || true
    snap "$RAW/storm_ping.after"
    wait $storm || true
    "$PY" "$BENCH/report.py" case "$RAW" storm_ping path=/ping conns=$CONNS backend=$backend
    "$PY" "$BENCH/report.py" case "$RAW" storm_login path=/auth/login conns=$LOGIN_CONNS backend=$backend
    say "storm: ping $(grep -o '"p99_us":[0-9]*' "$RAW/storm_ping.wrk" || echo 'no numbers')"

    # 7. RSS with 1000 idle keep-alive connections (the peak so far is the peak under load)
    HWM[postgres_load]=$(hwm_kb "$API_PID")
    "$BT" idle "$API_PORT" 1000 "$API_PID" >"$RAW/idle.out" || say "idle: not every connection worked"
    printf '{"name":"idle","result":%s}\n' "$(cat "$RAW/idle.out")" >"$RAW/idle.json"
    say "idle: $(cat "$RAW/idle.out")"
  fi
  HWM[$backend]=$(hwm_kb "$API_PID")
  stop_api
done
printf '{"name":"memory","hwm_kb_sqlite":%s,"hwm_kb_postgres":%s,"load_hwm_kb_postgres":%s}\n' \
  "${HWM[sqlite]:-0}" "${HWM[postgres]:-0}" "${HWM[postgres_load]:-0}" >"$RAW/memory.json"

# The request-logging cost (full run only: notes, not targets).
if [[ $MODE == full ]]; then
  start_api info "$SQLURL" info
  SNAP_PIDS=("server=$API_PID")
  TOKEN=$(login_token "$API_PORT" "$ADMIN_EMAIL" "$ADMIN_PASSWORD")
  run_wrk ping_info "$API_PORT" /ping $CONNS backend=sqlite
  WRK_AUTH="Bearer $TOKEN" run_wrk status_info "$API_PORT" /auth/status $CONNS backend=sqlite
  stop_api
fi
stop_pid "$NGINX_PID"
NGINX_PID=""

# ---------------------------------------------------------------- 8. cold start

coldstart() { # NAME DATABASE_URL RUNS [env...]
  local name=$1 db=$2 runs=$3; shift 3
  local port
  port=$(free_port) || die "no free port"
  env "$@" PORT="$port" DATABASE_URL="$db" LOG_LEVEL=warn \
    "$BT" coldstart "$port" "$runs" "$API" serve >"$RAW/$name.out" 2>"$WORK/$name.log" \
    || { cat "$WORK/$name.log" >&2; die "$name: the server did not start"; }
  printf '{"name":"%s","result":%s}\n' "$name" "$(cat "$RAW/$name.out")" >"$RAW/$name.json"
  say "$name: $(cat "$RAW/$name.out")"
}
coldstart coldstart_sqlite "$SQLURL" "$COLD_RUNS"
coldstart coldstart_postgres "$PGURL" "$COLD_RUNS"
[[ $MODE == full ]] && coldstart coldstart4_sqlite "$SQLURL" "$COLD_RUNS" APP_ENV=development BCRYPT_LOG_ROUNDS=4

"$SVC/tests/pg.sh" stop "$PGDIR" >/dev/null 2>&1 || true
PGDIR=""

# ---------------------------------------------------------------- report

export BENCH_MODE=$MODE BENCH_DUR=$DUR BENCH_WARM=$WARM BENCH_USERS=$USERS BENCH_CONNS=$CONNS
export BENCH_LOGIN_CONNS=$LOGIN_CONNS BENCH_COLD_RUNS=$COLD_RUNS BENCH_BCRYPT_SECS=$BCRYPT_SECS
export BENCH_USER_ID=$USER_ID BENCH_BUILD_NOTE=$BUILD_NOTE BENCH_SECONDS=$((SECONDS - T0))
export BENCH_API_VERSION="$("$API" version) ($(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'))"
export BENCH_NGINX="$(nginx -v 2>&1 | sed 's/.*: //')"
export BENCH_WRK="$(dpkg-query -W -f='${Version}' wrk 2>/dev/null || echo '?')"
export BENCH_PG="$(pgbench --version | head -n1)"
export BENCH_LIBS="$(for p in libmicrohttpd jansson libjwt libxcrypt sqlite3 libpq; do printf '%s %s, ' $p "$(pkg-config --modversion $p 2>/dev/null)"; done | sed 's/, $//')"
export BENCH_CC="$(cc --version | head -n1)"
"$PY" - "$RAW/meta.json" <<'PY'
import json, os, platform, subprocess, sys, time
e = os.environ
model = "?"
with open("/proc/cpuinfo") as f:
    for line in f:
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
try:
    lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    for line in lscpu.splitlines():
        if line.startswith("Model name:"):
            model = line.split(":", 1)[1].strip()
except OSError:
    pass
with open("/proc/meminfo") as f:
    mem = int(f.readline().split()[1]) / 1024 / 1024
notes = [e["BENCH_BUILD_NOTE"]] if e.get("BENCH_BUILD_NOTE") else []
meta = {
    "mode": e["BENCH_MODE"],
    "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    "machine": {"cpu_model": model, "cores": os.cpu_count(), "mem_gib": round(mem, 1),
                "kernel": platform.release(), "loadavg": open("/proc/loadavg").read().split()[0:3]},
    "versions": {"users-api": e["BENCH_API_VERSION"], "nginx": e["BENCH_NGINX"],
                 "wrk": e["BENCH_WRK"], "pgbench / PostgreSQL": e["BENCH_PG"],
                 "libraries": e["BENCH_LIBS"], "compiler": e["BENCH_CC"]},
    "settings": {
        "server_env": {k: e[k] for k in ("APP_ENV", "BCRYPT_LOG_ROUNDS", "LOGIN_RATE_LIMIT_IP",
                                         "LOGIN_RATE_LIMIT_ACCOUNT", "ACCESS_TOKEN_EXPIRATION")},
        "LOG_LEVEL": "warn (info only in the notes)",
        "HTTP_THREADS / BCRYPT_WORKERS": "defaults (number of CPUs: %d)" % os.cpu_count(),
        "PRELOAD_THREADS": "default (1 on PostgreSQL, 0 on SQLite)",
        "SECRET_KEY": "fixed, 48 characters",
        "connections": int(e["BENCH_CONNS"]), "login_connections": int(e["BENCH_LOGIN_CONNS"]),
        "login connections": "%s, not 64: at ~0.4 s per hash and 2 workers, 64 queued logins "
                             "would wait ~5-12 s each and hit wrk's 10 s timeout" % e["BENCH_LOGIN_CONNS"],
        "duration_s": int(e["BENCH_DUR"]), "warmup_s": int(e["BENCH_WARM"]),
        "seeded users": int(e["BENCH_USERS"]),
        "GET /users/<id>": "id %s, the admin's token" % e["BENCH_USER_ID"],
        "bcrypt limit": "benchtool bcrypt-limit: crypt_rn with a $2b$12$ salt on nproc threads, "
                        "%s s split before and after each login case; limit = nproc / (CPU time per "
                        "hash)" % e["BENCH_BCRYPT_SECS"],
        "cold start runs": int(e["BENCH_COLD_RUNS"]),
        "nginx": "worker_processes 2, access_log off, keepalive_requests 1000000, `return 200` with the same body",
        "PostgreSQL": "tests/pg.sh (fsync=off, max_connections=300), databases users and pgbench (scale 1)",
        "run time": "%s s" % e["BENCH_SECONDS"],
    },
    "notes": notes,
}
with open(sys.argv[1], "w") as f:
    json.dump(meta, f, indent=1)
PY

rc=0
"$PY" "$BENCH/report.py" final "$RAW" "$OUT" || rc=$?
say "results: $OUT/results.md ($((SECONDS - T0)) s)"
if [[ $MODE == smoke ]]; then
  sed -n '/^## Targets/,/^## What bounds/p' "$OUT/results.md" | head -n 40 >&2
fi
exit $rc
