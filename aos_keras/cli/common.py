"""What the commands share: the user-error type, the table options, output
paths (`-` for standard output) and the package logger."""

import contextlib
import logging
import os
import re
import sys
import tempfile

LOG = logging.getLogger("aos_keras")
# Exit status of a run stopped by a signal (128 + the signal's number).
EXIT_STATUS = {"SIGINT": 130, "SIGTERM": 143}
STDIO = "-"


class CLIError(Exception):
    """A user error: one line `aos-keras CMD: error: ...`, exit status 2."""


def as_flags(message):
    """A message with a setting `name` written as the option `--name`."""
    return re.sub(
        r"`([a-z_]+)`",
        lambda m: "--" + m.group(1).replace("_", "-"),
        message,
    )


# Python arguments in messages of the library, as the options that set them.
OPTIONS = {
    "unknown='error'": "--unknown-categories error",
    "unknown='ignore'": "--unknown-categories ignore",
}


def as_options(message):
    """A library message with its Python arguments written as options."""
    for argument, option in OPTIONS.items():
        message = message.replace(argument, option)
    return message


def read_table(args, path=None):
    """`aos_keras.tables.reader.read_table` of `path` (default `args.data`) with
    the `--sep`/`--decimal` options; its errors as `CLIError`."""
    from aos_keras.tables import reader

    try:
        return reader.read_table(
            path or args.data,
            sep=getattr(args, "sep", None),
            decimal=getattr(args, "decimal", None),
        )
    except ValueError as err:
        raise CLIError(str(err)) from None


def split_label(frame, label, features=None, drop=None, warn=False):
    """`aos_keras.tables.reader.split_label` with the command line's messages.

    Returns:
        `(features DataFrame, labels array)`. With `warn`, the split's
        warnings (an ID column, a regression-like label) are logged.

    Raises:
        CLIError: the split's `ValueError`, argument names written as
            options (`--features`).
    """
    from aos_keras.tables import reader

    try:
        x, y, notes = reader.split_label(frame, label, features, drop)
    except ValueError as err:
        raise CLIError(as_flags(str(err))) from None
    for note in notes if warn else ():
        LOG.warning(as_flags(note))
    return x, y


def check_out_path(
    path, flag, folder=False, example="predictions.csv", inputs=()
):
    """Refuse, before any work, an output that could not be written.

    Files and folders are written beside their final path and renamed
    onto it (`aos_keras.saving.io`), so the folder that will hold `path` must
    accept a new entry. It is tried: a temporary folder is made in it and
    removed (permission bits say nothing for root, nor for read-only
    mounts). `-` (standard output) is always writable.

    Args:
        path: str. The output file, or folder when `folder`.
        flag: str. The option or argument that named it, for the message.
        folder: bool. `path` is a folder (a file there is refused);
            otherwise a file (a folder there is refused).
        example: str. A file name the message suggests inside a folder.
        inputs: paths the command reads (a table, a model folder): the
            output must not replace one of them, nor a file of a model
            folder among them.

    Raises:
        CLIError: `path` is of the wrong kind, a folder above it is a
            file, its folder cannot be written, or it would replace an
            input.
    """
    if path == STDIO and not folder:
        return
    out = os.path.abspath(path)
    _check_not_an_input(out, flag, path, inputs)
    if folder and os.path.exists(out) and not os.path.isdir(out):
        raise CLIError(f"{flag} {path} is a file, not a folder")
    if not folder and os.path.isdir(out):
        raise CLIError(
            f"{flag} {path} is a folder; give a file name, e.g. "
            f"{os.path.join(path, example)}"
        )
    parent = os.path.dirname(out)
    while not os.path.lexists(parent):
        parent = os.path.dirname(parent)
    if not os.path.isdir(parent):
        raise CLIError(f"{flag} {path}: {parent} is a file, not a folder")
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".aos-keras-probe.", dir=parent))
    except OSError as err:
        raise CLIError(
            f"{flag} {path}: cannot write in {parent} ({err.strerror})"
        ) from None


def _check_not_an_input(out, flag, path, inputs):
    """Refuse an output that is one of the command's inputs, or a file of
    an input model folder (`predict -o t.csv` of `t.csv`)."""
    from aos_keras.saving import io

    for given in inputs:
        if given in (None, STDIO):
            continue
        src = os.path.abspath(given)
        inside = os.path.dirname(out) == src and os.path.isdir(src)
        if out == src or (inside and os.path.basename(out) in
                          io.MODEL_FOLDER_ENTRIES):  # fmt: skip
            raise CLIError(
                f"{flag} {path} would replace the input {given}; write the "
                "output to another path"
            )


@contextlib.contextmanager
def writing(path, flag):
    """Within: this command holds `path`'s lock (`saving.io.exclusive`).

    Args:
        path: str. The output folder.
        flag: str. The option or argument that named it.

    Raises:
        CLIError: another process holds it (its ID named).
    """
    from aos_keras.saving import io

    try:
        with io.exclusive(path):
            yield
    except io.FolderInUseError as err:
        raise CLIError(
            f"{flag} {path}: another aos-keras command (pid {err.holder}) is "
            f"writing it; wait for it to end, or choose another {flag}"
        ) from None


def check_replaceable(path, flag, own):
    """Refuse, before any work, an output folder that overwriting would
    empty of the user's files (`aos_keras.saving.io.check_replaceable`).

    Args:
        path: str. The output folder (`--overwrite` given or not needed).
        flag: str. The option or argument that named it.
        own: collection of str. The entries this kind of folder holds.

    Raises:
        CLIError: `path` is a link, or holds entries not in `own`.
    """
    from aos_keras.saving import io

    try:
        io.check_replaceable(path, True, own)
    except FileExistsError as err:
        raise CLIError(f"{flag} {err}") from None


def write_csv(frame, path, what):
    """Write `frame` as CSV to `path` atomically, or to stdout for `-`."""
    from aos_keras.saving import io

    text = frame.to_csv(index=False)
    if path == STDIO:
        sys.stdout.write(text)
        sys.stdout.flush()
        LOG.info("wrote %d %s to standard output", len(frame), what)
        return
    io.write_text(path, text)
    LOG.info("wrote %d %s to %s", len(frame), what, path)
