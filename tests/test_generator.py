import keras
import numpy as np
import pytest
from keras import ops

from aos_keras import CWIGenerator


def _generator(anchor_counts=(5, 3, 0), d=4, seed=0):
    keras.utils.set_random_seed(seed)
    g = CWIGenerator(list(anchor_counts), d, latent_dim=6, trunk_units=(8, 4))
    rng = np.random.default_rng(seed)
    anchors = {c: rng.normal(size=(m, d)) for c, m in enumerate(anchor_counts)}
    g.set_anchors(anchors)
    return g, anchors


def test_rows_are_convex_combinations_of_their_class_anchors():
    g, anchors = _generator()
    z = keras.random.normal((2, 7, 6), seed=1)
    rows, weights = g(z, training=True, return_weights=True)
    rows = ops.convert_to_numpy(rows)
    assert rows.shape == (2, 7, 4)
    for i, c in enumerate(g.class_ids):
        w = ops.convert_to_numpy(weights[i])
        assert w.shape == (7, len(anchors[c]))
        assert (w >= 0).all()
        np.testing.assert_allclose(w.sum(axis=1), 1.0, atol=1e-6)
        np.testing.assert_allclose(
            rows[i], w.astype("float64") @ anchors[c], atol=1e-5
        )
        # Inside the class's bounding box, a consequence of convexity.
        assert (rows[i] >= anchors[c].min(0) - 1e-5).all()
        assert (rows[i] <= anchors[c].max(0) + 1e-5).all()


def test_subset_of_classes_and_classes_without_head():
    g, anchors = _generator()
    assert g.class_ids == (0, 1)
    rows = g(keras.random.normal((1, 3, 6), seed=2), class_ids=(1,))
    assert tuple(rows.shape) == (1, 3, 4)
    with pytest.raises(ValueError, match="no generator head"):
        g(keras.random.normal((1, 3, 6)), class_ids=(2,))


def test_head_size_is_the_class_anchor_count():
    g, _ = _generator((50, 3))
    assert tuple(g.heads[0].kernel.shape) == (4, 50)
    assert tuple(g.heads[1].kernel.shape) == (4, 3)


def test_sample_is_reproducible_and_convex():
    g, anchors = _generator()
    x1, y1 = g.sample({0: 4, 1: 2}, seed=3)
    x2, y2 = g.sample({0: 4, 1: 2}, seed=3)
    np.testing.assert_array_equal(x1, x2)
    assert y1.tolist() == [0] * 4 + [1] * 2
    for c in (0, 1):
        assert (x1[y1 == c] <= anchors[c].max(0) + 1e-5).all()


def test_set_anchors_checks_shape():
    g, _ = _generator()
    with pytest.raises(ValueError, match="shape"):
        g.set_anchors({0: np.zeros((4, 4)), 1: np.zeros((3, 4))})


def test_config_round_trip():
    g, _ = _generator()
    clone = CWIGenerator.from_config(g.get_config())
    assert clone.anchor_counts == g.anchor_counts
    assert clone.latent_dim == 6
    assert len(clone.weights) == len(g.weights)


@pytest.mark.parametrize("temperature", [0.25, 1.0, 4.0])
def test_temperature_divides_the_head_logits(temperature):
    g, anchors = _generator()
    g.temperature = temperature
    z = keras.random.normal((2, 5, 6), seed=4)
    rows, weights = g(z, training=False, return_weights=True)
    # The trunk's output, recomputed, through each head and a numpy softmax.
    onehot = np.eye(3, dtype="float32")[list(g.class_ids)]
    h = np.concatenate(
        [ops.convert_to_numpy(z), np.repeat(onehot[:, None], 5, axis=1)], -1
    ).reshape(10, 9)
    for layer in g.trunk:
        h = layer(h, training=False)
    h = ops.convert_to_numpy(h).reshape(2, 5, -1)
    for i, c in enumerate(g.class_ids):
        logits = ops.convert_to_numpy(g.heads[c](h[i])) / temperature
        expected = np.exp(logits - logits.max(1, keepdims=True))
        expected /= expected.sum(1, keepdims=True)
        np.testing.assert_allclose(
            ops.convert_to_numpy(weights[i]), expected, rtol=1e-4, atol=1e-6
        )
        np.testing.assert_allclose(
            ops.convert_to_numpy(rows[i]), expected @ anchors[c], atol=1e-4
        )


def test_lower_temperature_mixes_fewer_anchors():
    # Same weights, three temperatures: the effective number of anchors
    # per row, 1 / sum(w^2), falls as the temperature falls.
    g, _ = _generator((40, 30))
    z = keras.random.normal((2, 50, 6), seed=5)
    effective = []
    for temperature in (2.0, 1.0, 0.1):
        g.temperature = temperature
        _, weights = g(z, training=False, return_weights=True)
        w = ops.convert_to_numpy(weights[0])
        effective.append(float((1.0 / (w**2).sum(axis=1)).mean()))
    assert effective[0] > effective[1] > effective[2]


def test_temperature_config_and_checks():
    g = CWIGenerator([3, 2], 4, latent_dim=6, temperature=0.5)
    assert CWIGenerator.from_config(g.get_config()).temperature == 0.5
    for bad in (0.0, -1.0, float("inf"), float("nan")):
        with pytest.raises(ValueError, match="temperature"):
            CWIGenerator([3, 2], 4, temperature=bad)
