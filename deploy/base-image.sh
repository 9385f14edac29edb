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
# like the official slim image: no apt lists, no caches
rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin
tar -C "$dir" -c . | $PODMAN import --change 'CMD ["bash"]' - "$IMAGE" >/dev/null
echo "base-image: $IMAGE ready"
