#!/usr/bin/env bash
# Aloft against flytekit on the same workloads, on this machine, in one run (issue 7).
#
#   bash scripts/bench-compare.sh                       # both systems, RUNS rounds, writes bench/results.md
#   SKIP_ALOFT=1 RUNS=1 bash scripts/bench-compare.sh   # only the flytekit half (no Swift build)
#
# Settings (environment):
#   RUNS=5                 rounds; each round runs every workload once per system, alternating which goes first
#   CHAIN_NS="1000 10000"  lengths of the chains        (aloft-bench chain N   / flytekit chain_wf)
#   MAP_NS="10000 100000"  items of the maps            (aloft-bench map N     / flytekit map_wf)
#   CACHED_N=100           length of the cached chain   (aloft-bench cached-chain N / flytekit cached_chain_wf)
#   BENCH_VENV=.bench-venv the private venv for flytekit (it downgrades botocore: never share it)
#   SKIP_ALOFT=1           flytekit half only;  SKIP_BUILD=1: use the binaries already in .build/release
#   ALOFT_BENCH_ECHO_TYPE=c-echo-sync   the C echo's task type aloft-bench runs (c-echo: its asynchronous
#                          submit/poll/finalize type); `aloft run` uses the Swift echo's echo-sync
#   BENCH_RESULTS=bench/results.md   where the report goes
#
# Workloads (each row of the report; "in-process" = the engine inside one process, timed around the run only):
#   chain              in-process  aloft-bench chain N                 | run_inprocess.py chain N
#   map                in-process  aloft-bench map N                   | run_inprocess.py map N
#   one                in-process  aloft-bench chain 1                 | run_inprocess.py one
#   cached-chain-warm  in-process  aloft-bench cached-chain N          | run_inprocess.py cached-chain N
#   one-process        whole command: aloft run bench/aloft/one-node.yaml (fresh store) | pyflyte run workflows.py one_wf
#   cached-chain-process-warm  whole command, second run on the same store/cache:
#                      aloft run <generated N-node cached chain>       | pyflyte run workflows.py cached_chain_wf
#
# aloft-bench prints one JSON line per measurement with --json (the schema of run_inprocess.py); the human text
# lines ("total X s   per node Y µs   peak RSS Z MB") are parsed only as a fallback.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
source scripts/env.sh

RUNS=${RUNS:-5}
CHAIN_NS=${CHAIN_NS:-${CHAIN_N:-1000 10000}}
MAP_NS=${MAP_NS:-${MAP_N:-10000 100000}}
CACHED_N=${CACHED_N:-100}
BENCH_VENV=${BENCH_VENV:-.bench-venv}
SKIP_ALOFT=${SKIP_ALOFT:-0}
SKIP_BUILD=${SKIP_BUILD:-0}
RESULTS=${BENCH_RESULTS:-bench/results.md}
FLY=$ROOT/bench/flytekit

WORK=$(mktemp -d "${TMPDIR:-/tmp}/aloft-bench-compare.XXXXXX")
# Every run's files (stores, sandboxes) stay until the end: ext4 allocates inodes slowly for a while after a
# mass deletion (its recently_deleted scan), which made each round slower than the last for both systems.
export ALOFT_BENCH_KEEP_STORES=1
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/tmp"
RAW=$WORK/raw.jsonl
: >"$RAW"
log() { echo "bench-compare: $*" >&2; }

# --- flytekit in its private venv ------------------------------------------------------------------------------
case "$BENCH_VENV" in /*) ;; *) BENCH_VENV=$ROOT/$BENCH_VENV ;; esac
install_start=$(date +%s.%N)
if [ ! -x "$BENCH_VENV/bin/python" ]; then
  log "creating $BENCH_VENV"
  python3 -m venv "$BENCH_VENV"
fi
PY=$BENCH_VENV/bin/python
if TMPDIR=$WORK/tmp "$PY" -c 'import flytekit, sys; sys.exit(0 if flytekit.__version__.startswith("1.16.") else 1)' 2>/dev/null; then
  install_note="already installed"
else
  log "pip install flytekit==1.16.* into $BENCH_VENV (about a minute)"
  "$PY" -m pip install --quiet --disable-pip-version-check "flytekit==1.16.*"
  install_note="installed now"
fi
install_seconds=$(python3 -c "import sys; print(round($(date +%s.%N) - $install_start, 1))")
FLYTEKIT_VERSION=$(TMPDIR=$WORK/tmp "$PY" -c 'import flytekit; print(flytekit.__version__)')
PYTHON_VERSION=$("$PY" -c 'import platform; print(platform.python_version())')
log "flytekit $FLYTEKIT_VERSION ($install_note, ${install_seconds} s), python $PYTHON_VERSION"

# --- Aloft, release build -----------------------------------------------------------------------------------------
REL=$ROOT/.build/release
SWIFT_VERSION="not used (SKIP_ALOFT=1)"
if [ "$SKIP_ALOFT" != 1 ]; then
  SWIFT_VERSION=$(swift --version 2>&1 | head -n1)
  if [ "$SKIP_BUILD" != 1 ]; then
    for product in aloft-bench aloft AloftPluginEcho; do
      log "swift build -c release --product $product"
      swift build -c release --product "$product"
    done
  fi
  for f in aloft-bench aloft libAloftPluginEcho.so; do
    [ -e "$REL/$f" ] || { log "missing $REL/$f"; exit 1; }
  done
fi

# --- helpers (python, written to the work directory) --------------------------------------------------------------
# Runs a command as a whole process: wall time (perf_counter) and the child's peak RSS; checks exit code and output.
cat >"$WORK/measure.py" <<'EOF'
import json, os, re, resource, subprocess, sys, time
system, workload, n, expect = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
cmd = sys.argv[5:]
t0 = time.perf_counter()
p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
elapsed = time.perf_counter() - t0
out = p.stdout.decode(errors="replace")
if p.returncode != 0 or not re.search(expect, out):
    sys.stderr.write(f"{system} {workload}: exit {p.returncode}, expected /{expect}/ in:\n{out[-2000:]}\n")
    print(json.dumps({"system": system, "workload": workload, "n": n, "missing": f"failed (exit {p.returncode})"}))
    sys.exit(0)
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
print(json.dumps({"system": system, "workload": workload, "n": n, "seconds": round(elapsed, 6),
                  "per_item_us": round(elapsed / n * 1e6, 2), "peak_rss_mb": round(rss, 1)}))
EOF

# Reads aloft-bench's stdout: JSON lines if there are any, else its human text (see ASSUMPTIONS above).
cat >"$WORK/parse_aloft.py" <<'EOF'
import json, re, sys
workload, n, rc = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
text = sys.stdin.buffer.read().decode(errors="replace")
out = []
for line in text.splitlines():
    line = line.strip()
    if line.startswith("{"):
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if isinstance(rec, dict) and rec.get("system") == "aloft":
            out.append(rec)
def parse(line):
    total = re.search(r"total\s+([\d.]+)\s*s\b", line)
    per = re.search(r"per (?:node|item)\s+([\d.]+)\s*\S{0,2}s\b", line)
    rss = re.search(r"peak RSS\s+([\d.]+)\s*MB", line)
    if not (total or per):
        return None
    seconds = float(per.group(1)) * n / 1e6 if per else float(total.group(1))
    return {"seconds": round(seconds, 6), "per_item_us": round(seconds / n * 1e6, 2),
            "peak_rss_mb": float(rss.group(1)) if rss else None}
if not out and rc == 0 and "usage:" not in text:
    lines = text.splitlines()
    if workload == "cached-chain":
        for phase in ("cold", "warm"):
            for line in lines:
                if phase in line.lower() and (rec := parse(line)):
                    out.append({"system": "aloft", "workload": f"cached-chain-{phase}", "n": n, **rec})
                    break
    else:
        rss_line = next((l for l in lines if "peak RSS" in l), "")
        for line in lines:
            if line.lstrip().startswith("total") and (rec := parse(line + " " + rss_line)):
                out.append({"system": "aloft", "workload": workload, "n": n, **rec})
                break
if not out:
    why = "aloft-bench has no " + workload if "usage:" in text else f"unparsed output (exit {rc})"
    sys.stderr.write(f"bench-compare: aloft-bench {workload}: {why}" + ("\n" if "usage:" in text else f":\n{text[-1500:]}\n"))
    name = "cached-chain-warm" if workload == "cached-chain" else workload
    out.append({"system": "aloft", "workload": name, "n": n, "missing": why})
for rec in out:
    rec.setdefault("n", n)
    if workload == "one" and rec.get("workload") == "chain":
        rec["workload"] = "one"
    print(json.dumps(rec))
EOF

# The N-node cached chain for `aloft run` (distinct cache keys: echo returns x unchanged, i differs per node).
"$PY" - "$CACHED_N" >"$WORK/cached-chain.yaml" <<'EOF'
import sys
n = int(sys.argv[1])
print('version: 1\ntasks:\n  step: {type: echo-sync, inputs: {x: integer, i: integer}, outputs: {x: integer}, cache: {version: "1"}}')
print(f"workflows:\n  cached_chain:\n    outputs:\n      x: {{type: integer, from: $n{n - 1}.x}}\n    nodes:")
print("      - {id: n0, task: step, inputs: {x: 1, i: 0}}")
for i in range(1, n):
    print(f"      - {{id: n{i}, task: step, inputs: {{x: $n{i - 1}.x, i: {i}}}}}")
EOF

# --- one measurement per system and workload ---------------------------------------------------------------------
record() {  # round, then JSON lines on stdin -> raw.jsonl
  "$PY" -c '
import json, sys
r = int(sys.argv[1])
for line in sys.stdin:
    line = line.strip()
    if line.startswith("{"):
        rec = json.loads(line); rec["round"] = r; print(json.dumps(rec))
' "$1" >>"$RAW"
}

run_aloft() {  # round workload[:n]
  local r=$1 w=${2%%:*} rc=0 out
  local given_n=; [ "$2" != "$w" ] && given_n=${2#*:}
  # Every run gets its own TMPDIR: aloft-bench leaves its stores (aloft-bench-store-*) and C echo there.
  local tmp; tmp=$(mktemp -d "$WORK/tmp/aloft.XXXXXX")
  case $w in
    chain|map|one|cached-chain)
      local cmd=$w n
      case $w in chain|map) n=$given_n ;; one) cmd=chain; n=1 ;; cached-chain) n=$CACHED_N ;; esac
      out=$(cd "$tmp" && TMPDIR=$tmp ALOFT_BENCH_ECHO_TYPE=${ALOFT_BENCH_ECHO_TYPE:-c-echo-sync} \
        "$REL/aloft-bench" "$cmd" "$n" --json 2>&1) || rc=$?
      printf '%s\n' "$out" | "$PY" "$WORK/parse_aloft.py" "$w" "$n" "$rc" | record "$r"
      ;;
    one-process)
      (cd "$tmp" && TMPDIR=$tmp "$PY" "$WORK/measure.py" aloft one-process 1 'x = 1' \
        "$REL/aloft" run "$ROOT/bench/aloft/one-node.yaml" --store "$tmp/store") | record "$r"
      ;;
    cached-chain-process-warm)
      (cd "$tmp" && TMPDIR=$tmp "$REL/aloft" run "$WORK/cached-chain.yaml" --store "$tmp/store" >/dev/null) || log "aloft cold run failed"
      (cd "$tmp" && TMPDIR=$tmp "$PY" "$WORK/measure.py" aloft cached-chain-process-warm "$CACHED_N" "succeeded" \
        "$REL/aloft" run "$WORK/cached-chain.yaml" --store "$tmp/store") | record "$r"
      ;;
  esac
  # Kept until the end (see below): no mass deletion between runs.
}

run_flytekit() {  # round workload[:n]
  local r=$1 w=${2%%:*} rc=0 out n=1 cached_n=1
  local tmp; tmp=$(mktemp -d "$WORK/tmp/flytekit.XXXXXX")
  mkdir -p "$tmp/home"
  case $w in chain|map) n=${2#*:} ;; cached-chain|cached-chain-process-warm) n=$CACHED_N; cached_n=$CACHED_N ;; esac
  # A private HOME (flytekit's local cache is ~/.flyte/local-cache; no user config is read) and TMPDIR (local
  # execution makes a sandbox directory there, with an empty directory per task); no __pycache__ in bench/.
  # BENCH_N / BENCH_CACHED_N are the chain lengths workflows.py builds (1 when the workload does not use them).
  local env=(env HOME="$tmp/home" TMPDIR="$tmp" PYTHONDONTWRITEBYTECODE=1 BENCH_N=1 BENCH_CACHED_N="$cached_n")
  case $w in
    chain|map|one|cached-chain)
      out=$(cd "$tmp" && "${env[@]}" BENCH_FLYTE_CACHE_DIR="$tmp/cache" "$PY" "$FLY/run_inprocess.py" "$w" "$n") || rc=$?
      ;;
    one-process)
      out=$(cd "$FLY" && "${env[@]}" "$PY" "$WORK/measure.py" flytekit one-process 1 '(?m)^2$' \
        "$BENCH_VENV/bin/pyflyte" run workflows.py one_wf --x 1) || rc=$?
      ;;
    cached-chain-process-warm)
      (cd "$FLY" && "${env[@]}" "$BENCH_VENV/bin/pyflyte" run workflows.py cached_chain_wf >/dev/null) || log "pyflyte cold run failed"
      out=$(cd "$FLY" && "${env[@]}" "$PY" "$WORK/measure.py" flytekit cached-chain-process-warm "$CACHED_N" "(?m)^$((CACHED_N + 1))$" \
        "$BENCH_VENV/bin/pyflyte" run workflows.py cached_chain_wf) || rc=$?
      ;;
  esac
  if [ "$rc" != 0 ]; then
    log "flytekit $w failed (exit $rc)"
    [ "$w" = cached-chain ] && w=cached-chain-warm
    out="$out"$'\n'"{\"system\": \"flytekit\", \"workload\": \"$w\", \"n\": $n, \"missing\": \"failed (exit $rc)\"}"
  fi
  printf '%s\n' "$out" | record "$r"
}

WORKLOADS=()
for n in $CHAIN_NS; do WORKLOADS+=("chain:$n"); done
for n in $MAP_NS; do WORKLOADS+=("map:$n"); done
WORKLOADS+=(one cached-chain one-process cached-chain-process-warm)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for r in $(seq 1 "$RUNS"); do
  for w in "${WORKLOADS[@]}"; do
    if [ "$SKIP_ALOFT" = 1 ]; then
      log "round $r/$RUNS: $w (flytekit)"; run_flytekit "$r" "$w"
    elif [ $((r % 2)) = 1 ]; then
      log "round $r/$RUNS: $w (aloft, then flytekit)"; run_aloft "$r" "$w"; run_flytekit "$r" "$w"
    else
      log "round $r/$RUNS: $w (flytekit, then aloft)"; run_flytekit "$r" "$w"; run_aloft "$r" "$w"
    fi
  done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# --- the report ---------------------------------------------------------------------------------------------------
mkdir -p "$(dirname "$RESULTS")"
CPU_MODEL=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
MEM_TOTAL=$(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
OS_NAME=$(. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-unknown}")
export RUNS CHAIN_NS MAP_NS CACHED_N SKIP_ALOFT SWIFT_VERSION FLYTEKIT_VERSION PYTHON_VERSION CPU_MODEL MEM_TOTAL OS_NAME \
  LOAD_BEFORE LOAD_AFTER install_seconds install_note
export NPROC=$(nproc) DATE=$(date -u '+%Y-%m-%d %H:%M UTC') COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
"$PY" - "$RAW" >"$RESULTS" <<'EOF'
import json, os, statistics, sys
E = os.environ
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]

def fmt(s):
    if s is None:
        return "n/a"
    if s < 1e-3:
        return f"{s * 1e6:.1f} µs"
    if s < 1:
        return f"{s * 1e3:.{1 if s < 0.1 else 0}f} ms"
    return f"{s:.2f} s"

def stats(system, workload, n=None):
    rs = [r for r in recs if r["system"] == system and r["workload"] == workload and (n is None or r.get("n") == n)]
    ok = [r for r in rs if "seconds" in r]
    if not ok:
        return None, (rs[0].get("missing") if rs else None)
    med = lambda k: statistics.median([r[k] for r in ok if r.get(k) is not None]) if any(r.get(k) is not None for r in ok) else None
    return {"seconds": med("seconds"), "per_item_us": med("per_item_us"), "peak_rss_mb": med("peak_rss_mb"),
            "runs": len(ok), "n": ok[0]["n"], "min": min(r["seconds"] for r in ok), "max": max(r["seconds"] for r in ok),
            "compile": med("compile_seconds")}, None

ROWS = [("chain", int(n), f"chain of {int(n):,} no-op tasks, in-process", "≤ 20 µs per node, ≥ 50× flytekit")
        for n in E["CHAIN_NS"].split()]
ROWS += [("map", int(n), f"map over {int(n):,} items, in-process", "100,000 in ≤ 2 s, ≤ 300 MB") for n in E["MAP_NS"].split()]
ROWS += [
    ("one", None, "1-node workflow, in-process", "—"),
    ("cached-chain-cold", None, f"{E['CACHED_N']}-node cached chain, cold (fills the cache), in-process", "—"),
    ("cached-chain-warm", None, f"{E['CACHED_N']}-node cached chain, warm re-run, in-process", "—"),
    ("one-process", None, "1-node workflow, whole command (`aloft run` / `pyflyte run`)", "≤ 30 ms"),
    ("cached-chain-process-warm", None, f"{E['CACHED_N']}-node cached chain, warm re-run, whole command", "—"),
]

def cell(st, miss, n, per_item):
    if st is None:
        return f"n/a ({miss})" if miss else "n/a"
    total = fmt(st["seconds"])
    if n > 1 and per_item:
        return f"{fmt(st['per_item_us'] / 1e6)}/item ({total})"
    return total

out = []
p = out.append
p("# Aloft against flytekit: benchmark results\n")
p(f"Written by `scripts/bench-compare.sh` on {E['DATE']} at commit {E['COMMIT']}: {E['RUNS']} round(s), each running every "
  "workload once per system, alternating which system goes first; medians over the rounds. Aloft: release build, "
  "`aloft-bench` and `aloft run`. flytekit: local execution (`bench/flytekit/run_inprocess.py`, `pyflyte run`).\n")
if E.get("SKIP_ALOFT") == "1":
    p("**Aloft was not run (SKIP_ALOFT=1): flytekit half only.**\n")
p("| workload | Aloft median | flytekit median | Aloft / flytekit | target |")
p("| --- | --- | --- | --- | --- |")
for key, size, label, target in ROWS:
    a, am = stats("aloft", key, size)
    f, fm = stats("flytekit", key, size)
    if a is None and f is None and not am and not fm:
        continue
    n = (a or f)["n"]
    ratio = f"{a['seconds'] / f['seconds']:.2f}×" if a and f and f["seconds"] else "—"
    per_item = "process" not in key  # a whole command's time is not a per-node cost
    p(f"| {label} | {cell(a, am, n, per_item)} | {cell(f, fm, n, per_item)} | {ratio} | {target} |")
p("\nTargets are the README's (Performance). A ratio below 1 means Aloft is faster.\n")
p("Spread and memory (min–max of the run times over the rounds; peak RSS is the median of the process's high-water mark):\n")
p("| workload | system | runs | min–max | peak RSS |")
p("| --- | --- | --- | --- | --- |")
for key, size, label, _ in ROWS:
    for system in ("aloft", "flytekit"):
        st, _m = stats(system, key, size)
        if st:
            rss = f"{st['peak_rss_mb']:.0f} MB" if st["peak_rss_mb"] is not None else "n/a"
            name = f"{key} {size:,}" if size else key
            p(f"| {name} | {system} | {st['runs']} | {fmt(st['min'])}–{fmt(st['max'])} | {rss} |")
comp = [(f"{k} {size:,}", stats("flytekit", k, size)[0]) for k, size, _l, _t in ROWS if k in ("chain", "map")]
comp = [f"{k} {fmt(s['compile'])}" for k, s in comp if s and s.get("compile") is not None]
if comp:
    p(f"\nflytekit's import of the workflow module plus its lazy compile of the workflow, untimed above: {', '.join(comp)} (median).")
p("\n## Machine and versions\n")
p(f"- machine: {E['NPROC']} cores, {E['CPU_MODEL']}, {E['MEM_TOTAL']} memory, {E['OS_NAME']}")
p(f"- load average (1, 5, 15 min): {E['LOAD_BEFORE']} before, {E['LOAD_AFTER']} after")
p(f"- Swift: {E['SWIFT_VERSION']}")
p(f"- flytekit {E['FLYTEKIT_VERSION']} (PyPI, private venv; {E['install_note']}: {E['install_seconds']} s), Python {E['PYTHON_VERSION']}")
p("""
## What differs

flytekit's local execution keeps no durable state: there is no execution record, no node states and no lineage;
every node runs in the calling Python thread, one after the other, its inputs and outputs converted to and from
Flyte literals in memory, and a crash loses the run (there is nothing to resume). It does touch the disk per
task all the same: about seven `mkdir`s and one `rmdir` of empty working directories (a sandbox under
`$TMPDIR/flyte*`, measured with cProfile on flytekit 1.16.31), and three hand-offs to a background asyncio thread
(`run_sync`), together most of its per-task time; nothing is written into those directories. Cached tasks also
use the local cache (`~/.flyte/local-cache`: a `diskcache`, i.e. SQLite plus files, keyed by task name, cache
version and a hash of the inputs). Aloft keeps every node durable: its end (state, inputs and outputs up to
64 KiB inline, lineage) in the SQLite store (WAL), committed in groups by one writer, and each plugin call's mark
before the call (in the store, or for a chain's later nodes in the execution's memory-mapped call journal),
so a killed run resumes without running a finished node again or losing count of a host that died in a call.
The task goes through the plugin ABI on the plugin's own threads: the echo types here are synchronous (ABI
1.1, one `run_sync` call per attempt); a chain of them runs as one job on the plugin's thread, a map's items in
batches. The task bodies differ too: flytekit's is a Python function (`x + 1`) called in-process; Aloft's is
the `c-echo-sync` task of a C plugin (`aloft-bench`, built with `cc -O2`) or the `echo-sync` task of the Swift
Echo plugin (`aloft run`). flytekit's
`map_task` runs its items sequentially in local execution; Aloft's map node runs them with concurrency 64 on 2
cores. In-process timings start after start-up on both sides: `aloft-bench` after starting the plugin host, the
engine and compiling the spec; `run_inprocess.py` after importing flytekit, compiling the workflow and running a
1-node workflow once (flytekit loads modules lazily on the first execution). Whole-command timings include
everything: flytekit's `pyflyte run` imports flytekit and its dependencies (about a second of Python imports
alone); `aloft run` starts a native binary, loads its plugins and creates a fresh store (SQLite schema and
migrations) for the 1-node run. A cache hit in Aloft still records the node's execution durably (with the
execution it reused); in flytekit it is a `diskcache` lookup and nothing else.
""")
p("<details><summary>Raw measurements (JSON lines)</summary>\n\n```json")
for r in recs:
    p(json.dumps(r))
p("```\n</details>")
print("\n".join(out))
EOF
log "wrote $RESULTS"
cat "$RESULTS" | sed -n '1,/^## Machine/p' >&2
