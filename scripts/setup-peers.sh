#!/usr/bin/env bash
# Installs the test peers that come from PyPI, each in its own venv under $ALOFT_PEERS:
#   spark/       pyspark 4.x (spark-submit, spark-class, Spark's HiveServer2) + pyarrow/pandas for jobs and checks,
#                pyhive + thrift (the Hive benchmark's peer); needs Java 17 (Debian's openjdk-17-jdk-headless).
#   bigquery/    bqemulator 1.4.0 with the DuckDB extensions it loads, and google-cloud-bigquery (the benchmark peer).
#   schemathesis/ schemathesis 4.x: checks `aloft serve` against its OpenAPI document (AloftServerTests).
#   selenium/    selenium 4.x: drives Debian's headless chromium through the console (ConsoleBrowserTests).
# Idempotent: a venv whose marker file exists is left alone.
set -euo pipefail
source "$(dirname "$0")/env.sh"
mkdir -p "$ALOFT_PEERS"

# Java 17 with javac and jar (the Hive tests compile a small launcher against Spark's jars), and iproute2
# (the Hive tests run Spark's HTTP Thrift server in a private network namespace: `ip netns`).
if ! command -v javac >/dev/null 2>&1 || ! command -v ip >/dev/null 2>&1; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing openjdk-17-jdk-headless and iproute2" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq openjdk-17-jdk-headless iproute2 >/dev/null
fi

# The real interpreter, not pyenv's shim: venvs made from a shim break when the shim's version changes.
python=$(python3 -c 'import sys; print(sys.executable)')

venv() {  # venv NAME MARKER PACKAGES...
  local name=$1 marker=$2; shift 2
  local dir="$ALOFT_PEERS/$name"
  [ -f "$dir/.$marker" ] && return 0
  echo "setup: installing $* into $dir (takes a minute or two)" >&2
  rm -rf "$dir"
  "$python" -m venv "$dir"
  "$dir/bin/pip" install --quiet --disable-pip-version-check "$@"
  touch "$dir/.$marker"
}

venv spark installed-1 'pyspark>=4,<5' 'pyarrow' 'pandas' 'pyhive' 'thrift'
venv bigquery installed-1 'bqemulator==1.4.0' 'duckdb==1.5.5' 'duckdb-extensions==1.5.5' \
  'duckdb-extension-spatial==1.5.5' 'duckdb-extension-avro==1.5.5' numpy google-cloud-bigquery
venv schemathesis installed-1 'schemathesis>=4.3,<5'
venv selenium installed-1 'selenium>=4.20,<5'
# bqemulator loads its DuckDB extensions from $HOME/.duckdb: install them into the home the tests give it.
if [ ! -f "$ALOFT_PEERS/bigquery/.extensions-1" ]; then
  mkdir -p "$ALOFT_PEERS/bigquery/home"
  HOME="$ALOFT_PEERS/bigquery/home" "$ALOFT_PEERS/bigquery/bin/python" -c \
    "import duckdb_extensions as d; d.import_extension('spatial'); d.import_extension('avro')"
  touch "$ALOFT_PEERS/bigquery/.extensions-1"
fi
