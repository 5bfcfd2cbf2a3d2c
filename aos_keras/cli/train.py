"""`aos-keras train`: fit AO/DO on a table and save the model folder.

`check` runs before Keras is imported (settings, run options, output
folder, table and columns, a backup of another command); `run` trains
(`aos_keras.training.train_table`) and writes the folder
(`aos_keras.cli.model_folder.save_folder`). The metrics go to stdout as JSON;
progress and advice to the log (stderr). The training state is backed up
after every epoch (`aos_keras.cli.resume`): the same command, run again
after Ctrl-C, SIGTERM or a kill, resumes where it stopped.
"""

import contextlib
import json
import os
import sys

from aos_keras.cli import resume
from aos_keras.cli.common import (
    EXIT_STATUS,
    LOG,
    CLIError,
    as_flags,
    check_out_path,
    check_replaceable,
    read_table,
    split_label,
    writing,
)
from aos_keras.saving import io


def check(args):
    """`train`'s checks, run before Keras is imported.

    The game's settings (`config_class.from_args`), the run options
    (`check_run_options`), then the table and its columns, then the backup
    of an interrupted run (`aos_keras.cli.resume.check`).

    Returns:
        `(config, features, labels)`, which `run` uses.

    Raises:
        CLIError: any of them is wrong.
    """
    if args.model_class is None:
        from aos_keras.game.config import GameConfig as config_class
    else:
        config_class = args.model_class.config_class
    try:  # every setting of the game has its option; checked first
        config = config_class.from_args(args)
    except ValueError as err:
        raise CLIError(as_flags(str(err))) from err
    check_run_options(args)
    frame = read_table(args)
    features, labels = split_label(
        frame, args.label, args.features, args.drop, warn=True
    )
    _check_magnitudes(args, features)
    resume.check(args, features, labels)
    return config, features, labels


def _check_magnitudes(args, features):
    """Refuse values too large to encode, naming the file's data rows (the
    encoder sees the training rows of the split, numbered otherwise)."""
    from aos_keras.tables import checks

    limit = checks.MAX_ABS_RAW
    if not args.standardize:
        limit = checks.MAX_ABS_FEATURE
    for column in features.select_dtypes("number").columns:
        values = features[column].astype(float).to_numpy()
        try:
            checks.check_column(values, column, limit=limit)
        except ValueError as err:
            raise CLIError(f"{_name(args.data)}: {err}") from None


def check_run_options(args):
    """`train`'s run options and output folder, checked before any work.

    Raises:
        CLIError: `--epochs` below 1, `--val-size` not in [0, 1) (the
            parser refuses a bad `--batch-size`, `--patience` or
            `--max-anchors`), or an `--output` that is a file,
            a non-empty folder without `--overwrite` (other than the folder
            of an interrupted run, which the same command resumes), or
            cannot be written (`check_out_path`).
    """
    if args.epochs < 1:
        raise CLIError(f"--epochs must be at least 1; got {args.epochs}")
    if not 0.0 <= args.val_size < 1.0:
        raise CLIError(
            f"--val-size must be in [0, 1) (0: no validation split); got "
            f"{args.val_size}"
        )
    _check_out(args)


def _check_out(args):
    """The output folder: a writable folder, unused unless `--overwrite`,
    and even then only a model folder (nothing of the user's is ever
    deleted)."""
    if args.output == "-":
        raise CLIError("--output names a folder (the model folder), not '-'")
    check_out_path(args.output, "--output", folder=True)
    out = os.path.abspath(args.output)
    used = os.path.isdir(out) and os.listdir(out)
    if used and not args.overwrite and not interrupted_run(out):
        raise CLIError(
            f"--output {args.output} exists and is not empty; pass "
            "--overwrite to replace it (the new folder replaces it whole at "
            "the end)"
        )
    check_replaceable(args.output, "--output", io.MODEL_FOLDER_ENTRIES)


def interrupted_run(folder):
    """The signal that stopped the run saved in `folder`, or None."""
    try:
        with open(os.path.join(folder, "metrics.json"), encoding="utf-8") as f:
            return json.load(f).get("interrupted")
    except (OSError, ValueError, AttributeError):
        return None


def run(args):
    """Train, save the folder, print the metrics; the exit status.

    The run holds `--output`'s lock (`aos_keras.saving.io.exclusive`) from its
    first to its last step: a second command writing the same folder is
    refused at once, and the folder is checked again under the lock.
    """
    checked = getattr(args, "checked", None) or check(args)
    with writing(args.output, "--output"):
        _check_out(args)  # as it is now that no one else writes it
        return _run(args, *checked)


def _run(args, config, features, labels):
    from aos_keras import training

    backup, epoch = resume.prepare(args, features, labels)
    _announce(args, epoch)
    try:
        with contextlib.redirect_stdout(sys.stderr):  # Keras's progress
            result = _train(args, config, features, labels, backup)
    except ValueError as err:
        resume.discard_unless_saved(args)
        raise CLIError(f"{_name(args.data)}: {as_flags(str(err))}") from err
    except training.Interrupted as stop:
        LOG.error("%s before the first epoch ended; nothing saved.",
                  stop.signal_name)  # fmt: skip
        resume.discard(args)
        return EXIT_STATUS[stop.signal_name]
    return _save(args, result)


def _announce(args, epoch):
    """Log a resume (or a restart over an interrupted run's folder)."""
    stopped = interrupted_run(os.path.abspath(args.output))
    if epoch is not None:
        LOG.info(
            "resuming the run%s from epoch %d of %d (the folder is "
            "replaced when it ends)",
            f" stopped by {stopped}" if stopped else "",
            epoch + 1,
            args.epochs,
        )
    elif stopped:
        LOG.info(
            "%s holds a run stopped by %s, with no backup to resume; "
            "training again from the start",
            args.output,
            stopped,
        )


def _train(args, config, features, labels, backup_dir):
    from aos_keras import AdversarialOversampler, training

    return training.train_table(
        features,
        labels,
        config=config,
        encoder=_encoder(args),
        val_size=args.val_size,
        epochs=args.epochs,
        patience=args.patience,
        batch_size=args.batch_size,
        seed=args.seed,
        max_anchors=args.max_anchors,
        verbose=_progress(args),
        model_class=args.model_class or AdversarialOversampler,
        name=_name(args.data),
        stop_on_signals=True,
        backup_dir=backup_dir,
    )


def _encoder(args):
    """The (unfitted) `TableEncoder` of the encoder options."""
    from aos_keras.tables.encoder import TableEncoder

    return TableEncoder(
        standardize=args.standardize,
        numeric_imputation=args.impute,
        unknown=args.unknown_categories,
        max_categories=args.max_categories,
    )


def _save(args, result):
    """Write the folder; print the metrics (stdout) and advice (log)."""
    from aos_keras.cli import model_folder

    extra = _extra_metrics(args, result)
    if result.interrupted:
        done = len(result.history.get("loss", []))
        extra.update(interrupted=result.interrupted, epochs_done=done)
    metrics = model_folder.save_folder(
        result, args.output, label=args.label, plot=args.plot, extra=extra
    )
    print(json.dumps(metrics, indent=1))
    LOG.info("saved to %s", args.output)
    if not result.interrupted:
        resume.discard(args)
        return 0
    _advise_after(result.interrupted, extra["epochs_done"], args)
    return EXIT_STATUS[result.interrupted]


def _extra_metrics(args, result):
    """`metrics.json`'s entries of the command line (and a warning for
    classes of a single row)."""
    done = len(result.history.get("loss", []))
    extra = {"mode": args.mode, "epochs": args.epochs, "epochs_run": done}
    if result.best is not None and not result.interrupted:
        LOG.info(
            "%s after %d of at most %d epochs; kept epoch %d (best "
            "validation ACSA %.4f)",
            "stopped early" if done < args.epochs else "trained",
            done,
            args.epochs,
            result.best["epoch"] + 1,
            result.best["acsa"],
        )
    if result.training_only:
        extra["training_only_classes"] = [str(c) for c in result.training_only]
        LOG.warning(
            "classes %s have a single row: it stays in training, and the "
            "validation split that selects the epoch has none of them.",
            extra["training_only_classes"],
        )
    return extra


def _advise_after(signal_name, done, args):
    """What a run stopped by a signal saved, and how to finish it."""
    LOG.warning(
        "stopped by %s after %d of %d epochs; %s holds the best epoch so "
        'far (metrics.json: "interrupted"). Run the same command again to '
        "resume from epoch %d (the state is backed up in %s).",
        signal_name,
        done,
        args.epochs,
        args.output,
        done + 1,
        resume.folder(args.output),
    )


def _progress(args):
    """Keras's verbosity: `--progress`, else none with `-q`, a bar on a
    terminal and a line per epoch in a log."""
    if args.progress is not None:
        return args.progress
    if args.quiet:
        return 0
    return 1 if sys.stderr.isatty() else 2


def _name(path):
    return "standard input" if path == "-" else path
