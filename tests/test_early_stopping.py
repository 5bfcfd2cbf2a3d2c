"""Early stopping and the defaults that scale (issue 31).

One rule (`aos_keras.stopping`): the best validation ACSA's epoch is kept
(earliest on ties) and training stops `patience` epochs after it. It is
the default of `AOSClassifier`, `AOSSampler`, `aos-keras train` and
`compare`; the Keras model gets it from `EvaluationCallback(patience=...)`
or Keras's own `EarlyStopping` (tests/test_keras_inputs.py).
"""

import dataclasses
import hashlib
import json
import warnings

import keras
import numpy as np
import pytest
from conftest import TINY, make_imbalanced

from aos_keras import AOSClassifier, AOSSampler, EvaluationCallback
from aos_keras.evaluation.protocol import Protocol, make_splits
from aos_keras.evaluation.runs import jsonable, run_key
from aos_keras.game.anchors import MAX_ANCHORS
from aos_keras.game.batching import auto_batch_size, resolve_batch_size
from aos_keras.metrics import acsa
from aos_keras.stopping import PATIENCE, check_patience, should_stop


def fast():
    """A fast classifier: its ACSA moves from epoch to epoch."""
    return {"q_optimizer": keras.optimizers.Adam(0.03)}


# ------------------------------------------------------------- the rule
@pytest.mark.backend_independent
def test_the_rule_stops_patience_epochs_after_the_best():
    assert [should_stop(e, 2, 3) for e in range(2, 7)] == [
        False, False, False, True, True,
    ]  # fmt: skip
    assert not should_stop(10**6, 0, None)
    assert check_patience(None) is None and check_patience(np.int64(4)) == 4
    for bad in (0, -1, 2.5, True, "10"):
        with pytest.raises(ValueError, match="patience"):
            check_patience(bad)


@pytest.mark.backend_independent
def test_auto_batch_size_gives_at_most_50_steps_where_256_allows():
    assert [auto_batch_size(n) for n in (1, 1600, 1601, 3200, 3201)] == [
        32, 32, 64, 64, 128,
    ]  # fmt: skip
    assert auto_batch_size(6400) == 128 and auto_batch_size(6401) == 256
    assert auto_batch_size(10**6) == 256
    assert resolve_batch_size(None, 5000) == resolve_batch_size("auto", 5000)
    assert resolve_batch_size(17, 5000) == 17
    for bad in (0, "big", 2.0, True):
        with pytest.raises(ValueError, match="batch_size"):
            resolve_batch_size(bad, 10)


# -------------------------------------------- the Keras model's callback
def _game(epochs, patience, seed=0):
    from aos_keras import AdversarialOversampler

    x, y = make_imbalanced(n_major=24, n_minor=8, shift=1.0)
    val = make_imbalanced(n_major=12, n_minor=6, shift=1.0, seed=1)
    keras.utils.set_random_seed(seed)
    model = AdversarialOversampler.from_data(x, y, seed=seed, **TINY)
    model.compile(**fast())
    stop = EvaluationCallback(
        {"val": val}, restore_best_weights=True, patience=patience
    )
    model.fit(x, y, epochs=epochs, batch_size=16, callbacks=[stop], verbose=0)
    return model, stop, val


def test_the_callback_stops_after_patience_and_keeps_the_best_epoch():
    model, stop, val = _game(epochs=40, patience=2)
    values = [r["val"]["acsa"] for r in stop.history]
    best = int(np.argmax(values))  # the earliest best
    assert stop.best_epoch == best
    assert len(values) == min(best + 2 + 1, 40)
    if len(values) < 40:
        assert stop.stopped_epoch == best + 2
        assert max(values[best + 1 :]) <= values[best]
    assert stop.score(val[0], val[1])["acsa"] == values[best]


def test_an_early_stopped_model_predicts_the_same_after_saving(tmp_path):
    model, stop, val = _game(epochs=30, patience=1)
    before = model.predict(val[0], verbose=0)
    path = tmp_path / "stopped.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(loaded.predict(val[0], verbose=0), before,
                               rtol=0, atol=1e-6)  # fmt: skip
    pred = np.argmax(before, axis=1)
    assert acsa(val[1], pred, 2) == stop.best_value


def test_fit_without_a_batch_size_takes_the_auto_batch():
    from aos_keras import AdversarialOversampler

    x, y = make_imbalanced(n_major=1700, n_minor=100, d=2)
    model = AdversarialOversampler.from_data(x, y, seed=0, **TINY)
    model.compile()
    steps = []
    counter = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs=None: steps.append(batch)
    )
    model.fit(x, y, epochs=1, callbacks=[counter], verbose=0)
    assert len(steps) == -(-1800 // auto_batch_size(1800)) == 29


def test_the_anchor_cap_is_the_default_and_none_keeps_every_row():
    from aos_keras import AdversarialOversampler

    x, y = make_imbalanced(n_major=MAX_ANCHORS + 5, n_minor=7, d=2)
    capped = AdversarialOversampler.from_data(x, y, seed=0, **TINY)
    every = AdversarialOversampler.from_data(
        x, y, seed=0, max_anchors=None, **TINY
    )
    assert capped.generator.anchor_counts == [MAX_ANCHORS, 7]
    assert every.generator.anchor_counts == [MAX_ANCHORS + 5, 7]


# ------------------------------------------------------------ the wrapper
def _rows(n_major=60, n_minor=20, seed=0):
    x, y = make_imbalanced(n_major=n_major, n_minor=n_minor, shift=1.0,
                           seed=seed)  # fmt: skip
    return x, np.where(y == 1, "rare", "common")


def _wrapper(**kwargs):
    settings = dict(
        random_state=0,
        epochs=40,
        n_iter_no_change=2,
        compile_kwargs=fast(),
        model_kwargs=dict(TINY),
    )
    return AOSClassifier(**{**settings, **kwargs})


def test_the_wrapper_keeps_its_best_validation_epoch():
    x, y = _rows()
    x_val, y_val = _rows(n_major=30, n_minor=10, seed=1)
    clf = _wrapper().fit(x, y, validation_data=(x_val, y_val))
    scores = clf.validation_scores_
    best = int(np.argmax(scores))
    assert clf.best_epoch_ == best + 1
    assert clf.n_iter_ == len(scores) == min(best + 1 + 2, 40)
    codes = (y_val == "rare").astype(int)
    pred = (clf.predict(x_val) == "rare").astype(int)
    assert acsa(codes, pred, 2) == scores[best]


def test_without_refit_the_first_fit_keeps_its_best_epoch():
    x, y = _rows()
    clf = _wrapper(refit=False).fit(x, y)
    scores = clf.validation_scores_
    assert clf.best_epoch_ == int(np.argmax(scores)) + 1
    assert clf.n_iter_ == len(scores) == min(clf.best_epoch_ + 2, 40)
    # 20% held out, stratified: 12 + 4 rows; the anchors are the rest.
    assert clf.model_.generator.anchor_counts == [48, 16]
    off = _wrapper(early_stopping=False, epochs=3).fit(x, y)
    assert off.n_iter_ == 3 and off.best_epoch_ is None
    assert off.model_.generator.anchor_counts == [60, 20]


def test_the_default_refits_every_row_for_the_chosen_epochs():
    # What docs/results/early_stopping.md measured as `refit`: a fresh fit
    # on every row for `best_epoch_` epochs, the same seed.
    x, y = _rows()
    clf = _wrapper().fit(x, y)
    assert clf.n_iter_ == clf.best_epoch_ >= 1
    assert len(clf.validation_scores_) == min(clf.best_epoch_ + 2, 40)
    assert clf.model_.generator.anchor_counts == [60, 20]
    fresh = _wrapper(early_stopping=False, epochs=clf.best_epoch_).fit(x, y)
    np.testing.assert_array_equal(clf.predict_proba(x), fresh.predict_proba(x))


def test_auto_trains_every_epoch_on_a_table_too_small_to_split():
    x, y = _rows(n_major=6, n_minor=2)
    with pytest.warns(UserWarning, match="no early stopping"):
        clf = _wrapper(epochs=2, validation_fraction=0.1).fit(x, y)
    assert clf.n_iter_ == 2 and clf.best_epoch_ is None
    with pytest.raises(ValueError, match="val_size"):
        _wrapper(early_stopping=True, validation_fraction=0.1).fit(x, y)


def test_sample_weight_scaled_by_a_constant_trains_the_same_model():
    x, y = _rows()
    plain = _wrapper(epochs=2, early_stopping=False).fit(x, y)
    twice = _wrapper(epochs=2, early_stopping=False).fit(
        x, y, sample_weight=np.full(len(x), 2.0)
    )
    np.testing.assert_array_equal(
        plain.predict_proba(x), twice.predict_proba(x)
    )
    tilted = _wrapper(epochs=2, early_stopping=False).fit(
        x, y, sample_weight=np.where(y == "rare", 4.0, 1.0)
    )
    assert not np.array_equal(plain.predict_proba(x), tilted.predict_proba(x))


@pytest.mark.backend_independent
def test_bad_sample_weights_and_validation_data_are_refused():
    x, y = _rows()
    clf = _wrapper(epochs=1)
    with pytest.raises(ValueError, match="(?i)negative"):
        clf.fit(x, y, sample_weight=-np.ones(len(x)))
    with pytest.raises(ValueError):
        clf.fit(x, y, sample_weight=np.ones(3))
    with pytest.raises(ValueError, match="sums to 0|zero"):
        clf.fit(x, y, sample_weight=np.zeros(len(x)))
    with pytest.raises(ValueError, match="validation_data has labels"):
        clf.fit(x, y, validation_data=(x[:4], ["other"] * 4))
    with pytest.raises(ValueError, match="pair"):
        clf.fit(x, y, validation_data=x)


def test_callbacks_pass_through_the_wrapper():
    x, y = _rows()
    ends = []
    probe = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs=None: ends.append(epoch)
    )
    clf = _wrapper(epochs=3, early_stopping=False).fit(x, y, callbacks=[probe])
    assert ends == [0, 1, 2] and clf.n_iter_ == 3


def test_the_sampler_stops_early_and_returns_every_row():
    x, y = _rows()
    sampler = AOSSampler(
        random_state=0,
        epochs=30,
        n_iter_no_change=2,
        compile_kwargs=fast(),
        model_kwargs=dict(TINY),
    )
    x_res, y_res = sampler.fit_resample(x, y)
    np.testing.assert_array_equal(x_res[: len(x)], x)
    assert (y_res == "rare").sum() == (y_res == "common").sum() == 60
    assert sampler.n_iter_ == sampler.best_epoch_ >= 1  # the refit's
    assert sampler.model_.generator.anchor_counts == [60, 20]
    # Without the refit, the game that chose the epoch draws: it trained
    # on the 80% it held out from, at the whole table's generated share
    # (the targets scaled to the rows it saw).
    first = AOSSampler(**{**sampler.get_params(), "refit": False})
    first.fit_resample(x, y)
    assert first.model_.generator.anchor_counts == [48, 16]
    assert first.model_.sampling_strategy == {1: 48}  # rare: 60 * 16/20


# ---------------------------------------------------------------- compare
@pytest.mark.backend_independent
def test_runs_cached_before_patience_keep_their_keys():
    split = make_splits(np.array([0, 1] * 10), repeats=1)[0]
    old = Protocol(epochs=60, batch_size="auto", max_anchors=None,
                   patience=None)  # fmt: skip
    fields = dataclasses.asdict(old)
    del fields["patience"]  # what 0.5.0 hashed
    parts = ["f" * 16, "DO", {}, jsonable(fields), 0, split["fit"].tolist()]
    text = json.dumps(parts, sort_keys=True)
    expected = hashlib.sha256(text.encode()).hexdigest()[:16]
    assert run_key("f" * 16, "DO", {}, old, split) == expected
    new = dataclasses.replace(old, patience=PATIENCE)
    assert run_key("f" * 16, "DO", {}, new, split) != expected


@pytest.mark.backend("jax")  # harness logic; one fast backend
def test_a_compare_run_stops_patience_epochs_after_its_best():
    from aos_keras.evaluation.harness import compare_tables

    x, y = make_imbalanced(n_major=60, n_minor=20, shift=1.0)
    runs = (
        compare_tables(
            {"t": (x, y)},
            methods=["LA-CE", "LA-CE/HGB"],
            repeats=1,
            epochs=30,
            patience=2,
            log=None,
        )
        .comparisons["t"]
        .runs
    )
    la = runs[runs.method == "LA-CE"].iloc[0]
    assert la.epochs_run == min(la.epoch + 2, 30)  # `epoch` is 1-based
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Protocol(patience=None).check()
    with pytest.raises(ValueError, match="patience"):
        Protocol(patience=0).check()


# -------------------------------------------------------- the command line
@pytest.mark.backend_independent
def test_the_command_line_shares_the_defaults_and_their_spellings():
    from aos_keras.cli.parser import build_parser

    parser = build_parser()
    for command in (["train", "t.csv", "--label", "y"], ["compare", "t.csv"]):
        args = parser.parse_args(command)
        assert (args.epochs, args.patience) == (100, PATIENCE)
        assert (args.batch_size, args.max_anchors) == ("auto", MAX_ANCHORS)
        args = parser.parse_args(
            command
            + [
                "--patience",
                "0",
                "--max-anchors",
                "all",
                "--batch-size",
                "64",
            ]  # fmt: skip
        )
        assert (args.patience, args.max_anchors, args.batch_size) == (
            None, None, 64,
        )  # fmt: skip
    for bad in (["--patience", "-1"], ["--max-anchors", "0"],
                ["--batch-size", "big"]):  # fmt: skip
        with pytest.raises(SystemExit):
            parser.parse_args(["compare", "t.csv", *bad])


def test_train_stops_early_and_says_so(table, tmp_path, capsys):
    from conftest import TINY_ARGS

    from aos_keras import cli

    _, path, _ = table
    out = tmp_path / "run"
    argv = ["train", str(path), "--label", "outcome", "--output", str(out)]
    argv += TINY_ARGS + ["--epochs", "40", "--patience", "2"]
    assert cli.main(argv) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    run, best = metrics["epochs_run"], metrics["best_epoch"]
    assert run == min(best + 2, 40)
    said = f"after {run} of at most 40 epochs; kept epoch {best} "
    assert said in capsys.readouterr().err
