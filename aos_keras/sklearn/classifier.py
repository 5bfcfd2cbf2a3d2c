"""`AOSClassifier`: the AO/DO-trained classifier as a scikit-learn estimator."""

import inspect
import warnings
from numbers import Integral, Real

import numpy as np
import pandas as pd
from keras import ops
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, check_is_fitted

from aos_keras import stopping
from aos_keras.callbacks import EvaluationCallback
from aos_keras.game.anchors import MAX_ANCHORS
from aos_keras.game.batching import resolve_batch_size
from aos_keras.game.model import AdversarialOversampler
from aos_keras.game.sampling import STRATEGY_NAMES
from aos_keras.tables import checks
from aos_keras.tables.encoder import is_mixed_table
from aos_keras.tables.labels import check_labels, check_target, strip_labels
from aos_keras.tables.preprocessing import TablePreprocessor
from aos_keras.training import (
    check_val_size,
    fit_game,
    training_only_classes,
    validation_split,
)

try:  # scikit-learn >= 1.6
    from sklearn.utils.validation import validate_data
except ImportError:  # pragma: no cover - older scikit-learn

    def validate_data(estimator, X="no_validation", y="no_validation", **kw):
        return estimator._validate_data(X, y, **kw)


# scikit-learn estimator checks that cannot pass in the check suite's
# configuration (one training step per fit, to keep the suite fast), with
# the reason: the `expected_failed_checks` of scikit-learn's
# `check_estimator` and `estimator_checks_generator`.
EXPECTED_FAILED_CHECKS = {
    "check_dataframe_column_names_consistency": (
        "a DataFrame's columns are matched by name at every entry point of "
        "aos_keras (TablePreprocessor): reordered columns give the same "
        "predictions instead of scikit-learn's error; missing or extra "
        "columns are refused with aos_keras's message naming them."
    ),
    "check_sample_weight_equivalence_on_dense_data": (
        "a weight of 2 is not the same as the row twice, nor a weight of 0 "
        "as the row removed: every row of a class is an anchor of its "
        "generator and counts in the class sizes that set the share of "
        "generated rows, whatever its weight (docs/sklearn.md); weights "
        "scale a real row's loss terms only (tests/test_early_stopping.py "
        "checks that weights scaled by a constant train the same model)."
    ),
    "check_classifiers_train": (
        "asks for training accuracy > 0.83 on blobs; the checks train one "
        "step per fit to stay fast. It passes with a few full-batch epochs "
        "(tests/test_sklearn.py, marked slow)."
    ),
}

# Arguments of `AdversarialOversampler` that the estimators set themselves.
RESERVED = ("mode", "seed", "max_anchors", "sampling_strategy")
PREDICT_BATCH = 4096

# Training parameters shared by `AOSClassifier` and `AOSSampler` (name,
# default): the epochs and their early stopping (`aos_keras.stopping`).
TRAINING_PARAMETERS = (
    ("epochs", stopping.EPOCHS),
    ("batch_size", "auto"),
    ("early_stopping", "auto"),
    ("validation_fraction", stopping.VALIDATION_FRACTION),
    ("n_iter_no_change", stopping.PATIENCE),
    ("refit", True),
)

# Constraints shared by `AOSClassifier` and `AOSSampler` (the game's
# settings add theirs from `GameConfig.parameter_constraints`).
TRAINING_CONSTRAINTS = {
    "epochs": [Interval(Integral, 1, None, closed="left")],
    "batch_size": [
        Interval(Integral, 1, None, closed="left"),
        StrOptions({"auto"}),
    ],
    "early_stopping": ["boolean", StrOptions({"auto"})],
    "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
    "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
    "refit": ["boolean"],
    "max_anchors": [Interval(Integral, 1, None, closed="left"), None],
    "max_categories": [Interval(Integral, 1, None, closed="left")],
    "standardize": ["boolean"],
    "model_kwargs": [dict, None],
    "compile_kwargs": [dict, None],
    "random_state": ["random_state"],
    "verbose": ["verbose"],
}


class GameParameters:
    """Mixin: one estimator parameter per setting of the game.

    A wrapper lists its own parameters in `OWN_PARAMETERS` (name, default)
    and names its model class in `model_class`; the mixin writes its
    `__init__` (keyword-only, every argument stored unchanged, as
    scikit-learn wants) with those parameters followed by every field of
    `model_class.config_class` (`aos_keras.GameConfig`) the wrapper does not
    define itself, and derives `_parameter_constraints` from the fields. A
    field added to the config (or a subclass with a larger config) becomes
    a parameter of every wrapper without touching it. `GAME_DEFAULTS`
    (name to default) gives a field another default in this wrapper.
    """

    model_class = AdversarialOversampler
    OWN_PARAMETERS = ()
    OWN_CONSTRAINTS = {}
    GAME_DEFAULTS = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        own = list(cls.OWN_PARAMETERS)
        config_class = cls.model_class.config_class
        fields = [
            (name, cls.GAME_DEFAULTS.get(name, default))
            for name, default in config_class.wrapper_parameters(
                exclude=dict(own)
            )
        ]
        cls.__init__ = _keyword_init(cls, own + fields)
        cls._game_fields = tuple(name for name, _ in fields)
        cls._game_defaults = dict(fields)
        cls._parameter_constraints = {
            **config_class.parameter_constraints(exclude=dict(own)),
            **TRAINING_CONSTRAINTS,
            **cls.OWN_CONSTRAINTS,
        }

    def _game_settings(self):
        """The model's settings: the field parameters, then `model_kwargs`.

        `model_kwargs` may set a setting whose parameter is left at its
        default; it must not set `RESERVED` arguments.
        """
        model_kwargs = dict(self.model_kwargs or {})
        clash = sorted(set(model_kwargs) & set(RESERVED))
        if clash:
            raise ValueError(
                f"model_kwargs must not set {clash}: they are arguments of "
                f"{type(self).__name__} itself."
            )
        settings = {}
        for name in self._game_fields:
            value = getattr(self, name)
            if name in model_kwargs and value != self._game_defaults[name]:
                raise ValueError(
                    f"{name!r} is set both as a parameter and in "
                    "model_kwargs; set it once."
                )
            settings[name] = value
        settings.update(model_kwargs)
        return settings

    def _train_game(
        self,
        x,
        y,
        *,
        sampling_strategy,
        preprocessor=None,
        sample_weight=None,
        validation_data=None,
        callbacks=None,
    ):
        """Build, compile and train the model on `(x, y)` (model space);
        the model holds `preprocessor` (the wrapper's, or None).

        With early stopping, a first fit on all but a stratified
        `validation_fraction` of the rows (or on every row, given
        `validation_data`) chooses the epoch with the best validation
        ACSA, stopping `n_iter_no_change` epochs after it; with `refit`
        (and held-out rows), the model is then trained afresh on every
        row for that many epochs, else the first fit's best epoch is
        kept. Sets `n_iter_`, `best_epoch_` and `validation_scores_`.
        """
        game = dict(
            settings=self._game_settings(),
            max_anchors=self.max_anchors,
            seed=seed_of(self.random_state),
            compile_kwargs=self.compile_kwargs,
            verbose=self.verbose,
            model_class=self.model_class,
        )
        if preprocessor is not None:
            game["settings"]["preprocessor"] = preprocessor
        rows, val = self._early_stopping_rows(x, y, validation_data, game)
        self.best_epoch_ = self.validation_scores_ = None
        if val is None:  # no early stopping
            return self._fit_once(x, y, sample_weight, sampling_strategy,
                                  self.epochs, callbacks, game)  # fmt: skip
        stop = EvaluationCallback(
            {"val": val}, restore_best_weights=True,
            patience=self.n_iter_no_change,
        )  # fmt: skip
        held = rows is not None
        chosen = self._fit_once(
            *((x[rows], y[rows]) if held else (x, y)),
            None if sample_weight is None or not held
            else sample_weight[rows],
            _strategy_of_rows(sampling_strategy, y, rows) if held
            else sampling_strategy,
            self.epochs,
            None if held and self.refit else callbacks,
            game,
            extra=[stop],
        )  # fmt: skip
        self.best_epoch_ = stop.best_epoch + 1
        self.validation_scores_ = np.asarray(
            [r["val"]["acsa"] for r in stop.history]
        )
        if not (held and self.refit):
            return chosen
        return self._fit_once(x, y, sample_weight, sampling_strategy,
                              self.best_epoch_, callbacks, game)  # fmt: skip

    def _fit_once(self, x, y, sample_weight, sampling_strategy, epochs,
                  callbacks, game, extra=()):  # fmt: skip
        """One `fit_game` of `epochs` epochs; sets `n_iter_`."""
        model = fit_game(
            x,
            y,
            sampling_strategy=sampling_strategy,
            epochs=epochs,
            batch_size=resolve_batch_size(self.batch_size, len(x)),
            sample_weight=sample_weight,
            callbacks=[*extra, *(callbacks or [])],
            **game,
        )
        history = model.history.history if model.history else {}
        self.n_iter_ = len(history.get("loss", [])) or None
        return model

    def _early_stopping_rows(self, x, y, validation_data, game):
        """`(rows, validation)`: the rows the game trains on (None: all)
        and the validation rows `(x, y)` that stop it (None: none).

        `early_stopping="auto"` stops early unless `y` is too small for a
        stratified split (then every epoch runs, with a warning); `True`
        refuses such a `y`; `False` never stops early.
        """
        if validation_data is not None:
            return None, validation_data
        if self.early_stopping is False:
            return None, None
        fraction = self.validation_fraction
        try:
            check_val_size(
                y[~np.isin(y, training_only_classes(y))], fraction, len(y)
            )
        except ValueError as err:
            if self.early_stopping is True:
                raise
            warnings.warn(
                f"{type(self).__name__}: no early stopping ({err}); every "
                f"one of the {self.epochs} epochs runs and the last is kept.",
                UserWarning,
                stacklevel=4,
            )
            return None, None
        rows, val_rows = validation_split(y, fraction, game["seed"] or 0)
        return rows, (x[val_rows], y[val_rows])


def _strategy_of_rows(strategy, y, rows):
    """`sampling_strategy` for the training rows `rows` of `y`.

    A dict (class label to target count of all of `y`) is scaled to each
    class's share in `rows`, so the game sees generated rows at the same
    rate; a name or a ratio is relative to the rows it is given, kept.
    """
    if not isinstance(strategy, dict):
        return strategy
    labels = y.tolist()
    kept = y[rows].tolist()
    scaled = {}
    for label, target in strategy.items():
        total, fit = labels.count(label), kept.count(label)
        scaled[label] = max(fit, round(target * fit / total)) if total else 0
    return scaled


def _keyword_init(cls, parameters):
    """An `__init__` taking `parameters` (name, default) as keywords and
    storing each unchanged, with the matching signature."""
    names = [name for name, _ in parameters]
    defaults = dict(parameters)

    def __init__(self, **kwargs):
        unknown = sorted(set(kwargs) - set(names))
        if unknown:
            raise TypeError(
                f"{type(self).__name__}() got unexpected keyword "
                f"argument(s) {unknown}."
            )
        for name in names:
            setattr(self, name, kwargs.get(name, defaults[name]))

    keyword = inspect.Parameter.KEYWORD_ONLY
    __init__.__signature__ = inspect.Signature(
        [inspect.Parameter("self", inspect.Parameter.POSITIONAL_ONLY)]
        + [inspect.Parameter(n, keyword, default=d) for n, d in parameters]
    )
    __init__.__qualname__ = f"{cls.__qualname__}.__init__"
    return __init__


class AOSClassifier(ClassifierMixin, GameParameters, BaseEstimator):
    """The classifier Q of an AO/DO game, as a scikit-learn classifier.

    `fit` builds an `AdversarialOversampler` from the training rows (they
    become the generator's anchors), plays the three-player game for
    `epochs` epochs and keeps it as `model_`; `predict_proba` is the
    softmax of Q's logits. Every input goes through `preprocessor_`, an
    `aos_keras.TablePreprocessor` fitted on the training rows (the one the
    model holds): a DataFrame is matched by column name, numbers are
    standardised when `standardize=True`, nominal columns one-hot encoded.

    It follows scikit-learn's conventions (all arguments keyword-only and
    stored unchanged, no logic in `__init__`, learned attributes ending in
    `_`), so it works in `Pipeline`, `cross_val_score`, `GridSearchCV` and
    `clone`. With an int `random_state`, `fit` calls
    `keras.utils.set_random_seed(random_state)` (global Python, NumPy and
    backend seeds) and refits give identical models on a given backend.

    Every scikit-learn estimator check passes (`tests/test_sklearn.py`, run
    on the torch backend where a training costs least; `docs/sklearn.md`)
    except `check_classifiers_train` in the suite's one-step configuration:
    it wants training accuracy above 0.83, which a one-step fit does not
    reach; it passes with six full-batch epochs (a `slow` test). See
    `EXPECTED_FAILED_CHECKS`.

    Args:
        mode: str. `"do"` (data-space oversampling, default) or `"ao"`
            (adversarial oversampling). It presets the settings left at
            `None`: DO is compare's preset DO-T0.1-LA
            (`generator_temperature` 0.1, `sampling_strategy` 0.5,
            `q_logit_adjustment` 1.0) and AO has 1.0, `"auto"` and 0.0; the
            paper's DO is `generator_temperature=1.0,
            sampling_strategy="auto", q_logit_adjustment=0.0`.
        epochs: int. Most training epochs (with early stopping, training
            stops `n_iter_no_change` epochs after the best). Defaults to
            `100`.
        batch_size: int or `"auto"`. Rows per step. `"auto"`: 32 up to
            1,600 training rows, then 64, 128, 256 (at most 50 steps an
            epoch where 256 allows; `aos_keras.game.batching.
            auto_batch_size`, as `compare`). Defaults to `"auto"`.
        early_stopping: `"auto"`, bool. Choose the number of epochs on
            validation rows: the epoch with the best validation ACSA,
            training stopped `n_iter_no_change` epochs after it
            (`aos_keras.stopping`, what `compare` measures). The
            validation rows are `fit`'s `validation_data`, else a
            stratified `validation_fraction` of the rows, held out of
            that first fit (then see `refit`). `"auto"`: on, unless the
            table is too small for a stratified split (then every epoch
            runs and the last is kept, with a warning); `True`: on, such
            a table refused; `False`: off, every row trains for `epochs`
            epochs. Defaults to `"auto"`.
        validation_fraction: float in `(0, 1)`. Share of the rows held out
            for early stopping. Defaults to `0.2` (`compare`'s).
        n_iter_no_change: int. Epochs without a better validation ACSA
            before training stops. Defaults to `30`.
        refit: bool. With held-out validation rows, train the model
            afresh on every row for the number of epochs the validation
            rows chose (as cross-validated boosting chooses its rounds);
            `False` keeps the first fit's best epoch, trained without the
            held-out rows (one fit instead of two). On the development
            suite the refit scored 1.14 ACSA points higher on average
            (`docs/research/early_stopping.md`). Defaults to `True`.
        sampling_strategy: imbalanced-learn's meaning, the same on the
            model and the sampler: `"auto"`, `"minority"`, `"not
            minority"`, `"not majority"`, `"all"`, a float in `(0, 1]` or a
            dict (class label to target count); sets the rate of generated
            rows Q sees. Defaults to `None`: from `mode`, 0.5 for DO (half
            the gap to the largest class, logit adjustment of Q's loss the
            rest) and `"auto"` for AO.
        max_anchors: int or None. Cap on anchors per class: a larger class
            keeps a seeded subset. Defaults to `4096`
            (`aos_keras.game.anchors.MAX_ANCHORS`; a class below it keeps
            every row); None: every training row.
        standardize: bool. Standardise numeric features (mean and scale of
            the training rows). Defaults to `True`.
        max_categories: int. Most distinct values of a nominal column of a
            DataFrame (more: an error that says what the column looks like:
            an ID, dates, mixed types). Defaults to `100`.
        model_kwargs: dict or None. More `AdversarialOversampler`
            arguments (network sizes, `latent_dim`, `gp_weight`, ...).
            Defaults to `None`.
        compile_kwargs: dict or None. Arguments of
            `AdversarialOversampler.compile` (`g_optimizer`, `d_optimizer`,
            `q_optimizer`, `jit_compile`, `run_eagerly`, ...); optimizer
            instances are copied from their config at each `fit`. Defaults
            to `None`.
        random_state: int, `RandomState` or None. Seed of the anchors,
            weights, shuffling and the game's draws. Defaults to `None`.
        verbose: int. Keras `fit` verbosity. Defaults to `0`.

    Attributes:
        classes_: array `(C,)`, the sorted class labels.
        n_features_in_: int, number of features seen in `fit`.
        feature_names_in_: array of str, column names of a DataFrame `X`.
        preprocessor_: the fitted `aos_keras.TablePreprocessor`.
        model_: the trained `AdversarialOversampler`: refitted on every
            row for `best_epoch_` epochs, or (with `refit=False` or
            `validation_data`) the first fit with its best epoch's
            classifier weights.
        n_iter_: int. Epochs `model_` trained.
        best_epoch_: int or None. The epoch chosen on validation (1-based;
            the number of epochs of the refit), None without early
            stopping.
        validation_scores_: float array or None. Validation ACSA after
            each epoch of the choosing fit; None without early stopping.

    Example:
    >>> clf = AOSClassifier(random_state=0).fit(x_train, y_train)
    >>> clf.predict(x_test), clf.best_epoch_, clf.n_iter_
    >>> cross_val_score(AOSClassifier(), x, y, cv=3)

    References:
        Dam, Ferdaus et al., "Does Adversarial Oversampling Help us?",
        CIKM 2021 (ACM International Conference on Information and
        Knowledge Management).
    """

    OWN_PARAMETERS = (
        *TRAINING_PARAMETERS,
        ("sampling_strategy", None),
        ("max_anchors", MAX_ANCHORS),
        ("standardize", True),
        ("max_categories", 100),
        ("model_kwargs", None),
        ("compile_kwargs", None),
        ("random_state", None),
        ("verbose", 0),
    )
    OWN_CONSTRAINTS = {
        "sampling_strategy": [
            Interval(Real, 0, 1, closed="right"),
            StrOptions(set(STRATEGY_NAMES)),
            dict,
            None,
        ],
    }

    def fit(self, X, y, sample_weight=None, *, validation_data=None,
            callbacks=None):  # fmt: skip
        """Train the game on `(X, y)`; keep the model as `model_`.

        With early stopping (the default, `early_stopping="auto"`), a
        stratified `validation_fraction` of the rows is held out (or
        `validation_data` is used) to choose the epoch with the best
        validation ACSA (training stops `n_iter_no_change` epochs after
        it); with `refit` (the default) the model is then trained on
        every row for that many epochs.

        Args:
            X: array-like or DataFrame `(n, d)`. A DataFrame's columns are
                matched by name in `predict`; nominal columns and missing
                cells are encoded (`aos_keras.TableEncoder`: one-hot,
                imputation), numbers standardised when `standardize`.
            y: array-like `(n,)`, class labels (at least two classes;
                `aos_keras.tables.labels.check_target`).
            sample_weight: array-like `(n,)` of non-negative floats, or
                None (every row 1). A real row's weight multiplies its
                terms in every player's real-row losses: Q's cross-entropy
                on real rows and the critic's real-row score. Generated
                rows are not weighted by it: their share follows
                `sampling_strategy`, from the class counts (rows, not
                weights), and every row of a class stays an anchor of its
                generator. Weights scaled by one constant train the same
                model; the validation ACSA that stops training is
                unweighted. Defaults to `None`.
            validation_data: `(X_val, y_val)` or None: rows (in `X`'s form)
                and labels that choose the epoch instead of a held-out
                `validation_fraction` (every row of `X` then trains).
                Defaults to `None`.
            callbacks: list of `keras.callbacks.Callback` or None, added
                to the `fit` of the model kept (the refit, when there is
                one; after the early stopping's callback otherwise).
                Defaults to `None`.

        Returns:
            self.
        """
        self._validate_params()
        frame = isinstance(X, pd.DataFrame)
        if not frame:
            X, y = _validated(self, X, y)
        y = target(y, len(X))
        check_classification_targets(y)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=np.float64, ensure_non_negative=True
            )
            if not sample_weight.sum() > 0:
                raise ValueError("sample_weight sums to 0: no row would train.")
        self.n_features_in_ = X.shape[1]
        if frame:
            self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        self.preprocessor_ = TablePreprocessor.fit(
            X,
            y,
            encode=bool(self.standardize) or is_mixed_table(X),
            standardize=self.standardize,
            max_categories=self.max_categories,
        )
        self.classes_ = self.preprocessor_.classes_
        self.model_ = self._train_game(
            self.preprocessor_.transform(X),
            y,
            sampling_strategy=self.sampling_strategy,
            preprocessor=self.preprocessor_,
            sample_weight=sample_weight,
            validation_data=self._validation_rows(validation_data),
            callbacks=callbacks,
        )
        return self

    def _validation_rows(self, validation_data):
        """`(x_val, y_val)` in model space with known labels, or None."""
        if validation_data is None:
            return None
        if not isinstance(validation_data, (tuple, list)) or (
            len(validation_data) != 2
        ):
            raise ValueError(
                "validation_data must be a pair (X_val, y_val); got "
                f"{type(validation_data).__name__}."
            )
        X_val, y_val = validation_data
        if not isinstance(X_val, pd.DataFrame):
            X_val = _validated(self, X_val, reset=False)
        y_val = strip_labels(check_labels(y_val, num_rows=len(X_val)))
        _check_known_labels(self, y_val, "validation_data")
        return self.preprocessor_.transform(X_val), y_val

    def predict_proba(self, X):
        """Class probabilities `(n, C)`, columns in the order of `classes_`.

        Args:
            X: array-like or DataFrame `(n, d)`; a DataFrame is matched to
                the training columns by name.

        Returns:
            float64 array `(n, C)`; rows sum to 1.
        """
        check_is_fitted(self)
        if not isinstance(X, pd.DataFrame):
            X = _validated(self, X, reset=False)
        x = self.preprocessor_.transform(X)
        proba = np.concatenate(
            [
                self._probabilities(x[i : i + PREDICT_BATCH])
                for i in range(0, len(x), PREDICT_BATCH)
            ]
        )
        return proba / proba.sum(axis=1, keepdims=True)

    def score(self, X, y, sample_weight=None):
        """Mean accuracy on `(X, y)`; labels unseen in `fit` are refused.

        Args:
            X: array-like or DataFrame `(n, d)`.
            y: array-like `(n,)`, labels (values of `classes_`).
            sample_weight: array-like `(n,)` or None.

        Returns:
            float.
        """
        check_is_fitted(self)
        y = strip_labels(check_labels(y))
        _check_known_labels(self, y)
        return super().score(X, y, sample_weight=sample_weight)

    def predict(self, X):
        """Predicted class labels `(n,)` (values of `classes_`)."""
        proba = self.predict_proba(X)  # first: raises NotFittedError
        return self.classes_[np.argmax(proba, axis=1)]

    def _probabilities(self, x):
        """Softmax of Q's logits, called directly (no `predict` tracing)."""
        logits = self.model_.classifier(x)
        return ops.convert_to_numpy(ops.softmax(logits)).astype(np.float64)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = self.random_state is None
        return tags


def seed_of(random_state):
    """An int seed (or None) from a scikit-learn `random_state`."""
    if random_state is None or isinstance(random_state, Integral):
        return None if random_state is None else int(random_state)
    rng = check_random_state(random_state)
    return int(rng.randint(np.iinfo(np.int32).max))


def _validated(estimator, X, y="no_validation", **kwargs):
    """`validate_data` with the core's messages for bad cells.

    NaN, infinite and non-numeric cells raise a `ValueError` that names the
    columns (as `aos_keras.tables.checks` does), not scikit-learn's generic
    message.
    """
    try:
        return validate_data(
            estimator, X, y, dtype=[np.float64, np.float32], **kwargs
        )
    except ValueError as err:
        _explain_cells(X)
        raise err


def _explain_cells(X):
    """Raise a column-naming `ValueError` for NaN/inf/non-numeric cells."""
    from scipy import sparse

    if sparse.issparse(X) or isinstance(X, str):
        return
    arr = np.asarray(X, dtype=object)
    if arr.ndim != 2 or any(isinstance(v, complex) for v in arr.flat):
        return  # scikit-learn's own message says what is wrong
    names = getattr(X, "columns", range(arr.shape[1]))
    for j, name in enumerate(names):
        try:
            column = arr[:, j].astype(np.float64)
        except (TypeError, ValueError):
            bad = next(
                v for v in arr[:, j] if not _is_number(v)
            )  # the first cell that is not a number
            raise ValueError(
                f"X column {name!r} holds non-numeric values (e.g. {bad!r}); "
                "encode it as numbers, or pass a DataFrame (its nominal "
                "columns are then one-hot encoded)."
            ) from None
        if not np.isfinite(column).all():
            checks.check_features(np.asarray(X, dtype=np.float64), name="X")


def _is_number(value):
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def _check_known_labels(estimator, y, name="y"):
    """Refuse labels the estimator did not see in `fit` (for `score`, and
    `fit`'s `validation_data`)."""
    unseen = sorted(
        set(np.asarray(y).tolist()) - set(estimator.classes_.tolist()), key=str
    )
    if unseen:
        raise ValueError(
            f"{name} has labels {unseen[:10]} that were not seen in fit; "
            f"known labels: {estimator.classes_.tolist()[:20]}."
        )


def target(y, num_rows):
    """`aos_keras.tables.labels.check_target`, with scikit-learn's wording of
    a continuous target in front (its estimator checks look for it)."""
    try:
        return check_target(y, num_rows=num_rows)
    except ValueError as err:
        if "regression target" in str(err):
            raise ValueError(f"Unknown label type: continuous. {err}") from None
        raise
