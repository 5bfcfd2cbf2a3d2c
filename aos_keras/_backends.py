"""The Keras backends as extras: what to install, said once.

As in Keras, `pip install aos_keras` installs no backend: each of the
extras `tensorflow`, `jax` and `torch` installs one (README, "Install").
Two users, standard library only (nothing here imports Keras):

- `aos_keras/__init__.py` wraps the first `import keras` in
  `explained_import`: when Keras cannot import its backend (none of the
  three installed, or `KERAS_BACKEND` names one that is not), the error is
  one message naming the choices and their `pip` commands;
- the SavedModel export (`aos_keras.saving.export`) calls
  `require_tensorflow` first: the export is the one feature that needs
  TensorFlow on every backend.
"""

import contextlib
import importlib.util
import os

BACKENDS = ("tensorflow", "jax", "torch")
# Finds a top-level package without importing it (tests replace it).
_find_spec = importlib.util.find_spec
INSTALL = {name: f'pip install "aos_keras[{name}]"' for name in BACKENDS}


class BackendMissingError(ImportError):
    """The Keras backend (or TensorFlow for the export) is not installed."""


def installed_backends():
    """The backends among `BACKENDS` that can be imported (not importing
    them).

    Returns:
        tuple of str, in the order of `BACKENDS`.

    Example:
    >>> installed_backends()
    ('jax',)
    """
    return tuple(b for b in BACKENDS if _installed(b))


def _installed(name):
    """Whether the top-level package `name` can be found (not imported)."""
    try:
        return _find_spec(name) is not None
    except (ImportError, ValueError):  # a finder refused it; no __spec__
        return False


def missing_backend_message(missing):
    """What to do when the backend `missing` cannot be imported.

    Args:
        missing: str, the backend Keras tried to import.

    Returns:
        str, one paragraph: the choices and their `pip` commands when no
        backend is installed, else the installed ones to choose from.
    """
    installed = installed_backends()
    chosen = os.environ.get("KERAS_BACKEND")
    source = "KERAS_BACKEND" if chosen else "Keras's default or ~/.keras"
    if not installed:
        commands = ", ".join(INSTALL[b] for b in ("jax", "torch", "tensorflow"))
        return (
            "aos_keras needs a Keras backend and none is installed (not "
            f"tensorflow, jax nor torch). Install one: {commands}; then run "
            "with KERAS_BACKEND=jax or KERAS_BACKEND=torch (tensorflow is "
            "Keras's default)."
        )
    others = " or ".join(f"KERAS_BACKEND={b}" for b in installed)
    return (
        f"Keras's backend is {missing} ({source}) but {missing} is not "
        f"installed; installed: {', '.join(installed)}. Run with {others}, "
        f"or install {missing}: {INSTALL[missing]}."
    )


@contextlib.contextmanager
def explained_import():
    """Within: a backend that Keras cannot import raises one message.

    A `ModuleNotFoundError` for `tensorflow`, `jax` or `torch` (or a module
    of theirs) becomes a `BackendMissingError` whose message says what to
    install (`missing_backend_message`); other errors pass unchanged.

    Raises:
        BackendMissingError: the backend is not installed.
    """
    try:
        yield
    except ModuleNotFoundError as err:
        top = (err.name or "").split(".")[0]
        if top not in BACKENDS:
            raise
        message = missing_backend_message(top)
        raise BackendMissingError(message, name=top) from None


def require_tensorflow(purpose):
    """Raise unless TensorFlow can be imported (without importing it).

    Args:
        purpose: str, what needs it ("The SavedModel export").

    Raises:
        BackendMissingError: TensorFlow is not installed; the message
            gives the two `pip` commands.
    """
    if not _installed("tensorflow"):
        raise BackendMissingError(
            f"{purpose} needs TensorFlow, which is not installed (training, "
            "predicting and compare run without it on jax or torch). "
            f"Install it: {INSTALL['tensorflow']} (or pip install tensorflow).",
            name="tensorflow",
        )
