#!/usr/bin/env bash
# Builds the local image the podman backend runs the Pima pipeline in: Debian bookworm (minbase) with python3
# and numpy, imported into podman as localhost/aloft-python:1. No registry is needed: debootstrap fetches
# Debian's packages and `podman import` makes the image. Skips the build when the image is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
image=${ALOFT_PYTHON_IMAGE:-localhost/aloft-python:1}
export CONTAINERS_CONF=${CONTAINERS_CONF:-$PWD/scripts/containers.conf}
if podman image exists "$image"; then
    echo "image $image is there" >&2
    exit 0
fi
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
rootfs=$(mktemp -d /tmp/aloft-rootfs.XXXXXX)
trap 'rm -rf "$rootfs"' EXIT
echo "building $image with debootstrap (about a minute)..." >&2
debootstrap --variant=minbase --include=python3,python3-numpy bookworm "$rootfs" "$mirror" >/tmp/aloft-debootstrap.log 2>&1 || {
    tail -20 /tmp/aloft-debootstrap.log >&2; exit 1; }
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
tar -C "$rootfs" -c . | podman import --change 'CMD ["/bin/bash"]' - "$image" >/dev/null
podman run --rm --network none "$image" python3 -c 'import numpy; print("numpy", numpy.__version__)' >&2
