"""Atomic file writes: a killed process never leaves a half-written file,
an overwrite never deletes what its writer did not make, and two writers
of one output are never mixed."""

import contextlib
import json
import os
import shutil
import tempfile

try:
    import fcntl
except ImportError:  # Windows: no advisory locks
    fcntl = None


# The entries of the folders aos_keras writes: `overwrite` replaces a
# folder of its kind's entries only (`check_replaceable`). A model folder
# of any version (`aos_keras.model_folder`; `encoder.joblib` is 0.3's):
MODEL_FOLDER_ENTRIES = frozenset(
    {
        "model.keras", "preprocessing.json", "metrics.json", "history.csv",
        "curves.png", "generated.png", "encoder.joblib",
    }
)  # fmt: skip
# A SavedModel (`aos_keras.export`):
SAVED_MODEL_ENTRIES = frozenset(
    {
        "saved_model.pb", "fingerprint.pb", "keras_metadata.pb",
        "variables", "assets", "assets.extra",
    }
)  # fmt: skip


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
def atomic_dir(path, overwrite=False, own=()):
    """Yield a temporary folder beside `path`; rename it onto `path`.

    Readers see the old folder or the complete new one. On an exception the
    temporary folder is removed and `path` is untouched. The swap holds
    `path`'s lock (`exclusive`): of two processes writing one folder, each
    write is whole, and one that finds the other swapping is told.

    With `overwrite`, an existing folder is replaced only when it is empty
    or holds nothing but the entries named in `own` (`foreign_entries`):
    a folder holding anything else, such as the user's table, is never
    deleted.

    Args:
        path: str. The folder to write.
        overwrite: bool. Replace an existing folder. Defaults to `False`.
        own: collection of str. The names of the entries that a folder of
            this kind holds (those its writer makes). Defaults to none.

    Raises:
        FileExistsError: `path` exists and `overwrite` is False, it is not
            a folder, or it holds entries not in `own`.
        FolderInUseError: another process holds `path`'s lock.

    Example:
    >>> with atomic_dir("model", overwrite=True, own={"model.keras"}) as t:
    ...     model.save(os.path.join(t, "model.keras"))
    """
    path = os.path.abspath(os.fspath(path))
    check_replaceable(path, overwrite, own)
    parent, name = os.path.split(path)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=f".{name}.", suffix=".tmp", dir=parent)
    try:
        yield tmp
        _publish(tmp, 0o777)
        with exclusive(path):
            check_replaceable(path, overwrite, own)  # as it is now
            _swap(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _swap(tmp, path):
    """Rename `tmp` onto `path`, moving an existing `path` away first."""
    if not os.path.lexists(path):
        os.replace(tmp, path)
        return
    parent, name = os.path.split(path)
    old = tempfile.mkdtemp(prefix=f".{name}.", suffix=".old", dir=parent)
    os.rmdir(old)  # a fresh, unused name for the old folder
    os.replace(path, old)
    os.replace(tmp, path)
    shutil.rmtree(old, ignore_errors=True)


def check_replaceable(path, overwrite, own=()):
    """Refuse to replace `path` unless it is absent, or `overwrite` and it
    is an empty folder or one of `own`'s entries only.

    Raises:
        FileExistsError: with a message that names what is in the way.
    """
    if not os.path.lexists(path):
        return
    if not overwrite:
        raise FileExistsError(
            f"{path} exists; pass overwrite=True to replace it."
        )
    if os.path.islink(path) or not os.path.isdir(path):
        kind = "a link" if os.path.islink(path) else "not a folder"
        raise FileExistsError(f"{path} exists and is {kind}.")
    foreign = foreign_entries(path, own)
    if foreign:
        shown = ", ".join(foreign[:5])
        more = f" and {len(foreign) - 5} more" if len(foreign) > 5 else ""
        raise FileExistsError(
            f"{path} holds files that aos_keras did not write there "
            f"({shown}{more}); overwriting would delete them. Choose a new "
            "or empty folder, or move them away first."
        )


def foreign_entries(folder, own=()):
    """The entries of `folder` that are not in `own`, sorted.

    Args:
        folder: str. An existing folder.
        own: collection of str. The names its writer makes.

    Returns:
        list of str (empty for an empty folder or one of `own` only).

    Example:
    >>> foreign_entries("data", own={"model.keras"})
    ['train.csv']
    """
    return sorted(set(os.listdir(folder)) - set(own))


class FolderInUseError(FileExistsError):
    """Another process is writing the same output.

    Attributes:
        holder: str. The other process's ID, as its lock file says.
    """

    def __init__(self, path, holder):
        super().__init__(
            f"{path} is being written by another process (pid {holder}); "
            "wait for it to end, or write elsewhere"
        )
        self.holder = holder


# The locks this process holds: path -> [open file, depth].
_HELD = {}


@contextlib.contextmanager
def exclusive(path):
    """Hold `path`'s write lock: one writer of an output at a time.

    The lock is an advisory `flock` on `.<name>.lock` beside `path`,
    released when the process ends, however it ends (a killed run blocks
    nobody). It is re-entrant within a process. Where `fcntl` is missing
    (Windows) nothing is locked.

    Args:
        path: str. The file or folder about to be written.

    Raises:
        FolderInUseError: another process holds the lock; the message
            names its process ID.

    Example:
    >>> with exclusive("model"):
    ...     train_and_save("model")
    """
    path = os.path.abspath(os.fspath(path))
    if path in _HELD or fcntl is None:
        _HELD.setdefault(path, [None, 0])[1] += 1
        try:
            yield
        finally:
            _release(path)
        return
    _HELD[path] = [_acquire(path), 1]
    try:
        yield
    finally:
        _release(path)


def _lock_file(path):
    parent, name = os.path.split(path)
    return os.path.join(parent, f".{name}.lock")


def _acquire(path):
    """Open and lock `path`'s lock file; the open file."""
    lock = _lock_file(path)
    os.makedirs(os.path.dirname(lock), exist_ok=True)
    while True:
        f = open(lock, "a+", encoding="utf-8")  # noqa: SIM115 (held)
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.seek(0)
            holder = f.read().strip() or "unknown"
            f.close()
            raise FolderInUseError(path, holder) from None
        if _same_file(f, lock):  # not a lock file unlinked meanwhile
            f.truncate(0)
            f.write(str(os.getpid()))
            f.flush()
            return f
        f.close()


def _same_file(f, name):
    try:
        return os.stat(name).st_ino == os.fstat(f.fileno()).st_ino
    except FileNotFoundError:
        return False


def _release(path):
    held = _HELD[path]
    held[1] -= 1
    if held[1]:
        return
    del _HELD[path]
    if held[0] is not None:
        with contextlib.suppress(FileNotFoundError):
            os.remove(_lock_file(path))
        held[0].close()  # unlocks


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
