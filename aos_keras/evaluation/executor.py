"""The runs of a compare, through joblib: local processes or a cluster.

`execute` sends each `RunSpec`, pickled, to `worker.run_in_worker` with the
caller's Keras backend and the JAX compile cache as arguments, so a loky,
Dask or Ray worker runs the caller's backend whatever its own environment
says, and nothing is set in the caller's environment. Any joblib backend
works (`joblib.parallel_config(backend="dask")`, `"ray"`, ...); one that
cannot return results as they finish (Ray) returns them all at the end.
With `cluster`, the runs go to a Dask or Ray cluster by its address
(`aos_keras.evaluation.cluster`): each table is sent once, and the records
come back as the runs end, on Ray too.
"""

import os
import pickle
import time
import warnings

import keras
from joblib import Parallel, delayed, parallel

from aos_keras.evaluation.cluster import each_record
from aos_keras.evaluation.worker import run_in_worker

# joblib backends that run on this machine's cores.
LOCAL_BACKENDS = ("LokyBackend", "MultiprocessingBackend", "ThreadingBackend")


def execute(runs, *, n_jobs=1, jax_cache=None, log=None, cluster=None):
    """Run every `RunSpec` of `runs`; return `{tag: record}`.

    Args:
        runs: list of `RunSpec`.
        n_jobs: int. joblib workers (-1: one per core).
        jax_cache: str or None. The workers' JAX compile cache folder.
        log: callable or None. One progress line per finished run.
        cluster: str or None. A Dask or Ray cluster's address
            (`cluster.parse_address`); None: joblib's workers (`n_jobs`).

    Returns:
        dict mapping each run's `tag` to its record.
    """
    return dict(
        each_result(
            runs, n_jobs=n_jobs, jax_cache=jax_cache, log=log, cluster=cluster
        )
    )


def each_result(runs, *, n_jobs=1, jax_cache=None, log=None, cluster=None):
    """Run every `RunSpec` of `runs`; yield `(tag, record)` as each ends.

    Arguments as `execute`. Stopped early (Ctrl-C, or the consumer stops
    iterating), the runs under way are abandoned (joblib stops its
    workers); those that ended are cached where their spec says.
    """
    if not runs:
        return
    log = log or (lambda *_: None)
    start = time.perf_counter()
    if cluster is not None:
        results = each_record(runs, cluster, jax_cache)
    else:
        check_jobs(n_jobs)
        results = _results(n_jobs, _calls(runs, jax_cache))
    try:
        for i, (tag, record) in enumerate(results, 1):
            eta = (time.perf_counter() - start) / i * (len(runs) - i)
            log(progress_line(i, len(runs), tag, record, eta))
            yield tag, record
    finally:  # stopped early: joblib abandons the runs under way
        getattr(results, "close", lambda: None)()


def _calls(runs, jax_cache):
    """joblib's delayed calls of `runs` (each pickled with its table)."""
    return [
        delayed(run_in_worker)(
            pickle.dumps(run), keras.backend.backend(), jax_cache, os.getpid()
        )
        for run in runs
    ]


def available_cores():
    """The cores this process may run on (its CPU affinity where known)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def check_jobs(n_jobs):
    """Warn when `n_jobs` local workers are more than the cores available.

    Workers beyond the cores share them and each run takes longer (2.2x
    for 4 workers on 2 cores); a cluster backend (Dask, Ray) is not
    checked.
    """
    backend, _ = parallel.get_active_backend()
    cores = available_cores()
    local = type(backend).__name__ in LOCAL_BACKENDS
    if local and isinstance(n_jobs, int) and n_jobs > cores:
        warnings.warn(
            f"n_jobs={n_jobs} is more than the {cores} cores available: the "
            "workers share them and every run takes longer. Use "
            f"n_jobs={cores} (or -1).",
            stacklevel=4,
        )


def _results(n_jobs, calls):
    """Results as they finish, or in order where the backend cannot."""
    try:
        parallel = Parallel(n_jobs=n_jobs, return_as="generator_unordered")
    except ValueError as err:  # Ray's backend: "does not support return_as"
        if "return_as" not in str(err):
            raise
        parallel = Parallel(n_jobs=n_jobs, return_as="list")
    return parallel(calls)


def progress_line(i, n, tag, record, eta):
    """`[i/n] table method split seed: ACSA .. GM .. (.. s); ETA .. min`."""
    table, method, seed = tag
    if record["status"] == "ok":
        h = record["honest"]
        what = (
            f"ACSA {100 * h['acsa']:6.2f} GM {100 * h['gm']:6.2f} "
            f"({record['seconds']:.0f} s)"
        )
    else:
        what = f"NA: {record['reason']}"
    return (
        f"[{i}/{n}] {table} {method} split {seed}: {what}; "
        f"ETA {eta / 60:.1f} min"
    )
