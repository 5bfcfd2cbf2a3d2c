import keras
import numpy as np
import pytest
from conftest import TINY
from keras import ops

from aos_keras import AdversarialOversampler
from aos_keras.game import generated_rows, schedule


def _weights(player):
    return [np.array(ops.convert_to_numpy(v)) for v in player.weights]


def _changed(before, after):
    return [not np.array_equal(a, b) for a, b in zip(before, after)]


def test_critic_update_touches_only_the_critic(tiny_data, tiny_model):
    x, y = tiny_data
    model = tiny_model(x, y)
    g, q = _weights(model.generator), _weights(model.classifier)
    d = _weights(model.critic)
    schedule.critic_update(
        model.game, ops.convert_to_tensor(x[:16]), ops.convert_to_tensor(y[:16])
    )
    # Batch-norm statistics of G may move (G runs in training mode); no
    # trainable weight of G or Q does.
    g_trainable = [v.path for v in model.generator.trainable_variables]
    for v, a, b in zip(model.generator.weights, g, _weights(model.generator)):
        if v.path in g_trainable:
            np.testing.assert_array_equal(a, b, err_msg=v.path)
    for a, b in zip(q, _weights(model.classifier)):
        np.testing.assert_array_equal(a, b)
    # All but the output bias, which cancels out of the WGAN loss.
    assert all(_changed(d, _weights(model.critic))[:-1])
    assert int(model.d_optimizer.iterations.numpy()) == 1
    assert int(model.g_optimizer.iterations.numpy()) == 0
    assert int(model.q_optimizer.iterations.numpy()) == 0


@pytest.mark.parametrize("mode", ["ao", "do"])
def test_one_epoch_updates_every_player_and_counts_steps(
    tiny_data, tiny_model, mode
):
    x, y = tiny_data
    model = tiny_model(x, y, mode=mode, critic_steps=2)
    before = {
        name: _weights(getattr(model, name))
        for name in ("generator", "critic", "classifier")
    }
    anchors = [
        ops.convert_to_numpy(a) for a in model.generator.anchors.values()
    ]
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)  # 3 steps
    for name, old in before.items():
        player = getattr(model, name)
        trainable = {v.path for v in player.trainable_variables}
        changed = dict(
            zip(
                [v.path for v in player.weights],
                _changed(old, _weights(player)),
            )
        )
        # Under WGAN the critic's output bias cancels out of its loss
        # (E[D(fake)] - E[D(real)]): its gradient is 0 up to rounding.
        trainable.discard("critic/score/bias")
        assert all(changed[p] for p in trainable), name
    # Anchors are data, never trained.
    for a, v in zip(anchors, model.generator.anchors.values()):
        np.testing.assert_array_equal(a, ops.convert_to_numpy(v))
    # Every player's optimizer state survives the step (JAX trap).
    assert int(model.g_optimizer.iterations.numpy()) == 3
    assert int(model.q_optimizer.iterations.numpy()) == 3
    assert int(model.d_optimizer.iterations.numpy()) == 6
    assert int(model.optimizer.iterations.numpy()) == 3


def test_noise_is_the_draw_of_its_shape():
    # `generated_rows.noise` draws flat and reshapes (one random kernel whatever
    # the number of classes): the values are those of a (K, r, L) draw.
    drawn = generated_rows.noise(keras.random.SeedGenerator(3), 26, 2, 5)
    direct = keras.random.normal((26, 2, 5), seed=keras.random.SeedGenerator(3))
    assert tuple(drawn.shape) == (26, 2, 5)
    np.testing.assert_array_equal(
        ops.convert_to_numpy(drawn), ops.convert_to_numpy(direct)
    )


def test_same_seed_same_weights(tiny_data, tiny_model):
    x, y = tiny_data
    runs = []
    for _ in range(2):
        model = tiny_model(x, y, seed=7)
        model.fit(x, y, epochs=1, batch_size=16, verbose=0)
        runs.append(_weights(model))
    for a, b in zip(*runs):
        np.testing.assert_array_equal(a, b)


def test_save_and_load_weights_round_trip(tiny_data, tiny_model, tmp_path):
    x, y = tiny_data
    model = tiny_model(x, y)
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    path = str(tmp_path / "m.weights.h5")
    model.save_weights(path)
    clone = tiny_model(x, y, seed=99)
    clone.load_weights(path)
    for a, b in zip(_weights(model), _weights(clone)):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(
        model.predict(x, verbose=0), clone.predict(x, verbose=0)
    )


@pytest.mark.parametrize("mode", ["ao", "do"])
def test_trains_two_epochs_on_string_labels_without_nan(tiny_data, mode):
    x, y = tiny_data
    labels = np.where(y == 1, "rare", "common")
    keras.utils.set_random_seed(0)
    model = AdversarialOversampler.from_data(x, labels, mode=mode, **TINY)
    model.compile()
    history = model.fit(
        x,
        labels,
        epochs=2,
        batch_size=16,
        verbose=0,
        validation_data=(x, labels),
    )
    for name, values in history.history.items():
        assert np.isfinite(values).all(), name
    assert set(history.history) >= {
        "loss", "q_loss", "g_loss", "d_loss", "gp", "acsa", "gm",
        "val_loss", "val_acsa", "val_gm",
    }  # fmt: skip
    assert model.classes_.tolist() == ["common", "rare"]
    proba = model.predict(x, verbose=0)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    assert set(model.predict_labels(x, verbose=0)) <= {"common", "rare"}
    scores = model.evaluate(x, labels, verbose=0, return_dict=True)
    assert set(scores) == {"loss", "acsa", "gm"}


def test_multiclass_with_vanilla_gan_and_fraction(tiny_model):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(30, 3)).astype("float32")
    y = np.array([0] * 18 + [1] * 8 + [2] * 4)
    model = tiny_model(x, y, gan_loss="vanilla", sampling_strategy=0.5)
    # f_s = 0.5: targets max(n_c, 9) -> deficits (0, 1, 5).
    assert model.support["classifier"] == (1, 2)
    assert model.alpha == pytest.approx(6 / 30)
    history = model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    assert np.isfinite(history.history["q_loss"]).all()


def test_max_anchors_caps_heads_with_a_seeded_subset():
    x = np.arange(60, dtype="float32").reshape(30, 2)
    y = np.array([0] * 25 + [1] * 5)
    a = AdversarialOversampler.from_data(x, y, max_anchors=4, seed=1, **TINY)
    b = AdversarialOversampler.from_data(x, y, max_anchors=4, seed=1, **TINY)
    assert a.anchor_counts == [4, 4]
    assert a.class_counts == [25, 5]
    kept = ops.convert_to_numpy(a.generator.anchors[0])
    np.testing.assert_array_equal(
        kept, ops.convert_to_numpy(b.generator.anchors[0])
    )
    assert set(map(tuple, kept)) <= set(map(tuple, x[:25]))


def test_labels_unseen_at_evaluation_are_an_error(tiny_data, tiny_model):
    x, y = tiny_data
    model = tiny_model(x, y)
    with pytest.raises(ValueError, match="not seen in training"):
        model.evaluate(x, np.full(len(x), 5), verbose=0)


def test_bad_arguments():
    x = np.zeros((4, 2), "float32")
    y = np.array([0, 0, 1, 1])
    with pytest.raises(ValueError, match="mode"):
        AdversarialOversampler.from_data(x, y, mode="gan")
    with pytest.raises(ValueError, match="gan_loss"):
        AdversarialOversampler.from_data(x, y, gan_loss="hinge")
    with pytest.raises(ValueError, match="q_fake_loss"):
        AdversarialOversampler.from_data(x, y, q_fake_loss="mse")
    with pytest.raises(ValueError, match="single class"):
        AdversarialOversampler.from_data(x, np.zeros(4))
    model = AdversarialOversampler.from_data(x, y, **TINY)
    with pytest.raises(ValueError, match="sets its own"):
        model.compile(loss="mse")


def test_fit_without_an_epoch_to_run_is_refused(tiny_data, tiny_model):
    x, y = tiny_data
    model = tiny_model(x, y)
    with pytest.raises(ValueError, match="at least one epoch"):
        model.fit(x, y, epochs=0, verbose=0)
    with pytest.raises(ValueError, match="initial_epoch=3"):
        model.fit(x, y, epochs=3, initial_epoch=3, verbose=0)


def _four_columns():
    import pandas as pd
    from conftest import make_imbalanced

    x, y = make_imbalanced(d=4)
    scales = [1.0, -3.0, 0.5, 2.0]
    frame = pd.DataFrame(x * scales, columns=["a", "b", "c", "d"])
    return frame, np.where(y == 1, "rare", "common")


@pytest.mark.backend("jax", "tensorflow")
def test_numeric_frame_columns_are_matched_by_name(tmp_path):
    """Issue 24 item 1: `from_data` on an all-numeric DataFrame keeps the
    column names; reordered columns give the same probabilities, also
    after save/load; a missing or extra column is a clear error."""
    frame, y = _four_columns()
    keras.utils.set_random_seed(0)
    model = AdversarialOversampler.from_data(frame, y, seed=0, **TINY)
    model.compile()
    model.fit(frame, y, epochs=1, batch_size=16, verbose=0)
    proba = model.predict(frame, verbose=0)
    reordered = frame[["d", "b", "a", "c"]]
    np.testing.assert_array_equal(model.predict(reordered, verbose=0), proba)
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    np.testing.assert_allclose(
        loaded.predict(reordered, verbose=0), proba, atol=1e-6
    )
    assert loaded.preprocessor.columns_ == ["a", "b", "c", "d"]
    # The array in the training order is the same rows.
    np.testing.assert_array_equal(
        model.predict(frame.to_numpy(), verbose=0), proba
    )
    with pytest.raises(ValueError, match=r"lacks the columns \['b'\]"):
        model.predict(frame.drop(columns="b"), verbose=0)
    with pytest.raises(ValueError, match=r"columns \['label'\] the model"):
        model.predict(frame.assign(label=1.0), verbose=0)


def test_labels_that_differ_by_spaces_are_one_class():
    """Issue 24 item 3: ' benign' and 'benign ' are 'benign', with a
    warning that lists them."""
    x = np.random.default_rng(0).normal(size=(12, 2)).astype("float32")
    y = np.array(["benign", " benign", "benign ", "bad"] * 3)
    with pytest.warns(UserWarning, match="' benign', 'benign ', 'benign'"):
        model = AdversarialOversampler.from_data(x, y, **TINY)
    assert model.classes_.tolist() == ["bad", "benign"]
    assert model.class_counts == [3, 9]
    with pytest.warns(UserWarning, match="surrounding spaces"):
        codes = model.encode_labels([" bad", "benign"])
    assert codes.tolist() == [0, 1]


def test_a_batch_larger_than_the_table_is_clipped(
    tiny_data, tiny_model, monkeypatch
):
    """Issue 24 item 4: 48 rows at batch 100000 train on 48 rows (one step),
    not on 100000 padded rows; ordinary batches are padded as before."""
    x, y = tiny_data
    seen = []
    fit = keras.Model.fit

    def spy(self, x=None, y=None, **kwargs):
        seen.append((len(x), kwargs["batch_size"]))
        return fit(self, x, y, **kwargs)

    monkeypatch.setattr(keras.Model, "fit", spy)
    model = tiny_model(x, y)
    model.fit(x, y, epochs=1, batch_size=100_000, verbose=0)
    model.fit(x, y, epochs=1, batch_size=20, verbose=0)
    assert seen == [(48, 48), (60, 20)]
    assert int(ops.convert_to_numpy(model.optimizer.iterations)) == 1 + 3


def test_regression_like_labels_are_refused():
    """Issue 24 item 5: the CLI's check, the same message everywhere."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 2)).astype("float32")
    with pytest.raises(ValueError, match="regression target.*non-integer"):
        AdversarialOversampler.from_data(x, rng.normal(size=60))
    with pytest.raises(ValueError, match="regression target.*60 distinct"):
        AdversarialOversampler.from_data(x, np.arange(60))
    many = np.arange(60) % 25  # 25 classes of 2-3 rows: classes
    assert AdversarialOversampler.from_data(x, many, **TINY).num_classes == 25


def test_one_class_has_one_wording_everywhere():
    """Issue 24 item 9: model, wrapper and the label check say the same."""
    from aos_keras import AOSClassifier
    from aos_keras.tables.labels import check_target, one_class_message

    x = np.zeros((6, 2), "float32")
    y = np.array(["a"] * 6)
    messages = []
    for call in (
        lambda: AdversarialOversampler.from_data(x, y),
        lambda: AOSClassifier(epochs=1).fit(x, y),
        lambda: check_target(y),
    ):
        with pytest.raises(ValueError) as err:
            call()
        messages.append(str(err.value))
    assert messages == [one_class_message("a")] * 3


def test_deferred_oversampling_is_a_callback(tiny_data, tiny_model):
    from aos_keras.callbacks import DeferredOversampling

    x, y = tiny_data
    model = tiny_model(x, y, oversampling_start=0.5)
    assert any(
        isinstance(c, DeferredOversampling)
        for c in model._fit_callbacks(None, nan_guard=True)
    )
    model.fit(x, y, epochs=4, batch_size=16, verbose=0)  # 3 steps an epoch
    assert float(ops.convert_to_numpy(model.oversampling_start_step)) == 6.0
    model.fit(x, y, epochs=3, initial_epoch=1, batch_size=16, verbose=0)
    assert float(ops.convert_to_numpy(model.oversampling_start_step)) == 15.0
