"""Atomic file writes: a killed process never leaves a half-written file."""

import contextlib
import json
import os
import tempfile


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
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp)
        raise


def write_text(path, text):
    """Write `text` to `path` atomically."""
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())


def write_json(path, obj):
    """Write `obj` as indented JSON to `path` atomically."""
    write_text(path, json.dumps(obj, indent=1, sort_keys=True) + "\n")
