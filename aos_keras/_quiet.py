"""Quiet backends: what TensorFlow writes while it starts and runs.

Two users: the command line (`aos_keras.cli.startup`, unless
`--backend-logs`) and the worker processes of `compare`
(`aos_keras.evaluation.worker`). Standard library only, so a worker can
call it before anything imports Keras.

TensorFlow writes three kinds of lines a user cannot act on:

- C++ lines while it is imported (absl's "All log messages before
  absl::InitializeLog() ...", oneDNN, "Could not find cuda drivers"),
  which no setting hides: `quiet_imports` drops what the import writes to
  file descriptor 2 (and writes it out if the import fails);
- C++ lines later (the `cuInit` error on a machine without a GPU), hidden
  by `TF_CPP_MIN_LOG_LEVEL=3`;
- Python log lines (`tf.function` retracing warnings), hidden by the
  `tensorflow` logger's level, and absl's Python log lines.
"""

import contextlib
import logging
import os
import sys
import tempfile

# Modules whose first import writes C++ log lines to stderr that
# `TF_CPP_MIN_LOG_LEVEL` does not hide (absl, oneDNN).
QUIET_MODULES = ("tensorflow",)


def quiet_backend_logs():
    """Hide TensorFlow's C++ and Python log lines from now on.

    Sets `TF_CPP_MIN_LOG_LEVEL=3` unless the environment sets it (read by
    TensorFlow when it starts, here or in a process started from here),
    and the `tensorflow` and absl Python loggers to errors only. Call it
    before TensorFlow is imported; it imports neither TensorFlow nor absl.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    for name in ("tensorflow", "absl"):  # absl's is a `logging` logger
        logging.getLogger(name).setLevel(logging.ERROR)


@contextlib.contextmanager
def quiet_imports(names=QUIET_MODULES):
    """The first import of each of `names` hides its stderr output.

    For modules that Keras imports later, on first use: its
    `keras.utils.set_random_seed` imports TensorFlow, when installed, to
    seed it, on every backend. The hook is removed at the end of the block.
    """
    from aos_keras._imports import LoaderHook

    names = {n for n in names if n not in sys.modules}
    if not names:
        yield
        return
    hook = LoaderHook(names.__contains__, around=lambda name: quiet_stderr())
    hook.install()
    try:
        yield
    finally:
        hook.remove()


@contextlib.contextmanager
def quiet_stderr():
    """File descriptor 2 into a temporary file for the `with` block.

    C++ libraries write their logs to the descriptor, not to `sys.stderr`,
    so this hides them too. The captured bytes are discarded when the block
    ends normally or by Ctrl-C, and written to stderr when it raises
    anything else (the exception itself is printed after the block, as
    usual). Where descriptor 2 cannot be duplicated (closed), nothing is
    hidden.
    """
    sys.stderr.flush()
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield
        except KeyboardInterrupt:
            _restore_stderr(saved)
            raise
        except BaseException:
            _restore_stderr(saved, sink)
            raise
        _restore_stderr(saved)


def _restore_stderr(saved, sink=None):
    """Descriptor 2 back from `saved`; what `sink` caught written out."""
    sys.stderr.flush()
    os.dup2(saved, 2)
    os.close(saved)
    if sink is not None:
        sink.seek(0)
        sys.stderr.write(sink.read().decode("utf-8", "replace"))
        sys.stderr.flush()
