"""The model folder `aos-keras train` writes and the other commands read.

A folder holds:

- `model.keras`: the trained `AdversarialOversampler`;
- `preprocessing.json`: feature names and dtypes, label column, classes and
  the encoding fitted on the training rows (`encoder`: per column its
  imputation value and standardisation, or its categories, and the policy
  for unknown categories): the JSON of the model's
  `aos_keras.TablePreprocessor`, which `evaluate`, `predict`, `generate`
  and `export` use (the model in `model.keras` holds the same object);
- `metrics.json`, `history.csv` (and PNG plots when asked).

Folders of version 0.3 also hold `encoder.joblib`, a pickle of the fitted
`TableEncoder`: it is no longer written nor read (a pickle runs code when
loaded); their JSON spec is used instead.

The folder is written atomically: into a temporary folder beside it,
renamed onto it at the end (`aos_keras.saving.io.atomic_dir`), so a failure
leaves the previous folder or nothing, and no file of an earlier run stays.
"""

import json
import os
import tempfile
import warnings

import numpy as np
import pandas as pd

from aos_keras import backend
from aos_keras.game import upgrade
from aos_keras.game.model import AdversarialOversampler  # noqa: F401  (registers
from aos_keras.metrics import acsa, geometric_mean, per_class_recall
from aos_keras.saving import io

# the game's Keras classes for `keras.saving.load_model`)
from aos_keras.tables.preprocessing import TablePreprocessor

# The pickled `TableEncoder` of 0.3 folders: no longer written nor read.
ENCODER = "encoder.joblib"


def save_folder(result, out, *, label, plot=False, extra=None):
    """Write a `aos_keras.training.TrainedTable` as a model folder.

    Args:
        result: the `TrainedTable` of `train_table`.
        out: str. The folder (created if needed).
        label: str. The table's label column.
        plot: bool. Also write `curves.png` and `generated.png`.
        extra: dict or None. More entries of `metrics.json`.

    Returns:
        The `metrics.json` dict (strict JSON: NaN as None). Epochs are
        numbered from 1 in `metrics.json` (`best_epoch`) and `history.csv`.
    """
    with io.atomic_dir(out, overwrite=True) as tmp:
        _write_folder(result, tmp, label, plot, extra)
    with open(os.path.join(out, "metrics.json"), encoding="utf-8") as f:
        return json.load(f)


def _write_folder(result, out, label, plot, extra):
    model = result.model
    model.save(os.path.join(out, "model.keras"))
    prep = preprocessing(result.features, label, result.encoder)
    prep["classes"] = model.classes_.tolist()
    io.write_json(os.path.join(out, "preprocessing.json"), prep)
    table = pd.DataFrame(result.history)
    table.index = pd.RangeIndex(1, len(table) + 1, name="epoch")  # 1-based
    io.write_text(os.path.join(out, "history.csv"), table.to_csv())
    metrics = {
        **(extra or {}),
        "backend": backend.BACKEND,
        "train": scores(model, result.x, result.y),
        **_validation_metrics(result),
    }
    io.write_json(os.path.join(out, "metrics.json"), metrics)
    if plot:
        _plot(result, out)


def _validation_metrics(result):
    """`best_epoch` (from 1) and the `val` scores, or nothing."""
    if result.best is None:
        return {}
    recall = zip(result.model.classes_.tolist(), result.best["recall"])
    return {
        "best_epoch": result.best["epoch"] + 1,
        "val": {
            "acsa": result.best["acsa"],
            "gm": result.best["gm"],
            "recall": {str(k): r for k, r in recall},  # keyed by class
        },
    }


def _plot(result, out):
    from aos_keras import plots

    best = None if result.best is None else result.best["epoch"] + 1
    plots.plot_history(
        result.history, os.path.join(out, "curves.png"), best_epoch=best
    )
    plots.plot_generated(
        result.model, result.x, result.y, os.path.join(out, "generated.png")
    )


def load_folder(folder):
    """The model and preprocessing of a folder written by `train`.

    Args:
        folder: str.

    Returns:
        `(model, prep)`: the `AdversarialOversampler` and the
        `preprocessing.json` dict, with the folder's
        `aos_keras.TablePreprocessor` as `prep["_encoder"]`.

    Raises:
        FileNotFoundError: the folder lacks `model.keras` or
            `preprocessing.json`.
        ValueError: `model.keras` is corrupt or truncated.
    """
    paths = [
        os.path.join(folder, n) for n in ("model.keras", "preprocessing.json")
    ]
    for path in paths:
        if not os.path.exists(path):
            raise FileNotFoundError(
                f"{path} not found: pass a folder written by 'aos-keras train'"
            )
    try:
        model = _load_model(paths[0])
    except (OSError, ValueError, KeyError, EOFError) as err:
        import zipfile

        if not zipfile.is_zipfile(paths[0]):
            raise ValueError(
                f"{paths[0]} is corrupt or truncated (not a Keras archive); "
                "train the model again or restore the file"
            ) from err
        raise
    with open(paths[1], encoding="utf-8") as f:
        prep = json.load(f)
    prep["_encoder"] = load_encoder(folder, prep, model)
    return model, prep


def _load_model(path):
    """`keras.saving.load_model`; a file of an earlier layout is converted
    in a temporary copy (`aos_keras.game.upgrade`), with a warning."""
    import keras

    if not upgrade.is_legacy_file(path):
        return keras.saving.load_model(path, compile=False)
    warnings.warn(
        f"{path} was saved by aos_keras < 0.2; it is converted for this run. "
        "To convert it for good: python -c "
        '"import aos_keras.game.upgrade as u; '
        f'u.upgrade_saved_model({path!r})"',
        stacklevel=3,
    )
    with tempfile.TemporaryDirectory() as tmp:
        copy = upgrade.upgrade_saved_model(path, os.path.join(tmp, "m.keras"))
        return keras.saving.load_model(copy, compile=False)


def load_encoder(folder, prep, model=None):
    """The folder's `aos_keras.TablePreprocessor`, from JSON only.

    The model's own (`model.preprocessor`) when it encodes the table;
    otherwise built from `preprocessing.json`: its `encoder` spec (0.3
    folders), or, for earlier folders, the numeric columns' mean and scale.
    Warns when `folder` is a 0.3 folder whose policy for unknown
    categories was kept only in its pickle.
    """
    _warn_unknown_policy(folder, prep.get("encoder"))
    own = getattr(model, "preprocessor", None)
    if own is not None and not own.identity:
        return own
    spec = prep.get("encoder") or _numeric_spec(prep)
    return TablePreprocessor(spec, prep["classes"])


def _warn_unknown_policy(folder, spec):
    """Warn when a 0.3 folder's policy for unknown categories is lost.

    0.3 kept the policy only in `encoder.joblib`, which is no longer read:
    such a folder now ignores unknown categories, even if it was trained
    with `--unknown-categories error`.
    """
    if folder is None or not spec or "unknown" in spec:
        return
    if all(c.get("kind") == "numeric" for c in spec.get("columns", ())):
        return
    if os.path.exists(os.path.join(folder, ENCODER)):
        warnings.warn(
            f"{folder} was written by aos_keras 0.3: its policy for unknown "
            f"categories was kept only in {ENCODER}, which is no longer "
            "read (a pickle). Unknown categories are now ignored; train the "
            "model again to keep '--unknown-categories error'.",
            stacklevel=3,
        )


def _numeric_spec(prep):
    """The spec of a folder of numeric columns (`mean`, `scale`)."""
    dtypes = prep.get("dtypes", {})
    columns = [
        {
            "name": str(c),
            "kind": "numeric",
            "dtype": dtypes.get(c, "float64"),
            "fill": float(m),  # the median of the two rows it was fit on
            "mean": float(m),
            "scale": float(s),
        }
        for c, m, s in zip(prep["features"], prep["mean"], prep["scale"])
    ]
    return {"columns": columns, "order": [c["name"] for c in columns]}


def preprocessing(features, label, encoder):
    """`preprocessing.json`: columns, dtypes, label, the encoder's spec."""
    prep = {
        "features": [str(c) for c in features.columns],
        "dtypes": {str(c): str(t) for c, t in features.dtypes.items()},
        "label": label,
        "encoder": encoder.serving_spec(),
    }
    if encoder.numeric_only:  # the numeric layout of earlier versions
        spec = prep["encoder"]["columns"]
        prep["mean"] = [c["mean"] for c in spec]
        prep["scale"] = [c["scale"] for c in spec]
    return prep


def transform(features, prep):
    """Model-space rows of a table, through the folder's preprocessor.

    The model's feature columns are taken from `features` by name (other
    columns, such as IDs, are left out).

    Raises:
        ValueError: the table lacks a feature column, or a bad cell.
    """
    encoder = prep.get("_encoder") or load_encoder(None, prep)
    return encoder.transform(encoder.select(features))


def scores(model, x, labels):
    """ACSA, GM and per-class recall (keyed by class) of `model` on rows."""
    y = model.encode_labels(labels)
    pred = np.argmax(model.predict(x, verbose=0), axis=1)
    c = model.num_classes
    recall = per_class_recall(y, pred, c)
    return {
        "rows": int(len(y)),
        "acsa": acsa(y, pred, c),
        "gm": geometric_mean(y, pred, c),
        "recall": {
            str(k): (None if np.isnan(r) else float(r))
            for k, r in zip(model.classes_, recall)
        },
    }
