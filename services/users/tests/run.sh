#!/usr/bin/env bash
# Runs the users-api test binaries of build/$MODE/tests: unit tests, then the API
# tests once per backend (SQLite, then a throwaway PostgreSQL server started here).
# Usage: tests/run.sh all|unit|api
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
MODE=${MODE:-asan}
build=build/$MODE
export USERS_API_BIN=$PWD/$build/users-api
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

tmp=$(mktemp -d /tmp/users-api-tests.XXXXXX)
chmod 755 "$tmp"
cleanup() { tests/pg.sh stop "$tmp/pg" >/dev/null 2>&1 || true; rm -rf "$tmp"; }
trap cleanup EXIT

TEST_PG_URL=$(tests/pg.sh start "$tmp/pg")
export TEST_PG_URL
export TEST_TMPDIR=$tmp

failed=0
run() { # name, binary, extra criterion args...
  local name=$1 bin=$2; shift 2
  echo "== $name: $(basename "$bin")"
  "$bin" --jobs=2 "$@" || failed=1
}

if [[ $what == all || $what == unit ]]; then
  for t in "$build"/tests/unit_*; do [[ -x $t ]] && run unit "$t"; done
fi
if [[ $what == all || $what == api ]]; then
  for backend in sqlite postgres; do
    export TEST_BACKEND=$backend
    for t in "$build"/tests/api_*; do [[ -x $t ]] && run "api on $backend" "$t"; done
  done
fi
exit $failed
