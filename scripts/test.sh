#!/usr/bin/env bash
# Sets up and runs every test: builds everything (the tests load the built plugin libraries and run the
# built `aloft`), then `swift test`. Peers the tests need are started by the tests or by this script;
# with CI=true a missing peer fails the run instead of being skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
bash scripts/setup.sh
swift build --build-tests
swift test --skip-build --disable-xctest
