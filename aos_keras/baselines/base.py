"""The interface every benchmark method implements, and plain-Q training."""

import keras
import numpy as np
from keras import ops

from aos_keras.game.classifier import Classifier
from aos_keras.game.players import BETA_1, CLASSIFIER_UNITS, LEARNING_RATE
from aos_keras.metrics import acsa
from aos_keras.stopping import check_patience, should_stop
from aos_keras.tables import checks
from aos_keras.tables.labels import check_labels


class MethodNotApplicable(RuntimeError):
    """A method cannot run on the given data; the benchmark reports NA.

    The message says why (for example "class 1 has 1 training row; SMOTE
    needs at least 2").
    """


class Method:
    """One method of the benchmark: build, train and score the classifier Q.

    Every method trains the same `aos_keras.Classifier` with the same
    epochs, batch size and optimizer (Adam per player); they differ in the
    data Q sees, its loss, or the other players trained beside it. `fit`
    seeds Keras, builds a fresh Keras model (`model`) and trains it with
    `model.fit`; callbacks such as `aos_keras.EvaluationCallback` are
    attached to that model and score `classifier`.

    This base class is the method `"Q"`: the classifier with cross-entropy.
    Subclasses change `_fit` (or the hooks `_resample`, `_loss`, `_targets`,
    `_class_weight` of `ClassifierMethod`).

    Args:
        num_classes: int. Number of classes `C`; labels are `0..C-1`.
        num_features: int. Number of features `d`.
        seed: int or None. Seed of `keras.utils.set_random_seed`, called at
            the start of `fit`, and of any sampler. Defaults to `None`.
        classifier_units: tuple of int. Hidden widths of Q. Defaults to
            `GameConfig.classifier_units`.
        learning_rate: float. Adam's learning rate for every player.
            Defaults to `2e-4`.
        beta_1: float. Adam's `beta_1` for every player. Defaults to `0.5`.
        **options: method options (`accepted_options()`); an option of
            another method is ignored, so one set of options can be passed
            to every method (`make_method` refuses names no method reads).
            `jit_compile` is passed to `compile` by every method.

    Example:
    >>> method = make_method("Q", num_classes=2, num_features=4, seed=0)
    >>> method.fit(x_train, y_train, epochs=100, batch_size=32)
    >>> method.predict_proba(x_test).shape
    (n, 2)
    """

    name = "Q"
    # False where the method also runs when a class has no training row.
    needs_every_class = False
    # The options this class reads (subclasses add theirs; see `accepted`).
    OPTIONS = ("jit_compile",)
    # Bumped when the method's results change under the same name and
    # options (a new default of the model it trains). Part of `compare`'s
    # cache key when nonzero, so a cache never serves results of the old
    # behaviour; 0 keeps the keys of runs cached before revisions existed.
    revision = 0

    @classmethod
    def skip_reason(cls, num_classes):
        """Why `compare` does not run this method on `num_classes` classes.

        Args:
            num_classes: int. The table's number of classes.

        Returns:
            str (the reason, shown in the report), or None: it runs.
        """
        return None

    @classmethod
    def accepted_options(cls):
        """Every option a method of this class reads (over its bases)."""
        names = set()
        for klass in cls.__mro__:
            names.update(klass.__dict__.get("OPTIONS", ()))
        return names

    def __init__(
        self,
        *,
        num_classes,
        num_features,
        seed=None,
        classifier_units=CLASSIFIER_UNITS,
        learning_rate=LEARNING_RATE,
        beta_1=BETA_1,
        **options,
    ):
        self.num_classes = int(num_classes)
        if self.num_classes < 2:
            raise ValueError(f"`num_classes` must be >= 2; got {num_classes}.")
        self.num_features = int(num_features)
        self.seed = checks.check_seed(seed)
        self.classifier_units = tuple(int(u) for u in classifier_units)
        self.learning_rate = float(learning_rate)
        self.beta_1 = float(beta_1)
        self.options = dict(options)
        self._model = None

    def __repr__(self):
        return f"<{type(self).__name__} {self.name!r}>"

    # ---------------------------------------------------------- public API
    @property
    def model(self):
        """The Keras model that `fit` trained (callbacks are attached to it)."""
        if self._model is None:
            raise RuntimeError(f"{self.name}: call `fit` first.")
        return self._model

    @property
    def classifier(self):
        """The `aos_keras.Classifier` that is scored (returns logits)."""
        return getattr(self.model, "classifier", self.model)

    def fit(
        self,
        x,
        y,
        *,
        epochs,
        batch_size=32,
        callbacks=(),
        verbose=0,
        validation_data=None,
    ):
        """Build a fresh model and train it.

        Args:
            x: float array `(N, d)`, standardised training features.
            y: int array `(N,)`, class indices `0..C-1`.
            epochs: int. Passes over the training rows.
            batch_size: int. Real rows per step. Defaults to `32`.
            callbacks: sequence of `keras.callbacks.Callback`. Defaults to
                `()`.
            verbose: int. Keras verbosity. Defaults to `0`.
            validation_data: `(x_val, y_val)` or None, scored by Keras at
                each epoch end. Defaults to `None`.

        Returns:
            `self`.

        Raises:
            MethodNotApplicable: the method cannot run on this data.
        """
        x, y = self._check_data(x, y)
        if validation_data is not None:
            validation_data = self._check_data(*validation_data[:2], "x_val")
        self.class_counts_ = counts = self._class_counts(y)
        if self.seed is not None:
            keras.utils.set_random_seed(self.seed)
        self._model = None
        self._fit(
            x,
            y,
            counts,
            validation_data,
            epochs=int(epochs),
            batch_size=int(batch_size),
            callbacks=list(callbacks),
            verbose=verbose,
        )
        return self

    def _class_counts(self, y):
        """Rows per class; NA where a class the method needs has none."""
        counts = np.bincount(y, minlength=self.num_classes)
        if self.needs_every_class and (counts == 0).any():
            missing = np.flatnonzero(counts == 0).tolist()
            raise MethodNotApplicable(
                f"{self.name}: classes {missing} have no training row."
            )
        return counts

    def fit_scored(self, x, y, *, on_epoch, validation_data=None, **fit_kwargs):
        """`fit`, calling `on_epoch(self)` after every epoch.

        What `aos_keras.compare` calls: `on_epoch` scores `logits` on the
        validation and test rows. A neural method does not see
        `validation_data` (the harness alone uses it, to choose the epoch);
        a method that stops early on it (HGB) does.

        Args:
            x: float array `(N, d)`, the fitting rows.
            y: int array `(N,)`, their class indices.
            on_epoch: callable taking the method, called after each epoch.
            validation_data: `(x_val, y_val)` or None.
            **fit_kwargs: the keywords of `fit` (`epochs`, `batch_size`,
                `callbacks`, ...).

        Returns:
            `self`.
        """
        del validation_data
        hook = keras.callbacks.LambdaCallback(
            on_epoch_end=lambda epoch, logs=None: on_epoch(self)
        )
        callbacks = [hook, *fit_kwargs.pop("callbacks", ())]
        return self.fit(x, y, callbacks=callbacks, **fit_kwargs)

    def logits(self, x, batch_size=4096):
        """Q's logits `(n, C)` as float64: what `compare` scores.

        `predict_on_batch` on chunks of `batch_size` rows: the compiled
        function of `predict` (one per input shape, where calling the net
        eagerly compiled each of its operations for each shape on JAX),
        without the data pipeline `predict` sets up on every call (about
        90 ms on TensorFlow, twice per epoch of a compare run).

        Args:
            x: float array `(n, d)`.
            batch_size: int. Rows scored at once. Defaults to `4096`.

        Returns:
            float64 numpy array `(n, C)`.
        """
        q = self.classifier
        chunks = [
            np.asarray(q.predict_on_batch(x[i : i + batch_size]), np.float64)
            for i in range(0, len(x), batch_size)
        ]
        if not chunks:
            return np.zeros((0, self.num_classes))
        return np.concatenate(chunks)

    def predict_proba(self, x, batch_size=4096):
        """Class probabilities `(n, C)`: softmax of Q's plain logits.

        Args:
            x: float array `(n, d)`.
            batch_size: int. Rows scored at once. Defaults to `4096`.

        Returns:
            float32 numpy array `(n, C)`; rows sum to 1.
        """
        x = checks.check_features(x, self.num_features)
        q = self.classifier
        chunks = [
            ops.convert_to_numpy(ops.softmax(q(x[i : i + batch_size]), -1))
            for i in range(0, len(x), batch_size)
        ]
        return np.concatenate(chunks).astype(np.float32)

    # ------------------------------------------------------------- helpers
    def _fit(self, x, y, counts, validation_data, **fit_kwargs):
        raise NotImplementedError

    def _optimizer(self):
        """A fresh Adam(learning_rate, beta_1), one per player."""
        return keras.optimizers.Adam(
            learning_rate=self.learning_rate, beta_1=self.beta_1
        )

    def _compile_kwargs(self):
        return {"jit_compile": self.options.get("jit_compile", "auto")}

    def _check_data(self, x, y, name="x"):
        x = checks.check_features(x, self.num_features, name=name)
        y = check_labels(y, num_rows=len(x))
        try:
            codes = y.astype(np.int64)
            valid = np.array_equal(codes, y)
        except (TypeError, ValueError):
            valid = False
        if not (valid and codes.min() >= 0 and codes.max() < self.num_classes):
            raise ValueError(
                f"Labels must be class indices 0..{self.num_classes - 1}; "
                f"got values {np.unique(y)[:10].tolist()}."
            )
        return x, codes


class ClassifierMethod(Method):
    """A method that trains Q alone with `compile`/`fit`: the method `"Q"`.

    Hooks for subclasses: `_resample(x, y)` (the rows Q sees), `_loss(
    counts)`, `_targets(y)` (labels as the loss wants them) and
    `_class_weight(counts)`. By default Q learns the training rows with
    `keras.losses.SparseCategoricalCrossentropy(from_logits=True)`.
    """

    name = "Q"

    def _fit(self, x, y, counts, validation_data, **fit_kwargs):
        x, y = self._resample(x, y)
        model = Classifier(
            self.num_classes,
            self.num_features,
            hidden_units=self.classifier_units,
        )
        model.compile(
            optimizer=self._optimizer(),
            loss=self._loss(counts),
            **self._compile_kwargs(),
        )
        if validation_data is not None:
            x_val, y_val = validation_data
            validation_data = (x_val, self._targets(y_val))
        self._model = model
        model.fit(
            x,
            self._targets(y),
            class_weight=self._class_weight(counts),
            validation_data=validation_data,
            **fit_kwargs,
        )

    def _resample(self, x, y):
        return x, y

    def _loss(self, counts):
        return keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    def _targets(self, y):
        return y

    def _class_weight(self, counts):
        return None


class BestEpoch:
    """Keeps a neural method's classifier weights at its best epoch.

    The best epoch has the highest validation ACSA of the classifier's
    argmax; the earliest one on ties (as `compare` chooses an epoch).

    Args:
        x_val: float array, the validation rows.
        y_val: int array, their class indices.
        num_classes: int.
        patience: int or None. Stop the method's `fit` once this many
            epochs passed without a better score (`aos_keras.stopping`);
            None: every epoch runs. Defaults to `None`.

    Example:
    >>> best = BestEpoch(x_val, y_val, 2)
    >>> method.fit_scored(x, y, on_epoch=best.update, epochs=60)
    >>> best.restore(method)
    """

    def __init__(self, x_val, y_val, num_classes, patience=None):
        self.x_val, self.y_val = x_val, np.asarray(y_val)
        self.num_classes = int(num_classes)
        self.patience = check_patience(patience)
        self.score, self.epoch, self.weights = -np.inf, None, None
        self._seen = 0

    def update(self, method):
        """Score the epoch just trained; keep the weights if it is best."""
        self._seen += 1
        pred = np.argmax(method.logits(self.x_val), axis=1)
        score = acsa(self.y_val, pred, self.num_classes)
        if score > self.score:
            self.score, self.epoch = score, self._seen
            self.weights = method.classifier.get_weights()
        if should_stop(self._seen, self.epoch, self.patience):
            method.model.stop_training = True

    def restore(self, method):
        """Set the best epoch's weights back on `method.classifier`."""
        if self.weights is None:
            raise RuntimeError("BestEpoch.restore: no epoch was scored.")
        method.classifier.set_weights(self.weights)
        return method


def fit_until_stopped(method, x, y, validation_data, patience, **fit_kwargs):
    """`method.fit`, stopped once its classifier's validation ACSA has not
    improved for `patience` epochs (`BestEpoch`); the last epoch is kept.

    What a game sampler of `compare` (`"DO-T0.1+HGB"`) does, as
    `aos_keras.AOSSampler` does: the generator is the stopping epoch's.
    Without validation rows or `patience`, every epoch runs.

    Returns:
        `method`.
    """
    if validation_data is None or patience is None:
        return method.fit(x, y, **fit_kwargs)
    stop = BestEpoch(*validation_data, method.num_classes, patience=patience)
    return method.fit_scored(x, y, on_epoch=stop.update, **fit_kwargs)
