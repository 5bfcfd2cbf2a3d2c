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


def test_ensembles_are_public_methods_at_their_revisions():
    assert set(ENSEMBLES) <= set(METHODS)
    # UB-HGB at 2: leaves of a quarter of a small bag (issue 29).
    assert [method_revision(name) for name in ENSEMBLES] == [1, 2, 1]


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


# ------------------------------ HGB-plain and the blends (issue 25)
def test_hgb_plain_is_hgb_without_class_weights():
    x, y = make_imbalanced(n_major=40, n_minor=10)
    plain = make_method("HGB-plain", num_classes=2, num_features=3, seed=0)
    weighted = make_method("HGB", num_classes=2, num_features=3, seed=0)
    for method in (plain, weighted):
        method.fit(x, y, validation_data=(x, y), epochs=1, batch_size=16)
    assert plain.model.class_weight is None
    assert weighted.model.class_weight == "balanced"
    assert plain.model.early_stopping is True
    assert "HGB-plain" in METHODS and method_revision("HGB-plain") == 0


class _Scripted:
    """A stand-in neural method: scripted validation logits per epoch."""

    def __init__(self, val_logits):
        self.val_logits, self.epoch = val_logits, 0
        self.classifier = self
        self.weights = None

    def logits(self, x):
        return self.val_logits[self.epoch - 1]

    def get_weights(self):
        return [np.full(2, self.epoch)]

    def set_weights(self, weights):
        self.weights = weights


def test_best_epoch_keeps_the_earliest_best_validation_acsa():
    from aos_keras.baselines import BestEpoch

    y_val = np.array([0, 0, 1, 1])
    good = np.array([[1, 0], [1, 0], [0, 1], [1, 0]])  # ACSA 0.75
    best_logits = np.array([[1, 0], [1, 0], [0, 1], [0, 1]])  # ACSA 1.0
    fake = _Scripted([good, best_logits, good, best_logits])
    best = BestEpoch(np.zeros((4, 1)), y_val, 2)
    for _ in range(4):
        fake.epoch += 1
        best.update(fake)
    assert (best.epoch, best.score) == (2, 1.0)
    best.restore(fake)
    np.testing.assert_array_equal(fake.weights[0], [2, 2])


def test_probability_average_is_the_mean_of_its_members():
    x, y = make_imbalanced(n_major=40, n_minor=10)
    method = make_method(
        "LA-CE/HGB", num_classes=2, num_features=3, seed=0,
        classifier_units=(8,),
    )  # fmt: skip
    seen = []
    method.fit_scored(
        x, y, on_epoch=seen.append, validation_data=(x, y), epochs=2,
        batch_size=16,
    )  # fmt: skip
    assert seen == [method]  # scored once, after both members
    neural, trees = method.members_
    assert (neural.name, trees.name) == ("LA-CE", "HGB")
    assert method.neural_epoch_ in (1, 2)
    mean = (neural.predict_proba(x) + trees.predict_proba(x)) / 2
    np.testing.assert_allclose(method.predict_proba(x), mean, atol=1e-6)
    assert method_revision("LA-CE/HGB") == method_revision("LA-CE")


def test_top_up_bags_bring_every_class_to_n_over_c():
    from aos_keras.baselines import TopUpBaggedHGB

    x = np.arange(60, dtype="float32").reshape(30, 2)
    y = np.repeat([0, 1, 2], [20, 7, 3])  # t = round(30 / 3) = 10
    asked = []

    def sampler(need, seed):
        asked.append((need, seed))
        labels = np.concatenate([np.full(n, c) for c, n in need.items()])
        return np.full((len(labels), 2), -1.0), labels

    bagger = TopUpBaggedHGB(sampler, n_bags=2, seed=0)
    x_bag, y_bag = bagger.resample_bag(x, y, seed=5)
    assert np.bincount(y_bag).tolist() == [10, 10, 10]
    assert asked == [({1: 3, 2: 7}, 5)]
    real = (x_bag >= 0).all(axis=1)
    # Every real row of the small classes kept; 10 distinct majority rows.
    for c in (1, 2):
        np.testing.assert_array_equal(
            np.sort(x_bag[real & (y_bag == c), 0]), x[y == c, 0]
        )
    major = x_bag[real & (y_bag == 0), 0]
    assert len(np.unique(major)) == 10 and set(major) <= set(x[y == 0, 0])
    assert (~real).sum() == 10 and set(y_bag[~real]) == {1, 2}


def test_probability_average_takes_another_tree_member():
    from aos_keras.baselines import (
        BalancedRandomForestMethod,
        ProbabilityAverageMethod,
        method_spec,
    )

    x, y = make_imbalanced(n_major=40, n_minor=10)
    method = ProbabilityAverageMethod(
        name="LA-CE/BRF", neural=method_spec("LA-CE"),
        trees=BalancedRandomForestMethod, num_classes=2, num_features=3,
        seed=0, classifier_units=(8,),
    )  # fmt: skip
    method.fit_scored(
        x, y, on_epoch=lambda m: None, validation_data=(x, y), epochs=2,
        batch_size=16,
    )  # fmt: skip
    neural, trees = method.members_
    assert (neural.name, trees.name) == ("LA-CE", "BRF")
    mean = (neural.predict_proba(x) + trees.predict_proba(x)) / 2
    np.testing.assert_allclose(method.predict_proba(x), mean, atol=1e-6)


def _labelled_sampler(asked):
    def sampler(need, seed):
        asked.append((need, seed))
        labels = np.concatenate([np.full(n, c) for c, n in need.items()])
        return np.full((len(labels), 2), -1.0), labels

    return sampler


def test_forest_top_up_draws_large_classes_with_replacement():
    from aos_keras.baselines.blends import top_up_bag

    x = np.arange(60, dtype="float32").reshape(30, 2)
    y = np.repeat([0, 1, 2], [20, 7, 3])  # t = 10
    asked = []
    draws = [
        top_up_bag(x, y, seed, _labelled_sampler(asked), replace=True)
        for seed in range(20)
    ]
    for x_bag, y_bag in draws:
        assert np.bincount(y_bag).tolist() == [10, 10, 10]
        real = (x_bag >= 0).all(axis=1)
        for c in (1, 2):  # every real row of a small class, once
            np.testing.assert_array_equal(
                np.sort(x_bag[real & (y_bag == c), 0]), x[y == c, 0]
            )
        assert set(x_bag[real & (y_bag == 0), 0]) <= set(x[y == 0, 0])
    # With replacement: some draw repeats a majority row (20 draws of 10
    # from 20 rows without a repeat have probability below 1e-30).
    repeats = [
        len(np.unique(xb[(xb >= 0).all(axis=1) & (yb == 0), 0])) < 10
        for xb, yb in draws
    ]
    assert any(repeats)
    assert [seed for _, seed in asked] == list(range(20))


def test_topped_up_forest_grows_one_tree_per_draw():
    from aos_keras.baselines import TopUpBalancedForest

    x, y = make_imbalanced(n_major=40, n_minor=10)
    asked = []

    def sampler(need, seed):
        asked.append(need)
        rows = np.concatenate([np.full(n, c) for c, n in need.items()])
        return np.tile(x[y == 1][:1], (len(rows), 1)), rows

    forest = TopUpBalancedForest(sampler, n_trees=7, seed=0).fit(x, y)
    assert len(forest.estimators_) == 7 and asked == [{1: 15}] * 7
    assert all(t.max_features == "sqrt" for t in forest.estimators_)
    proba = forest.predict_proba(x)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    again = TopUpBalancedForest(sampler, n_trees=7, seed=0).fit(x, y)
    np.testing.assert_array_equal(again.predict_proba(x), proba)


def test_generator_topped_forest_trains_the_game_then_brf_trees():
    from aos_keras.baselines import (
        GeneratorToppedForestMethod,
        TopUpBalancedForest,
        method_spec,
    )

    x, y = make_imbalanced(n_major=40, n_minor=10)
    method = GeneratorToppedForestMethod(
        name="DO-T0.1-LA+BRF", sampler=method_spec("DO-T0.1-LA"),
        num_classes=2, num_features=3, seed=0, **TINY,
    )  # fmt: skip
    method.fit(x, y, validation_data=(x, y), epochs=1, batch_size=16)
    assert method.sampler_.name == "DO-T0.1-LA"
    assert isinstance(method._model, TopUpBalancedForest)
    assert len(method._model.estimators_) == 100
    assert method.predict_proba(x).shape == (50, 2)
