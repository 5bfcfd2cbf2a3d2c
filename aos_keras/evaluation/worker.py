"""What a joblib worker runs: one pickled `RunSpec`, on a given backend.

Only the standard library is imported here, so that a fresh worker process
(loky, Dask, Ray) can choose its Keras backend from the argument before
anything imports Keras: the backend and the JAX compile cache
(`compile_cache`) come as arguments, never from the environment the worker
happens to have. The worker's own environment is changed only in a separate
process, never in the caller's: there TensorFlow's log lines are hidden
(`aos_keras._quiet`: its start-up lines, the `cuInit` error, retracing
warnings), which a worker's stderr, shared with the caller's, would
otherwise fill.
"""

import contextlib
import dataclasses
import os
import pickle
import sys

from aos_keras._quiet import quiet_backend_logs, quiet_imports


def run_in_worker(payload, backend, jax_cache, parent_pid, data=None):
    """Unpickle a `RunSpec`, run it (cached where it says); return its record.

    Args:
        payload: bytes. The pickled `RunSpec`.
        backend: str. The caller's Keras backend.
        jax_cache: str or None. The JAX compile cache folder.
        parent_pid: int. The caller's process id (to tell a worker process
            from the caller itself).
        data: tuple or None. The run's table, `RunSpec.data`, when the
            payload was pickled without it (`RunSpec.without_data`: a
            cluster receives each table once); None: the payload holds it.

    Returns:
        `(tag, record)`.

    Raises:
        RuntimeError: the worker's Keras already runs another backend.
    """
    apart = os.getpid() != parent_pid
    if apart:
        quiet_backend_logs()
    use_backend(backend)
    with quiet_imports() if apart else contextlib.nullcontext():
        run = pickle.loads(payload)  # imports Keras
        if data is not None:
            run = dataclasses.replace(run, data=data)
        compile_cache(jax_cache)
        return run.tag, run.run_and_cache()


def compile_cache(folder):
    """JAX's persistent compilation cache for the runs, every program kept.

    A compare builds the same networks once per split, and a small
    network's steps compile in about 0.25 s each: kept (however fast they
    compiled), the second split's runs load them from disk. On the
    other backends nothing is set.

    Args:
        folder: str or None. The cache folder; None: the default one
            (`aos_keras.backend.default_compile_cache`: none where
            `AOS_KERAS_COMPILE_CACHE=off` or where JAX's cache folder is
            already set).
    """
    from aos_keras import backend

    if folder:
        backend.enable_compile_cache(folder, min_compile_seconds=0)
    else:
        backend.default_compile_cache(min_compile_seconds=0)


def use_backend(backend):
    """Make Keras run `backend` here (set before its import, else checked)."""
    if "keras" not in sys.modules:
        os.environ["KERAS_BACKEND"] = backend
        return
    import keras

    if keras.backend.backend() != backend:
        raise RuntimeError(
            f"This worker's Keras runs {keras.backend.backend()!r}, but the "
            f"compare runs {backend!r}: start the workers without Keras "
            f"imported, or with KERAS_BACKEND={backend}."
        )
