"""`TableEntry`: a game model's Keras entry points on tables and labels.

The model holds the game; its `preprocessor` (`aos_keras.TablePreprocessor`)
holds the table. This mixin gives `fit`, `evaluate`, `predict`,
`predict_labels`, `encode_labels` and `export` their convenience by
delegating to that object: a DataFrame goes through
`preprocessor.transform` (columns matched by name), raw labels through
`preprocessor.encode_labels`, predictions back through
`preprocessor.decode`. Arrays are rows in model space (for a model
without an encoding they are the same thing). `fit` also adds the NaN
guard and `DeferredOversampling` to the callbacks and pads arrays to whole
batches (`aos_keras.batching`). An array that looks like raw rows of a
model that standardises gets a warning (`warn_if_raw`). Datasets and
generators given to `fit` and `evaluate` carry class indices: each batch's
labels are checked (`checked_batches`), so raw labels are refused rather
than trained on.
"""

import functools
import sys
import warnings

import keras
import numpy as np
import pandas as pd

from aos_keras import validation
from aos_keras.batching import batch_size_for, pad_to_batches
from aos_keras.callbacks import DeferredOversampling, with_nan_guard
from aos_keras.export import export_saved_model


class TableEntry:
    """Mixin of `AdversarialOversampler`: tables and labels at Keras' entry.

    Needs `preprocessor`, `num_features`, `oversampling_start_step`.
    """

    def fit(
        self, x=None, y=None, validation_data=None, nan_guard=True, **kwargs
    ):
        """`keras.Model.fit` that accepts arrays/DataFrames and raw labels.

        Numpy/pandas `x` and `y` (and `validation_data=(x_val, y_val)`) go
        through the model's `preprocessor`: DataFrames matched by column
        name, labels mapped through `classes_`; datasets and generators
        must yield class indices `0..C-1`, one per row (`checked_batches`
        checks each batch: raw labels and one-hot rows are refused). A
        `batch_size` larger than the table is clipped to the table.

        Args:
            x: features `(N, d)`, or a dataset/generator of `(x, y)`.
            y: labels `(N,)` (values of `classes_`) when `x` is an array.
            validation_data: `(x_val, y_val)` or a dataset.
            nan_guard: bool. Put an `aos_keras.callbacks.NonFiniteGuard`
                first in the callbacks: training stops at the first
                non-finite loss with a `NonFiniteLossError` naming the
                player and the step, and the last finite weights are
                restored. Defaults to `True`.
            **kwargs: forwarded to `keras.Model.fit`.

        Returns:
            The `History`.

        Raises:
            ValueError, TypeError: bad arrays or labels (see
                `aos_keras.validation`), a batch of a dataset whose
                labels are not class indices, or a `class_weight` key that
                is not a class (`class_weight` is keyed by class label, or
                by class index `0..C-1`).
            NonFiniteLossError: a loss or weight became NaN or infinite.
        """
        _check_epochs(kwargs)
        if kwargs.get("class_weight") is not None:
            kwargs["class_weight"] = validation.class_weight_by_index(
                kwargs["class_weight"], self.classes_
            )
        x, y = self._prepare(x, y)
        if _is_array_like(x) and y is None:
            raise ValueError(
                "fit needs labels: pass y (one label per row of x)."
            )
        if isinstance(validation_data, (tuple, list)):
            validation_data = (
                *self._prepare(*validation_data[:2], "x_val"),
                *validation_data[2:],
            )
        else:
            validation_data = self._checked(validation_data, "validation_data")
        kwargs["callbacks"] = self._fit_callbacks(
            kwargs.get("callbacks"), nan_guard
        )
        if _can_pad(x, kwargs):
            x, y, validation_data = _whole_batches(
                x, y, validation_data, kwargs
            )
        with self._label_errors():
            return super().fit(x, y, validation_data=validation_data, **kwargs)

    def _fit_callbacks(self, callbacks, nan_guard):
        """`fit`'s callbacks: the guard first, the deferral when deferred;
        monitors of ACSA or GM in `mode="auto"` maximise them."""
        monitor_directions(callbacks, self.metrics)
        callbacks = with_nan_guard(callbacks) if nan_guard else callbacks
        if self.oversampling_start_step is not None:
            callbacks = [*(callbacks or []), DeferredOversampling()]
        return callbacks

    def evaluate(self, x=None, y=None, **kwargs):
        """`keras.Model.evaluate` with label mapping (see `fit`)."""
        if not kwargs.get("_use_cached_eval_dataset"):  # not fit's own call
            x, y = self._prepare(x, y)
        with self._label_errors():
            return super().evaluate(x, y, **kwargs)

    def predict(self, x, **kwargs):
        """Class probabilities `(n, C)`, columns in the order of `classes_`.

        A DataFrame is matched to the training columns by name.
        """
        return super().predict(self._rows(x), **kwargs)

    def predict_labels(self, x, **kwargs):
        """Predicted labels (values of `classes_`) of rows `x`."""
        return self.preprocessor.decode(self.predict(x, **kwargs))

    def encode_labels(self, y, name="y"):
        """Map labels to class indices `0..C-1` (unseen labels: an error)."""
        return self.preprocessor.encode_labels(y, name=name)

    def _rows(self, x, name="x"):
        if not _is_array_like(x):
            return x
        rows = model_rows(self.preprocessor, x, name)
        if not isinstance(x, pd.DataFrame):
            warn_if_raw(self.preprocessor, rows, name)
        return rows

    def _checked(self, data, name):
        """A dataset or generator whose batches' labels are checked."""
        return checked_batches(data, self.classes_, f"the batches of {name}")

    def _label_errors(self):
        """Within: a failed check in a tf.data graph as a `ValueError`."""
        return _LabelErrors(self.classes_)

    def _prepare(self, x, y, name="x"):
        x = self._checked(self._rows(x, name), name)
        if y is not None and _is_array_like(y):
            y = self.encode_labels(y)
            if _is_array_like(x) and len(y) != len(x):
                raise ValueError(
                    f"{name} has {len(x)} rows but y has {len(y)} labels."
                )
        return x, y

    def export(self, filepath, format="tf_saved_model", verbose=None, **kw):
        """Keras' `model.export`: the classifier as a TF SavedModel.

        Delegates to `aos_keras.export_saved_model` (signatures
        `serving_default` and `classes`; a table's encoding runs in the
        graph). Only `format="tf_saved_model"` is supported; an existing
        `filepath` is replaced, as Keras does.

        Args:
            filepath: str. The SavedModel directory.
            format: str. `"tf_saved_model"`.
            verbose: bool or None. Print the archive's endpoints.
            **kw: other arguments of `export_saved_model` (`method`, ...).

        Returns:
            The absolute path of the SavedModel (str).
        """
        if format != "tf_saved_model":
            raise ValueError(
                f"{type(self).__name__}.export supports "
                f"format='tf_saved_model' only; got {format!r}."
            )
        kw.setdefault("overwrite", True)
        return export_saved_model(self, filepath, verbose=bool(verbose), **kw)


def model_rows(preprocessor, x, name="x"):
    """Rows in model space: a DataFrame through `preprocessor`; an array
    as it is (checked), unless the preprocessor is the identity."""
    if isinstance(x, pd.DataFrame) or preprocessor.identity:
        return preprocessor.transform(x, name)
    return validation.check_features(x, preprocessor.n_features_out_, name)


def checked_batches(data, classes, name="the dataset"):
    """`data` whose batches' labels are checked to be class indices.

    Datasets and generators skip the model's label mapping, and raw labels
    (`1, 2` for two classes) would train silently wrong on JAX and stop with
    internal errors on the other backends. A `keras.utils.PyDataset` and a
    Python generator or iterator are wrapped, each batch's labels checked
    on the host (`aos_keras.validation.check_class_indices`); a
    `tf.data.Dataset` gets a `tf.debugging` assertion in a `map` (its
    one-hot or string labels are refused at once); a torch `DataLoader`
    is wrapped as one whose iteration checks each batch. Other inputs
    (arrays, grain) come back as they are.

    Args:
        data: a dataset, generator, array or None.
        classes: the model's classes (`model.classes_`).
        name: str. Where the labels come from, for the message.

    Returns:
        The checked input.

    Raises:
        ValueError: a `tf.data.Dataset` with one-hot or string labels.
    """
    check = _BatchLabels(classes, name)
    if isinstance(data, keras.utils.PyDataset):
        return _CheckedPyDataset(data, check)
    tf = sys.modules.get("tensorflow")
    if tf is not None and isinstance(data, tf.data.Dataset):
        return _checked_tf_dataset(tf, data, classes, name)
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(data, torch.utils.data.DataLoader):
        return _checked_loader_class(torch.utils.data.DataLoader)(data, check)
    if hasattr(data, "__next__") and not _is_array_like(data):
        return _checked_iterator(data, check)
    return data


class _BatchLabels:
    """Checks the labels of a batch `(x, y)` or `(x, y, sample_weight)`."""

    def __init__(self, classes, name):
        self.classes, self.name = list(classes), name

    def __call__(self, batch):
        _, y, _ = keras.utils.unpack_x_y_sample_weight(batch)
        if y is not None:
            validation.check_class_indices(_host(y), self.classes, self.name)


def _host(y):
    """A batch's labels as a numpy array (from any backend's tensor)."""
    if isinstance(y, np.ndarray):
        return y
    try:
        return np.asarray(y)
    except (TypeError, ValueError, RuntimeError):  # a torch CUDA tensor
        return keras.ops.convert_to_numpy(y)


class _CheckedPyDataset(keras.utils.PyDataset):
    """A `PyDataset` whose batches' labels are checked as they are read."""

    def __init__(self, dataset, check):
        super().__init__(
            workers=dataset.workers,
            use_multiprocessing=dataset.use_multiprocessing,
            max_queue_size=dataset.max_queue_size,
        )
        self.dataset, self.check = dataset, check

    @property
    def num_batches(self):
        return self.dataset.num_batches

    def __getitem__(self, index):
        batch = self.dataset[index]
        self.check(batch)
        return batch

    def on_epoch_begin(self):
        self.dataset.on_epoch_begin()

    def on_epoch_end(self):
        self.dataset.on_epoch_end()


@functools.cache
def _checked_loader_class(base):
    """A subclass of torch's `DataLoader` that wraps a loader and checks
    the labels of each batch it yields (Keras reads a loader's `dataset`,
    `batch_size`, `len` and iteration; the rest is the wrapped loader's)."""

    class CheckedDataLoader(base):
        def __init__(self, loader, check):  # the loader is built already
            vars(self).update(_loader=loader, _check=check)

        def __getattr__(self, name):
            return getattr(vars(self)["_loader"], name)

        def __len__(self):
            return len(self._loader)

        def __iter__(self):
            return _checked_iterator(self._loader, self._check)

    return CheckedDataLoader


def _checked_iterator(batches, check):
    """The batches of a generator or iterator, each checked as it comes."""
    for batch in batches:
        check(batch)
        yield batch


def _checked_tf_dataset(tf, dataset, classes, name):
    """A `tf.data.Dataset` whose labels are asserted to be `0..C-1`."""
    spec = keras.utils.unpack_x_y_sample_weight(dataset.element_spec)[1]
    if spec is None or not hasattr(spec, "shape"):
        return dataset
    shape = spec.shape
    if shape.rank is not None and (
        shape.rank > 2 or (shape.rank == 2 and shape[1] not in (1, None))
    ):
        raise ValueError(validation.one_hot_message(shape.as_list(), name))
    if not (spec.dtype.is_integer or spec.dtype.is_floating):
        raise ValueError(validation.class_index_message(classes, name))
    message = validation.class_index_message(classes, name)
    count = float(len(classes))

    def check(*batch):
        x, y, w = keras.utils.unpack_x_y_sample_weight(batch)
        v = tf.cast(y, "float64")
        ok = tf.reduce_all((v >= 0) & (v < count) & (tf.floor(v) == v))
        failed = tf.debugging.assert_equal(ok, True, message=message)
        with tf.control_dependencies([failed]):
            y = tf.identity(y)
        return (x, y) if w is None else (x, y, w)

    return dataset.map(check)


class _LabelErrors:
    """Re-raises a failed label assertion of a tf.data graph (an
    `InvalidArgumentError` holding the message) as a `ValueError`."""

    def __init__(self, classes):
        self.classes = classes

    def __enter__(self):
        return self

    def __exit__(self, kind, error, trace):
        marker = "must be class indices"
        if error is None or isinstance(error, ValueError):
            return False
        if marker in str(error):
            message = validation.class_index_message(self.classes)
            raise ValueError(message) from None
        return False


def monitor_directions(callbacks, metrics):
    """Give auto-mode monitors of a metric that rises the mode `"max"`.

    Keras' `EarlyStopping`, `ModelCheckpoint` and `ReduceLROnPlateau` in
    `mode="auto"` look the monitored metric's direction up only among the
    metrics of `compile(metrics=...)`, and refuse others (`val_acsa`
    needed `mode="max"`). A callback monitoring a metric of the model that
    declares `_direction = "up"` (ACSA, GM), with or without `val_`, gets
    `mode="max"`; other callbacks and modes are left as they are.

    Args:
        callbacks: list of Keras callbacks or None.
        metrics: the model's metrics (`model.metrics`).
    """
    rising = {m.name for m in metrics if getattr(m, "_direction", "") == "up"}
    for callback in callbacks or ():
        monitor = getattr(callback, "monitor", None)
        if getattr(callback, "mode", None) != "auto" or not isinstance(
            monitor, str
        ):
            continue
        if monitor.removeprefix("val_") in rising:
            callback.mode = "max"


# Rows look raw when a standardised column's mean lies further than
# `RAW_FAR` training standard deviations from 0 in model space, while
# encoding them would put it within `RAW_NEAR` of 0.
RAW_FAR, RAW_NEAR = 4.0, 3.0
# The means are taken on at most about this many evenly spaced rows.
RAW_SAMPLE = 4096


def warn_if_raw(preprocessor, rows, name="x"):
    """Warn when an array given to a model that standardises looks raw.

    Arrays are rows in model space (already encoded); the rows of a table
    of numbers passed as `frame.to_numpy()` would be taken as they are. A
    `UserWarning` names the first standardised column whose mean (on the
    host, over about `RAW_SAMPLE` evenly spaced rows at most) is
    implausible in model space and plausible once encoded. Encoded rows
    (means near 0) never warn.

    Args:
        preprocessor: the model's `aos_keras.TablePreprocessor`.
        rows: float array `(n, d)`, the array as the model will take it.
        name: str. The argument's name in the message.
    """
    if preprocessor.identity or not preprocessor.numeric_only or not len(rows):
        return
    sample = rows[:: max(1, len(rows) // RAW_SAMPLE)]  # a bounded cost
    means = sample.mean(axis=0, dtype=np.float64)
    columns = {c["name"]: c for c in preprocessor.serving_spec()["columns"]}
    inputs = list(preprocessor.columns_)
    for k, column in enumerate(preprocessor.encoder.numeric_):
        c = columns[column]
        encoded = (means[inputs.index(column)] - c["mean"]) / c["scale"]
        if abs(means[k]) > RAW_FAR and abs(encoded) < RAW_NEAR:
            warnings.warn(
                f"the rows of {name} look like raw table rows, not rows in "
                f"model space: column {column!r} has mean {means[k]:.4g}, "
                f"{abs(means[k]):.0f} training standard deviations from 0 "
                f"(encoded it would be {encoded:.2g}). Arrays are taken as "
                "encoded rows: pass the DataFrame (matched by column name), "
                "or model.preprocessor.transform(...) the rows first.",
                UserWarning,
                stacklevel=4,
            )
            return


def _check_epochs(kwargs):
    epochs = kwargs.get("epochs", 1)
    start = kwargs.get("initial_epoch")
    if int(epochs) - int(start or 0) < 1:
        raise ValueError(
            f"fit needs at least one epoch to run; got epochs={epochs}"
            + (f" with initial_epoch={start}" if start else "")
            + "."
        )


def _whole_batches(x, y, validation_data, kwargs):
    """Pad arrays to whole batches (one compiled step shape); a batch size
    larger than the table is clipped to it."""
    batch = batch_size_for(kwargs.get("batch_size") or 32, len(x))
    kwargs["batch_size"] = batch
    x, y, kwargs["sample_weight"] = pad_to_batches(
        x, y, kwargs.get("sample_weight"), batch
    )
    if isinstance(validation_data, tuple) and _is_array_like(
        validation_data[0]
    ):
        val_batch = batch_size_for(
            kwargs.get("validation_batch_size") or batch,
            len(validation_data[0]),
        )
        kwargs["validation_batch_size"] = val_batch
        validation_data = pad_to_batches(
            *validation_data[:2],
            (validation_data[2:] or (None,))[0],
            val_batch,
        )
    return x, y, validation_data


def _can_pad(x, kwargs):
    """Whether `fit` may pad `x` to whole batches (`aos_keras.batching`):
    arrays, and no Keras option that reads the rows' order or count."""
    return _is_array_like(x) and not any(
        kwargs.get(k)
        for k in ("validation_split", "class_weight", "steps_per_epoch")
    )


def _is_array_like(x):
    return isinstance(x, (np.ndarray, list, tuple, pd.DataFrame, pd.Series))


__all__ = ["TableEntry", "model_rows"]
