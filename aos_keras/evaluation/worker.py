"""What a joblib worker runs: one pickled `RunSpec`, on a given backend.

Only the standard library is imported here, so that a fresh worker process
(loky, Dask, Ray) can choose its Keras backend from the argument before
anything imports Keras: the backend and the JAX compile cache come as
arguments, never from the environment the worker happens to have. The
worker's own environment is changed only in a separate process, never in
the caller's: there TensorFlow's log lines are hidden (`aos_keras._quiet`:
its start-up lines, the `cuInit` error, retracing warnings), which a
worker's stderr, shared with the caller's, would otherwise fill.
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
        if jax_cache:
            from aos_keras.backend import enable_compile_cache

            enable_compile_cache(jax_cache)
        return run.tag, run.run_and_cache()


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
