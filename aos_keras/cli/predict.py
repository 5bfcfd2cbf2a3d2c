"""`aos-keras predict`: the label and class probabilities of each row, as
CSV (a file, or stdout for `-`)."""

import numpy as np

from aos_keras.cli.common import (
    CLIError,
    check_out_path,
    read_table,
    write_csv,
)


def check(args):
    """The output path and the table, checked before Keras is imported."""
    check_out_path(args.output, "--output", inputs=(args.data, args.model))
    return read_table(args)


def run(args):
    """Predict the rows of `args.data` with the folder's model."""
    from aos_keras.cli import model_folder
    from aos_keras.tables import reader

    model, prep = model_folder.load_folder(args.model)
    frame = args.checked
    features = frame.drop(columns=[prep["label"]], errors="ignore")
    keep = args.keep or []
    absent = [c for c in keep if c not in frame.columns]
    if absent:
        raise CLIError(f"--keep names columns the table lacks: {absent}")
    reader.check_finite(
        features[[c for c in prep["features"] if c in features]]
    )
    proba = _probabilities(model, model_folder.transform(features, prep))
    classes = list(prep["classes"])
    out = frame[keep].reset_index(drop=True).copy()
    out["prediction"] = np.asarray(classes, dtype=object)[proba.argmax(1)]
    for j, c in enumerate(classes):
        out[f"p[{c}]"] = proba[:, j]
    write_csv(out, args.output, "predictions")


def _probabilities(model, x):
    import keras

    logits = model.classifier(x)
    return keras.ops.convert_to_numpy(keras.ops.softmax(logits, axis=-1))
