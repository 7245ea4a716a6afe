#!/usr/bin/env bash
# The server's load (issue 20): wrk against `aloft serve` (release build) with 100,000 executions stored,
# then the same while 1,000 executions run in the server's engine. A benchmark, never a test.
#
#   bash scripts/bench-server.sh
#
# Settings (environment):
#   EXECUTIONS=100000   executions stored (one real one, cloned in SQL: same rows, new ids and times)
#   RUNNING=1000        executions launched through the API for the "while running" rounds
#   DELAY_MS=60000      how long each of those runs (an echo task's delay_ms)
#   WRK="-t2 -c4 -d10s" wrk's load (each run ≤ 15 s: the machine is shared)
#   SKIP_BUILD=1        use .build/release/aloft (and aloft-server, which `aloft serve` runs) as they are
#   WRK_LOGS=/tmp/bench-server-wrk   where each run's whole wrk output is kept (its latency distribution)
#   PROFILE=1|running   perf record -g of the server during the idle (or running) list round, into
#                       WRK_LOGS/list-idle.perf.data (list-running.perf.data)
#
# Workload: one project, SQLite store; GET /api/v1/executions/{id} (an execution of one node) and
# GET /api/v1/executions?project=bench&limit=50 (the first page, newest first); a floor for the machine is
# wrk against a static file of the same size served by python3 -m http.server. Prints one line per run.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
EXECUTIONS=${EXECUTIONS:-100000}
RUNNING=${RUNNING:-1000}
DELAY_MS=${DELAY_MS:-60000}
WRK_ARGS=${WRK:--t2 -c4 -d10s}
WRK_LOGS=${WRK_LOGS:-/tmp/bench-server-wrk}
mkdir -p "$WRK_LOGS"

command -v wrk > /dev/null || { apt-get install -y wrk > /dev/null || sudo apt-get install -y wrk > /dev/null; }
command -v sqlite3 > /dev/null || { apt-get install -y sqlite3 > /dev/null || sudo apt-get install -y sqlite3 > /dev/null; }
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    { flock /tmp/aloft-swift.lock swift build -c release --product aloft && flock /tmp/aloft-swift.lock swift build -c release --product aloft-server; } > /tmp/bench-server-build.log 2>&1 \
        || { tail -20 /tmp/bench-server-build.log; exit 1; }
fi
ALOFT=$ROOT/.build/release/aloft

DIR=$(mktemp -d /tmp/aloft-bench-server.XXXXXX)
SERVER=""
FLOOR=""
cleanup() {
    [ -n "$SERVER" ] && kill "$SERVER" 2> /dev/null && wait "$SERVER" 2> /dev/null
    [ -n "$FLOOR" ] && kill "$FLOOR" 2> /dev/null && wait "$FLOOR" 2> /dev/null
    rm -rf "$DIR"
}
trap cleanup EXIT
cd "$DIR"
export HOME=$DIR

cat > spec.yaml << EOF
version: 1
tasks:
  square: {type: echo, inputs: {x: integer}, outputs: {x: integer}}
  slow: {type: echo, config: {delay_ms: $DELAY_MS}, inputs: {x: integer}, outputs: {x: integer}}
workflows:
  w:
    inputs: {x: integer}
    outputs: {x: {type: integer, from: \$s.x}}
    nodes: [{id: s, task: square, inputs: {x: \$inputs.x}}]
  sleepy:
    inputs: {x: integer}
    outputs: {x: {type: integer, from: \$s.x}}
    nodes: [{id: s, task: slow, inputs: {x: \$inputs.x}}]
EOF
"$ALOFT" projects create bench > /dev/null
"$ALOFT" register spec.yaml --version v1 --project bench > /dev/null
TOKEN=$("$ALOFT" tokens create --project bench --role launcher 2> /dev/null | tr -d '[:space:]')

"$ALOFT" serve --address 127.0.0.1:0 > serve.out 2> serve.log &
SERVER=$!
for _ in $(seq 100); do grep -q "^listening on " serve.out && break; sleep 0.1; done
URL=$(sed -n 's/^listening on //p' serve.out)
[ -n "$URL" ] || { echo "aloft serve did not start: $(cat serve.log)" >&2; exit 1; }
auth=(-H "Authorization: Bearer $TOKEN")
launch() { # WORKFLOW X -> the new execution's id
    curl -sf "${auth[@]}" -H 'Content-Type: application/json' \
        -d "{\"project\":\"bench\",\"domain\":\"development\",\"name\":\"$1\",\"inputs\":{\"x\":$2}}" \
        "$URL/api/v1/executions" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}
phase() { curl -sf "${auth[@]}" "$URL/api/v1/executions/$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["phase"])'; }

# One real execution, then EXECUTIONS-1 clones of its rows (a second apart, older than it).
FIRST=$(launch w 7)
for _ in $(seq 200); do [ "$(phase "$FIRST")" = succeeded ] && break; sleep 0.1; done
[ "$(phase "$FIRST")" = succeeded ] || { echo "the first execution did not succeed: $(cat serve.log)" >&2; exit 1; }
sqlite3 .aloft/metadata.sqlite << EOF
.timeout 10000
BEGIN;
CREATE TEMP TABLE n AS WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < $EXECUTIONS - 1) SELECT i FROM c;
INSERT INTO executions (id, project, domain, workflow, spec, inputs, phase, outputs, error, created_at, updated_at,
                        recovered_from, abort_requested, launched_from, labels)
  SELECT printf('bench-%06d', n.i), project, domain, workflow, spec, inputs, phase, outputs, error,
         created_at - n.i * 1000, updated_at - n.i * 1000, recovered_from, abort_requested, launched_from, labels
  FROM executions, n WHERE id = '$FIRST';
INSERT INTO node_executions (execution_id, node_id, state, phase, plugin_id, task_execution_id, resource_state, inputs,
                             outputs, status_message, updated_at, task_version, cached_from, log_links)
  SELECT printf('bench-%06d', n.i), node_id, state, phase, plugin_id, task_execution_id, resource_state, inputs,
         outputs, status_message, updated_at - n.i * 1000, task_version, cached_from, log_links
  FROM node_executions, n WHERE execution_id = '$FIRST';
COMMIT;
ANALYZE;
EOF
STORED=$(sqlite3 .aloft/metadata.sqlite "SELECT count(*) FROM executions")
echo "machine: $(nproc) cores, $(uname -m), load average $(cut -d' ' -f1-3 /proc/loadavg); $STORED executions stored"

GET_PATH="/api/v1/executions/bench-050000"
LIST_PATH="/api/v1/executions?project=bench&limit=50"
curl -sf "${auth[@]}" "$URL$GET_PATH" > get.json
curl -sf "${auth[@]}" "$URL$LIST_PATH" > list.json
[ "$(python3 -c 'import json; print(len(json.load(open("list.json"))["executions"]))')" = 50 ] \
    || { echo "the list page is not 50 executions: $(head -c 300 list.json)" >&2; exit 1; }

# wrk LABEL URL [HEADER]: one line "LABEL  p50 … p99 … req/s … errors …".
bench() {
    local label=$1 url=$2
    shift 2
    wrk $WRK_ARGS --latency "$@" "$url" > wrk.out 2>&1 || { cat wrk.out >&2; return 1; }
    cp wrk.out "$WRK_LOGS/$(echo "$label" | tr 'A-Z' 'a-z' | tr -c 'a-z0-9\n' '-' | tr -s '-').txt"
    python3 - "$label" << 'EOF'
import re, sys
t = open("wrk.out").read()
def lat(p):
    m = re.search(r"^\s*%s%%\s+([\d.]+)(us|ms|s)\b" % p, t, re.M)
    return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
total = int(re.search(r"(\d+) requests in", t).group(1))
non2xx = int((re.search(r"Non-2xx or 3xx responses: (\d+)", t) or [0, 0])[1])
sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", t)
socket_errors = sum(int(x) for x in sock.groups()) if sock else 0
print(f"{sys.argv[1]:<44} p50 {lat(50):7.2f} ms   p99 {lat(99):7.2f} ms   {rps:8.0f} req/s   "
      f"{total} requests, {non2xx} non-2xx, {socket_errors} socket errors")
EOF
}
H="Authorization: Bearer $TOKEN"

# The floor: the same bytes as a static file from python3's http.server on this machine.
mkdir floor && cp get.json floor/get.json && cp list.json floor/list.json
python3 -m http.server 0 --bind 127.0.0.1 --directory floor > floor.out 2>&1 &
FLOOR=$!
for _ in $(seq 50); do grep -q "port" floor.out && break; sleep 0.1; done
FLOOR_PORT=$(sed -n 's/.*port \([0-9]*\).*/\1/p' floor.out | head -1)

echo "wrk $WRK_ARGS; GET = $GET_PATH ($(wc -c < get.json) bytes); list = $LIST_PATH ($(wc -c < list.json) bytes)"
bench "floor: python3 http.server, static get.json" "http://127.0.0.1:$FLOOR_PORT/get.json"
bench "floor: python3 http.server, static list.json" "http://127.0.0.1:$FLOOR_PORT/list.json"
kill "$FLOOR" && wait "$FLOOR" 2> /dev/null || true
FLOOR=""
bench "idle: GET execution" "$URL$GET_PATH" -H "$H"
# PROFILE=1 (or idle): perf of the server during the idle list round; PROFILE=running: during the running one.
profile() {
    PERF=""
    if [ "${PROFILE:-0}" = "$1" ] || { [ "$1" = idle ] && [ "${PROFILE:-0}" = 1 ]; }; then
        perf record -g -p "$SERVER" -o "$WRK_LOGS/list-$1.perf.data" -- sleep 8 > /dev/null 2>&1 &
        PERF=$!
    fi
}
profile idle
bench "idle: list page (50)" "$URL$LIST_PATH" -H "$H"
if [ -n "$PERF" ]; then wait "$PERF" || true; fi

# RUNNING executions of an echo task that waits DELAY_MS, launched through the API (4 at a time).
start=$(date +%s.%N)
seq "$RUNNING" | xargs -P4 -I{} curl -sf -o /dev/null -w '%{http_code}\n' "${auth[@]}" \
    -H 'Content-Type: application/json' \
    -d '{"project":"bench","domain":"development","name":"sleepy","inputs":{"x":{}}}' \
    "$URL/api/v1/executions" > launches.txt || true
launched=$(grep -c '^201$' launches.txt || true)
echo "launched $launched of $RUNNING executions (each runs ${DELAY_MS} ms) in $(python3 -c "import time; print(round(time.time() - $start, 1))") s"
running() { sqlite3 .aloft/metadata.sqlite ".timeout 5000" "SELECT count(*) FROM executions WHERE workflow = 'sleepy' AND phase IN ('queued', 'running')"; }
echo "running: $(running)"
bench "running $RUNNING: GET execution" "$URL$GET_PATH" -H "$H"
echo "running: $(running)"
profile running
bench "running $RUNNING: list page (50)" "$URL$LIST_PATH" -H "$H"
if [ -n "$PERF" ]; then wait "$PERF" || true; fi
echo "running: $(running); server rss $(($(awk '/VmRSS/ {print $2}' /proc/$SERVER/status) / 1024)) MB, load average $(cut -d' ' -f1-3 /proc/loadavg)"
if grep -qi "error" serve.log; then echo "server log errors: $(grep -ci error serve.log)"; grep -i error serve.log | head -3; fi
