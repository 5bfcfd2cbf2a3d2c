"""The scikit-learn methods (LR, HGB, SMOTE+HGB, DO-T0.1+HGB), registered
like every other method of `aos_keras.baselines`."""

import numpy as np
import pytest

from aos_keras.baselines import METHODS, make_method, method_revision
from tests.conftest import TINY, make_imbalanced

# scikit-learn models; the game inside DO-T0.1+HGB is tested per backend
# elsewhere.
pytestmark = pytest.mark.backend("tensorflow")
TREES = ["LR", "HGB", "SMOTE+HGB", "DO-T0.1+HGB"]


def build(name, k):
    options = dict(TINY) if name == "DO-T0.1+HGB" else {}
    return make_method(
        name, num_classes=k, num_features=3, seed=0,
        **{"classifier_units": (8,), **options},
    )  # fmt: skip


@pytest.mark.parametrize("name", TREES)
def test_logits_cover_every_class(name):
    x, y = make_imbalanced(n_major=40, n_minor=10)
    # A class without rows (index 2) gets log(1e-12); the game needs rows
    # of every class, so DO-T0.1+HGB is given the 2 classes it has.
    k = 2 if name == "DO-T0.1+HGB" else 3
    method = build(name, k)
    seen = []
    method.fit_scored(
        x, y, on_epoch=seen.append, validation_data=(x, y), epochs=1,
        batch_size=16,
    )  # fmt: skip
    assert seen == [method]  # no epochs: scored once, after the fit
    out = method.logits(x)
    assert method.name == name and out.shape == (50, k)
    np.testing.assert_allclose(np.exp(out[:, :2]).sum(axis=1), 1.0, atol=1e-9)
    np.testing.assert_allclose(method.predict_proba(x), np.exp(out), atol=1e-6)
    if k == 3:
        assert (out[:, 2] == np.log(1e-12)).all()


def test_they_are_public_methods_with_their_samplers_revision():
    assert set(TREES) <= set(METHODS)
    assert method_revision("DO-T0.1+HGB") == method_revision("DO-T0.1") == 2
    assert method_revision("SMOTE+HGB") == method_revision("LR") == 0


def test_two_stage_adds_generated_rows_to_full_balance():
    x, y = make_imbalanced(n_major=40, n_minor=10)
    method = build("DO-T0.1+HGB", 2)
    x_res, y_res = method._oversample(x, y, epochs=1, batch_size=16)
    assert np.bincount(y_res).tolist() == [40, 40]
    np.testing.assert_array_equal(x_res[:50], x)
    new = x_res[50:]  # convex combinations of the minority rows
    minority = x[y == 1]
    assert (new >= minority.min(0) - 1e-5).all()
    assert (new <= minority.max(0) + 1e-5).all()


def test_smote_hgb_names_its_sampler():
    x, y = make_imbalanced(n_major=40, n_minor=10)
    method = build("SMOTE+HGB", 2).fit(x, y, epochs=1, batch_size=16)
    assert method.sampler_name_ == "SMOTE"


# ------------------------------------ undersampling ensembles (issue 25)
ENSEMBLES = ["BRF", "UB-HGB", "EasyEnsemble"]


def three_classes():
    x, y = make_imbalanced(n_major=40, n_minor=10)
    rng = np.random.default_rng(1)
    x3 = np.concatenate([x, rng.normal(-2, 1, (8, 3)).astype("float32")])
    return x3, np.concatenate([y, np.full(8, 2)])


def fitted(name, k, seed=0):
    x, y = (
        make_imbalanced(n_major=40, n_minor=10) if k == 2 else three_classes()
    )
    method = make_method(name, num_classes=k, num_features=3, seed=seed)
    seen = []
    method.fit_scored(
        x, y, on_epoch=seen.append, validation_data=(x, y), epochs=1,
        batch_size=16,
    )  # fmt: skip
    assert seen == [method]  # no epochs: scored once, after the fit
    return method, x


@pytest.mark.parametrize("k", [2, 3])
@pytest.mark.parametrize("name", ENSEMBLES)
def test_ensembles_predict_probabilities_reproducibly(name, k):
    method, x = fitted(name, k)
    proba = method.predict_proba(x)
    assert method.name == name and proba.shape == (len(x), k)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-5)
    assert (proba >= 0).all()
    np.testing.assert_array_equal(proba, fitted(name, k)[0].predict_proba(x))
    np.testing.assert_allclose(np.exp(method.logits(x)), proba, atol=1e-6)


def test_ensembles_are_public_methods_at_revision_1():
    assert set(ENSEMBLES) <= set(METHODS)
    assert all(method_revision(name) == 1 for name in ENSEMBLES)


def test_ensembles_fixed_settings():
    brf = fitted("BRF", 2)[0].model
    assert (brf.n_estimators, brf.sampling_strategy) == (100, "all")
    assert brf.replacement and not brf.bootstrap and brf.n_jobs == 1
    easy = fitted("EasyEnsemble", 2)[0].model
    assert easy.n_estimators == 10 and easy.n_jobs == 1


def test_under_bagging_balances_each_bag_and_stops_on_validation(monkeypatch):
    from aos_keras.baselines import ensembles

    seen = []

    class Recording(ensembles.HistGradientBoostingClassifier):
        def fit(self, x, y, **kwargs):
            seen.append((np.bincount(y).tolist(), sorted(kwargs)))
            return super().fit(x, y, **kwargs)

    monkeypatch.setattr(ensembles, "HistGradientBoostingClassifier", Recording)
    method, _ = fitted("UB-HGB", 3)
    assert len(method.model.estimators_) == len(seen) == 10
    # Each bag: every class undersampled to the smallest (8 rows); each
    # HGB stops early on the validation rows, classes weighed alike.
    assert all(counts == [8, 8, 8] for counts, _ in seen)
    assert all(
        keys == ["X_val", "sample_weight_val", "y_val"] for _, keys in seen
    )
    for hgb in method.model.estimators_:
        assert hgb.early_stopping is True and hgb.class_weight is None


def test_under_bagging_seeds_its_bags():
    x, y = make_imbalanced(n_major=60, n_minor=30)  # bags HGB can split
    probas = []
    for seed in (0, 0, 1):
        model = make_method("UB-HGB", num_classes=2, num_features=3, seed=seed)
        model.fit(x, y, validation_data=(x, y), epochs=1, batch_size=16)
        probas.append(model.predict_proba(x))
    np.testing.assert_array_equal(probas[0], probas[1])
    assert not np.array_equal(probas[0], probas[2])
