#!/usr/bin/env bash
# The main job on the podman backend: every Pima task in an OCI container (localhost/aloft-python:1). Starts
# `podman system service` on a private socket for the run and stops it afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
bash scripts/setup.sh
swift build --quiet
export CONTAINERS_CONF=$PWD/scripts/containers.conf
dir=$(mktemp -d /tmp/aloft-podman.XXXXXX)
# Started from its own directory: conmon leaves files (an `oom` marker) in the service's working directory.
(cd "$dir" && exec podman system service --time=0 "unix://$dir/podman.sock" >"$dir/service.log" 2>&1) &
service=$!
trap 'kill $service 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 100); do [ -S "$dir/podman.sock" ] && break; sleep 0.1; done
export ALOFT_PODMAN_SOCKET=$dir/podman.sock
.build/debug/aloft run --config examples/pima/podman.yaml examples/pima/pima.yaml "$@"
