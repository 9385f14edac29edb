#!/usr/bin/env bash
# Builds the local stand-in for debian:bookworm-slim (no registry is reachable
# for base images here): debootstrap minbase, imported into podman. Cached:
# does nothing when the image already exists. About a minute the first time.
set -euo pipefail
PODMAN=${PODMAN:-podman}
IMAGE=${BASE_IMAGE:-debian:bookworm-slim}
if $PODMAN image exists "$IMAGE"; then
  exit 0
fi
command -v debootstrap >/dev/null || { echo "base-image: debootstrap missing (apt-get install debootstrap)" >&2; exit 1; }
dir=$(mktemp -d /var/tmp/bookworm-rootfs.XXXXXX)
trap 'rm -rf "$dir"' EXIT
echo "base-image: debootstrap bookworm (minbase) -> $IMAGE"
debootstrap --variant=minbase bookworm "$dir" >"$dir.log" 2>&1 || { tail -20 "$dir.log" >&2; exit 1; }
rm -f "$dir.log"
# Like the official slim image: no downloaded .debs, apt lists, docs, man pages
# or translations, and dpkg told to keep it that way for later installs.
rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/cache/apt/*.bin "$dir"/var/lib/apt/lists/* \
  "$dir"/usr/share/doc/* "$dir"/usr/share/man/* "$dir"/usr/share/info/* "$dir"/usr/share/locale/*
cat >"$dir/etc/dpkg/dpkg.cfg.d/docker" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
CFG
echo 'APT::Install-Recommends "false";' >"$dir/etc/apt/apt.conf.d/docker-no-recommends"
cat >"$dir/etc/apt/apt.conf.d/docker-clean" <<'CFG'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
CFG
tar -C "$dir" -c . | $PODMAN import --quiet --change 'CMD ["bash"]' - "$IMAGE" >/dev/null
echo "base-image: $IMAGE ready"
