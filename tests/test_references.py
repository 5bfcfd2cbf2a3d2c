"""The scikit-learn references and the two-stage oversampler + HGB."""

import numpy as np
import pytest

from aos_keras.references import SklearnReference
from tests.conftest import TINY, make_imbalanced

# scikit-learn models; the game inside DO-T0.1+HGB is tested per backend
# elsewhere.
pytestmark = pytest.mark.backend("tensorflow")


@pytest.mark.parametrize("name", ["LR", "HGB", "SMOTE+HGB", "DO-T0.1+HGB"])
def test_log_proba_covers_every_class(name):
    x, y = make_imbalanced(n_major=40, n_minor=10)
    options = {**TINY} if name == "DO-T0.1+HGB" else {"classifier_units": (8,)}
    # A class without rows (index 2) gets log(1e-12); the game needs rows
    # of every class, so DO-T0.1+HGB is given the 2 classes it has.
    k = 2 if name == "DO-T0.1+HGB" else 3
    ref = SklearnReference(name, num_classes=k, seed=0, **options)
    ref.fit(x, y, validation_data=(x, y), epochs=1, batch_size=16)
    out = ref.log_proba(x)
    assert out.shape == (50, k)
    np.testing.assert_allclose(np.exp(out[:, :2]).sum(axis=1), 1.0, atol=1e-9)
    if k == 3:
        assert (out[:, 2] == np.log(1e-12)).all()


def test_two_stage_adds_generated_rows_to_full_balance():
    x, y = make_imbalanced(n_major=40, n_minor=10)
    ref = SklearnReference("DO-T0.1+HGB", num_classes=2, seed=0, **TINY)
    x_res, y_res = ref._oversample(x, y, epochs=1, batch_size=16)
    assert np.bincount(y_res).tolist() == [40, 40]
    np.testing.assert_array_equal(x_res[:50], x)
    new = x_res[50:]  # convex combinations of the minority rows
    minority = x[y == 1]
    assert (new >= minority.min(0) - 1e-5).all()
    assert (new <= minority.max(0) + 1e-5).all()
