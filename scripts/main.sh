#!/usr/bin/env bash
# The main job: set up, build, and run the seed's ML pipeline on the Pima Indians diabetes data (prepare and
# split, train, evaluate, metrics) on the embedded defaults: the Container plugin's process backend, a SQLite
# metadata store and a local blob store in ./.aloft. Then run it again with another hyperparameter: the data
# preparation comes from the cache and only training onwards runs again.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
ALOFT_SETUP_PODMAN=0 bash scripts/setup.sh   # the main job runs on the process backend: no podman, no image
echo "building aloft (first build takes a few minutes)..." >&2
swift build --quiet
aloft=.build/debug/aloft
$aloft graph examples/pima/pima.yaml
echo
$aloft run examples/pima/pima.yaml
echo
echo "again with epochs=800: prepare is cached, training onwards runs again"
$aloft run examples/pima/pima.yaml -i epochs=800
