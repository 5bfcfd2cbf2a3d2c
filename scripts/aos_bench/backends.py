"""The one driver of benchmark children: a script run once per backend.

`KERAS_BACKEND` is fixed when Keras is imported, so a script that compares
backends runs itself once per backend in a child process
(`python SCRIPT --child ARGS` with `KERAS_BACKEND` set) and reads the
child's result from the last line of its standard output, a JSON object.
With `in_process=True` the child's function runs in this process instead
(the current backend only): for tests and debugging.
"""

import contextlib
import io
import json
import os
import subprocess
import sys


def child_env(backend):
    """The environment of a child: this one, with `backend` selected.

    Args:
        backend: str or None. A Keras backend name; None keeps this
            process's `KERAS_BACKEND`.

    Returns:
        dict: the environment (TensorFlow's C++ logging silenced).
    """
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    if backend is not None:
        env["KERAS_BACKEND"] = backend
    return env


def child_argv(options):
    """Command-line arguments of keyword options (`a_b=1` -> `--a-b 1`).

    Args:
        options: dict. A True bool becomes a bare flag, a False one is left
            out, any other value follows its flag as a string.

    Returns:
        list of str.
    """
    argv = []
    for key, value in options.items():
        flag = "--" + key.replace("_", "-")
        if isinstance(value, bool):
            argv += [flag] if value else []
        else:
            argv += [flag, str(value)]
    return argv


def last_json(text):
    """The JSON object on the last non-empty line of `text`."""
    return json.loads(text.strip().splitlines()[-1])


def run_child(script, argv, backend=None, *, main=None, in_process=False):
    """Run `python script --child *argv` on `backend`; return its result.

    Args:
        script: str. Path of the script.
        argv: list of str. The child's arguments after `--child`.
        backend: str or None. Keras backend of the child (None: this
            process's `KERAS_BACKEND`).
        main: callable or None. The script's `main(argv)`, needed with
            `in_process`.
        in_process: bool. Call `main(["--child", *argv])` here, capturing
            its standard output, instead of starting a process; `backend`
            must then be None or the backend Keras already runs.

    Returns:
        dict: the child's JSON result, or `{"error": message}` (the last
        line of its standard error, at most 300 characters) if it failed.
        The child's standard error goes to this process's when the
        environment variable `BENCH_VERBOSE` is set.
    """
    if in_process:
        import keras

        current = keras.backend.backend()
        if backend not in (None, current):
            raise ValueError(
                f"in_process runs the current backend ({current}) only, "
                f"not {backend}"
            )
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            main(["--child", *argv])
        return last_json(out.getvalue())
    verbose = bool(os.environ.get("BENCH_VERBOSE"))
    proc = subprocess.run(
        [sys.executable, script, "--child", *argv],
        env=child_env(backend),
        stdout=subprocess.PIPE,
        stderr=None if verbose else subprocess.PIPE,
        text=True,
    )
    if proc.returncode != 0:
        tail = (proc.stderr or "").strip().splitlines()[-1:] or ["?"]
        return {"error": tail[0][:300]}
    return last_json(proc.stdout)


def run_per_backend(script, argv, backends, *, log=print, **kwargs):
    """`run_child` once per backend, in order.

    Args:
        script: str. Path of the script.
        argv: list of str. The children's arguments after `--child`.
        backends: list of str. Keras backend names.
        log: callable. Called with a line before each backend.
        **kwargs: `main` and `in_process` of `run_child`.

    Returns:
        dict: backend name to its child's result (see `run_child`).
    """
    results = {}
    for backend in backends:
        log(f"== {backend}")
        results[backend] = run_child(script, argv, backend, **kwargs)
    return results
