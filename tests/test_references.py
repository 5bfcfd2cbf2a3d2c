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
