#!/usr/bin/env bash
# Installs what Aloft needs to build and test on Debian/Ubuntu: the C libraries it links (libcurl,
# OpenSSL, libpq, SQLite, libyaml), PostgreSQL's server (the Postgres store tests start a private one with
# initdb/pg_ctl; the package's own cluster is left alone), a C compiler for the plugin examples, chromium and
# chromium-driver (the console's headless-browser test, ConsoleBrowserTests), and podman
# (with runc) plus the local image localhost/aloft-python:1 for the Container plugin's podman backend
# (ALOFT_SETUP_PODMAN=0 skips podman and the image: the podman tests then fail, saying why). Swift 6.3 must
# already be installed (https://swift.org/install); it is looked for on PATH and in /opt/swift.
set -euo pipefail

packages=(libcurl4-openssl-dev libssl-dev openssl libpq-dev postgresql libsqlite3-dev libyaml-dev gcc make pkg-config
  chromium chromium-driver)
if [ "${ALOFT_SETUP_PODMAN:-1}" = 1 ]; then
  packages+=(podman runc uidmap fuse-overlayfs debootstrap)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Test peers from PyPI: moto's server (S3 and SageMaker with SigV4 checking) for the AWS tests.
if ! python3 -c "import moto.server, boto3" >/dev/null 2>&1 || ! command -v moto_server >/dev/null 2>&1; then
  echo "setup: installing moto[server] for python3" >&2
  python3 -m pip install --quiet 'moto[server]>=5.2,<5.3' 2>/dev/null || python3 -m pip install --quiet --break-system-packages 'moto[server]>=5.2,<5.3'
fi

# The Pima example's tasks use Python with numpy (and pyarrow for the Spark variant's Parquet datasets).
if ! python3 -c "import numpy, pyarrow" >/dev/null 2>&1; then
  echo "setup: installing numpy and pyarrow for python3" >&2
  python3 -m pip install --quiet numpy pyarrow 2>/dev/null || python3 -m pip install --quiet --break-system-packages numpy pyarrow
fi

# Spark (PyPI pyspark 4.x: spark-submit, the standalone master and worker, Spark's HiveServer2; Java 17) and
# the BigQuery emulator (PyPI bqemulator), each in its own venv under $ALOFT_PEERS (scripts/env.sh).
# ALOFT_SETUP_PEERS=0 skips both: the Spark, Hive and BigQuery tests then fail, saying why.
if [ "${ALOFT_SETUP_PEERS:-1}" = 1 ]; then
  bash "$(dirname "$0")/setup-peers.sh"
fi

if [ "${ALOFT_SETUP_PODMAN:-1}" = 1 ]; then
  bash "$(dirname "$0")/build-image.sh"
fi

if ! command -v swift >/dev/null 2>&1; then
  if [ -x /opt/swift/usr/bin/swift ]; then
    echo "setup: add /opt/swift/usr/bin to PATH" >&2
  else
    echo "setup: error: no Swift toolchain found; install Swift 6.3 from https://swift.org/install" >&2
  fi
  exit 1
fi
