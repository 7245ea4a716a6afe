#!/usr/bin/env bash
# The main job: set up, build, and show the plugin host at work.
# (Until the workflow engine lands, the main job builds Aloft, lists the plugins it loads, and compiles and
# draws the example workflows.)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
bash scripts/setup.sh
echo "building aloft (first build takes a few minutes)..." >&2
swift build --quiet
.build/debug/aloft version
echo
.build/debug/aloft plugins list
echo
.build/debug/aloft compile examples/workflows/hello.yaml examples/workflows/node-kinds.yaml
echo
.build/debug/aloft graph examples/workflows/node-kinds.yaml --workflow node_kinds
