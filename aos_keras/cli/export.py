"""`aos-keras export`: a TF Serving SavedModel of the classifier Q, taking
raw rows (`aos_keras.export.export_saved_model`)."""

import os

import numpy as np

from aos_keras.cli.common import (
    LOG,
    CLIError,
    check_out_path,
    check_replaceable,
    writing,
)
from aos_keras.saving import io


def check(args):
    """`-o/--output` is given (checked before Keras is imported).

    Raises:
        CLIError: no output folder named.
    """
    if args.output is None:
        raise CLIError(
            "name the SavedModel folder to write: -o/--output PATH, e.g. "
            "-o serving/aos/1"
        )


def run(args):
    """Export the folder's classifier to `args.output`.

    `--overwrite` replaces an empty folder or a SavedModel only; the
    export holds `--output`'s lock, so a second command writing it is refused.
    """
    if os.path.lexists(args.output) and not args.overwrite:
        raise CLIError(f"{args.output} exists; pass --overwrite to replace it")
    check_out_path(args.output, "--output", folder=True)
    check_replaceable(args.output, "--output", io.SAVED_MODEL_ENTRIES)
    with writing(args.output, "--output"):
        _export(args)


def _export(args):
    from aos_keras.cli import model_folder

    model, prep = model_folder.load_folder(args.model)
    if prep["_encoder"].numeric_only:
        _export_numeric(model, prep, args)
    else:
        _export_table(model, prep, args)


def _export_table(model, prep, args):
    from aos_keras.saving.export import export_saved_model

    encoder = prep["_encoder"]
    export_saved_model(
        model, args.output, encoder=encoder, overwrite=args.overwrite
    )
    from aos_keras.saving.serving_graph import input_names

    columns = [c["name"] for c in encoder.serving_spec()["columns"]]
    names = list(input_names(columns).values())
    LOG.info(
        "exported to %s: signature serving_default, one input per column, "
        "named %s%s (numbers as float32, nominal columns as strings; each "
        "column's input name in assets.extra/aos_keras.json 'inputs'), "
        "outputs 'probabilities' and 'class_ids'",
        args.output,
        names[:8],
        "..." if len(names) > 8 else "",
    )


def _export_numeric(model, prep, args):
    from aos_keras.saving.export import export_saved_model

    export_saved_model(
        model,
        args.output,
        feature_mean=np.asarray(prep["mean"], dtype="float32"),
        feature_scale=np.asarray(prep["scale"], dtype="float32"),
        overwrite=args.overwrite,
    )
    LOG.info(
        "exported to %s: signature serving_default, input 'features' "
        "float32 [None, %d] (raw, in the column order %s...), outputs "
        "'probabilities' and 'class_ids'",
        args.output,
        len(prep["features"]),
        prep["features"][:8],
    )
