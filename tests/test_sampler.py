"""`AOSSampler`: the AO/DO generator as an imbalanced-learn
sampler."""

import numpy as np
import pandas as pd
import pytest
from conftest import BACKEND, TINY

pytest.importorskip("imblearn")

from imblearn.pipeline import make_pipeline  # noqa: E402
from imblearn.utils.estimator_checks import (  # noqa: E402
    estimator_checks_generator as imblearn_checks,
)
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.utils.estimator_checks import (  # noqa: E402
    estimator_checks_generator as sklearn_checks,
)

from aos_keras import AdversarialOversampler, AOSSampler  # noqa: E402

# Eager TF runs a few steps faster than tracing a new train function.
FAST = {"run_eagerly": True} if BACKEND == "tensorflow" else None
COUNTS = {"a": 24, "b": 10, "c": 6}


def tiny_sampler(**kwargs):
    params = dict(
        early_stopping=False,  # one step on every row (test_early_stopping)
        epochs=1,
        batch_size=64,
        model_kwargs=TINY,
        compile_kwargs=FAST,
        random_state=0,
    )
    return AOSSampler(**{**params, **kwargs})


@pytest.fixture(scope="module")
def data():
    """40 rows of three classes; int, float32, float64 and bool columns."""
    rng = np.random.default_rng(0)
    y = np.repeat(list(COUNTS), list(COUNTS.values()))
    shift = pd.Series(y).map({"a": 0.0, "b": 2.0, "c": 4.0}).to_numpy()
    X = pd.DataFrame(
        {
            "count": rng.integers(0, 20, len(y)) + (shift * 5).astype(int),
            "ratio": rng.normal(shift, 1).astype("float32"),
            "level": rng.normal(-shift, 2),
            "flag": rng.random(len(y)) < 0.3,
        },
        index=pd.RangeIndex(len(y)),
    )
    return X, pd.Series(y, name="label")


@pytest.fixture(scope="module")
def resampled(data):
    sampler = tiny_sampler()
    return sampler, *sampler.fit_resample(*data)


def test_dataframe_in_dataframe_out(data, resampled):
    X, y = data
    sampler, X_res, y_res = resampled
    assert isinstance(X_res, pd.DataFrame) and isinstance(y_res, pd.Series)
    assert X_res.columns.tolist() == X.columns.tolist()
    assert X_res.dtypes.to_dict() == X.dtypes.to_dict()
    assert y_res.name == "label" and len(y_res) == len(X_res)
    assert y_res.value_counts().to_dict() == {"a": 24, "b": 24, "c": 24}
    pd.testing.assert_frame_equal(X_res.iloc[: len(X)], X)
    pd.testing.assert_series_equal(y_res.iloc[: len(y)], y)
    assert sampler.sampling_strategy_ == {"b": 14, "c": 18}
    assert isinstance(sampler.model_, AdversarialOversampler)
    assert sampler.n_features_in_ == 4
    assert sampler.feature_names_in_.tolist() == X.columns.tolist()


def test_the_sampler_balances_fully_without_logit_adjustment(data, resampled):
    # 0.5.0's model DO fills half the gap (DO-T0.1-LA); the sampler keeps
    # imbalanced-learn's full balance and no logit adjustment of its Q.
    params = AOSSampler().get_params()
    assert params["sampling_strategy"] == "auto"
    assert params["q_logit_adjustment"] == 0.0
    sampler, _, y_res = resampled
    assert y_res.value_counts().to_dict() == {"a": 24, "b": 24, "c": 24}
    assert sampler.model_.q_logit_adjustment == 0.0
    assert sampler.model_.rules.q_logit_shift is None
    # Logit adjustment stays one parameter (or model_kwargs entry) away.
    for kwargs in (
        {"q_logit_adjustment": 1.0},
        {"model_kwargs": {**TINY, "q_logit_adjustment": 1.0}},
    ):
        fitted = tiny_sampler(**kwargs)
        fitted.fit_resample(*data)
        assert fitted.model_.q_logit_adjustment == 1.0, kwargs


def test_generated_rows_stay_in_their_class_range(data, resampled):
    X, y = data
    _, X_res, y_res = resampled
    new_X, new_y = X_res.iloc[len(X) :], y_res.iloc[len(y) :]
    for label in ("b", "c"):
        rows, real = new_X[new_y == label], X[y == label]
        low, high = real.min(), real.max()
        for column in ("count", "ratio", "level"):
            span = 1e-4 * (1 + abs(high[column]) + abs(low[column]))
            assert (
                rows[column]
                .between(low[column] - span, high[column] + span)
                .all()
            )
    assert new_X["count"].isin(range(0, 40)).all()  # rounded integers


def test_seeded_runs_are_identical(data, resampled):
    X_res, y_res = tiny_sampler().fit_resample(*data)
    pd.testing.assert_frame_equal(X_res, resampled[1])
    pd.testing.assert_series_equal(y_res, resampled[2])


def test_pipeline_with_logistic_regression(data):
    X, y = data
    pipe = make_pipeline(
        tiny_sampler(sampling_strategy="minority"),
        LogisticRegression(max_iter=200),
    )
    pipe.fit(X, y)
    sampler = pipe.steps[0][1]
    assert sampler.sampling_strategy_ == {"c": 18}
    assert pipe.predict(X).shape == (len(X),)  # no resampling at predict
    assert set(pipe.predict(X)) <= set(COUNTS)


def test_sampling_strategy_meanings(data):
    X, y = data
    binary = y != "c"
    cases = [
        ("auto", X, y, {"b": 14, "c": 18}),
        ("not minority", X, y, {"a": 0, "b": 14}),
        ({"b": 12}, X, y, {"b": 2}),
        (0.5, X[binary], y[binary], {"b": 2}),
    ]
    for strategy, X_, y_, expected in cases:
        sampler = tiny_sampler(sampling_strategy=strategy).fit(X_, y_)
        assert sampler.sampling_strategy_ == expected


def test_padded_labels_are_stripped():
    """Labels that differ by surrounding spaces are one class (warned), in
    the strategy and in the returned labels (a Series stays one)."""
    X = np.random.default_rng(0).normal(size=(40, 2))
    y = pd.Series(["yes", " yes", "no", "no ", "no"] * 8, name="label")
    with pytest.warns(UserWarning, match="surrounding spaces"):
        _, y_res = tiny_sampler().fit_resample(X, y)
    assert isinstance(y_res, pd.Series) and y_res.name == "label"
    assert y_res.value_counts().to_dict() == {"no": 24, "yes": 24}


def test_nothing_to_generate_returns_the_input(data):
    X, y = data
    sampler = tiny_sampler(sampling_strategy={"c": 6})
    X_res, y_res = sampler.fit_resample(X, y)
    pd.testing.assert_frame_equal(X_res, X)
    assert sampler.model_ is None


def test_invalid_inputs(data):
    X, y = data
    with pytest.raises(ValueError, match="model_kwargs must not set"):
        tiny_sampler(model_kwargs={"mode": "ao"}).fit_resample(X, y)
    with pytest.raises(ValueError, match="'mode' parameter"):
        tiny_sampler(mode="gan").fit_resample(X, y)


# Estimator checks: one training step each on the full (<= 1000 row) batch.
# Run on torch only: a fit there costs ~0.3 s; eager TF ~2 s and tracing
# more (see docs/sklearn.md).
CHECKED = AOSSampler(
    epochs=1,
    batch_size=2048,
    max_anchors=8,
    model_kwargs=TINY,
    random_state=0,
)


def check_params(checks):
    """pytest params of `(estimator, check)` pairs, with short ids."""
    params = []
    for estimator, check in checks:
        kw = ",".join(f"{k}={v}" for k, v in check.keywords.items())
        name = check.func.__name__ + (f"({kw})" if kw else "")
        params.append(pytest.param(estimator, check, id=name))
    return params


@pytest.mark.backend("torch")
@pytest.mark.parametrize(
    "estimator, check", check_params(imblearn_checks(CHECKED))
)
def test_imblearn_estimator_checks(estimator, check):
    check(estimator)


@pytest.mark.backend("torch")
@pytest.mark.parametrize(
    "estimator, check", check_params(sklearn_checks(CHECKED))
)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)
