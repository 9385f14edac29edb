#!/usr/bin/env bash
# Profiles users-api under one benchmark case with perf (call graphs) and prints the top
# functions. For the findings in the bench report; run bench/run.sh --smoke once first
# (it installs wrk/nginx/postgresql and builds users-api).
#
#   bench/profile.sh CASE [BACKEND] [SECONDS]
#     CASE:    ping | user_get | auth_status | users_list | login | storm
#     BACKEND: sqlite (default) | postgres
# Output: bench/tmp/profile-CASE-BACKEND.{perf.data,txt}
set -euo pipefail
CASE=${1:?usage: bench/profile.sh ping|user_get|auth_status|users_list|login|storm [sqlite|postgres] [seconds]}
BACKEND=${2:-sqlite}
SECS=${3:-8}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=$ROOT/bench SVC=$ROOT/services/users
API=$SVC/build/release/users-api
W=$BENCH/tmp/profile
mkdir -p "$W"
command -v perf >/dev/null || { echo "profile.sh: perf not installed (apt-get install linux-perf)" >&2; exit 1; }
[[ -x $API ]] || { echo "profile.sh: build users-api first (make -C services/users)" >&2; exit 1; }
ulimit -n 8192
cc -O2 -o "$W/benchtool" "$BENCH/benchtool.c" -lcrypt -lpthread -lsqlite3

API_PID="" PGDIR=""
cleanup() {
  [[ -n $API_PID ]] && { kill "$API_PID" 2>/dev/null; wait "$API_PID" 2>/dev/null || true; }
  [[ -n $PGDIR ]] && "$SVC/tests/pg.sh" stop "$PGDIR" >/dev/null 2>&1 || true
}
trap cleanup EXIT

export APP_ENV=production SECRET_KEY=bench-secret-key-0123456789abcdef0123456789abcde
export BCRYPT_LOG_ROUNDS=12 LOGIN_RATE_LIMIT_IP=0 LOGIN_RATE_LIMIT_ACCOUNT=0 LOG_LEVEL=warn
export ADMIN_EMAIL=admin@bench.example.com ADMIN_PASSWORD=bench-admin-password
HASH=$("$W/benchtool" bcrypt-hash 12 bench-user-password)
USERS=100000 NOW=$(date +%s)
if [[ $BACKEND == postgres ]]; then
  PGDIR=$(mktemp -d /tmp/users-profile-pg.XXXXXX)
  ADMINURL=$("$SVC/tests/pg.sh" start "$PGDIR")
  psql -q "$ADMINURL" -c "CREATE DATABASE users" >/dev/null
  export DATABASE_URL=postgres://postgres@127.0.0.1:$(cat "$PGDIR/port")/users
  "$API" migrate >/dev/null
  psql -q "$DATABASE_URL" -c "INSERT INTO users (username, email, password_hash, active, admin, created_at)
    SELECT 'user' || g, 'user' || g || '@bench.example.com', '$HASH', true, false, $NOW
    FROM generate_series(1, $USERS) g" -c "VACUUM ANALYZE users" >/dev/null
else
  rm -f "$W/users.db"*
  export DATABASE_URL=sqlite://$W/users.db
  "$API" migrate >/dev/null
  "$W/benchtool" sqlite-exec "$W/users.db" "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < $USERS)
    INSERT INTO users (username, email, password_hash, active, admin, created_at)
    SELECT 'user' || n, 'user' || n || '@bench.example.com', '$HASH', 1, 0, $NOW FROM g"
fi
PORT=$((20000 + RANDOM % 12000))
PORT=$PORT "$API" serve >"$W/api.log" 2>&1 &
API_PID=$!
"$W/benchtool" wait-ping "$PORT" 60
TOKEN=$(curl -sS -X POST -H 'Content-Type: application/json' \
  -d "{\"email\":\"$ADMIN_EMAIL\",\"password\":\"$ADMIN_PASSWORD\"}" "http://127.0.0.1:$PORT/auth/login" \
  | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
URL=http://127.0.0.1:$PORT
LOGIN='{"email":"user7@bench.example.com","password":"bench-user-password"}'
load() { # runs the case's load for SECS+2 seconds in the background
  case $CASE in
    ping) wrk -t2 -c64 -d$((SECS + 2))s "$URL/ping" ;;
    user_get) WRK_AUTH="Bearer $TOKEN" wrk -t2 -c64 -d$((SECS + 2))s -s "$BENCH/wrk.lua" "$URL/users/50000" ;;
    auth_status) WRK_AUTH="Bearer $TOKEN" wrk -t2 -c64 -d$((SECS + 2))s -s "$BENCH/wrk.lua" "$URL/auth/status" ;;
    users_list) WRK_AUTH="Bearer $TOKEN" wrk -t2 -c64 -d$((SECS + 2))s -s "$BENCH/wrk.lua" "$URL/users?limit=100" ;;
    login) WRK_METHOD=POST WRK_BODY=$LOGIN wrk -t2 -c8 -d$((SECS + 2))s --timeout 10s -s "$BENCH/wrk.lua" "$URL/auth/login" ;;
    storm)
      WRK_METHOD=POST WRK_BODY=$LOGIN wrk -t2 -c8 -d$((SECS + 2))s --timeout 10s -s "$BENCH/wrk.lua" "$URL/auth/login" >/dev/null &
      wrk -t2 -c64 -d$((SECS + 2))s "$URL/ping"; wait ;;
    *) echo "unknown case $CASE" >&2; return 2 ;;
  esac
}
OUTP=$BENCH/tmp/profile-$CASE-$BACKEND${TAG:+-$TAG}
load >"$OUTP.wrk" 2>&1 &
LOAD=$!
sleep 1
perf record -F 499 --call-graph dwarf,16384 -p "$API_PID" -o "$OUTP.perf.data" -- sleep "$SECS" >/dev/null 2>&1
wait $LOAD || true
{
  echo "# users-api under '$CASE' ($BACKEND), perf -F 499 --call-graph dwarf, ${SECS} s"
  grep -E "Requests/sec|Latency" "$OUTP.wrk" || true
  echo "HTTP_THREADS=${HTTP_THREADS:-default} BCRYPT_WORKERS=${BCRYPT_WORKERS:-default}"
  echo "## samples: $(perf report -i "$OUTP.perf.data" --stdio 2>/dev/null | sed -n 's/^# Samples: //p' | head -n1) (at 499 Hz: cores used = samples / 499 / ${SECS})"
  echo "## self time (top 30)"
  perf report -i "$OUTP.perf.data" --stdio --no-children -g none --sort dso,symbol 2>/dev/null | grep -E '^ +[0-9]' | head -n 30 || true
  echo "## including callees (top 50)"
  perf report -i "$OUTP.perf.data" --stdio --children -g none --sort dso,symbol 2>/dev/null | grep -E '^ +[0-9]' | head -n 50 || true
} >"$OUTP.txt"
cat "$OUTP.txt"
