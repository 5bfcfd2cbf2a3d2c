"""From a table to a trained game: the one path the entry points share.

`train_table` is what `aos-keras train` does: check the labels once, carve
a stratified validation split, fit one `aos_keras.TableEncoder` on the
training rows (numbers, nominal columns, missing cells), and train the game
with the validation split selecting the epoch. `fit_game` is its last step
and what `AOSClassifier` and `AOSSampler` call on rows they have encoded.

Example:
>>> result = train_table(frame.drop(columns="y"), frame["y"], val_size=0.2,
...                      epochs=100, config=GameConfig(mode="do"))
>>> result.model.predict_labels(new_rows)  # a DataFrame, by column name
"""

import dataclasses

import keras
import numpy as np

from aos_keras.callbacks import EvaluationCallback, ResumableBackup
from aos_keras.game.anchors import MAX_ANCHORS
from aos_keras.game.batching import resolve_batch_size
from aos_keras.game.model import AdversarialOversampler
from aos_keras.stopping import EPOCHS, PATIENCE
from aos_keras.tables.encoder import TableEncoder
from aos_keras.tables.labels import check_classes, check_target
from aos_keras.tables.preprocessing import TablePreprocessor


@dataclasses.dataclass
class TrainedTable:
    """What `train_table` returns.

    Args:
        model: the trained `AdversarialOversampler` (best validation epoch
            restored when there is a validation split).
        encoder: the fitted `aos_keras.TablePreprocessor` (the table's
            columns, their encoding and the classes), which the model
            holds as `model.preprocessor`.
        history: dict of per-epoch logs (`keras.callbacks.History.history`).
        features: DataFrame, the table's feature columns (all rows).
        x: float array, the training rows in model space.
        y: array, their labels.
        best: dict or None. The validation scores at the selected epoch
            (`EvaluationCallback.best_scores()`: 0-based `epoch`, `acsa`,
            `gm`, `recall`), or None without a validation split.
        interrupted: str or None. `"SIGINT"` or `"SIGTERM"` when training
            was stopped by that signal (`stop_on_signals=True`): the model
            holds the best epoch so far; None when it ran to the end.
        resumed_from: int or None. The 0-based epoch training resumed from
            (`backup_dir` held a backup), or None when it started afresh.
        training_only: list. The classes of a single row, which stay in
            training whole when there is a validation split (the split that
            selects the epoch has none of them); empty otherwise.
    """

    model: object
    encoder: object
    history: dict
    features: object
    x: np.ndarray
    y: np.ndarray
    best: dict = None
    interrupted: str = None
    resumed_from: int = None
    training_only: list = dataclasses.field(default_factory=list)


class Interrupted(Exception):
    """Training was stopped by a signal (`signal_name`: SIGINT or SIGTERM)."""

    def __init__(self, signal_name):
        super().__init__(signal_name)
        self.signal_name = signal_name


def validation_split(y, val_size, seed):
    """Training and validation row indices, stratified when possible.

    Args:
        y: array `(n,)`, labels.
        val_size: float in `[0, 1)`. Fraction of rows held out (0: none).
        seed: int. Seed of the split.

    Returns:
        `(rows, val_rows)`: int arrays; `val_rows` is None when `val_size`
        is 0. The split is stratified per class, and every class of 2 rows
        or more has a row on both sides (`every_class_held_out`); a class
        with a single row stays in training whole (`training_only_classes`
        names them).
    """
    rows = np.arange(len(y))
    if not val_size:
        return rows, None
    from sklearn.model_selection import train_test_split

    alone = np.isin(y, training_only_classes(y))
    check_val_size(y[~alone], val_size, len(y))
    fit, val = train_test_split(
        rows[~alone],
        test_size=val_size,
        stratify=y[~alone],
        random_state=seed,
    )
    fit, val = every_class_held_out(y, fit, val, seed)
    return np.concatenate([fit, rows[alone]]), val


def every_class_held_out(y, fit, val, seed):
    """Move a training row of each class the validation rows lack into them.

    A stratified split rounds each class's share of the validation rows;
    a class of 2 or 3 rows may get none, and the epoch would be chosen by
    a score that ignores it. Splits holding every class are unchanged.

    Args:
        y: array `(n,)`, labels.
        fit, val: int arrays, the training and validation rows (every class
            of `fit` has 2 rows or more in `fit` and `val` together).
        seed: int. Seed of the rows moved.

    Returns:
        `(fit, val)`, each class of `fit` now with a row on both sides.
    """
    lacking = [c for c in np.unique(y[fit]) if not np.any(y[val] == c)]
    if not lacking:
        return fit, val
    rng = np.random.default_rng(seed)
    moved = [rng.choice(fit[y[fit] == c]) for c in lacking]
    return fit[~np.isin(fit, moved)], np.concatenate([val, moved])


def check_val_size(y, val_size, rows):
    """Refuse a validation split that cannot be drawn, saying why.

    Args:
        y: array, the labels of the classes with 2 rows or more (the rows
            `validation_split` stratifies).
        val_size: float in `(0, 1)`.
        rows: int, every row of the table (for the message).

    Raises:
        ValueError: no class has 2 rows, or `val_size` gives either side of
            the split fewer rows than there are classes (stratification
            needs one of each), with the range of `val_size` that works.
    """
    import math

    n, k = len(y), len(np.unique(y))
    if k == 0:
        raise ValueError(
            f"every class has a single row ({rows} rows, {rows} classes), so "
            "no validation split can be drawn: is the label a regression "
            "target? Bin it into classes, or set `val_size` to 0."
        )
    n_val = math.ceil(val_size * n)  # as train_test_split rounds it
    if n_val >= k and n - n_val >= k:
        return
    low = math.ceil(k / n * 100) / 100
    high = math.floor((n - k) / n * 100) / 100
    advice = (
        f"use a `val_size` between {low} and {high}, or 0 for none"
        if low <= high
        else "the table is too small for one: set `val_size` to 0"
    )
    raise ValueError(
        f"`val_size` {val_size} holds out {n_val} of {n} rows and trains on "
        f"{n - n_val}; a stratified validation split needs a row of each "
        f"of the {k} classes on both sides: {advice}."
    )


def training_only_classes(y):
    """Classes too small to give a validation row (a single row)."""
    classes, counts = np.unique(y, return_counts=True)
    return classes[counts < 2]


def train_table(
    features,
    labels,
    *,
    config=None,
    encoder=None,
    val_size=0.0,
    epochs=EPOCHS,
    patience=PATIENCE,
    batch_size="auto",
    seed=0,
    max_anchors=MAX_ANCHORS,
    compile_kwargs=None,
    verbose=0,
    model_class=AdversarialOversampler,
    name="x",
    stop_on_signals=False,
    backup_dir=None,
):
    """Train the game on a table; the encoder is fitted on training rows.

    Args:
        features: DataFrame of the feature columns.
        labels: array-like `(n,)`, labels (any hashable values).
        config: `aos_keras.GameConfig` or None (the defaults).
        encoder: an unfitted `aos_keras.TableEncoder` or None (defaults).
        val_size: float in `[0, 1)`. Validation fraction that selects the
            epoch (its weights are restored) and stops training early.
            Defaults to `0.0` (none: every epoch runs, the last is kept).
        epochs: int. Most training epochs. Defaults to `100`.
        patience: int or None. With a validation split, training stops
            once this many epochs passed without a better validation ACSA
            (`aos_keras.stopping`). Defaults to `30`; None: every epoch.
        batch_size: int or `"auto"` (`aos_keras.game.batching.
            auto_batch_size` of the training rows). Defaults to `"auto"`.
        seed: int. Seed of the split, the anchors and training.
        max_anchors: int or None. Cap on anchors per class. Defaults to
            `4096` (`aos_keras.game.anchors.MAX_ANCHORS`); None: every row.
        compile_kwargs: dict or None. Arguments of `compile`.
        verbose: int. Keras `fit` verbosity. Defaults to `0`.
        model_class: the model class. Defaults to `AdversarialOversampler`.
        name: str. The table's name in error messages.
        stop_on_signals: bool. Ctrl-C (SIGINT) or SIGTERM stops training
            after the running step instead of raising: the best epoch so
            far is restored and returned with `interrupted` set. Raises
            `Interrupted` when no epoch had ended. Defaults to `False`.
        backup_dir: str or None. With a folder, the training state is
            backed up there after every epoch (`ResumableBackup`, with the
            validation history and best epoch) and a backup found there is
            resumed: the same call, stopped by a signal or killed, then
            run again, ends as an uninterrupted one. The backup survives a
            signal (`stop_on_signals`) and is removed when training ends.
            Defaults to None (no backup).

    Returns:
        A `TrainedTable`.

    Raises:
        ValueError: bad labels or cells (the message names the column).
    """
    y = check_target(labels, num_rows=len(features))
    rows, val_rows = validation_split(y, val_size, seed)
    prep = table_preprocessor(features.iloc[rows], y, encoder)
    x = prep.transform(features.iloc[rows], name=name)
    callbacks = _evaluation(prep, features, y, val_rows, name, patience)
    model = build_game(
        x,
        y[rows],
        config=config,
        settings={"preprocessor": prep},
        max_anchors=max_anchors,
        seed=seed,
        compile_kwargs=compile_kwargs,
        model_class=model_class,
    )
    fit = dict(
        epochs=epochs,
        batch_size=resolve_batch_size(batch_size, len(rows)),
        verbose=verbose,
    )
    history, interrupted, resumed = _train(
        model, x, y[rows], callbacks, backup_dir, stop_on_signals, fit
    )
    scored = callbacks and callbacks[0].history
    best = callbacks[0].best_scores() if scored else None
    alone = [] if val_rows is None else training_only_classes(y).tolist()
    return TrainedTable(
        model, prep, history, features, x, y[rows], best, interrupted,
        resumed, alone,
    )  # fmt: skip


def _train(model, x, y, callbacks, backup_dir, stop_on_signals, fit):
    """`_fit_until_signal`, backed up in `backup_dir` when given.

    Returns:
        `(history, interrupted, resumed_from)`: the logs of every epoch
        (those before a resume too), the signal or None, the 0-based epoch
        resumed from or None. Raises `Interrupted` before any epoch ended.
    """
    backup = backup_dir and ResumableBackup(backup_dir, track=callbacks)
    interrupted = _fit_until_signal(
        model, x, y, callbacks, backup, stop_on_signals, **fit
    )
    history = backup.history if backup else _history(model)
    if interrupted and not history.get("loss"):
        raise Interrupted(interrupted)
    resumed = backup.resumed_from if backup else None
    return history, interrupted, resumed and resumed[0]


def _evaluation(prep, features, y, val_rows, name, patience=None):
    """`[EvaluationCallback]` on the validation rows (stopping after
    `patience` epochs without a better score), or `[]` without."""
    if val_rows is None:
        return []
    val = (prep.transform(features.iloc[val_rows], name=name), y[val_rows])
    return [
        EvaluationCallback(
            {"val": val}, restore_best_weights=True, patience=patience
        )
    ]


def _fit_until_signal(model, x, y, callbacks, backup, stop_on_signals, **fit):
    """`model.fit`; with `stop_on_signals`, Ctrl-C or SIGTERM end it after
    the running step, the best epoch so far restored.

    `backup` (a `ResumableBackup` or None) comes after `callbacks` (it
    backs up their state) and is left out of the restore on a signal, so
    its files survive for the next run. Returns the signal's name or None.
    """
    extra = [backup] if backup else []
    with _signals_as_interrupts(stop_on_signals) as signals:
        try:
            model.fit(
                x,
                y,
                callbacks=[*callbacks, *extra, _StopOnSignal(signals)],
                **fit,
            )
        except Interrupted as stop:
            for callback in callbacks:  # restore the best epoch so far
                callback.on_train_end()
            return stop.signal_name
    return None


def _history(model):
    recorder = getattr(model, "history", None)
    return recorder.history if recorder is not None else {}


def table_preprocessor(features, y, encoder=None):
    """A `TablePreprocessor` of a table's training rows and all its labels.

    Args:
        features: DataFrame, the training rows.
        y: array, the labels of every row (every class, even those with
            no training row, is a class of the model).
        encoder: an unfitted `aos_keras.TableEncoder` (its settings) or
            None (the defaults).

    Returns:
        The `aos_keras.TablePreprocessor`: the encoder's JSON spec, the
        feature names, the classes.
    """
    encoder = (encoder or TableEncoder()).fit(features)
    classes = check_classes(y)[0]
    return TablePreprocessor(encoder.serving_spec(), classes.tolist())


class _signals_as_interrupts:
    """Within: SIGINT and SIGTERM are recorded in `received` (when
    `enabled`), for `_StopOnSignal` to stop training at a safe point.

    The handler does not raise: an exception at an arbitrary bytecode can
    land inside a step (on JAX, after the step donated the previous state
    and before the new one is kept), leaving the model's variables deleted
    and the model unsavable.
    """

    def __init__(self, enabled):
        self.enabled = enabled
        self.previous = {}
        self.received = None

    def __enter__(self):
        if not self.enabled:
            return self
        import signal

        def handler(signum, frame):
            if self.received is None:
                self.received = signal.Signals(signum).name

        for sig in (signal.SIGINT, signal.SIGTERM):
            if signal.getsignal(sig) == signal.SIG_IGN:
                continue  # ignored by whoever started us: keep it so
            try:
                self.previous[sig] = signal.signal(sig, handler)
            except ValueError:  # not the main thread
                pass
        return self

    def __exit__(self, *exc):
        import signal

        for sig, previous in self.previous.items():
            signal.signal(sig, previous)
        return False


class _StopOnSignal(keras.callbacks.Callback):
    """Raises `Interrupted` after the step during which a signal came.

    The end of a batch is a safe point on every backend: the step's state
    is kept (on JAX in the trainer's `_jax_state`, which `fit` writes back
    to the variables as it unwinds), so the model saves. It comes last in
    the callbacks, after those that record the batch.
    """

    def __init__(self, signals):
        super().__init__()
        self.signals = signals

    def on_train_batch_end(self, batch, logs=None):
        if self.signals.received is not None:
            raise Interrupted(self.signals.received)


def build_game(
    x,
    y,
    *,
    config=None,
    settings=None,
    sampling_strategy=None,
    max_anchors=MAX_ANCHORS,
    seed=None,
    compile_kwargs=None,
    model_class=AdversarialOversampler,
):
    """Seed, build and compile the game on rows in model space.

    The one place a game model is made from rows: `fit_game` (the CLI and
    both wrappers) and the AO/DO methods of `make_method` (the benchmark
    and `compare`) call it.

    Args:
        x: float array `(n, d)`, the (standardised) training rows; they
            become the anchors.
        y: array `(n,)`, labels.
        config: `aos_keras.GameConfig` or None.
        settings: dict of `GameConfig` fields (override `config`) and other
            `from_data` arguments (`nominal_blocks`, `encoder`), or None.
        sampling_strategy: the model's `sampling_strategy` or None (the
            config's).
        max_anchors: int or None. Cap on anchors per class. Defaults to
            `4096`; None: every row.
        seed: int or None. `keras.utils.set_random_seed` and the model's
            seed.
        compile_kwargs: dict or None. Arguments of `compile`; optimizer
            instances are rebuilt from their config.
        model_class: the model class. Defaults to `AdversarialOversampler`.

    Returns:
        The compiled model.
    """
    settings = dict(settings or {})
    if sampling_strategy is not None:
        settings["sampling_strategy"] = sampling_strategy
    if seed is not None:
        keras.utils.set_random_seed(seed)
    model = model_class.from_data(
        x, y, config=config, max_anchors=max_anchors, seed=seed, **settings
    )
    model.compile(**fresh_optimizers(compile_kwargs))
    return model


def fit_game(
    x,
    y,
    *,
    epochs=EPOCHS,
    batch_size="auto",
    verbose=0,
    callbacks=(),
    sample_weight=None,
    **build,
):
    """Build (`build_game`) and train the game on rows in model space.

    Args:
        x: float array `(n, d)`, the (standardised) training rows.
        y: array `(n,)`, labels.
        epochs: int. Training epochs (fewer when a callback stops
            training). Defaults to `100`.
        batch_size: int or `"auto"`. Rows per step. Defaults to `"auto"`.
        verbose: int. Keras `fit` verbosity. Defaults to `0`.
        callbacks: Keras callbacks of `fit`.
        sample_weight: float array `(n,)` or None. Weights of the real
            rows in every player's real-row loss terms (`fit`'s).
        **build: arguments of `build_game` (`config`, `settings`,
            `sampling_strategy`, `max_anchors`, `seed`, `compile_kwargs`,
            `model_class`).

    Returns:
        The trained model.
    """
    model = build_game(x, y, **build)
    model.fit(
        x,
        y,
        epochs=epochs,
        batch_size=resolve_batch_size(batch_size, len(x)),
        verbose=verbose,
        callbacks=list(callbacks),
        sample_weight=sample_weight,
    )
    return model


def fresh_optimizers(compile_kwargs):
    """`compile_kwargs` with each optimizer instance rebuilt from config.

    A Keras optimizer is built for one set of variables; each `fit` makes
    new players, so it gets new optimizers with the same settings.
    """
    kwargs = dict(compile_kwargs or {})
    for key, value in kwargs.items():
        if isinstance(value, keras.optimizers.Optimizer):
            kwargs[key] = type(value).from_config(value.get_config())
    return kwargs
