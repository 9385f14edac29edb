#!/usr/bin/env bash
# The one-command local run: users-api on SQLite serving the built web client on :5000.
# A secret key and a demo admin password are made once and kept in ./data/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p data
chmod 700 data
[[ -s data/secret_key ]] || head -c 48 /dev/urandom | base64 | tr -d '\n/+=' >data/secret_key
[[ -s data/demo_admin_password ]] || head -c 18 /dev/urandom | base64 | tr -d '\n/+=' >data/demo_admin_password

export PORT=${PORT:-5000}
export DATABASE_URL=${DATABASE_URL:-sqlite://data/users.db}
export SECRET_KEY=${SECRET_KEY:-$(cat data/secret_key)}
export STATIC_DIR=${STATIC_DIR:-$PWD/services/client/dist}
export ADMIN_EMAIL=${ADMIN_EMAIL:-admin@example.com}
export ADMIN_USERNAME=${ADMIN_USERNAME:-admin}
export ADMIN_PASSWORD=${ADMIN_PASSWORD:-$(cat data/demo_admin_password)}

cat <<MSG

  users-api on http://localhost:$PORT  (API docs: http://localhost:$PORT/doc)
  Log in as the demo admin: $ADMIN_EMAIL / $ADMIN_PASSWORD
  (kept in data/demo_admin_password; database: $DATABASE_URL). Ctrl-C stops.

MSG
exec services/users/build/release/users-api serve
