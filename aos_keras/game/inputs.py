"""What the model's entry points accept, checked: datasets whose batches
must carry class indices, arrays that look like raw table rows, and the
direction of the metrics that callbacks monitor.

`AdversarialOversampler.fit`, `evaluate` and `predict` map DataFrames and
raw labels themselves (`aos_keras.game.model`); what they cannot map
(a dataset, a generator, an array of encoded rows) is checked here, so a
mistake is refused or warned about instead of trained on silently.
"""

import contextlib
import functools
import itertools
import sys
import warnings

import keras
import numpy as np
import pandas as pd

from aos_keras.backend import BACKEND
from aos_keras.callbacks._snapshot import assign, capture, state_variables
from aos_keras.tables.labels import (
    check_class_indices,
    class_index_message,
    one_hot_message,
)


def is_array_like(x):
    """Whether `x` is rows in memory (not a dataset or generator)."""
    return isinstance(x, (np.ndarray, list, tuple, pd.DataFrame, pd.Series))


def checked_batches(data, classes, name="the dataset"):
    """`data` whose batches' labels are checked to be class indices.

    Datasets and generators skip the model's label mapping, and raw labels
    (`1, 2` for two classes) would train silently wrong on JAX and stop with
    internal errors on the other backends. A `keras.utils.PyDataset` and a
    Python generator or iterator are wrapped, each batch's labels checked
    on the host (`aos_keras.check_class_indices`); a
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
        if data.num_batches:  # before `fit` starts: a refusal mid-epoch
            check(data[0])  # leaves a JAX model's variables unusable
        return _CheckedPyDataset(data, check)
    tf = sys.modules.get("tensorflow")
    if tf is not None and isinstance(data, tf.data.Dataset):
        return _checked_tf_dataset(tf, data, classes, name)
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(data, torch.utils.data.DataLoader):
        return _checked_loader_class(torch.utils.data.DataLoader)(data, check)
    if hasattr(data, "__next__") and not is_array_like(data):
        return _checked_iterator(_first_checked(data, check), check)
    return data


def _first_checked(batches, check):
    """The batches of an iterator, its first one read and checked now."""
    try:
        first = next(batches)
    except StopIteration:
        return iter(())
    check(first)
    return itertools.chain([first], batches)


@contextlib.contextmanager
def state_kept_on_refusal(model, *data):
    """Within: a refused batch of a dataset leaves the model as it was.

    JAX's trainer takes the variables' values out of the model while it
    runs and puts them back as it ends; a batch refused at the start of a
    `fit` or `evaluate` (a dataset's batches come in shuffled order)
    would leave them out, and the model unusable. On JAX, when some of
    `data` is a dataset or generator, the model's state is copied first
    and put back when a `ValueError` ends the block.

    Args:
        model: the Keras model about to run.
        *data: the inputs of the run (arrays, datasets, None).
    """
    datasets = [d for d in data if d is not None and not is_array_like(d)]
    snapshot = None
    if BACKEND == "jax" and datasets and model.built:
        snapshot = capture(state_variables(model))
    try:
        yield
    except ValueError:
        if snapshot is not None:
            assign(snapshot, model)
        raise


class _BatchLabels:
    """Checks the labels of a batch `(x, y)` or `(x, y, sample_weight)`."""

    def __init__(self, classes, name):
        self.classes, self.name = list(classes), name

    def __call__(self, batch):
        _, y, _ = keras.utils.unpack_x_y_sample_weight(batch)
        if y is not None:
            check_class_indices(_host(y), self.classes, self.name)


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
    """The batches of a generator or iterator, each checked as it comes
    (the first one twice: cheap, and no case apart)."""
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
        raise ValueError(one_hot_message(shape.as_list(), name))
    if not (spec.dtype.is_integer or spec.dtype.is_floating):
        raise ValueError(class_index_message(classes, name))
    message = class_index_message(classes, name)
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


class LabelErrors:
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
            message = class_index_message(self.classes)
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
