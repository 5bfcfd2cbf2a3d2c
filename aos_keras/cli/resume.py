"""Resuming `aos-keras train` after Ctrl-C, SIGTERM or a killed process.

A run of `train -o F` backs its training state up in the hidden folder
`.F.resume` beside `F`:

- `command.json`: what the run is, its arguments (those that change the
  result) and its data (the file's path, size and modification time; for
  standard input, a hash of the table);
- `backup/`: the `aos_keras.callbacks.ResumableBackup` of the training
  (weights, optimizers, random states, validation history, best epoch),
  written at the end of every epoch.

Running the same command again resumes from the last epoch backed up and
ends as an uninterrupted run would; a command with other arguments or data
is refused unless `--overwrite`, which starts afresh. The folder is removed
when a run ends.

Example:
>>> folder(args.output)  # '/runs/.model.resume' for -o /runs/model
"""

import json
import os
import shutil

from aos_keras.cli.common import LOG, CLIError

COMMAND = "command.json"
BACKUP = "backup"
# Options that change nothing in the trained model.
IGNORED = frozenset(
    {
        "verbose", "quiet", "backend", "backend_logs", "threads", "plot",
        "progress", "output", "overwrite", "checked",
    }
)  # fmt: skip


def folder(out):
    """The resume folder of the model folder `out`: `.<name>.resume`
    beside it."""
    out = os.path.abspath(out)
    return os.path.join(
        os.path.dirname(out), f".{os.path.basename(out)}.resume"
    )


def fingerprint(args, features, labels):
    """What a backup must have been made with to be resumed.

    Args:
        args: the parsed `train` arguments.
        features: DataFrame, the table's feature columns.
        labels: array, the labels.

    Returns:
        A JSON-able dict: `arguments` (by option name) and `data`.
    """
    arguments = {
        k: v for k, v in sorted(vars(args).items()) if k not in IGNORED
    }
    model_class = arguments.get("model_class")
    if model_class is not None:
        arguments["model_class"] = (
            f"{model_class.__module__}.{model_class.__qualname__}"
        )
    found = {"arguments": arguments, "data": _data(args.data, features, labels)}
    return json.loads(json.dumps(found, default=str))


def _data(path, features, labels):
    """The data file's path, size and modification time (a hash of the
    table for standard input)."""
    if path == "-":
        import hashlib

        import pandas as pd

        digest = hashlib.sha256()
        digest.update(pd.util.hash_pandas_object(features).values.tobytes())
        digest.update(pd.util.hash_array(pd.Series(labels).to_numpy()))
        return {"path": "-", "sha256": digest.hexdigest()}
    stat = os.stat(path)
    return {
        "path": os.path.abspath(path),
        "size": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
    }


def check(args, features, labels):
    """Refuse to overwrite the backup of another command (before any work).

    Raises:
        CLIError: the resume folder holds a backup made with other
            arguments or data, and `--overwrite` is not given.
    """
    saved = _saved(folder(args.output))
    if saved is None or args.overwrite:
        return
    changed = _differences(saved, fingerprint(args, features, labels))
    if changed:
        raise CLIError(
            f"{folder(args.output)} holds the backup of an interrupted run "
            f"with other {', '.join(changed)}; run that command again to "
            "resume it, or pass --overwrite to start afresh"
        )


def prepare(args, features, labels):
    """The backup folder of this run, and the epoch it resumes from.

    A backup of the same command is kept (resumed); any other is removed
    (`check` allowed it: `--overwrite`). `command.json` is written.

    Returns:
        `(backup_dir, epoch)`: `epoch` is the 0-based epoch training
        resumes from, or None when it starts afresh.
    """
    from aos_keras.callbacks.backup import saved_epoch

    root = folder(args.output)
    found = fingerprint(args, features, labels)
    saved = _saved(root)
    if saved is None or _differences(saved, found):
        discard(args)
    backup = os.path.join(root, BACKUP)
    resumed = saved_epoch(backup)
    if resumed is None:
        discard(args)
    os.makedirs(root, exist_ok=True)
    from aos_keras.saving import io

    io.write_json(os.path.join(root, COMMAND), found)
    return backup, None if resumed is None else resumed[0]


def discard(args):
    """Remove the resume folder of `args.output` (a run ended or restarts)."""
    root = folder(args.output)
    if os.path.isdir(root):
        LOG.debug("removing %s", root)
        shutil.rmtree(root)


def discard_unless_saved(args):
    """Remove the resume folder unless it holds a backed-up epoch.

    A run that fails before its first epoch ends (a bad table, a bad
    option) leaves nothing to resume, so its command must not block the
    next, corrected command.
    """
    from aos_keras.callbacks.backup import saved_epoch

    if saved_epoch(os.path.join(folder(args.output), BACKUP)) is None:
        discard(args)


def _saved(root):
    """`command.json` of the resume folder, or None (none, unreadable)."""
    try:
        with open(os.path.join(root, COMMAND), encoding="utf-8") as f:
            saved = json.load(f)
        return saved if isinstance(saved, dict) else None
    except (OSError, ValueError):
        return None


def _differences(saved, found):
    """The options (`--epochs 3`, was 5) and data that differ."""
    before = saved.get("arguments", {})
    changed = []
    for name in sorted(set(before) | set(found["arguments"])):
        now = found["arguments"].get(name)
        if before.get(name) != now:
            flag = "--" + name.replace("_", "-")
            changed.append(f"{flag} (was {before.get(name)}, now {now})")
    if saved.get("data") != found["data"]:
        changed.append("data (the table changed or is another file)")
    return changed
