#!/usr/bin/env bash
# Installs the Debian packages a make target needs, only when something is missing.
# Usage: scripts/install-deps.sh GROUP... (groups below). Runs apt-get as root, or with sudo.
set -euo pipefail

declare -A GROUPS_PKGS=(
  [build]="build-essential pkg-config libmicrohttpd-dev libjansson-dev libjwt-dev libcrypt-dev libsqlite3-dev libpq-dev libssl-dev nodejs npm"
  [test]="libcriterion-dev libcurl4-openssl-dev postgresql sqlite3 curl clang-format cppcheck clang libclang-rt-14-dev"
  [client]="nodejs npm chromium chromium-driver fonts-liberation"
  [images]="podman runc debootstrap uidmap slirp4netns fuse-overlayfs openssl"
  [bench]="wrk nginx postgresql postgresql-contrib curl"
)

want=()
for g in "$@"; do
  [[ -n "${GROUPS_PKGS[$g]+x}" ]] || { echo "install-deps: unknown group '$g'" >&2; exit 2; }
  for p in ${GROUPS_PKGS[$g]}; do
    # nodejs/npm: any working node >= 20 on PATH will do (the machine may ship its own build).
    if [[ $p == nodejs || $p == npm ]] && command -v node >/dev/null && command -v npm >/dev/null; then
      continue
    fi
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || want+=("$p")
  done
done

[[ ${#want[@]} -eq 0 ]] && exit 0
echo "install-deps: installing ${want[*]}"
SUDO=""
[[ $(id -u) -eq 0 ]] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
