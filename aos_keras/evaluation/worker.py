"""What a joblib worker runs: one pickled `RunSpec`, on a given backend.

Only the standard library is imported here, so that a fresh worker process
(loky, Dask, Ray) can choose its Keras backend from the argument before
anything imports Keras: the backend and the JAX compile cache come as
arguments, never from the environment the worker happens to have. The
worker's own environment is changed only in a separate process, never in
the caller's.
"""

import os
import pickle
import sys


def run_in_worker(payload, backend, jax_cache, parent_pid):
    """Unpickle a `RunSpec`, run it (cached where it says); return its record.

    Args:
        payload: bytes. The pickled `RunSpec`.
        backend: str. The caller's Keras backend.
        jax_cache: str or None. The JAX compile cache folder.
        parent_pid: int. The caller's process id (to tell a worker process
            from the caller itself).

    Returns:
        `(tag, record)`.

    Raises:
        RuntimeError: the worker's Keras already runs another backend.
    """
    if os.getpid() != parent_pid:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    use_backend(backend)
    run = pickle.loads(payload)
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
