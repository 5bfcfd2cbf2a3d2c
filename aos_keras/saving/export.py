"""Export the classifier Q as a TensorFlow SavedModel for TF Serving.

The served graph holds only the classifier (the generator and critic are
training-time players). Its `serving_default` signature takes raw feature
rows and returns class probabilities and class ids; an optional
standardisation runs inside the graph, so clients send raw features.

On the TensorFlow backend the archive is written in this process with
`keras.export.ExportArchive`. On JAX and torch the classifier is rebuilt
from its config and weights in a subprocess with `KERAS_BACKEND=tensorflow`
and exported there: the graph then holds plain TensorFlow ops, which every
TF Serving build runs (JAX's own export goes through jax2tf, whose
`XlaCallModule` ops some builds cannot run; `method="native"` still offers
it).
"""

import json
import os
import subprocess
import sys
import tempfile

import keras
import numpy as np

from aos_keras._backends import require_tensorflow
from aos_keras.backend import BACKEND
from aos_keras.saving import io
from aos_keras.saving.serving_graph import input_names, write_archive

METHODS = ("auto", "native", "rebuild")
METADATA = os.path.join("assets.extra", "aos_keras.json")
# The subprocess of `method="rebuild"` (not `-m`: the package imports us).
ENTRY = (
    "import sys; from aos_keras.saving.export import _main; _main(sys.argv[1:])"
)


def export_saved_model(
    model,
    path,
    *,
    feature_mean=None,
    feature_scale=None,
    scaler=None,
    encoder=None,
    classes=None,
    method="auto",
    overwrite=False,
    verbose=False,
):
    """Write the classifier of `model` as a SavedModel for TF Serving.

    The SavedModel has three signatures:

    - `serving_default`: input `features`, float32 `[None, d]` (raw rows);
      outputs `probabilities`, float32 `[None, C]` (softmax of Q's logits,
      columns in the order of `classes`) and `class_ids`, int64 `[None]`,
      the argmax of `probabilities` (an index into `classes`, not the label
      itself).
    - `classes`: no input; output `classes`, string `[C]`, the class labels
      as strings, in column order.
    - `logits` (JAX with `method="native"` only): Q's logits of standardised
      rows, the jax2tf function `serving_default` calls.

    `assets.extra/aos_keras.json` repeats the labels with their JSON types
    (`classes`), `num_features`, `feature_mean` and `feature_scale`, for
    clients that read the model directory; for a table served with one
    input per column, its `columns` (the encoder's spec) and `inputs`, each
    column's input name (`aos_keras.serving_graph.input_names`: a name
    TensorFlow accepts, the column's own name where it is valid).

    Args:
        model: an `AdversarialOversampler`, a `Classifier`, a fitted
            `AOSClassifier`, or any object whose `classifier` attribute is
            a Keras model returning logits. A model whose `preprocessor`
            (`aos_keras.TablePreprocessor`) encodes a table (standardises,
            one-hot encodes) exports that encoding in the graph unless a
            standardisation or `encoder` is given.
        path: str or path-like. The SavedModel directory. For TF Serving
            use a numbered version folder, e.g. `/models/aos/1`. It is
            written to a temporary folder beside it, then renamed.
        feature_mean: array-like `(d,)` or None. Subtracted from the raw
            features inside the graph. Defaults to `None` (zeros).
        feature_scale: array-like `(d,)` or None. Divides the centred
            features inside the graph. Defaults to `None` (ones).
        scaler: a fitted `sklearn.preprocessing.StandardScaler` (or any
            object with `mean_` and `scale_`), instead of `feature_mean`
            and `feature_scale`. Defaults to `None`.
        encoder: a fitted `aos_keras.TableEncoder` or
            `aos_keras.TablePreprocessor`, instead of the above.
            A table with nominal columns gets one named input per original
            column (`[None]` float32 for numbers, string for nominal
            columns; a NaN number or an empty string is imputed as in
            training, an unseen category gives no vote) and the encoding
            runs in the graph; a numeric-only table keeps the single
            `features` input, standardised in the graph. Defaults to
            `None`.
        classes: sequence or None. Class labels in column order. Defaults
            to `model.classes_`, else `0..C-1`.
        method: str. `"auto"` (default): `"native"` on the TensorFlow
            backend, `"rebuild"` otherwise. `"native"` exports in this
            process with `keras.export.ExportArchive` (TensorFlow or JAX;
            JAX graphs hold jax2tf `XlaCallModule` ops). `"rebuild"`
            rebuilds Q under `KERAS_BACKEND=tensorflow` in a subprocess
            from its config and weights and exports there (any backend).
        overwrite: bool. Replace an existing `path`: an empty folder or a
            SavedModel (`aos_keras.saving.io.SAVED_MODEL_ENTRIES`) only, never a
            folder holding other files. Defaults to `False`.
        verbose: bool. Print the archive's endpoints. Defaults to `False`.

    Returns:
        The absolute path of the SavedModel directory (str).

    Raises:
        aos_keras._backends.BackendMissingError: TensorFlow is not
            installed (an `ImportError`; the message gives the `pip`
            command: `pip install "aos_keras[tensorflow]"`).

    Example:
    >>> export_saved_model(model, "models/aos/1", scaler=scaler)
    >>> import tensorflow as tf
    >>> serve = tf.saved_model.load("models/aos/1").signatures[
    ...     "serving_default"]
    >>> serve(features=tf.constant(x_raw, tf.float32))["probabilities"]

    References:
        TensorFlow Serving, https://www.tensorflow.org/tfx/guide/serving.
    """
    method = _method(method)
    require_tensorflow("The SavedModel export")
    if hasattr(model, "model_"):  # a fitted AOSClassifier
        model = model.model_
    if all(v is None for v in (scaler, feature_mean, feature_scale, encoder)):
        encoder = _table_encoding(model)
    classifier = _classifier(model)
    d = _num_features(model, classifier)
    columns = fill = None
    if encoder is not None:
        if scaler is not None or feature_mean is not None:
            raise ValueError("Pass either `encoder` or a standardisation.")
        columns, feature_mean, feature_scale, fill = _encoding(encoder, d)
    mean, scale = _standardisation(d, feature_mean, feature_scale, scaler)
    labels = _classes(model, classifier, classes, d)
    spec = {
        "num_features": d,
        "feature_mean": mean.tolist(),
        "feature_scale": scale.tolist(),
        "feature_fill": _fill(fill),
        "classes": [str(c) for c in labels],
        "verbose": bool(verbose),
        "columns": columns,
    }
    with io.atomic_dir(path, overwrite, own=io.SAVED_MODEL_ENTRIES) as tmp:
        write = write_archive if method == "native" else _rebuild_and_write
        write(classifier, tmp, spec)
        _write_metadata(tmp, spec, labels)
    return os.path.abspath(path)


def _write_metadata(folder, spec, labels):
    """`assets.extra/aos_keras.json`: labels with their JSON types, the
    standardisation, the columns and each column's input name (`inputs`,
    None for the single `features` input)."""
    keys = ("num_features", "feature_mean", "feature_scale", "columns")
    columns = spec["columns"]
    inputs = None
    if columns:
        inputs = input_names(c["name"] for c in columns["columns"])
    io.write_json(
        os.path.join(folder, METADATA),
        {
            "classes": _jsonable(labels),
            **{k: spec[k] for k in keys},
            "inputs": inputs,
        },
    )


# ------------------------------------------------------------ arguments
def _method(method):
    """`method`, checked; `"auto"` resolved for this backend."""
    if method not in METHODS:
        raise ValueError(f"`method` must be one of {METHODS}; got {method!r}.")
    if method == "auto":
        method = "native" if BACKEND == "tensorflow" else "rebuild"
    if method == "native" and BACKEND not in ("tensorflow", "jax"):
        raise ValueError(
            f"method='native' needs the tensorflow or jax backend, not "
            f"{BACKEND!r}; use method='rebuild' (the default)."
        )
    return method


def _encoding(encoder, d):
    """`(columns, mean, scale, fill)` of a table's encoding: a numeric
    table as a standardisation (and imputation) of one `features` input,
    another as its spec (one input per column)."""
    table = encoder.serving_spec()
    if encoder.n_features_out_ != d:
        raise ValueError(
            f"The encoder makes {encoder.n_features_out_} features but "
            f"the classifier takes {d}."
        )
    if not encoder.numeric_only:
        return table, None, None, None
    cols = {c["name"]: c for c in table["columns"]}
    order = [cols[n] for n in table["order"]]
    mean = [c["mean"] for c in order]
    scale = [c["scale"] for c in order]
    return None, mean, scale, [c.get("fill") for c in order]


def _table_encoding(model):
    """The model's `TablePreprocessor` when it encodes a table, else None."""
    preprocessor = getattr(model, "preprocessor", None)
    if preprocessor is None or preprocessor.identity:
        return None
    return preprocessor


def _classifier(model):
    if hasattr(model, "get_params") and not hasattr(model, "model_"):
        from sklearn.exceptions import NotFittedError

        raise NotFittedError(
            f"This {type(model).__name__} is not fitted yet; call fit before "
            "exporting it."
        )
    classifier = getattr(model, "classifier", model)
    if not isinstance(classifier, keras.Model):
        raise TypeError(
            "`model` must be an AdversarialOversampler, a Classifier or an "
            "object whose `classifier` is a Keras model; got "
            f"{type(model).__name__}."
        )
    if not classifier.built:
        raise ValueError("The classifier is not built; fit the model first.")
    return classifier


def _num_features(model, classifier):
    for obj in (classifier, model):
        d = getattr(obj, "num_features", None)
        if d is not None:
            return int(d)
    try:
        return int(classifier.inputs[0].shape[-1])
    except (AttributeError, IndexError, TypeError, ValueError):
        raise ValueError(
            "Cannot tell the number of features: the classifier has no "
            "`num_features` attribute and no fixed input shape."
        ) from None


def _standardisation(d, mean, scale, scaler):
    if scaler is not None:
        if mean is not None or scale is not None:
            raise ValueError(
                "Pass either `scaler` or `feature_mean`/`feature_scale`."
            )
        mean, scale = _scaler_numbers(scaler)
    mean = _feature_vector("feature_mean", mean, 0.0, d)
    scale = _feature_vector("feature_scale", scale, 1.0, d)
    if (scale == 0).any():
        raise ValueError("`feature_scale` has zeros; use 1 for those columns.")
    return mean, scale


def _scaler_numbers(scaler):
    """`(mean, scale)` of a fitted `StandardScaler` (None where unused)."""
    if not hasattr(scaler, "scale_") and not hasattr(scaler, "mean_"):
        raise ValueError("`scaler` is not fitted (no `mean_`/`scale_`).")
    # StandardScaler keeps `mean_` with with_mean=False but ignores it.
    mean = scale = None
    if getattr(scaler, "with_mean", True):
        mean = getattr(scaler, "mean_", None)
    if getattr(scaler, "with_std", True):
        scale = getattr(scaler, "scale_", None)
    return mean, scale


def _feature_vector(name, value, default, d):
    """One value per feature, float32, finite (`default` when None)."""
    value = np.full(d, default) if value is None else value
    value = np.asarray(value, dtype=np.float64).reshape(-1)
    if value.shape != (d,):
        raise ValueError(
            f"`{name}` must have {d} values (one per feature); got "
            f"shape {value.shape}."
        )
    if not np.isfinite(value).all():
        raise ValueError(f"`{name}` has NaN or infinite values.")
    return value.astype(np.float32)


def _classes(model, classifier, classes, d):
    if classes is None:
        classes = getattr(model, "classes_", None)
    if classes is None:
        num = getattr(classifier, "num_classes", None)
        if num is None:
            num = classifier.compute_output_shape((None, d))[-1]
        classes = np.arange(int(num))
    return np.asarray(classes).reshape(-1)


def _fill(fill):
    """Each column's imputation value, or None (no column imputes)."""
    if fill is None or all(f is None for f in fill):
        return None
    return [float("nan") if f is None else float(f) for f in fill]


def _jsonable(labels):
    values = labels.tolist()
    try:
        json.dumps(values)
    except TypeError:
        values = [str(c) for c in labels]
    return values


# -------------------------------------------------------------- writing
def _rebuild_and_write(classifier, folder, spec):
    """Rebuild the classifier under TensorFlow in a subprocess; export."""
    with tempfile.TemporaryDirectory(prefix="aos_export_") as work:
        weights = os.path.join(work, "classifier.weights.h5")
        with io.atomic_path(weights) as tmp:
            classifier.save_weights(tmp)
        job = dict(
            spec,
            config=keras.saving.serialize_keras_object(classifier),
            module=type(classifier).__module__,
            weights=weights,
            folder=folder,
        )
        job_path = os.path.join(work, "job.json")
        io.write_json(job_path, job)
        done = subprocess.run(
            [sys.executable, "-c", ENTRY, job_path],
            env=_tensorflow_env(),
            capture_output=True,
            text=True,
        )
        if spec["verbose"]:
            print(done.stdout, end="")
        if done.returncode != 0:
            raise RuntimeError(
                "Exporting under KERAS_BACKEND=tensorflow failed (exit "
                f"{done.returncode}):\n{done.stderr[-4000:]}"
            )


def _tensorflow_env():
    """This process's environment with `KERAS_BACKEND=tensorflow` and this
    package importable."""
    env = dict(os.environ, KERAS_BACKEND="tensorflow")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    package = os.path.abspath(sys.modules["aos_keras"].__file__)
    root = os.path.dirname(os.path.dirname(package))  # the folder above it
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (root, env.get("PYTHONPATH")) if p
    )
    return env


def _main(argv):
    """Subprocess entry of `method="rebuild"`: `_main([job.json])`."""
    import importlib

    if BACKEND != "tensorflow":
        raise SystemExit("run with KERAS_BACKEND=tensorflow")
    with open(argv[0], encoding="utf-8") as f:
        job = json.load(f)
    importlib.import_module("aos_keras")  # registers the players
    importlib.import_module(job["module"])
    classifier = keras.saving.deserialize_keras_object(job["config"])
    if not classifier.built:
        classifier(np.zeros((1, job["num_features"]), dtype=np.float32))
    classifier.load_weights(job["weights"])
    write = write_onnx if job.get("format") == "onnx" else write_archive
    write(classifier, job["folder"], job)


# ---------------------------------------------------------------- ONNX
ONNX_INSTALL = 'pip install "aos_keras[onnx]"'
ONNX_OUTPUT = "probabilities"
ONNX_INPUT = "features"


def export_onnx(
    model,
    path,
    *,
    preprocessing=True,
    feature_mean=None,
    feature_scale=None,
    scaler=None,
    classes=None,
    method="auto",
    opset_version=None,
    overwrite=False,
    verbose=False,
):
    """Write the classifier of `model` as an ONNX file (ONNX Runtime).

    The graph takes raw feature rows, input `features`, float32
    `[batch, d]`, and returns `probabilities`, float32 `[batch, C]` (the
    softmax of Q's logits, columns in the order of `classes`: what
    `model.predict` returns). A numeric table's imputation and
    standardisation run inside the graph, as in the SavedModel. The file's
    metadata (`metadata_props`) holds `classes` (JSON, the labels in column
    order), `feature_names` (JSON, the input columns in order, or null)
    and `num_features`. A model trained in mixed precision is exported in
    float32 (its float32 weights, float32 maths).

    Keras's own `model.export(..., format="onnx")` writes the file:
    tf2onnx on TensorFlow, `torch.onnx` on torch. On JAX the default
    (`method="rebuild"`) rebuilds Q under `KERAS_BACKEND=tensorflow` in a
    subprocess and uses tf2onnx there; `method="native"` uses Keras's JAX
    exporter, which needs `jax2onnx` and `flax`.

    Args:
        model: an `AdversarialOversampler`, a `Classifier`, a fitted
            `AOSClassifier`, or any object whose `classifier` attribute is
            a Keras model returning logits.
        path: str or path-like. The `.onnx` file, written whole (a
            temporary file beside it, then renamed).
        preprocessing: bool. Put the model's table encoding (imputation,
            standardisation) in the graph, so that clients send raw
            rows. A table with nominal (text) columns cannot be encoded in
            the ONNX graph: pass `False` and send rows in model space
            (`model.preprocessor.transform(frame)`), or export a SavedModel.
            Defaults to `True`.
        feature_mean, feature_scale, scaler: a standardisation to put in
            the graph instead of the model's, as in `export_saved_model`.
            Defaults to `None`.
        classes: sequence or None. Class labels in column order. Defaults
            to `model.classes_`, else `0..C-1`.
        method: str. `"auto"` (default): `"native"` on TensorFlow and
            torch, `"rebuild"` on JAX. `"native"` exports in this process
            with Keras's exporter; `"rebuild"` exports under TensorFlow in
            a subprocess (any backend; needs tensorflow and tf2onnx).
        opset_version: int or None. The ONNX opset. Defaults to `None`
            (the exporter's default).
        overwrite: bool. Replace an existing file. Defaults to `False`.
        verbose: bool. Let the exporter print. Defaults to `False`.

    Returns:
        The absolute path of the ONNX file (str).

    Raises:
        ImportError: a package the export needs on this backend is
            missing; the message names the command that installs it.
        ValueError: the table has nominal columns and `preprocessing` is
            True, or an argument is invalid.
        FileExistsError: `path` exists and `overwrite` is False.
        IsADirectoryError: `path` is a folder (never replaced).

    Example:
    >>> export_onnx(model, "aos.onnx")
    >>> import onnxruntime
    >>> session = onnxruntime.InferenceSession("aos.onnx")
    >>> (proba,) = session.run(None, {"features": x_raw.astype("float32")})
    """
    method = _onnx_method(method)
    _check_onnx_packages(method)
    if hasattr(model, "model_"):  # a fitted AOSClassifier
        model = model.model_
    classifier = _classifier(model)
    d = _num_features(model, classifier)
    spec = _onnx_spec(
        model, d, preprocessing, feature_mean, feature_scale, scaler
    )
    labels = _classes(model, classifier, classes, d)
    spec.update(
        opset_version=opset_version, verbose=bool(verbose), format="onnx"
    )
    path = os.fspath(path)
    if os.path.isdir(path):
        raise IsADirectoryError(
            f"{path} is a folder; the ONNX export writes one file (for "
            f"example {path.rstrip(os.sep)}.onnx) and never replaces a folder."
        )
    if os.path.exists(path) and not overwrite:
        raise FileExistsError(
            f"{path} exists; pass overwrite=True to replace it."
        )
    classifier = _float32_copy(classifier, d)
    with io.atomic_path(path) as tmp:
        write = write_onnx if method == "native" else _rebuild_and_write
        write(classifier, tmp, spec)
        _write_onnx_metadata(tmp, spec, labels)
    return os.path.abspath(path)


def _onnx_method(method):
    """`method`, checked; `"auto"`: native except on JAX."""
    if method not in METHODS:
        raise ValueError(f"`method` must be one of {METHODS}; got {method!r}.")
    if method == "auto":
        method = "rebuild" if BACKEND == "jax" else "native"
    return method


def _onnx_requirements(method):
    """`[(module, what it is for)]` the export needs on this backend."""
    needs = [("onnx", "ONNX files")]
    if method == "rebuild" or BACKEND == "tensorflow":
        needs += [("tensorflow", "the rebuild"), ("tf2onnx", "tf2onnx")]
    elif BACKEND == "jax":
        needs += [("jax2onnx", "Keras's JAX exporter"), ("flax", "jax2onnx")]
    return needs


def _check_onnx_packages(method):
    """Raise an `ImportError` that says what to install, if anything."""
    import importlib

    missing = []
    for module, _ in _onnx_requirements(method):
        try:
            importlib.import_module(module)
        except ImportError:
            missing.append(module)
    if not missing:
        return
    hint = f"install them with: {ONNX_INSTALL}"
    if BACKEND == "jax" and method == "native":
        hint = (
            "install them (pip install jax2onnx flax) or use "
            "method='rebuild' (the default on JAX: tensorflow and tf2onnx, "
            f"{ONNX_INSTALL})"
        )
    raise ImportError(
        f"ONNX export on the {BACKEND} backend (method={method!r}) needs "
        f"{', '.join(missing)}: {hint}."
    )


def _onnx_spec(model, d, preprocessing, feature_mean, feature_scale, scaler):
    """The numbers the graph applies before Q: mean, scale, fill, names."""
    encoder = names = fill = None
    given = (feature_mean, feature_scale, scaler)
    if preprocessing and all(v is None for v in given):
        encoder = _table_encoding(model)
    if encoder is not None:
        columns, feature_mean, feature_scale, fill = _encoding(encoder, d)
        if columns is not None:
            nominal = [
                c["name"] for c in columns["columns"] if c["kind"] != "numeric"
            ]
            raise ValueError(
                "The ONNX graph takes numbers only, but this model's table "
                f"has nominal columns ({', '.join(map(str, nominal))}). Pass "
                "preprocessing=False and send rows in model space "
                "(model.preprocessor.transform(frame)), or export a "
                "SavedModel (format='tf_saved_model'), which encodes them."
            )
        names = [str(n) for n in encoder.serving_spec()["order"]]
    mean, scale = _standardisation(d, feature_mean, feature_scale, scaler)
    return {
        "num_features": d,
        "feature_mean": mean.tolist(),
        "feature_scale": scale.tolist(),
        "feature_fill": _fill(fill),
        "feature_names": names,
    }


def _float32_copy(classifier, d):
    """`classifier`, or a float32 copy of it when a layer's dtype policy is
    mixed (Keras's ONNX export needs float32; the weights are float32)."""
    layers = [classifier, *classifier.layers]
    if all(layer.dtype_policy.name == "float32" for layer in layers):
        return classifier
    config = dict(classifier.get_config(), dtype="float32")
    previous = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy("float32")  # for its layers
    try:
        copy = type(classifier).from_config(config)
        if not copy.built:
            copy(np.zeros((1, d), dtype=np.float32))
    finally:
        keras.mixed_precision.set_global_policy(previous)
    copy.set_weights(classifier.get_weights())
    return copy


class _OnnxServing(keras.Model):
    """Raw rows to probabilities: imputation, standardisation, Q, softmax."""

    def __init__(self, classifier, spec):
        super().__init__(name="aos_keras_onnx", dtype="float32")
        self.classifier = classifier
        self.mean = np.asarray(spec["feature_mean"], dtype=np.float32)
        self.scale = np.asarray(spec["feature_scale"], dtype=np.float32)
        fill = spec.get("feature_fill")
        self.fill = None if fill is None else np.asarray(fill, np.float32)

    def call(self, features):
        ops = keras.ops
        x = features
        if self.fill is not None:  # a missing number: the training fill
            x = ops.where(ops.isnan(x), ops.convert_to_tensor(self.fill), x)
        # keras.ops with tensors, not numpy operands: torch's tracer keeps
        # the input as an input (numpy would turn it into a constant).
        x = ops.subtract(x, ops.convert_to_tensor(self.mean))
        x = ops.divide(x, ops.convert_to_tensor(self.scale))
        logits = ops.cast(self.classifier(x), "float32")
        return ops.softmax(logits, axis=-1)


def write_onnx(classifier, path, spec):
    """Write the ONNX file with Keras's exporter in this process."""
    import warnings

    serving = _OnnxServing(classifier, spec)
    serving(np.zeros((1, spec["num_features"]), dtype=np.float32))  # built
    signature = [
        keras.InputSpec(
            shape=(None, spec["num_features"]), dtype="float32", name=ONNX_INPUT
        )
    ]
    with warnings.catch_warnings():
        # torch's tracer warns of shape checks in Keras's softmax; the
        # batch size stays dynamic (the tests run several batch sizes).
        warnings.filterwarnings("ignore", message=".*might cause the trace")
        serving.export(
            path,
            format="onnx",
            verbose=spec["verbose"],
            input_signature=signature,
            opset_version=spec.get("opset_version"),
        )


def _write_onnx_metadata(path, spec, labels):
    """Name the output `probabilities`; classes and columns as metadata."""
    import onnx

    proto = onnx.load(path)
    graph = proto.graph
    old = graph.output[0].name
    for node in graph.node:
        node.output[:] = [ONNX_OUTPUT if o == old else o for o in node.output]
        node.input[:] = [ONNX_OUTPUT if i == old else i for i in node.input]
    graph.output[0].name = ONNX_OUTPUT
    props = {
        "classes": json.dumps(_jsonable(labels)),
        "feature_names": json.dumps(spec["feature_names"]),
        "num_features": str(spec["num_features"]),
        "aos_keras_version": sys.modules["aos_keras"].__version__,
    }
    del proto.metadata_props[:]
    for key, value in props.items():
        proto.metadata_props.add(key=key, value=value)
    proto.producer_name = "aos_keras"
    onnx.checker.check_model(proto)
    onnx.save(proto, path)
