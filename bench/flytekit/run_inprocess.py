#!/usr/bin/env python3
"""Runs the flytekit counterparts of Aloft's engine benchmarks in-process (issue 7).

    python run_inprocess.py chain 1000        # chain of 1,000 no-op tasks
    python run_inprocess.py map 10000         # map_task over 10,000 items
    python run_inprocess.py cached-chain 100  # 100 cached tasks: fill the cache, then time the warm re-run
    python run_inprocess.py one               # 1-node workflow
    python run_inprocess.py all               # all four, small sizes, one process (peak RSS then cumulative)

Calling a flytekit workflow function outside a Flyte cluster is flytekit's local execution: every node runs
in this process, one after the other, its inputs and outputs converted to and from Flyte literals. That is
what is timed (``time.perf_counter`` around the call). Before the timed call one 1-node workflow runs once,
untimed, so that flytekit's lazily imported modules are loaded (Aloft's ``aloft-bench`` likewise starts its
plugin host and engine before starting the clock). flytekit builds (compiles) a workflow lazily, on its first
call; the runner compiles the workflows it will run before the clock starts and reports the import of
``workflows.py`` plus those compiles as ``compile_seconds``.

Output: one JSON line per measurement, the schema shared with the Aloft side of bench-compare.sh:

    {"system": "flytekit", "workload": ..., "n": ..., "seconds": ..., "per_item_us": ..., "peak_rss_mb": ...}

plus extra keys (``compile_seconds``, ``import_seconds``, ``flytekit``, ``python``, cache details).
``peak_rss_mb`` is ``ru_maxrss`` of this process (KiB on Linux) / 1024, the same quantity (VmHWM) that
``aloft-bench`` prints; it is the whole process's high-water mark, so run one workload per process.

The local cache: flytekit 1.16 keeps it in ``~/.flyte/local-cache`` (``flytekit.core.local_cache.CACHE_LOCATION``),
a ``diskcache`` directory, i.e. a SQLite file ``cache.db`` plus value files, keyed by task name, cache version
and a hash of the inputs. To leave the user's cache alone, the ``cached-chain`` workload points that constant at
a private directory (``BENCH_FLYTE_CACHE_DIR``, default a new temporary directory), clears it, runs the
workflow once to fill it ("cached-chain-cold", reported too) and times the second run ("cached-chain-warm").
It checks that the warm run executed none of the task bodies.
"""

import json
import os
import platform
import resource
import shutil
import sys
import tempfile
import time

WORKLOADS = ("chain", "map", "cached-chain", "one")
DEFAULT_N = {"chain": 1000, "map": 10000, "cached-chain": 100, "one": 1}


def usage(code=64):
    print(__doc__.split("\n\n")[1], file=sys.stderr)
    sys.exit(code)


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        usage(0 if len(argv) >= 2 else 64)
    workload = argv[1]
    if workload not in WORKLOADS + ("all",):
        usage()
    n = int(argv[2]) if len(argv) > 2 else None
    todo = list(WORKLOADS) if workload == "all" else [workload]
    sizes = {w: (n if n is not None and workload != "all" else DEFAULT_N[w]) for w in todo}
    if workload == "all" and n is not None:
        sizes = {"chain": n, "map": n, "cached-chain": DEFAULT_N["cached-chain"], "one": 1}

    # The chains are generated when workflows.py is imported: their lengths must be in the environment first.
    os.environ["BENCH_N"] = str(sizes.get("chain", 1))
    os.environ["BENCH_CACHED_N"] = str(sizes.get("cached-chain", 1))
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

    t0 = time.perf_counter()
    import flytekit
    from flytekit.core import local_cache

    t1 = time.perf_counter()
    import workflows

    # flytekit compiles a workflow (runs its body to build the graph) on first use; do it here, untimed by
    # the run, and report it: the counterpart of compiling the spec, which aloft-bench also does untimed.
    wf_of = {"chain": workflows.chain_wf, "map": workflows.map_wf, "cached-chain": workflows.cached_chain_wf, "one": workflows.one_wf}
    for w in todo:
        wf_of[w].compile()
    workflows.one_wf.compile()
    t2 = time.perf_counter()
    common = {
        "flytekit": flytekit.__version__,
        "python": platform.python_version(),
        "import_seconds": round(t1 - t0, 4),
        "compile_seconds": round(t2 - t1, 4),
    }

    # Point the local cache at a private directory before anything initialises it.
    cache_dir = os.environ.get("BENCH_FLYTE_CACHE_DIR") or tempfile.mkdtemp(prefix="flytekit-bench-cache-")
    own_cache_dir = "BENCH_FLYTE_CACHE_DIR" not in os.environ
    if not hasattr(local_cache, "CACHE_LOCATION"):
        sys.exit("flytekit.core.local_cache.CACHE_LOCATION is gone: this flytekit keeps its cache elsewhere")
    local_cache.CACHE_LOCATION = cache_dir
    local_cache.LocalTaskCache._initialized = False

    # Warm-up, untimed: loads what local execution imports lazily.
    assert workflows.one_wf(x=1) == 2

    def emit(name, size, seconds, **extra):
        rec = {
            "system": "flytekit",
            "workload": name,
            "n": size,
            "seconds": round(seconds, 6),
            "per_item_us": round(seconds / size * 1e6, 2),
            "peak_rss_mb": round(peak_rss_mb(), 1),
        }
        rec.update(common)
        rec.update(extra)
        print(json.dumps(rec), flush=True)

    try:
        for w in todo:
            size = sizes[w]
            if w == "chain":
                assert workflows.CHAIN_N == size
                s = time.perf_counter()
                out = workflows.chain_wf(x=1)
                e = time.perf_counter() - s
                assert out == 1 + size, out
                emit("chain", size, e)
            elif w == "map":
                xs = list(range(size))
                s = time.perf_counter()
                out = workflows.map_wf(xs=xs)
                e = time.perf_counter() - s
                assert list(out) == xs
                emit("map", size, e)
            elif w == "one":
                s = time.perf_counter()
                out = workflows.one_wf(x=1)
                e = time.perf_counter() - s
                assert out == 2
                emit("one", 1, e)
            elif w == "cached-chain":
                assert workflows.CACHED_N == size
                local_cache.LocalTaskCache.clear()
                workflows.EXECUTED.clear()
                s = time.perf_counter()
                out = workflows.cached_chain_wf(x=1)
                cold = time.perf_counter() - s
                assert out == 1 + size, out
                assert workflows.EXECUTED["inc_cached"] == size, workflows.EXECUTED
                entries = len(local_cache.LocalTaskCache._cache)
                emit("cached-chain-cold", size, cold, cache_dir=cache_dir, cache_entries=entries)
                workflows.EXECUTED.clear()
                s = time.perf_counter()
                out = workflows.cached_chain_wf(x=1)
                warm = time.perf_counter() - s
                assert out == 1 + size, out
                executed = workflows.EXECUTED["inc_cached"]
                if executed:
                    sys.exit(f"warm run executed {executed} task bodies: the local cache was not used")
                emit("cached-chain-warm", size, warm, cache_dir=cache_dir, cache_entries=entries, executed=executed)
    finally:
        if own_cache_dir:
            shutil.rmtree(cache_dir, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv)
