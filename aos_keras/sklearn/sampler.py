"""`AOSSampler`: AO/DO oversampling, an imbalanced-learn sampler.

`AdversarialOverSampler`, one letter from the model's
`AdversarialOversampler`, is a deprecated alias (not in `aos_keras.__all__`).
"""

import inspect

import numpy as np
import pandas as pd
from imblearn.over_sampling.base import BaseOverSampler
from scipy import sparse

from aos_keras.game.anchors import MAX_ANCHORS
from aos_keras.sklearn.classifier import (
    TRAINING_PARAMETERS,
    GameParameters,
    _explain_cells,
    target,
)
from aos_keras.tables.encoder import as_frame
from aos_keras.tables.encoder import is_mixed_table as _is_mixed
from aos_keras.tables.preprocessing import TablePreprocessor


class AOSSampler(GameParameters, BaseOverSampler):
    """Oversample with the generator of a trained AO/DO game.

    `fit_resample(X, y)` builds an `AdversarialOversampler` from the rows
    (they become the generator's anchors), trains the three players (until
    early stopping, at most `epochs` epochs) and returns the original rows
    followed by rows drawn from the class-conditional convex generator, as
    many per class as
    `sampling_strategy_` asks (imbalanced-learn's meaning). Each generated
    row is a convex combination of real rows of its class, so it lies in
    the class's convex hull; standardisation inside (`standardize=True`)
    does not change that.

    Output types follow the input: a DataFrame `X` gives a DataFrame with
    the same columns and dtypes, a Series `y` a Series with the same name,
    a list a list. Generated values are cast back to each column's dtype:
    integer columns are rounded to the nearest integer (which stays inside
    the column's range), bool columns are rounded to 0/1, float columns keep
    float precision of `X` (float32 `X` stays float32).

    With an int `random_state`, `fit_resample` calls
    `keras.utils.set_random_seed(random_state)` (global Python, NumPy and
    backend seeds) and repeated calls give identical rows on a given
    backend. When no class needs rows, nothing is trained (`model_` is
    None) and the input is returned.

    Mixed tables: a DataFrame with nominal columns (strings, `object`,
    `category`) or missing cells goes through an `aos_keras.TableEncoder`
    fitted on `X` (held by `preprocessor_`): the game runs in its model
    space and the generated rows come back in `X`'s schema, each nominal
    cell the category with the largest vote of the row's anchors (a
    category of that class's rows), integer columns integers, same dtypes.
    Missing cells of the input rows are returned as they were.

    Sparse `X` (CSR/CSC, or a DataFrame of sparse columns) is densified for
    training, as the players are dense networks; the output is sparse in
    the input's format. Memory grows with the dense size of `X`.

    Every imbalanced-learn sampler check and every scikit-learn estimator
    check passes (`tests/test_sampler.py`, run on the torch backend where a
    training costs least; see `docs/sklearn.md`). scikit-learn's checks
    call `fit`, which for imbalanced-learn samplers only validates the
    input and sets `sampling_strategy_`.

    Args:
        sampling_strategy: float, str, dict or callable. imbalanced-learn's
            over-sampling meaning: `"auto"` (= `"not majority"`),
            `"minority"`, `"not minority"`, `"all"`, a float (binary only:
            minority/majority ratio after resampling) or a dict (class
            label to target count). Defaults to `"auto"`: full balance, as
            imbalanced-learn's samplers, although `AdversarialOversampler`'s
            DO grows every class up to half the largest class (0.5), Q's
            logit adjustment doing the rest: a sampler's user trains their
            own classifier, not Q.
        random_state: int, `RandomState` or None. Seed of the anchors,
            weights, shuffling, the game's draws and the generated rows.
            Defaults to `None`.
        mode: str. `"do"` (default) or `"ao"`. It presets the settings
            left at `None`: `generator_temperature` is 0.1 for DO and 1.0
            for AO; the paper's DO is
            `generator_temperature=1.0`.
        q_logit_adjustment: float. Logit adjustment of the game's Q.
            Defaults to `0.0` here (the model's DO has 1.0, with every
            class grown up to half the largest): the sampler balances
            fully and returns rows, its Q is not used.
        epochs: int. Most training epochs of the game. Defaults to `100`.
        batch_size: int or `"auto"`. Rows per step (`"auto"`: as
            `AOSClassifier`'s). Defaults to `"auto"`.
        early_stopping: `"auto"`, bool. Choose the game's number of
            epochs as `AOSClassifier` does: its classifier's best
            validation ACSA on a stratified `validation_fraction` of the
            rows held out (training stopped `n_iter_no_change` epochs
            after it), then, with `refit`, the game trained afresh on
            every row for that many epochs; its generator draws the rows.
            Every input row is returned. `"auto"`: on unless the table is
            too small for a stratified split (a warning); `True`: such a
            table refused; `False`: every row trains for `epochs` epochs.
            Defaults to `"auto"`.
        validation_fraction: float in `(0, 1)`. Defaults to `0.2`.
        n_iter_no_change: int. Defaults to `30`.
        refit: bool. Train the game afresh on every row for the chosen
            epochs; `False`: the first game (without the held-out rows,
            stopped `n_iter_no_change` epochs after its best) draws the
            rows. Defaults to `True`.
        max_anchors: int or None. Cap on anchors per class. Defaults to
            `4096`; None: every row.
        standardize: bool. Train on standardised features (generated rows
            are mapped back). Defaults to `True`.
        max_categories: int. Most distinct values of a nominal column of a
            DataFrame. Defaults to `100`.
        model_kwargs: dict or None. More `AdversarialOversampler`
            arguments; a setting given here must be left at its default as
            a parameter. Defaults to `None`.
        compile_kwargs: dict or None. Arguments of
            `AdversarialOversampler.compile` (optimizers, `run_eagerly`,
            ...). Defaults to `None`.
        verbose: int. Keras `fit` verbosity. Defaults to `0`.
        **settings: every other field of `aos_keras.GameConfig`
            (`latent_dim`, `generator_temperature`, ...), with its default
            and documentation there (see `aos_keras.sklearn.GameParameters`).

    Attributes:
        sampling_strategy_: dict, class label to the number of rows
            generated.
        n_features_in_: int, number of features.
        feature_names_in_: array of str, column names of a DataFrame `X`.
        preprocessor_: the fitted `aos_keras.TablePreprocessor` (columns,
            standardisation or encoding, classes) the model holds.
        model_: the trained `AdversarialOversampler`, or None.

    Example:
    >>> from imblearn.pipeline import make_pipeline
    >>> from sklearn.linear_model import LogisticRegression
    >>> pipe = make_pipeline(
    ...     AOSSampler(epochs=50, random_state=0),
    ...     LogisticRegression(),
    ... )
    >>> pipe.fit(x_train, y_train).predict(x_test)

    References:
        Dam, Ferdaus et al., "Does Adversarial Oversampling Help us?",
        CIKM 2021 (ACM International Conference on Information and
        Knowledge Management).
        Lemaitre et al., "Imbalanced-learn", JMLR 18(17), 2017.
    """

    OWN_PARAMETERS = (
        ("sampling_strategy", "auto"),
        ("random_state", None),
        *TRAINING_PARAMETERS,
        ("max_anchors", MAX_ANCHORS),
        ("standardize", True),
        ("max_categories", 100),
        ("model_kwargs", None),
        ("compile_kwargs", None),
        ("verbose", 0),
    )
    OWN_CONSTRAINTS = BaseOverSampler._parameter_constraints
    # Full balance without logit adjustment (DO-T0.1 in `compare`), not the
    # model's DO-T0.1-LA: the rows are the sampler's output.
    GAME_DEFAULTS = {"q_logit_adjustment": 0.0}

    def fit_resample(self, X, y, **params):
        """Train the game and return the rows plus generated rows.

        Args:
            X: array-like or DataFrame `(n, d)`, numeric features.
            y: array-like or Series `(n,)`, class labels.

        Returns:
            `(X_resampled, y_resampled)`: the `n` input rows first, then the
            generated rows, in the input's types.
        """
        self._integer_columns = _integer_columns(X)
        if np.ndim(y) == 1:  # the one label check (not one-vs-all rows)
            y = _stripped(y, target(y, len(y)))
        return super().fit_resample(X, y, **params)

    def _check_X_y(self, X, y, accept_sparse=None):
        if not _is_mixed(X):
            try:
                return super()._check_X_y(X, y, accept_sparse=accept_sparse)
            except ValueError:
                _explain_cells(X)
                raise
        from imblearn.utils import check_target_type

        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        frame = as_frame(X)
        y = np.asarray(y)
        if len(y) != len(frame):
            raise ValueError(
                f"X has {len(frame)} rows but y has {len(y)} labels."
            )
        self.n_features_in_ = frame.shape[1]
        self.feature_names_in_ = np.asarray(frame.columns, dtype=object)
        return frame, y, binarize_y

    def _fit_resample(self, X, y):
        classes, counts = np.unique(y, return_counts=True)
        need = {c: int(n) for c, n in self.sampling_strategy_.items() if n > 0}
        self.model_ = None
        dense = X.toarray() if sparse.issparse(X) else X
        self.preprocessor_ = self._fit_preprocessor(dense, y)
        if not need:
            return X.copy(), y.copy()
        size = dict(zip(classes.tolist(), counts.tolist()))
        targets = {c: size[c] + n for c, n in need.items()}  # label keys
        self.model_ = self._train_game(
            self.preprocessor_.transform(dense),
            y,
            sampling_strategy=targets,
            preprocessor=self.preprocessor_,
        )
        rows, new_y = self.model_.sample(
            need, seed=self.model_.seed, as_frame=False
        )
        X_res = self._stack(X, self._decoded(X, rows))
        return X_res, np.concatenate([y, np.asarray(new_y).astype(y.dtype)])

    def _fit_preprocessor(self, X, y):
        """The `TablePreprocessor` of `X`: a table encoded, numbers
        standardised when `standardize`."""
        return TablePreprocessor.fit(
            X,
            y,
            encode=bool(self.standardize) or isinstance(X, pd.DataFrame),
            standardize=self.standardize,
            max_categories=self.max_categories,
        )

    def _decoded(self, X, rows):
        """Generated model-space rows in `X`'s schema (a DataFrame for a
        table; for arrays, `X`'s dtype, integer columns rounded)."""
        frame = self.preprocessor_.inverse_transform(rows)
        if isinstance(X, pd.DataFrame):
            return frame
        columns = getattr(self, "_integer_columns", None)
        return _cast_like(frame.to_numpy(np.float64), X.dtype, columns)

    @staticmethod
    def _stack(X, new):
        if isinstance(X, pd.DataFrame):
            return _stack_frames(X, new)
        return _stack_arrays(X, new)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = self.random_state is None
        return tags


def _stripped(y, checked):
    """`y` with the checked (stripped) labels, in `y`'s own container."""
    if isinstance(y, pd.Series):
        return pd.Series(checked, index=y.index, name=y.name)
    if isinstance(y, list):
        return list(np.asarray(checked).tolist())
    return checked


def _integer_columns(X):
    """Bool mask of the integer and bool columns of a DataFrame, or None."""
    if not isinstance(X, pd.DataFrame):
        return None
    return np.array(
        [
            pd.api.types.is_integer_dtype(t) or pd.api.types.is_bool_dtype(t)
            for t in X.dtypes
        ]
    )


def _cast_like(rows, dtype, integer_columns):
    """Generated rows in `dtype`; integer (and bool) columns rounded."""
    rows = np.asarray(rows, dtype=np.float64)
    if np.dtype(dtype).kind in "iub":  # integer or bool array
        return np.rint(rows).astype(dtype)
    if integer_columns is not None and integer_columns.any():
        rows[:, integer_columns] = np.rint(rows[:, integer_columns])
    return rows.astype(dtype)


def _stack_arrays(X, new):
    """Input rows then generated rows, in `X`'s (sparse) format."""
    if sparse.issparse(X):
        return sparse.vstack([X, sparse.csr_matrix(new)], format=X.format)
    return np.concatenate([X, new])


def _stack_frames(X, new):
    """Input rows then generated rows, one DataFrame with a fresh index."""
    new.index = pd.RangeIndex(len(X), len(X) + len(new))
    return pd.concat([X.reset_index(drop=True), new])


class AdversarialOverSampler(AOSSampler):
    """Deprecated alias of `AOSSampler` (too close to the model's name).

    Creating one warns with a `FutureWarning`; it is otherwise `AOSSampler`.
    """


def _warn_alias(init):
    import functools
    import warnings

    @functools.wraps(init)
    def __init__(self, **kwargs):
        warnings.warn(
            "AdversarialOverSampler is renamed AOSSampler; the old name "
            "will be removed in a later release.",
            FutureWarning,
            stacklevel=2,
        )
        init(self, **kwargs)

    __init__.__signature__ = inspect.signature(init)
    return __init__


AdversarialOverSampler.__init__ = _warn_alias(AdversarialOverSampler.__init__)
