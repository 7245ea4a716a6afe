#!/usr/bin/env bash
# The main job: set up, build, and run a real workflow on the embedded defaults (SQLite metadata store and
# local blob store in ./.aloft). Until the Container plugin and the Pima pipeline land, the workflow is the
# node-kinds example on the built-in echo plugin: a map, a sub-workflow, a branch and a task; a second run
# shows the cache at work.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
bash scripts/setup.sh
echo "building aloft (first build takes a few minutes)..." >&2
swift build --quiet
aloft=.build/debug/aloft
$aloft version
echo
$aloft plugins list
echo
$aloft graph examples/workflows/node-kinds.yaml --workflow node_kinds
echo
$aloft run examples/workflows/node-kinds.yaml --workflow node_kinds -i threshold=1.5 -i mode=careful
echo
echo "the same run again: cached tasks are reused"
$aloft run examples/workflows/node-kinds.yaml --workflow node_kinds -i threshold=1.5 -i mode=careful
