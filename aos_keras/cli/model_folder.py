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

`load_folder` checks the parts against each other: `preprocessing.json`'s
classes, feature columns, encoder and numeric layout must be the model's
(a file edited by hand, or a `model.keras` copied from another folder, is
refused with a message naming the file, the field and both values).

Folders of version 0.3 also hold `encoder.joblib`, a pickle of the fitted
`TableEncoder`: it is no longer written nor read (a pickle runs code when
loaded); their JSON spec is used instead.

The folder is written atomically: into a temporary folder beside it,
renamed onto it at the end (`aos_keras.saving.io.atomic_dir`), so a failure
leaves the previous folder or nothing, and no file of an earlier run stays.
"""

import json
import math
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
PREPROCESSING = "preprocessing.json"
# What a message about a folder's file says to do.
AGAIN = "Train the model again, or restore the file."


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

    Raises:
        FileExistsError: `out` holds files that are not a model folder's
            (`aos_keras.saving.io.MODEL_FOLDER_ENTRIES`): nothing of the
            user's is deleted.
        aos_keras.saving.io.FolderInUseError: another process is writing `out`.
    """
    with io.atomic_dir(out, overwrite=True, own=io.MODEL_FOLDER_ENTRIES) as tmp:
        _write_folder(result, tmp, label, plot, extra)
    with open(os.path.join(out, "metrics.json"), encoding="utf-8") as f:
        return json.load(f)


def _write_folder(result, out, label, plot, extra):
    model = result.model
    model.save(os.path.join(out, "model.keras"))
    prep = preprocessing(result.features, label, result.encoder)
    prep["classes"] = model.classes_.tolist()
    io.write_json(os.path.join(out, PREPROCESSING), prep)
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

    The folder's parts are checked against each other: the classes, the
    feature columns, the encoder and the numeric layout (`mean`, `scale`)
    of `preprocessing.json` must be those of the model in `model.keras`
    (the reference: `evaluate` scores with it).

    Args:
        folder: str.

    Returns:
        `(model, prep)`: the `AdversarialOversampler` and the
        `preprocessing.json` dict, with the folder's
        `aos_keras.TablePreprocessor` as `prep["_encoder"]`.

    Raises:
        FileNotFoundError: the folder lacks `model.keras` or
            `preprocessing.json`.
        ValueError: `model.keras` is corrupt, truncated or not a model of
            `aos-keras train`; `preprocessing.json` is not valid JSON,
            lacks a field, or disagrees with the model (the message names
            the file, the field and both values).
    """
    paths = [os.path.join(folder, n) for n in ("model.keras", PREPROCESSING)]
    for path in paths:
        if not os.path.isfile(path):
            what = "is not a file" if os.path.exists(path) else "not found"
            raise FileNotFoundError(
                f"{path} {what}: pass a folder written by 'aos-keras train'"
            )
    model = _read_model(paths[0])
    prep = read_json(paths[1])
    _check_fields(prep, paths[1])
    check = _FolderCheck(paths[1], paths[0])
    check.same("'classes'", prep["classes"], model.classes_.tolist())
    prep["_encoder"] = load_encoder(folder, prep, model)
    check_folder(model, prep, check)
    return model, prep


def _read_model(path):
    """The `AdversarialOversampler` of `path`, or a clear `ValueError`."""
    try:
        model = _load_model(path)
    except (OSError, ValueError, KeyError, EOFError) as err:
        import zipfile

        if not zipfile.is_zipfile(path):
            raise ValueError(
                f"{path} is corrupt or truncated (not a Keras archive); "
                "train the model again or restore the file"
            ) from err
        raise
    if not isinstance(model, AdversarialOversampler):
        raise ValueError(
            f"{path} holds a {type(model).__name__}, not a model trained by "
            "aos-keras train: pass a folder written by 'aos-keras train', "
            "or train one."
        )
    return model


def read_json(path):
    """The JSON object of a model folder's file, or a `ValueError` that
    names the file and where it breaks (a truncated or edited file).

    Raises:
        ValueError: not valid JSON (line and column), not UTF-8 text, or
            not a JSON object.
    """
    try:
        with open(path, encoding="utf-8-sig") as f:  # a BOM of an editor
            value = json.load(f)
    except json.JSONDecodeError as err:
        raise ValueError(
            f"{path} is not valid JSON (line {err.lineno}, column "
            f"{err.colno}): {err.msg}; train again or restore the file"
        ) from None
    except UnicodeDecodeError:
        raise ValueError(
            f"{path} is not valid JSON (not UTF-8 text); train again or "
            "restore the file"
        ) from None
    if not isinstance(value, dict):
        raise ValueError(
            f"{path} holds a {type(value).__name__}, not the JSON object "
            f"'aos-keras train' writes. {AGAIN}"
        )
    return value


def _check_fields(prep, path):
    """Refuse a `preprocessing.json` without a field the commands read."""
    for field in ("features", "label", "classes"):
        if field not in prep:
            raise ValueError(
                f"{path} lacks the field {field!r} (a folder written by "
                f"'aos-keras train' has it). {AGAIN}"
            )


def check_folder(model, prep, check):
    """Check `preprocessing.json` (`prep`) against the folder's model.

    The model's own objects are the reference: its classes, and, when it
    holds its table's preprocessor, its feature columns and encoder spec.
    A model without one (folders of 0.3 and earlier) is checked for its
    width; the file's numeric layout (`mean`, `scale`, read by `export`)
    must be the encoder's.

    Args:
        model: the folder's `AdversarialOversampler`.
        prep: the `preprocessing.json` dict, `_encoder` set.
        check: a `_FolderCheck` of the folder's two files.

    Raises:
        ValueError: a field differs (file, field and both values named).
    """
    own, encoder = model.preprocessor, prep["_encoder"]
    columns = [
        str(c) for c in (own.columns_ if own.named else encoder.columns_)
    ]
    check.same("'features'", prep["features"], columns)
    if str(prep["label"]) in columns:
        raise ValueError(
            f"{check.path}'s field 'label' is {prep['label']!r}, one of the "
            f"model's feature columns {columns[:20]}. {AGAIN}"
        )
    if not own.identity and "encoder" in prep:
        check.same_spec(prep["encoder"], own.serving_spec())
    if encoder.n_features_out_ != model.num_features:
        check.same(
            "'encoder' (width in model space)",
            encoder.n_features_out_,
            model.num_features,
        )
    if encoder.numeric_only:
        spec = encoder.serving_spec()["columns"]
        for key in ("mean", "scale"):
            if key in prep:
                check.same(repr(key), prep[key], [c[key] for c in spec])


class _FolderCheck:
    """Compares a field of `preprocessing.json` with the model's value,
    both as the folder writes them (JSON), and names any difference."""

    def __init__(self, path, model_path):
        self.path, self.model_path = path, model_path

    def same(self, field, in_file, in_model):
        """Raise when the two values differ as JSON."""
        in_file, in_model = _as_json(in_file), _as_json(in_model)
        if in_file != in_model:
            raise ValueError(
                f"{self.path} does not match {self.model_path}: its field "
                f"{field} is {_shown(in_file)}, but the model holds "
                f"{_shown(in_model)}. The two files are not of one training "
                "run (was one edited, or copied from another folder?). "
                f"{AGAIN}"
            )

    def same_spec(self, in_file, in_model):
        """The encoder: its column names, then `columns` and `order` (and
        `unknown` and `limit` where both have them: 0.3 wrote neither),
        the first difference named."""
        if not isinstance(in_file, dict):
            self.same("'encoder'", in_file, in_model)
        self.same("'encoder' (column names)", _names(in_file), _names(in_model))
        keys = ["columns", "order"] + [
            k for k in ("unknown", "limit") if k in in_file and k in in_model
        ]
        for key in keys:
            where = _difference(in_file.get(key), in_model.get(key), key)
            if where is not None:
                path, a, b = where
                self.same(f"'encoder' ({path})", a, b)


def _names(spec):
    """The column names of an encoder spec (None for a malformed entry)."""
    columns = spec.get("columns")
    if not isinstance(columns, list):
        return columns
    return [c.get("name") if isinstance(c, dict) else None for c in columns]


def _difference(a, b, path):
    """`(path, a's part, b's part)` of the first difference, or None."""
    if isinstance(a, dict) and isinstance(b, dict) and set(a) == set(b):
        parts = [(f"{path}.{k}", a[k], b[k]) for k in sorted(a)]
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        parts = [(f"{path}[{i}]", x, y) for i, (x, y) in enumerate(zip(a, b))]
    else:
        return None if _as_json(a) == _as_json(b) else (path, a, b)
    for part in parts:
        found = _difference(*part[1:], part[0])
        if found is not None:
            return found
    return None


def _as_json(value):
    """`value` as the folder writes it: JSON text (NaN as null)."""
    return json.dumps(_written(value), sort_keys=True)


def _written(value):
    """`value` with numpy scalars as Python, non-finite floats as None
    (as `aos_keras.saving.io.write_json` writes them)."""
    if isinstance(value, dict):
        return {str(k): _written(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_written(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _shown(text, limit=300):
    """A JSON value for a message, cut after `limit` characters."""
    return text if len(text) <= limit else text[:limit] + " ..."


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
