import keras
import numpy as np
import pytest
from keras import ops

from aos_keras import CWIGenerator
from aos_keras.game.head_groups import MAX_PADDING, SMALL_HEAD, group_heads


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
    for c, m in ((0, 50), (1, 3)):
        kernel, bias = g.head_weights(c)
        assert tuple(kernel.shape) == (4, m)
        assert tuple(bias.shape) == (m,)


@pytest.mark.parametrize(
    "counts",
    [(5, 3, 0), (40, 30, 21, 20, 19, 7, 3, 1), (1,) * 26, (4096, 143)],
)
def test_head_groups_cover_each_class_once_and_bound_the_padding(counts):
    groups = group_heads(list(counts))
    flat = sorted(c for g in groups for c in g)
    assert flat == [c for c, m in enumerate(counts) if m > 0]
    for group in groups:
        width = max(counts[c] for c in group)
        for c in group:
            assert width <= max(MAX_PADDING * counts[c], SMALL_HEAD)
    # As few groups as the bound allows: the largest class of a group
    # would not fit in the group before it.
    for before, after in zip(groups, groups[1:]):
        width = max(counts[c] for c in before)
        assert width > max(
            MAX_PADDING * max(counts[c] for c in after), SMALL_HEAD
        )


def test_one_group_for_similar_counts_more_for_spread_counts():
    assert group_heads([10] * 26) == [list(range(26))]
    assert group_heads([1000, 600, 0, 10, 8]) == [[0, 1], [3, 4]]
    assert group_heads([6400, 1600, 400, 60, 25]) == [[0], [1], [2], [3, 4]]
    assert group_heads([4096, 143]) == [[0], [1]]
    # A long tail: letter-lt100's training counts, 26 classes, 4 groups.
    letter = [442, 357, 286, 260, 206, 173, 143, 114, 97, 80, 66, 57, 49]
    letter += [40, 32, 29, 24, 19, 16, 14, 12, 9, 8, 7, 6, 4]
    assert [len(g) for g in group_heads(letter)] == [4, 4, 5, 13]


def _rows_and_weights(g, z, class_ids):
    rows, weights = g(
        z, class_ids=class_ids, training=False, return_weights=True
    )
    return ops.convert_to_numpy(rows), [
        ops.convert_to_numpy(w) for w in weights
    ]


def test_layout_does_not_change_weights_or_rows():
    # The same seed gives the same head weights and the same rows whatever
    # the grouping: one group, one group per class, or a mixed layout.
    counts, d = [6, 4, 3], 4
    rng = np.random.default_rng(0)
    anchors = {c: rng.normal(size=(m, d)) for c, m in enumerate(counts)}
    z = np.random.default_rng(1).normal(size=(3, 5, 6)).astype("float32")
    results = []
    for groups in ([[0, 1, 2]], [[0], [1], [2]], [[1], [0, 2]]):
        keras.utils.set_random_seed(0)
        g = CWIGenerator(
            counts, d, latent_dim=6, trunk_units=(8, 4), head_groups=groups
        )
        g.set_anchors(anchors)
        assert g.head_groups == groups
        kernels = [ops.convert_to_numpy(g.head_weights(c)[0]) for c in range(3)]
        results.append((kernels, _rows_and_weights(g, z, (0, 1, 2))))
        # Any order of classes gives the rows of that order.
        rows, _ = _rows_and_weights(g, z[::-1].copy(), (2, 1, 0))
        np.testing.assert_allclose(rows, results[-1][1][0][::-1], atol=1e-6)
    (k0, (rows0, w0)) = results[0]
    for kernels, (rows, weights) in results[1:]:
        for a, b in zip(k0, kernels):
            np.testing.assert_array_equal(a, b)
        np.testing.assert_allclose(rows, rows0, atol=1e-6)
        for a, b in zip(w0, weights):
            np.testing.assert_allclose(a, b, atol=1e-6)


def test_heads_start_glorot_uniform_from_one_draw():
    # Each class's kernel is uniform on Glorot's limit for its own
    # (h, m_c) shape, whatever group it is padded into; one seed, one draw.
    counts, h = [300, 40, 7], 4
    keras.utils.set_random_seed(0)
    g = CWIGenerator(counts, 3, latent_dim=6, trunk_units=(8, h))
    assert len(g.head_groups) > 1
    for c, m in enumerate(counts):
        kernel = ops.convert_to_numpy(g.head_weights(c)[0])
        limit = np.sqrt(6.0 / (h + m))
        assert kernel.shape == (h, m)
        assert np.abs(kernel).max() <= limit
        if m >= 40:  # U(-a, a) has std a / sqrt(3)
            assert abs(kernel.std() / (limit / np.sqrt(3)) - 1) < 0.1
    padded = ops.convert_to_numpy(g.head_kernels[-1])
    assert padded.shape[-1] == 40 and not padded[-1, :, 7:].any()
    keras.utils.set_random_seed(0)
    again = CWIGenerator(counts, 3, latent_dim=6, trunk_units=(8, h))
    for a, b in zip(g.head_kernels, again.head_kernels):
        np.testing.assert_array_equal(
            ops.convert_to_numpy(a), ops.convert_to_numpy(b)
        )


def test_padded_weights_stay_zero_and_weigh_nothing():
    g2 = CWIGenerator([6, 4], 4, latent_dim=6, trunk_units=(8, 4))
    assert g2.head_groups == [[0, 1]]
    g2.set_anchors({0: np.ones((6, 4)), 1: np.ones((4, 4))})
    optimizer = keras.optimizers.Adam(0.1)
    z = keras.random.normal((2, 8, 6), seed=3)
    for _ in range(3):
        _train_step(g2, optimizer, z)
    kernel = ops.convert_to_numpy(g2.head_kernels[0])
    bias = ops.convert_to_numpy(g2.head_biases[0])
    assert (kernel[1, :, 4:] == 0).all() and (bias[1, 4:] == 0).all()
    assert (kernel[1, :, :4] != 0).any()
    _, weights = g2(z, training=False, return_weights=True)
    assert tuple(weights[1].shape) == (8, 4)
    np.testing.assert_allclose(
        ops.convert_to_numpy(weights[1]).sum(1), 1.0, atol=1e-6
    )


def _train_step(g, optimizer, z):
    target = ops.convert_to_tensor(np.linspace(-1, 1, 4, dtype="float32"))
    backend = keras.backend.backend()
    variables = g.trainable_variables
    if backend == "jax":
        import jax

        values = [v.value for v in variables]
        fixed = [v.value for v in g.non_trainable_variables]

        def loss_fn(values):
            rows, fixed_out = g.stateless_call(values, fixed, z, training=True)
            return ops.mean((rows - target) ** 2)

        grads = jax.grad(loss_fn)(values)
    elif backend == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            loss = ops.mean((g(z, training=True) - target) ** 2)
        grads = tape.gradient(loss, variables)
    else:
        g.zero_grad()
        loss = ops.mean((g(z, training=True) - target) ** 2)
        loss.backward()
        grads = [v.value.grad for v in variables]
    optimizer.apply(grads, variables)


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
        kernel, bias = (ops.convert_to_numpy(t) for t in g.head_weights(c))
        logits = (ops.convert_to_numpy(h[i]) @ kernel + bias) / temperature
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
