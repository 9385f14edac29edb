#!/usr/bin/env bash
# Container smoke test of the production images (run by `make -C deploy test-images`,
# which builds them first). Podman has no compose here, so this script starts
# the containers of deploy/compose.yaml itself, on the host network with
# distinct free ports:
#   PostgreSQL (Debian's, via services/users/tests/pg.sh), users-api x2,
#   client, front nginx (deploy/nginx/front.conf, rewritten for these ports).
# Then it checks: image properties (size, non-root, HEALTHCHECK), start-up time,
# routing through the front, the client's e2e suite through the front, that
# killing a users-api replica does not interrupt service, that the API stops
# cleanly on SIGTERM and that data and tokens survive restarting the API
# containers, and SQLite persistence in /data for the single-container mode.
# Closes with "N passed, N failed".
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
PODMAN=${PODMAN:-podman}
API_IMAGE=${API_IMAGE:?API_IMAGE}
CLIENT_IMAGE=${CLIENT_IMAGE:?CLIENT_IMAGE}
RUN=("$PODMAN" --runtime /usr/sbin/runc run --network host --ulimit nofile=1024:1024 --ulimit nproc=4096:4096)
MAX_API_IMAGE_MB=${MAX_API_IMAGE_MB:-40}
MAX_START_MS=${MAX_START_MS:-1000}

id=$$
work=$(mktemp -d /tmp/deploy-test-images.XXXXXX)
chmod 755 "$work"
pass=0 fail=0
containers=()
volumes=()

log() { printf '%s\n' "test-images: $*"; }
ok() { pass=$((pass + 1)); log "ok   - $*"; }
not_ok() { fail=$((fail + 1)); log "FAIL - $*"; }
check() { # check "description" command...
  local what=$1; shift
  if "$@"; then ok "$what"; else not_ok "$what"; fi
}

cleanup() {
  for c in "${containers[@]}"; do "$PODMAN" rm -f -t 2 "$c" >/dev/null 2>&1; done
  for v in "${volumes[@]}"; do "$PODMAN" volume rm -f "$v" >/dev/null 2>&1; done
  "$repo/services/users/tests/pg.sh" stop "$work/pg" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 12000))
    if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null && [[ " ${used_ports:-} " != *" $p "* ]]; then
      used_ports="${used_ports:-} $p"
      echo "$p"
      return 0
    fi
  done
  return 1
}

# curl helpers: status code only / body / a header
code() { curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$@"; }
body() { curl -s --max-time 10 "$@"; }
header() { local name=$1; shift; curl -s -D - -o /dev/null --max-time 10 "$@" | tr -d '\r' | awk -v n="$(echo "$name" | tr '[:upper:]' '[:lower:]')" 'tolower($0) ~ "^"n":" {sub(/^[^:]*: */, ""); print}'; }
json_field() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{const v=JSON.parse(s)[process.argv[1]];process.stdout.write(v===undefined?"":String(v))}catch{}})' "$1"; }

wait_http() { # wait_http URL [timeout_s] -> 0 when it answers 200
  local url=$1 t=${2:-30} end
  end=$((SECONDS + t))
  while ((SECONDS < end)); do
    [[ $(code "$url") == 200 ]] && return 0
    sleep 0.05
  done
  return 1
}

now_ms() { date +%s%3N; }

# ---------------------------------------------------------------- images
api_bytes=$("$PODMAN" image inspect --format '{{.Size}}' "$API_IMAGE")
client_bytes=$("$PODMAN" image inspect --format '{{.Size}}' "$CLIENT_IMAGE")
log "image $API_IMAGE: $((api_bytes / 1000000)) MB; image $CLIENT_IMAGE: $((client_bytes / 1000000)) MB"
check "users-api image is small (< ${MAX_API_IMAGE_MB} MB)" test "$api_bytes" -lt $((MAX_API_IMAGE_MB * 1000000))
for img in "$API_IMAGE" "$CLIENT_IMAGE"; do
  user=$("$PODMAN" image inspect --format '{{.Config.User}}' "$img")
  check "$img runs as a numeric non-root user ($user)" bash -c "[[ '$user' =~ ^[1-9][0-9]*(:[0-9]+)?$ ]]"
  hc=$("$PODMAN" image inspect --format '{{json .HealthCheck}}' "$img" 2>/dev/null || true)
  check "$img declares a HEALTHCHECK" bash -c "[[ '$hc' == *CMD* ]]"
done
check "users-api image holds no shell or package manager" bash -c \
  "! '$PODMAN' run --rm --network host --runtime /usr/sbin/runc --ulimit nofile=1024:1024 --ulimit nproc=4096:4096 --entrypoint /bin/sh '$API_IMAGE' -c true >/dev/null 2>&1"

# ---------------------------------------------------------------- database
pg_admin=$("$repo/services/users/tests/pg.sh" start "$work/pg") || { log "PostgreSQL did not start"; exit 1; }
pg_port=${pg_admin##*:}; pg_port=${pg_port%%/*}
db_password=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
psql -q "$pg_admin" -v ON_ERROR_STOP=1 \
  -c "CREATE ROLE users LOGIN PASSWORD '$db_password'" -c "CREATE DATABASE users OWNER users" >/dev/null \
  || { log "cannot create the users database"; exit 1; }
# TLS as on RDS (DATABASE_URL ...?sslmode=require), and a host name rather than
# an address, so the image's resolver files (nsswitch.conf) and libssl are used.
mkdir -p "$work/tls"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
  -keyout "$work/tls/server.key" -out "$work/tls/server.crt" >/dev/null 2>&1
chown -R postgres:postgres "$work/tls" 2>/dev/null; chmod 600 "$work/tls/server.key"
psql -q "$pg_admin" -v ON_ERROR_STOP=1 -c "ALTER SYSTEM SET ssl = on" \
  -c "ALTER SYSTEM SET ssl_cert_file = '$work/tls/server.crt'" -c "ALTER SYSTEM SET ssl_key_file = '$work/tls/server.key'" \
  -c "SELECT pg_reload_conf()" >/dev/null || { log "cannot turn on TLS in PostgreSQL"; exit 1; }
sleep 0.5
DATABASE_URL="postgres://users:$db_password@localhost:$pg_port/users?sslmode=require"
SECRET_KEY=$(head -c 48 /dev/urandom | od -An -tx1 | tr -d ' \n')
ADMIN_EMAIL=admin@example.com
ADMIN_PASSWORD=admin-pass-123

api1_port=$(free_port) api2_port=$(free_port) client_port=$(free_port) front_port=$(free_port)
front="http://127.0.0.1:$front_port"
log "ports: postgres $pg_port, api-1 $api1_port, api-2 $api2_port, client $client_port, front $front_port"

# ---------------------------------------------------------------- containers (mirror compose.yaml)
# Production settings, so REFRESH_TOKEN_REUSE_INTERVAL keeps its default (10 s)
# unless set in the environment (the client's own e2e setup uses 0).
start_api() { # start_api NAME PORT
  local name=$1 port=$2
  "$PODMAN" rm -f "$name" >/dev/null 2>&1
  "${RUN[@]}" -d --name "$name" --read-only --user 10001:10001 \
    -e PORT="$port" -e APP_ENV=production -e BCRYPT_LOG_ROUNDS=12 -e LOG_LEVEL=info \
    -e TRUSTED_PROXIES=127.0.0.1/32 -e SECRET_KEY="$SECRET_KEY" -e DATABASE_URL="$DATABASE_URL" \
    -e ADMIN_EMAIL="$ADMIN_EMAIL" -e ADMIN_PASSWORD="$ADMIN_PASSWORD" -e ADMIN_USERNAME=admin \
    ${REFRESH_TOKEN_REUSE_INTERVAL:+-e REFRESH_TOKEN_REUSE_INTERVAL="$REFRESH_TOKEN_REUSE_INTERVAL"} \
    "$API_IMAGE" >/dev/null 2>"$work/$name.err"
}

api1=deploytest-$id-api-1 api2=deploytest-$id-api-2 client=deploytest-$id-client frontc=deploytest-$id-front
containers+=("$api1" "$api2" "$client" "$frontc")

start_api "$api1" "$api1_port"
check "users-api replica 1 is up (migrations, first admin)" wait_http "http://127.0.0.1:$api1_port/ping" 30
start_api "$api2" "$api2_port"
check "users-api replica 2 is up" wait_http "http://127.0.0.1:$api2_port/ping" 30

# Start-up time: a fresh container on the (migrated) PostgreSQL, no admin to hash.
# Best of 3 of 'podman run' -> first 200 from /ping; the container runtime's own
# share is measured with 'podman run ... version' and reported beside it.
probe=deploytest-$id-probe; containers+=("$probe")
probe_port=$(free_port)
best=999999 best_rt=999999 best_proc=999999
for _ in 1 2 3; do
  t0=$(now_ms)
  "${RUN[@]}" --rm "$API_IMAGE" version >/dev/null 2>&1
  rt=$(($(now_ms) - t0)); ((rt < best_rt)) && best_rt=$rt
  "$PODMAN" rm -f "$probe" >/dev/null 2>&1
  t0=$(now_ms)
  "${RUN[@]}" -d --name "$probe" --read-only -e PORT="$probe_port" -e APP_ENV=production -e SECRET_KEY="$SECRET_KEY" \
    -e DATABASE_URL="$DATABASE_URL" "$API_IMAGE" >/dev/null 2>&1
  if wait_http "http://127.0.0.1:$probe_port/ping" 20; then
    ms=$(($(now_ms) - t0)); ((ms < best)) && best=$ms
    # inside the container: process start -> "listening" log line
    started=$("$PODMAN" inspect --format '{{.State.StartedAt}}' "$probe" 2>/dev/null | sed 's/ UTC$//')
    listening=$("$PODMAN" logs "$probe" 2>/dev/null | grep -m1 '"msg":"listening"' | json_field ts)
    if [[ -n $started && -n $listening ]]; then
      proc=$(($(date -d "$listening" +%s%3N) - $(date -d "$started" +%s%3N)))
      ((proc < best_proc)) && best_proc=$proc
    fi
  fi
  "$PODMAN" rm -f -t 5 "$probe" >/dev/null 2>&1
done
log "users-api start-up: 'podman run' -> first 200 from /ping: ${best} ms (best of 3); 'podman run ... version' alone: ${best_rt} ms; process start -> listening (connect + migration check): ${best_proc} ms"
check "users-api answers within ${MAX_START_MS} ms of 'podman run'" test "$best" -lt "$MAX_START_MS"

sed "s/listen 8080 default_server;/listen $client_port default_server;/" "$repo/services/client/nginx.conf" >"$work/client.conf"
# The e2e suite injects axe-core with page.addScriptTag (an inline script), which
# the production CSP (script-src 'self') blocks. While it does so without
# bypassCSP, serve this run without the CSP header (page.evaluate(axeSource)
# would inject it without touching the CSP).
e2e_browser=$repo/services/client/e2e/browser.ts
if grep -q addScriptTag "$e2e_browser" 2>/dev/null && ! grep -q bypassCSP "$e2e_browser"; then
  sed -i '/add_header Content-Security-Policy/d' "$work/client.conf"
  log "note - client served without its CSP header for the e2e run (e2e/browser.ts injects axe with addScriptTag)"
fi
"${RUN[@]}" -d --name "$client" --read-only --tmpfs /tmp:mode=1777 \
  -v "$work/client.conf:/etc/nginx/nginx.conf:ro" "$CLIENT_IMAGE" >/dev/null 2>"$work/client.err"
sed -e "s/server api-1:5000 /server 127.0.0.1:$api1_port /" -e "s/server api-2:5000 /server 127.0.0.1:$api2_port /" \
  -e "s/server client:8080 /server 127.0.0.1:$client_port /" -e "s/listen 8080 default_server;/listen $front_port default_server;/" \
  "$here/nginx/front.conf" >"$work/front.conf"
"${RUN[@]}" -d --name "$frontc" --read-only --tmpfs /tmp:mode=1777 \
  -v "$work/front.conf:/etc/nginx/front.conf:ro" "$CLIENT_IMAGE" nginx -c /etc/nginx/front.conf -g 'daemon off;' \
  >/dev/null 2>"$work/front.err"
check "the client answers" wait_http "http://127.0.0.1:$client_port/" 20
check "the front answers" wait_http "$front/ping" 20
ssl_conns=$(psql -tA "$pg_admin" -c "SELECT count(*) FROM pg_stat_ssl JOIN pg_stat_activity USING (pid) WHERE ssl AND usename = 'users'")
plain_conns=$(psql -tA "$pg_admin" -c "SELECT count(*) FROM pg_stat_ssl JOIN pg_stat_activity USING (pid) WHERE NOT ssl AND usename = 'users'")
check "the API reaches PostgreSQL by host name over TLS ($ssl_conns TLS connections, $plain_conns plain)" \
  test "${ssl_conns:-0}" -gt 0 -a "${plain_conns:-1}" -eq 0
check "HEALTHCHECK passes in $api1" "$PODMAN" healthcheck run "$api1"
# The client image as built (port 8080) in a network namespace of its own.
hcc=deploytest-$id-client-hc; containers+=("$hcc")
"$PODMAN" --runtime /usr/sbin/runc run -d --name "$hcc" --network none --read-only --tmpfs /tmp:mode=1777 \
  --ulimit nofile=1024:1024 --ulimit nproc=4096:4096 "$CLIENT_IMAGE" >/dev/null 2>&1
hc_ok=1
for _ in $(seq 1 50); do "$PODMAN" healthcheck run "$hcc" >/dev/null 2>&1 && { hc_ok=0; break; }; sleep 0.1; done
check "HEALTHCHECK passes in the client image (nginx on 8080, read-only root)" test "$hc_ok" = 0
"$PODMAN" rm -f -t 2 "$hcc" >/dev/null 2>&1

# ---------------------------------------------------------------- routing through the front
check "GET /ping -> API pong" bash -c "[[ \$(curl -s '$front/ping') == *pong* ]]"
check "GET /health -> database ok" bash -c "[[ \$(curl -s '$front/health') == *'\"database\":\"ok\"'* ]]"
check "GET /openapi.json -> OpenAPI document" bash -c "[[ \$(curl -s '$front/openapi.json') == *openapi* ]]"
check "GET /swagger.json -> 200" test "$(code "$front/swagger.json")" = 200
check "GET /doc -> 200" test "$(code "$front/doc")" = 200
check "GET /users without a token -> 401 from the API" test "$(code "$front/users")" = 401
check "GET /metrics is not exposed at the front (404)" test "$(code "$front/metrics")" = 404
check "GET / -> the client's index.html" bash -c "[[ \$(curl -s '$front/') == *'<div id=\"root\"'* ]]"
check "GET /login (client route) -> index.html (SPA fallback)" bash -c "[[ \$(curl -s '$front/login') == *'<div id=\"root\"'* ]]"
check "index.html is not cached" test "$(header Cache-Control "$front/")" = "no-cache"
asset=$(curl -s "$front/" | grep -o '/assets/[^"]*\.js' | head -n1)
check "hashed assets are cached for a year, immutable" test "$(header Cache-Control "$front$asset")" = "public, max-age=31536000, immutable"
check "assets are gzip-compressed" test "$(header Content-Encoding -H 'Accept-Encoding: gzip' "$front$asset")" = "gzip"
check "a missing asset is a 404, not index.html" test "$(code "$front/assets/missing-0000.js")" = 404

# ---------------------------------------------------------------- the client's e2e suite through the front
if [[ ${SKIP_E2E:-0} == 1 ]]; then
  log "skip - client e2e suite (SKIP_E2E=1)"
elif ! ls "$repo"/services/client/e2e/*.e2e.ts >/dev/null 2>&1; then
  log "skip - client e2e suite (services/client/e2e has no *.e2e.ts)"
else
  [[ -f $repo/services/client/node_modules/.package-lock.json ]] || (cd "$repo/services/client" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  if (cd "$repo/services/client" && E2E_BASE_URL="$front" E2E_ADMIN_EMAIL="$ADMIN_EMAIL" E2E_ADMIN_PASSWORD="$ADMIN_PASSWORD" \
      node_modules/.bin/vitest run --config "$here/tests/vitest.e2e-front.config.mjs" >"$work/e2e.log" 2>&1); then
    ok "client e2e suite through the front ($(sed 's/\x1b\[[0-9;]*m//g' "$work/e2e.log" | grep -Eo 'Tests +[0-9]+ passed' | head -n1 | grep -Eo '[0-9]+') tests passed)"
  else
    not_ok "client e2e suite through the front"; tail -40 "$work/e2e.log"
  fi
fi

# ---------------------------------------------------------------- an account and a token to follow
email="deploy-$id@example.com"
status=$(code -X POST -H 'Content-Type: application/json' \
  -d "{\"username\":\"deploy$id\",\"email\":\"$email\",\"password\":\"deploy-pass-123\"}" "$front/auth/register")
check "register through the front -> 201" test "$status" = 201
login() { body -X POST -H 'Content-Type: application/json' -d "{\"email\":\"$email\",\"password\":\"deploy-pass-123\"}" "$front/auth/login"; }
token=$(login | json_field access_token)
check "login through the front -> access token" test -n "$token"

# ---------------------------------------------------------------- kill a replica
"$PODMAN" kill -s KILL "$api1" >/dev/null 2>&1
errors=0
for _ in $(seq 1 40); do
  [[ $(code "$front/ping") == 200 ]] || errors=$((errors + 1))
  [[ $(code -H "Authorization: Bearer $token" "$front/auth/status") == 200 ]] || errors=$((errors + 1))
done
check "replica 1 killed: 80 requests through the front, $errors failed" test "$errors" -eq 0
check "replica 1 killed: login still works" bash -c "[[ -n '$(login | json_field access_token)' ]]"
start_api "$api1" "$api1_port"
check "replica 1 restarted" wait_http "http://127.0.0.1:$api1_port/ping" 20

# ---------------------------------------------------------------- restart both API containers
for c in "$api1" "$api2"; do
  "$PODMAN" stop -t 20 "$c" >/dev/null 2>&1
  check "$c stops cleanly on SIGTERM (exit 0)" test "$("$PODMAN" inspect --format '{{.State.ExitCode}}' "$c")" = 0
done
check "with no API replica the front answers 502/503, the client still loads" bash -c \
  "[[ \$(curl -s -o /dev/null -w '%{http_code}' '$front/ping') == 50[23] && \$(curl -s -o /dev/null -w '%{http_code}' '$front/') == 200 ]]"
start_api "$api1" "$api1_port"; start_api "$api2" "$api2_port"
check "both replicas back" bash -c "$(declare -f code wait_http); wait_http http://127.0.0.1:$api1_port/ping 20 && wait_http http://127.0.0.1:$api2_port/ping 20"
# The front (like the ALB's health checks) takes a moment to send traffic again.
check "the front routes to the API again" wait_http "$front/ping" 30
check "data survived the restart: the account logs in" bash -c "[[ -n '$(login | json_field access_token)' ]]"
check "a token issued before the restart is still valid" test "$(code -H "Authorization: Bearer $token" "$front/auth/status")" = 200

# ---------------------------------------------------------------- single container on SQLite in /data
vol=deploytest-$id-data; volumes+=("$vol"); solo=deploytest-$id-solo; containers+=("$solo")
solo_port=$(free_port)
run_solo() {
  "$PODMAN" rm -f "$solo" >/dev/null 2>&1
  "${RUN[@]}" -d --name "$solo" -v "$vol:/data" -e PORT="$solo_port" -e SECRET_KEY="$SECRET_KEY" \
    -e BCRYPT_LOG_ROUNDS=4 "$API_IMAGE" >/dev/null 2>&1 && wait_http "http://127.0.0.1:$solo_port/ping" 20
}
solo_url="http://127.0.0.1:$solo_port"
check "SQLite mode: starts with a volume on /data" run_solo
check "SQLite mode: register -> 201" test "$(code -X POST -H 'Content-Type: application/json' \
  -d '{"username":"solo","email":"solo@example.com","password":"solo-pass-123"}' "$solo_url/auth/register")" = 201
"$PODMAN" stop -t 10 "$solo" >/dev/null 2>&1
run_solo >/dev/null
check "SQLite mode: the account survives a new container" test "$(code -X POST -H 'Content-Type: application/json' \
  -d '{"email":"solo@example.com","password":"solo-pass-123"}' "$solo_url/auth/login")" = 200

if ((fail > 0)); then
  for c in "${containers[@]}"; do
    "$PODMAN" container exists "$c" 2>/dev/null && { log "--- logs of $c"; "$PODMAN" logs --tail 15 "$c" 2>&1; }
  done
fi
echo "test-images: ${pass} passed, ${fail} failed"
((fail == 0))
