"""Process start-up of the command line: options of `aos-keras` itself
accepted anywhere, logging (Python warnings too), the backend chosen
before Keras is imported, the backend's logs hidden (`aos_keras._quiet`),
and Ctrl-C while starting.

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
import warnings

from aos_keras._quiet import (
    QUIET_MODULES,
    quiet_backend_logs,
    quiet_imports,
    quiet_stderr,
)
from aos_keras.cli.common import LOG, CLIError

BACKENDS = ("tensorflow", "jax", "torch")
# Python warnings (of the library, of scikit-learn, ...) are logged here,
# under the command line's logger: `aos-keras: warning: <message>`.
WARNINGS = LOG.getChild("warnings")
__all__ = ["QUIET_MODULES", "quiet_imports", "quiet_stderr"]
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


@contextlib.contextmanager
def warnings_to_log():
    """Within: Python warnings are log lines, `aos-keras: warning: ...`.

    What `logging.captureWarnings(True)` does, with the message alone
    (no source path and line): a warning of the library (labels merged by
    stripping, ...) reads like the command line's own warnings, and `-qq`
    hides it. A warning written to a given file (`showwarning(...,
    file=f)`) is written there as before. Python's warning filters apply
    as usual.
    """
    previous = warnings.showwarning

    def log_warning(message, category, filename, lineno, file=None, line=None):
        if file is not None:
            previous(message, category, filename, lineno, file, line)
        else:
            WARNINGS.warning("%s", message)

    warnings.showwarning = log_warning
    try:
        yield
    finally:
        warnings.showwarning = previous


def quiet_backend(show_logs=False):
    """Hide the backend's logs (`aos_keras._quiet`) unless `show_logs`.

    TensorFlow's C++ lines (`TF_CPP_MIN_LOG_LEVEL=3`, unless set in the
    environment, which `compare`'s worker processes inherit) and its
    Python log lines (retracing warnings); called before Keras is
    imported. Returns the modules whose first import is hidden.
    """
    if show_logs:
        return ()
    quiet_backend_logs()
    return QUIET_MODULES


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

    Raises:
        aos_keras._backends.BackendMissingError: Keras's backend is not
            installed; the message names the choices and their `pip`
            commands (the command line exits 1 with it).
    """
    import aos_keras

    hide = quiet and "keras" not in sys.modules
    with quiet_stderr() if hide else contextlib.nullcontext():
        aos_keras._load()


def set_torch_threads(threads):
    """torch's intra-op threads for this run: `threads`, else 1."""
    from aos_keras import backend

    if backend.BACKEND == "torch":
        import torch

        torch.set_num_threads(threads or 1)
