"""The game's study variants: deferred oversampling, logit adjustment."""

import numpy as np
import pytest

from aos_keras import AdversarialOversampler
from aos_keras.baselines import SHARP_TEMPERATURE, make_method, register_preset
from aos_keras.baselines.resampling import from_ordinal, snap_blocks, to_ordinal
from aos_keras.game.sampling import class_distribution, synthetic_weight
from tests.conftest import TINY


def test_deferred_oversampling_zeroes_q_generated_term_before_the_switch(
    tiny_data, tiny_model
):
    x, y = tiny_data  # 48 rows: 3 steps per epoch at batch 16
    model = tiny_model(x, y, oversampling_start=0.5)
    history = model.fit(x, y, epochs=2, batch_size=16, verbose=0).history
    # Epoch 1: Q's loss is exactly its real-row term; epoch 2: plus alpha *
    # its generated-row term.
    assert history["q_loss"][0] == history["loss"][0]
    assert history["q_loss"][1] > history["loss"][1]
    assert float(model.oversampling_start_step.numpy()) == 3.0


def test_no_deferral_means_no_extra_variable(tiny_data, tiny_model):
    x, y = tiny_data
    plain = tiny_model(x, y)
    deferred = tiny_model(x, y, oversampling_start=0.25)
    assert plain.oversampling_start_step is None
    assert len(deferred.weights) == len(plain.weights) + 1


def test_logit_adjustment_uses_the_prior_after_oversampling(tiny_data):
    x, y = tiny_data  # 40:8
    model = AdversarialOversampler.from_data(
        x, y, sampling_strategy=0.5, q_logit_adjustment=2.0, **TINY
    )
    counts = [40, 8]
    alpha = synthetic_weight(counts, 0.5)  # 12 generated rows of class 1
    p = class_distribution(counts, "fraction", 0.5)
    prior = np.array(counts) / 48 + alpha * p
    expected = 2.0 * np.log(prior / prior.sum())
    np.testing.assert_allclose(model.q_logit_shift, expected, rtol=1e-6)
    np.testing.assert_allclose(
        np.exp(model.q_logit_shift / 2.0), [40 / 60, 20 / 60], rtol=1e-6
    )
    balanced = AdversarialOversampler.from_data(
        x, y, sampling_strategy="auto", q_logit_adjustment=1.0, **TINY
    )  # full balance: the prior Q sees is uniform, so no adjustment
    np.testing.assert_allclose(np.ptp(balanced.q_logit_shift), 0.0, atol=1e-7)


def test_settings_round_trip_and_are_checked(tiny_data):
    x, y = tiny_data
    model = AdversarialOversampler.from_data(
        x, y, oversampling_start=0.25, q_logit_adjustment=1.0, **TINY
    )
    config = model.get_config()
    assert config["oversampling_start"] == 0.25
    assert config["q_logit_adjustment"] == 1.0
    clone = AdversarialOversampler.from_config(config)
    assert clone.oversampling_start == 0.25
    with pytest.raises(ValueError, match="oversampling_start"):
        AdversarialOversampler.from_data(x, y, oversampling_start=1.0)
    with pytest.raises(ValueError, match="q_logit_adjustment"):
        AdversarialOversampler.from_data(x, y, q_logit_adjustment=-1.0)


# A study's deferred variant, registered as scripts/ register theirs.
register_preset(
    "DO-T0.1-D25-test",
    mode="do",
    settings={
        "generator_temperature": SHARP_TEMPERATURE,
        "oversampling_start": 0.25,
    },
)


@pytest.mark.parametrize("name", ["DO-T0.1-LA", "DO-T0.1-D25-test"])
def test_variant_methods_train(name, tiny_data):
    x, y = tiny_data
    method = make_method(name, num_classes=2, num_features=3, seed=0, **TINY)
    method.fit(x, y, epochs=1, batch_size=16)
    assert method.predict_proba(x).shape == (48, 2)
    assert method.model.generator_temperature == 0.1


def test_ordinal_view_of_nominal_blocks_round_trips():
    x = np.array(
        [[0.5, 0, 1, 0, 1, 0], [-1.0, 1, 0, 0, 0, 1]], dtype=np.float32
    )
    blocks = [(1, 4), (4, 6)]
    ordinal = to_ordinal(x, blocks)
    np.testing.assert_array_equal(ordinal, [[0.5, 1, 0], [-1.0, 0, 1]])
    np.testing.assert_array_equal(from_ordinal(ordinal, blocks, 6), x)
    soft = np.array([[0.1, 0.2, 0.5, 0.3, 0.6, 0.4]], dtype=np.float32)
    np.testing.assert_array_equal(
        snap_blocks(soft, blocks),
        np.array([[0.1, 0, 1, 0, 1, 0]], dtype=np.float32),
    )


@pytest.mark.parametrize(
    "name, numeric, sampler",
    [
        ("SMOTE+Q", True, "SMOTENC"),
        ("SMOTE+Q", False, "SMOTEN"),
        ("B-SMOTE+Q", True, "BorderlineSMOTE"),
    ],
)
def test_smote_type_rows_hold_one_category_per_block(name, numeric, sampler):
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 3, (60, 2))
    onehot = np.concatenate([np.eye(3)[codes[:, 0]], np.eye(3)[codes[:, 1]]], 1)
    num = rng.normal(size=(60, 2)) if numeric else np.zeros((60, 0))
    x = np.concatenate([num, onehot], axis=1).astype(np.float32)
    y = np.array([0] * 50 + [1] * 10)
    k = num.shape[1]
    blocks = [(k, k + 3), (k + 3, k + 6)]
    method = make_method(
        name, num_classes=2, num_features=x.shape[1], seed=0,
        nominal_blocks=blocks, classifier_units=(8,),
    )  # fmt: skip
    x_res, y_res = method._resample(x, y)
    assert method.sampler_name_ == sampler
    assert len(x_res) > len(x)
    for a, b in blocks:
        block = x_res[:, a:b]
        assert set(np.unique(block)) <= {0.0, 1.0}
        np.testing.assert_array_equal(block.sum(axis=1), 1.0)


def test_hard_nominal_blocks_are_one_hot_with_the_soft_vote(tiny_data):
    import keras

    from aos_keras import CWIGenerator

    rng = np.random.default_rng(0)
    anchors = [
        np.concatenate(
            [rng.normal(size=(5, 2)), np.eye(3)[[0, 1, 2, 0, 1]]], 1
        ),
        np.concatenate([rng.normal(size=(4, 2)), np.eye(3)[[2, 2, 1, 0]]], 1),
    ]
    z = keras.random.normal((2, 6, 4), seed=1)
    generators = {}
    for output in ("soft", "hard"):
        g = CWIGenerator(
            [5, 4], 5, latent_dim=4, trunk_units=(8,), batch_norm=False,
            nominal_blocks=[(2, 5)], nominal_output=output,
        )  # fmt: skip
        g.set_anchors(anchors)
        generators[output] = g
    generators["hard"].set_weights(generators["soft"].get_weights())
    rows = {k: keras.ops.convert_to_numpy(g(z)) for k, g in generators.items()}
    soft, hard = rows["soft"], rows["hard"]
    np.testing.assert_array_equal(hard[..., :2], soft[..., :2])
    np.testing.assert_array_equal(hard[..., 2:].sum(-1), 1.0)
    np.testing.assert_array_equal(
        hard[..., 2:].argmax(-1), soft[..., 2:].argmax(-1)
    )
    assert set(np.unique(hard[..., 2:])) == {0.0, 1.0}
    assert g.get_config()["nominal_blocks"] == [[2, 5]]
    with pytest.raises(ValueError, match="nominal_blocks"):
        CWIGenerator([5, 4], 5, nominal_blocks=[(3, 6)])
