"""`AOSClassifier`: the AO/DO-trained classifier as a scikit-learn estimator."""

import re

import keras
import numpy as np
import pandas as pd
import pytest
from conftest import BACKEND, TINY, make_imbalanced
from sklearn.base import clone
from sklearn.model_selection import (
    GridSearchCV,
    StratifiedShuffleSplit,
    cross_val_score,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import (
    check_classifiers_train,
    estimator_checks_generator,
)

from aos_keras import AdversarialOversampler, AOSClassifier
from aos_keras.sklearn.classifier import EXPECTED_FAILED_CHECKS

# Eager TF runs a few steps faster than tracing a new train function.
FAST = {"run_eagerly": True} if BACKEND == "tensorflow" else None


def tiny_classifier(**kwargs):
    """One full-batch step on every row (no early stopping: the checks of
    early stopping are in test_early_stopping.py); `max_anchors` keeps
    shapes equal across folds."""
    params = dict(
        early_stopping=False,
        epochs=1,
        batch_size=64,
        max_anchors=4,
        model_kwargs=TINY,
        compile_kwargs=FAST,
        random_state=0,
    )
    return AOSClassifier(**{**params, **kwargs})


@pytest.fixture(scope="module")
def data():
    x, y = make_imbalanced()
    X = pd.DataFrame(x * 10 + 5, columns=["u", "v", "w"])
    return X, np.where(y == 1, "yes", "no")


@pytest.fixture(scope="module")
def fitted(data):
    # A label-keyed target: 40 rows of "yes" (= "auto" here, 40:8 rows).
    return tiny_classifier(sampling_strategy={"yes": 40}).fit(*data)


def test_fitted_attributes_and_predictions(data, fitted):
    X, y = data
    assert fitted.classes_.tolist() == ["no", "yes"]
    assert fitted.n_features_in_ == 3
    assert fitted.feature_names_in_.tolist() == ["u", "v", "w"]
    assert isinstance(fitted.model_, AdversarialOversampler)
    assert fitted.model_.sampling_strategy == {1: 40}  # "yes" -> index 1
    proba = fitted.predict_proba(X)
    assert proba.shape == (len(X), 2) and proba.dtype == np.float64
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_array_equal(
        fitted.predict(X), fitted.classes_[proba.argmax(axis=1)]
    )
    # Standardised inside: the model saw the preprocessor's output, and
    # holds that same preprocessor (so it takes the DataFrame itself).
    x = ((X - X.mean()) / X.std(ddof=0)).to_numpy("float32")
    np.testing.assert_allclose(fitted.preprocessor_.transform(X), x, atol=1e-5)
    np.testing.assert_allclose(
        proba, fitted.model_.predict(x, verbose=0), atol=1e-6
    )
    assert fitted.model_.preprocessor is fitted.preprocessor_
    np.testing.assert_allclose(
        proba, fitted.model_.predict(X, verbose=0), atol=1e-6
    )


def test_params_follow_sklearn_conventions(fitted):
    params = fitted.get_params()
    assert params["max_anchors"] == 4 and params["model_kwargs"] == TINY
    copy = clone(fitted).set_params(mode="ao", epochs=3)
    assert copy.mode == "ao" and copy.epochs == 3
    assert not hasattr(copy, "model_")
    assert fitted.mode == "do"
    with pytest.raises(ValueError, match="'mode' parameter"):
        AOSClassifier(mode="gan").fit([[0.0], [1.0]], [0, 1])


def test_generator_temperature_follows_mode_unless_given(data, fitted):
    # 0.5.0: DO's default temperature is 0.1; the paper's 1.0 is one
    # parameter away, and AO keeps 1.0.
    from aos_keras import AOSSampler

    for wrapper in (AOSClassifier, AOSSampler):
        assert wrapper().get_params()["generator_temperature"] is None
    assert fitted.model_.generator.temperature == 0.1
    paper = tiny_classifier(generator_temperature=1.0).fit(*data)
    assert paper.get_params()["generator_temperature"] == 1.0
    assert paper.model_.generator.temperature == 1.0
    assert clone(paper).generator_temperature == 1.0
    ao = tiny_classifier(mode="ao").fit(*data)
    assert ao.model_.generator.temperature == 1.0


def test_balance_follows_mode_unless_given(data):
    # 0.5.0: DO is DO-T0.1-LA (half the gap by G, logit adjustment the
    # rest); full balance without it is one pair of parameters away.
    params = AOSClassifier().get_params()
    assert params["sampling_strategy"] is None
    assert params["q_logit_adjustment"] is None
    default = tiny_classifier().fit(*data).model_
    assert (default.sampling_strategy, default.q_logit_adjustment) == (0.5, 1)
    assert default.rules.q_logit_shift is not None
    old = tiny_classifier(sampling_strategy="auto", q_logit_adjustment=0.0)
    assert clone(old).get_params()["sampling_strategy"] == "auto"
    model = old.fit(*data).model_
    assert (model.sampling_strategy, model.q_logit_adjustment) == ("auto", 0)
    assert model.rules.q_logit_shift is None
    ao = tiny_classifier(mode="ao").fit(*data).model_
    assert (ao.sampling_strategy, ao.q_logit_adjustment) == ("auto", 0)


def test_cross_val_score(data):
    scores = cross_val_score(tiny_classifier(), *data, cv=2)
    assert scores.shape == (2,)
    assert ((0 <= scores) & (scores <= 1)).all()


def test_grid_search_over_a_pipeline(data):
    """Two candidates on one split, then a refit on all rows."""
    search = GridSearchCV(
        make_pipeline(StandardScaler(), tiny_classifier(standardize=False)),
        {"aosclassifier__mode": ["ao", "do"]},
        cv=StratifiedShuffleSplit(n_splits=1, test_size=0.5, random_state=0),
        scoring="balanced_accuracy",
    )
    search.fit(*data)
    assert len(search.cv_results_["mean_test_score"]) == 2
    best = search.best_estimator_[-1]  # refitted on all 48 rows
    assert best.mode == search.best_params_["aosclassifier__mode"]
    assert best.preprocessor_.identity  # standardize=False
    assert search.predict(data[0]).shape == (48,)


# scikit-learn's checks: one full-batch step per fit. Run on torch only: a
# fit there costs ~0.3 s; eager TF ~2 s and tracing more (docs/sklearn.md).
CHECKED = AOSClassifier(
    epochs=1,
    batch_size=4096,
    max_anchors=8,
    model_kwargs=TINY,
    random_state=0,
)


def check_params(checks):
    """pytest params of `(estimator, check)` pairs, with short ids."""
    params = []
    for estimator, check in checks:
        inner = check
        while hasattr(inner, "__wrapped__"):  # a skip wrapper
            inner = inner.__wrapped__
        kw = ",".join(f"{k}={v}" for k, v in inner.keywords.items())
        name = inner.func.__name__ + (f"({kw})" if kw else "")
        params.append(pytest.param(estimator, check, id=name))
    return params


@pytest.mark.backend("torch")
@pytest.mark.parametrize(
    "estimator, check",
    check_params(
        estimator_checks_generator(
            CHECKED, expected_failed_checks=EXPECTED_FAILED_CHECKS, mark="skip"
        )
    ),
)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)  # the expected failures raise SkipTest with the reason


@pytest.mark.slow
@pytest.mark.backend("torch")
def test_check_classifiers_train_with_a_learning_config():
    """The one expected failure passes once Q trains for a few steps."""
    clf = clone(CHECKED).set_params(
        epochs=6, compile_kwargs={"q_optimizer": keras.optimizers.Adam(0.05)}
    )
    check_classifiers_train("AOSClassifier", clf)
    check_classifiers_train(
        "AOSClassifier", clf, readonly_memmap=True, X_dtype="float32"
    )


@pytest.mark.backend("tensorflow")
def test_export_for_tf_serving(data, fitted, tmp_path):
    import tensorflow as tf

    from aos_keras import export_saved_model

    X, _ = data
    path = export_saved_model(fitted, tmp_path / "1")  # standardised inside
    serve = tf.saved_model.load(path).signatures["serving_default"]
    out = serve(features=tf.constant(X.to_numpy("float32")))
    np.testing.assert_allclose(
        out["probabilities"], fitted.predict_proba(X), atol=1e-5
    )


def test_wrappers_share_the_core_messages():
    from sklearn.exceptions import NotFittedError

    from aos_keras import AOSSampler
    from aos_keras.saving.export import export_saved_model

    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = np.array([0] * 30 + [1] * 10)
    holes = X.copy()
    holes[3, 1] = np.nan
    words = "missing (NaN/NA) or infinite values in columns [1]"
    text = np.array([["red", 1.0, 2.0]] * 40, dtype=object)
    for wrapper in (AOSClassifier(epochs=1), AOSSampler(epochs=1)):
        fit = getattr(wrapper, "fit_resample", None) or wrapper.fit
        with pytest.raises(ValueError, match=re.escape(words)):
            fit(holes, y)
        with pytest.raises(ValueError, match="X column 0 holds non-numeric"):
            fit(text, y)
    with pytest.raises(NotFittedError, match="not fitted yet"):
        export_saved_model(AOSClassifier(), "unused")


def test_score_refuses_labels_unseen_in_fit(fitted, data):
    X, y = data
    with pytest.raises(ValueError, match="not seen in fit"):
        fitted.score(X, np.full(len(y), "maybe"))


def test_one_label_check_in_both_wrappers():
    """Issue 24 items 3, 5, 9: labels with spaces merge (warning), a
    regression target and a single class are refused with the messages of
    `aos_keras.validation.check_target` in both wrappers."""
    from aos_keras import AOSSampler
    from aos_keras.tables.labels import one_class_message

    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    for wrapper in (tiny_classifier(), AOSSampler(epochs=1, model_kwargs=TINY)):
        fit = getattr(wrapper, "fit_resample", None) or wrapper.fit
        with pytest.raises(ValueError, match="regression target"):
            fit(X, rng.normal(size=40))
        with pytest.raises(ValueError, match="single class.*one class"):
            fit(X, np.zeros(40))
    spaced = np.array(["yes", " yes", "no", "no "] * 10)
    with pytest.warns(UserWarning, match="surrounding spaces"):
        clf = tiny_classifier().fit(X, spaced)
    assert clf.classes_.tolist() == ["no", "yes"]
    with pytest.warns(UserWarning, match="surrounding spaces"):
        assert 0 <= clf.score(X, spaced) <= 1  # the same labels in score
    assert one_class_message(0) in _error(
        lambda: tiny_classifier().fit(X, np.zeros(40, int))
    )


def _error(call):
    with pytest.raises(ValueError) as err:
        call()
    return str(err.value)


def test_numeric_frame_with_the_label_column_names_it(data, fitted):
    """Issue 24 item 12: a numeric frame that still holds the label."""
    X, y = data
    with pytest.raises(ValueError, match=r"columns \['label'\] the model"):
        fitted.predict(X.assign(label=(y == "yes").astype(float)))
    reordered = X[["w", "u", "v"]]
    np.testing.assert_array_equal(
        fitted.predict_proba(reordered), fitted.predict_proba(X)
    )


def test_max_categories_is_a_parameter():
    """Issue 24 item 11: the error suggests raising max_categories, and the
    estimator has it."""
    rng = np.random.default_rng(0)
    X = pd.DataFrame(
        {"x": rng.normal(size=40), "id": [f"r{i}" for i in range(40)]}
    )
    y = np.array([0, 1] * 20)
    with pytest.raises(ValueError, match="max_categories`=10"):
        tiny_classifier(max_categories=10).fit(X, y)
    assert tiny_classifier(max_categories=50).fit(X, y).predict(X).shape == (
        40,
    )
