import keras
import numpy as np
import pytest
from keras import ops

from aos_keras import (
    Critic,
    complement_cross_entropy,
    complement_entropy,
    cross_entropy,
    gradient_penalty,
    least_squares,
)
from aos_keras.backend import input_gradient
from aos_keras.game.losses import weighted_class_mean

LOGITS = np.array(
    [[2.0, -1.0, 0.5], [0.0, 0.0, 0.0], [-3.0, 4.0, 1.0], [1.0, 2.0, 3.0]],
    dtype="float32",
)
LABELS = np.array([0, 2, 1, 1])


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _np(t):
    return ops.convert_to_numpy(t)


def test_cross_entropy_matches_numpy():
    q = _softmax(LOGITS.astype("float64"))
    ref = -np.log(q[np.arange(4), LABELS])
    np.testing.assert_allclose(_np(cross_entropy(LABELS, LOGITS)), ref, 1e-5)


def test_complement_cross_entropy_matches_numpy():
    q = _softmax(LOGITS.astype("float64"))
    ref = -np.log(1.0 - q[np.arange(4), LABELS])
    got = _np(complement_cross_entropy(LABELS, LOGITS))
    np.testing.assert_allclose(got, ref, rtol=1e-5)


def test_complement_cross_entropy_is_ce_to_other_class_for_two_classes():
    logits = LOGITS[:, :2]
    labels = np.array([0, 1, 1, 0])
    np.testing.assert_allclose(
        _np(complement_cross_entropy(labels, logits)),
        _np(cross_entropy(1 - labels, logits)),
        rtol=1e-6,
    )


def test_complement_entropy_matches_numpy():
    q = _softmax(LOGITS.astype("float64"))
    ref = []
    for row, c in zip(q, LABELS):
        p = np.delete(row, c) / (1 - row[c])
        ref.append(-(p * np.log(p)).sum())
    got = _np(complement_entropy(LABELS, LOGITS))
    np.testing.assert_allclose(got, ref, rtol=1e-5)
    # Identically 0 for two classes.
    two = _np(complement_entropy(np.array([0, 1, 1, 0]), LOGITS[:, :2]))
    np.testing.assert_array_equal(two, np.zeros(4))


def test_losses_finite_for_extreme_logits():
    logits = np.array([[1e4, -1e4], [-1e4, 1e4], [0.0, 0.0]], "float32")
    labels = np.array([0, 0, 1])
    for fn in (cross_entropy, complement_cross_entropy, complement_entropy):
        assert np.isfinite(_np(fn(labels, logits))).all(), fn.__name__
    # CE of a certain wrong prediction is large but finite.
    assert _np(cross_entropy(labels, logits))[1] == pytest.approx(2e4)
    assert _np(complement_cross_entropy(labels, logits))[0] == pytest.approx(
        2e4
    )
    assert np.isfinite(_np(gradient_penalty(np.zeros((2, 3), "float32")))).all()


def test_gradient_penalty_of_linear_critic_is_analytic():
    keras.utils.set_random_seed(0)
    d = 5
    critic = Critic(num_classes=3, num_features=d, hidden_units=())
    x = keras.random.normal((6, d), seed=1)
    ids = ops.convert_to_tensor([0, 1, 2, 0, 1, 2], "int32")
    grads = _np(input_gradient(lambda t: critic(t, ids), x))
    w = _np(critic.score.kernel)[:d, 0]
    np.testing.assert_allclose(grads, np.tile(w, (6, 1)), rtol=1e-6)
    expected = (np.linalg.norm(w) - 1.0) ** 2
    np.testing.assert_allclose(
        _np(gradient_penalty(grads)), np.full(6, expected), rtol=1e-5
    )


def test_least_squares():
    t = np.array([[1.0, 0.0], [0.0, 1.0]], "float32")
    p = np.array([[0.5, 0.5], [0.0, 0.0]], "float32")
    np.testing.assert_allclose(_np(least_squares(t, p)), [0.25, 0.5])


def test_weighted_class_mean():
    values = ops.convert_to_tensor([1.0, 3.0, 10.0, 0.0])
    ids = ops.convert_to_tensor([0, 0, 1, 2])
    weights = np.array([0.5, 0.25, 0.25], "float32")
    got = float(_np(weighted_class_mean(values, ids, weights, 3)))
    assert got == pytest.approx(0.5 * 2.0 + 0.25 * 10.0 + 0.25 * 0.0)
