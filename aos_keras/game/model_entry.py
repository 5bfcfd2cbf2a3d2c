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
batches (`aos_keras.batching`).
"""

import numpy as np
import pandas as pd

from aos_keras.callbacks import DeferredOversampling, with_nan_guard
from aos_keras.game.batching import batch_size_for, pad_to_batches
from aos_keras.saving.export import export_saved_model
from aos_keras.tables import checks


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
        must yield class indices `0..C-1`. A `batch_size` larger than the
        table is clipped to the table.

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
                `aos_keras.validation`).
            NonFiniteLossError: a loss or weight became NaN or infinite.
        """
        _check_epochs(kwargs)
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
        kwargs["callbacks"] = self._fit_callbacks(
            kwargs.get("callbacks"), nan_guard
        )
        if _can_pad(x, kwargs):
            x, y, validation_data = _whole_batches(
                x, y, validation_data, kwargs
            )
        return super().fit(x, y, validation_data=validation_data, **kwargs)

    def _fit_callbacks(self, callbacks, nan_guard):
        """`fit`'s callbacks: the guard first, the deferral when deferred."""
        callbacks = with_nan_guard(callbacks) if nan_guard else callbacks
        if self.oversampling_start_step is not None:
            callbacks = [*(callbacks or []), DeferredOversampling()]
        return callbacks

    def evaluate(self, x=None, y=None, **kwargs):
        """`keras.Model.evaluate` with label mapping (see `fit`)."""
        if not kwargs.get("_use_cached_eval_dataset"):  # not fit's own call
            x, y = self._prepare(x, y)
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
        if _is_array_like(x):
            return model_rows(self.preprocessor, x, name)
        return x

    def _prepare(self, x, y, name="x"):
        x = self._rows(x, name)
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
    return checks.check_features(x, preprocessor.n_features_out_, name)


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
