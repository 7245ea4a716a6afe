"""flytekit workflows with the shapes of Aloft's benchmarks (issue 7), for flytekit 1.16.

Workloads, each with its Aloft counterpart:

- ``chain_wf``: a chain of ``BENCH_N`` no-op tasks, each taking an int and returning it + 1
  (``aloft-bench chain N``: echo tasks, each reading the previous node's output).
- ``map_wf``: ``map_task`` over a list of M ints of a no-op task; M is the length of the input list
  (``aloft-bench map M``: a map node over echo tasks).
- ``cached_chain_wf``: a chain of ``BENCH_CACHED_N`` (default 100) tasks with
  ``cache=True, cache_version="1"``, for a warm-cache re-run.
- ``one_wf``: a 1-node workflow (``pyflyte run workflows.py one_wf`` against ``aloft run one-node.yaml``).

flytekit workflows are static: the ``@workflow`` body runs once, when this module is imported, to build the
graph. The chains are generated with a loop in that body, so their length is read from the environment
at import time: set ``BENCH_N`` / ``BENCH_CACHED_N`` before importing (``pyflyte run`` of ``one_wf`` should set
both to 1 so that the import does not compile a 1,000-node chain it will not run).
"""

import os
from collections import Counter
from typing import List

from flytekit import map_task, task, workflow

CHAIN_N = int(os.environ.get("BENCH_N", "1000"))
CACHED_N = int(os.environ.get("BENCH_CACHED_N", "100"))
if CHAIN_N < 1 or CACHED_N < 1:
    raise ValueError("BENCH_N and BENCH_CACHED_N must be at least 1")

# How many times a cached task's body really ran in this process (local execution runs tasks in-process),
# so that a warm-cache run can be checked to have executed none.
EXECUTED: Counter = Counter()


@task
def inc(x: int) -> int:
    """The chained no-op: Aloft's chain passes x through an echo task; here it is x + 1."""
    return x + 1


@task(cache=True, cache_version="1")
def inc_cached(x: int) -> int:
    EXECUTED["inc_cached"] += 1
    return x + 1


@task
def ident(x: int) -> int:
    """The mapped no-op (Aloft's map runs an echo task: output = input)."""
    return x


@workflow
def chain_wf(x: int = 1) -> int:
    for _ in range(CHAIN_N):
        x = inc(x=x)
    return x


@workflow
def cached_chain_wf(x: int = 1) -> int:
    for _ in range(CACHED_N):
        x = inc_cached(x=x)
    return x


@workflow
def map_wf(xs: List[int]) -> List[int]:
    return map_task(ident)(x=xs)


@workflow
def one_wf(x: int = 1) -> int:
    return inc(x=x)
