"""Atomic file writes: a killed process never leaves a half-written file."""

import contextlib
import json
import os
import shutil
import tempfile


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _publish(tmp, mode):
    """Give a temporary file or folder the permissions a plain one gets.

    `mkstemp`/`mkdtemp` create them private (0600/0700); a model folder
    served by another user (TF Serving in a container) must be readable.
    """
    os.chmod(tmp, mode & ~_umask())


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path beside `path`; rename it onto `path` on success.

    The rename is atomic on POSIX and Windows, so readers see either the old
    file or the complete new one. On an exception the temporary file is
    removed and `path` is untouched.

    Example:
    >>> with atomic_path("model.keras") as tmp:
    ...     model.save(tmp)
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    base, ext = os.path.splitext(os.path.basename(path))
    if base.endswith(".weights"):  # keep Keras's double suffix
        base, ext = base[: -len(".weights")], ".weights" + ext
    fd, tmp = tempfile.mkstemp(
        prefix=f".{base}.", suffix=f".tmp{ext}", dir=folder
    )
    os.close(fd)
    try:
        yield tmp
        _publish(tmp, 0o666)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp)
        raise


@contextlib.contextmanager
def atomic_dir(path, overwrite=False):
    """Yield a temporary folder beside `path`; rename it onto `path`.

    Readers see the old folder or the complete new one. On an exception the
    temporary folder is removed and `path` is untouched.

    Args:
        path: str. The folder to write.
        overwrite: bool. Replace an existing folder. Defaults to `False`.

    Raises:
        FileExistsError: `path` exists and `overwrite` is False, or it is
            not a folder.
    """
    path = os.path.abspath(os.fspath(path))
    if os.path.lexists(path):
        if not overwrite:
            raise FileExistsError(
                f"{path} exists; pass overwrite=True to replace it."
            )
        if not os.path.isdir(path):
            raise FileExistsError(f"{path} exists and is not a folder.")
    parent, name = os.path.split(path)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=f".{name}.", suffix=".tmp", dir=parent)
    try:
        yield tmp
        _publish(tmp, 0o777)
        if os.path.lexists(path):
            old = tempfile.mkdtemp(
                prefix=f".{name}.", suffix=".old", dir=parent
            )
            os.rmdir(old)  # a fresh, unused name for the old folder
            os.replace(path, old)
            os.replace(tmp, path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_text(path, text):
    """Write `text` to `path` atomically."""
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())


def write_json(path, obj, strict=True):
    """Write `obj` as indented JSON to `path` atomically.

    Args:
        path: str. The file.
        obj: a JSON-able object (numpy scalars allowed).
        strict: bool. Write NaN and infinite floats as `null`, so every
            JSON reader accepts the file (user-facing files). `False` keeps
            Python's `NaN` tokens, which `json.load` reads back as floats
            (the run caches of the benchmark and `compare`). Defaults to
            `True`.
    """
    if strict:
        obj = _strict(obj)
    text = json.dumps(obj, indent=1, sort_keys=True, allow_nan=not strict)
    write_text(path, text + "\n")


def _strict(obj):
    """`obj` with non-finite floats as None and numpy scalars as Python."""
    import math

    if isinstance(obj, dict):
        return {k: _strict(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_strict(v) for v in obj]
    if hasattr(obj, "item") and getattr(obj, "shape", None) == ():
        obj = obj.item()  # numpy scalar
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj
