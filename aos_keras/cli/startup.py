"""Process start-up of the command line: options of `aos-keras` itself
accepted anywhere, logging, the backend chosen before Keras is imported,
the backend's start-up logs hidden, and Ctrl-C while starting.

Keras fixes its backend when it is imported, and `import aos_keras` does
not import Keras (`aos_keras/__init__.py`), so `--backend` only sets
`KERAS_BACKEND` before the import: no second process is started. In a
process that imported Keras already (a caller's Python session), a
different `--backend` is refused with a message.
"""

import contextlib
import logging
import os
import re
import sys
import tempfile

from aos_keras.cli.common import LOG, CLIError

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

BACKENDS = ("tensorflow", "jax", "torch")
# Modules whose first import writes C++ log lines to stderr that
# `TF_CPP_MIN_LOG_LEVEL` does not hide (absl, oneDNN): hidden unless
# `--backend-logs`.
QUIET_MODULES = ("tensorflow",)
# Options of `aos-keras` itself (with the number of values they take),
# accepted anywhere on the line.
GLOBAL_OPTIONS = {
    "--backend": 1,
    "--backend-logs": 0,
    "-v": 0,
    "--verbose": 0,
    "-q": 0,
    "--quiet": 0,
}


def global_first(argv):
    """`argv` with the options of `aos-keras` itself moved to the front.

    `--backend NAME`, `--backend-logs`, `-v/--verbose` and `-q/--quiet`
    are accepted anywhere. `--verbose 0|1|2` (Keras's progress, the old
    spelling of `train --progress`) becomes `--progress N`. Arguments after
    a `--` are left alone.
    """
    end = argv.index("--") if "--" in argv else len(argv)
    front, rest, i = [], [], 0
    while i < end:
        arg, nxt = argv[i], argv[i + 1] if i + 1 < end else None
        name = arg.split("=", 1)[0]
        if arg == "--verbose" and nxt in ("0", "1", "2"):
            rest += ["--progress", nxt]
            i += 2
        elif name in GLOBAL_OPTIONS or re.fullmatch(r"-[vq]+", arg):
            width = 0 if "=" in arg else GLOBAL_OPTIONS.get(name, 0)
            front += argv[i : i + 1 + width]
            i += 1 + width
        else:
            rest.append(arg)
            i += 1
    return front + rest + argv[end:]


class _Format(logging.Formatter):
    """`aos-keras: message`, `aos-keras: warning: message`, ..."""

    def format(self, record):
        level = record.levelname.lower()
        prefix = "" if record.levelno == logging.INFO else f"{level}: "
        text = f"aos-keras: {prefix}{record.getMessage()}"
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


def setup_logging(verbose=0, quiet=0):
    """The `aos_keras` logger writes to stderr at the level asked for.

    INFO (progress: what was written where) by default; `-v` DEBUG; `-q`
    WARNING, `-qq` ERROR. Returns the level.
    """
    level = logging.INFO + 10 * (quiet - verbose)
    level = min(max(level, logging.DEBUG), logging.ERROR)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Format())
    LOG.handlers = [h for h in LOG.handlers if not getattr(h, "_cli", 0)]
    handler._cli = True
    LOG.addHandler(handler)
    LOG.setLevel(level)
    LOG.propagate = False
    return level


def use_backend(name):
    """Make `name` the Keras backend of this run (before Keras's import).

    Raises:
        CLIError: Keras is imported already with another backend.
    """
    keras = sys.modules.get("keras")
    if keras is None:
        os.environ["KERAS_BACKEND"] = name
        return
    if keras.backend.backend() != name:
        raise CLIError(
            f"--backend {name}: Keras runs on {keras.backend.backend()} in "
            "this process already (a backend is fixed when Keras is "
            f"imported); run `aos-keras` or set KERAS_BACKEND={name} before "
            "Python starts"
        )


def load_package(quiet=True):
    """Import the whole package, and with it Keras and its backend.

    Every Keras-serialisable class of `aos_keras` is registered afterwards,
    so a model folder loads. With `quiet`, whatever the backend writes to
    the process's stderr while it is imported (TensorFlow's absl and oneDNN
    lines, which `TF_CPP_MIN_LOG_LEVEL` does not hide) is dropped, unless
    the import fails: then it is written out before the error.
    """
    import aos_keras

    hide = quiet and "keras" not in sys.modules
    with quiet_stderr() if hide else contextlib.nullcontext():
        aos_keras._load()


@contextlib.contextmanager
def quiet_imports(names):
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


def set_torch_threads(threads):
    """torch's intra-op threads for this run: `threads`, else 1."""
    from aos_keras import backend

    if backend.BACKEND == "torch":
        import torch

        torch.set_num_threads(threads or 1)
