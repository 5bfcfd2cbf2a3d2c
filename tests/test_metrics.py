import numpy as np
import pytest
from imblearn.metrics import geometric_mean_score
from sklearn.metrics import balanced_accuracy_score

from aos_keras import (
    ACSA,
    GeometricMean,
    acsa,
    geometric_mean,
    per_class_recall,
)

CASES = [
    ([0, 0, 1, 1, 1, 2], [0, 1, 1, 1, 0, 2]),
    ([0, 0, 0, 1, 1, 2, 2], [0, 0, 0, 0, 0, 0, 2]),  # class 1 never predicted
    ([1, 1, 0, 0], [1, 1, 0, 0]),
    ([0, 1, 2, 3, 0, 1, 2, 3], [3, 2, 1, 0, 0, 1, 2, 3]),
]


@pytest.mark.parametrize("y_true,y_pred", CASES)
def test_numpy_metrics_match_sklearn_and_imblearn(y_true, y_pred):
    assert acsa(y_true, y_pred) == pytest.approx(
        balanced_accuracy_score(y_true, y_pred)
    )
    assert geometric_mean(y_true, y_pred) == pytest.approx(
        geometric_mean_score(y_true, y_pred)
    )


def test_class_never_predicted_gives_zero_recall_and_gm():
    y_true, y_pred = CASES[1]
    recall = per_class_recall(y_true, y_pred, num_classes=3)
    np.testing.assert_allclose(recall, [1.0, 0.0, 0.5])
    assert geometric_mean(y_true, y_pred) == 0.0
    assert acsa(y_true, y_pred) == pytest.approx(0.5)


def test_class_absent_from_y_true_is_left_out():
    recall = per_class_recall([0, 0, 1], [0, 2, 1], num_classes=3)
    assert np.isnan(recall[2])
    assert acsa([0, 0, 1], [0, 2, 1], num_classes=3) == pytest.approx(0.75)


@pytest.mark.parametrize("y_true,y_pred", CASES)
def test_streaming_metrics_equal_numpy_over_batches(y_true, y_pred):
    num_classes = 4
    onehot = np.eye(num_classes, dtype="float32")[y_pred]
    m_acsa, m_gm = ACSA(num_classes), GeometricMean(num_classes)
    for lo in range(0, len(y_true), 3):  # uneven batches
        sl = slice(lo, lo + 3)
        m_acsa.update_state(np.array(y_true[sl]), onehot[sl])
        m_gm.update_state(np.array(y_true[sl]), onehot[sl])
    assert float(m_acsa.result()) == pytest.approx(acsa(y_true, y_pred), 1e-6)
    assert float(m_gm.result()) == pytest.approx(
        geometric_mean(y_true, y_pred), abs=1e-6
    )
    m_acsa.reset_state()
    assert float(m_acsa.result()) == 0.0


def test_streaming_metric_config():
    m = ACSA(3, name="val_acsa")
    clone = ACSA.from_config(m.get_config())
    assert clone.num_classes == 3 and clone.name == "val_acsa"


# ----------------------------------------- macro-F1, average precision, Brier
# numpy metrics: no Keras maths, so one backend's pass is enough.
PROBA_CASES = [
    ([0, 0, 1, 1, 1, 2], 3, 0),
    ([0, 0, 0, 1, 1, 2, 2], 3, 1),
    ([1, 1, 0, 0, 0, 0, 0], 2, 2),
    ([0, 1, 2, 3, 0, 1, 2, 3], 4, 3),
]


def _proba(n, k, seed):
    """Probabilities with ties (rounded to 0.1), rows summing to 1."""
    p = np.random.default_rng(seed).dirichlet(np.ones(k), n).round(1)
    p[:, -1] = 1 - p[:, :-1].sum(1)
    return p


@pytest.mark.backend("tensorflow")
@pytest.mark.parametrize("y_true,y_pred", CASES)
def test_macro_f1_matches_sklearn(y_true, y_pred):
    from sklearn.metrics import f1_score

    from aos_keras.metrics import macro_f1

    expected = f1_score(y_true, y_pred, average="macro")
    assert macro_f1(y_true, y_pred, 4) == pytest.approx(expected, abs=1e-12)


@pytest.mark.backend("tensorflow")
@pytest.mark.parametrize("y_true,k,seed", PROBA_CASES)
def test_average_precision_and_brier_match_sklearn(y_true, k, seed):
    from sklearn.metrics import average_precision_score

    from aos_keras.metrics import average_precision, brier

    y = np.asarray(y_true)
    p = _proba(len(y), k, seed)
    per_class = [average_precision_score(y == c, p[:, c]) for c in range(k)]
    assert average_precision(y, p) == pytest.approx(np.mean(per_class))
    onehot = np.eye(k)[y]
    expected = np.mean([np.sum((p[i] - onehot[i]) ** 2) for i in range(len(y))])
    assert brier(y, p) == pytest.approx(expected, abs=1e-12)


@pytest.mark.backend("tensorflow")
def test_extra_metrics_exact_values():
    from aos_keras.metrics import average_precision, brier, macro_f1

    assert macro_f1([0, 0, 1, 1], [0, 0, 0, 1]) == pytest.approx(11 / 15)
    assert macro_f1([0, 0], [0, 1]) == pytest.approx((2 / 3 + 0) / 2)
    # class 1 ranks a negative first: AP = (1/2 + 2/3) / 2; class 0 ranks
    # a positive, two negatives, a positive: AP = (1 + 2/4) / 2.
    y, p = [0, 1, 1, 0], [[0.2, 0.8], [0.3, 0.7], [0.4, 0.6], [0.9, 0.1]]
    assert average_precision(y, p) == pytest.approx((7 / 12 + 0.75) / 2)
    # A class without rows has no AP (left out, as from ACSA).
    assert average_precision([0, 0], [[0.9, 0.1], [0.1, 0.9]]) == 1.0
    assert brier([0, 1], [[1.0, 0.0], [0.5, 0.5]]) == 0.25
    assert brier([0], [[0.0, 1.0]]) == 2.0
