"""Numerical faults and failed writes.

Losses and their gradients stay finite at extreme logits; a NaN during
training stops `fit` with an error that names the player and the step and
leaves finite weights (nothing NaN can be saved); a write that fails midway
leaves the previous file intact and no temporary file behind.
"""

import os
import pickle

import keras
import numpy as np
import pytest
from conftest import TINY, make_imbalanced
from keras import ops

from aos_keras import AdversarialOversampler, Critic
from aos_keras.backend import input_gradient, value_and_grad
from aos_keras.callbacks import (
    NonFiniteGuard,
    ResumableBackup,
    with_nan_guard,
)
from aos_keras.errors import NonFiniteLossError
from aos_keras.game.losses import (
    complement_cross_entropy,
    complement_entropy,
    critic_vanilla,
    cross_entropy,
    generator_vanilla,
    gradient_penalty,
)
from aos_keras.saving import io

# Rows whose softmax is exactly 1 and 0 in float32, very large logits, a
# uniform row; each row is scored against every class.
EXTREME = np.array(
    [
        [1e4, -1e4, 0.0],
        [-1e4, 1e4, -1e4],
        [100.0, -100.0, -100.0],
        [1e30, -1e30, 0.0],
        [-1e30, -1e30, 1e30],
        [0.0, 0.0, 0.0],
    ],
    "float32",
)
LOGITS = np.repeat(EXTREME, 3, axis=0)
LABELS = np.tile(np.arange(3), len(EXTREME))


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


def _finite_state(model):
    variables = model.weights + model.optimizer.variables
    return all(np.isfinite(_np(v)).all() for v in variables)


def test_extreme_logits_give_probabilities_of_exactly_0_and_1():
    p = _np(ops.softmax(ops.convert_to_tensor(EXTREME[:1]), axis=-1))
    np.testing.assert_array_equal(p, [[1.0, 0.0, 0.0]])


@pytest.mark.parametrize(
    "fn", [cross_entropy, complement_cross_entropy, complement_entropy]
)
def test_class_losses_and_gradients_finite_at_extreme_logits(fn):
    logits = keras.Variable(LOGITS)
    loss, per_row, (grad,) = value_and_grad(
        lambda: (ops.sum(fn(LABELS, logits)), fn(LABELS, logits)), [logits]
    )
    assert np.isfinite(_np(per_row)).all(), fn.__name__
    assert np.isfinite(_np(loss)), fn.__name__
    assert np.isfinite(_np(grad)).all(), fn.__name__


def test_gan_losses_and_gradients_finite_at_extreme_scores():
    scores = keras.Variable(np.array([1e30, -1e30, 1e4, -1e4, 0.0], "float32"))

    def loss_fn():
        return ops.sum(critic_vanilla(scores, scores)) + ops.sum(
            generator_vanilla(scores)
        ), ()

    loss, _, (grad,) = value_and_grad(loss_fn, [scores])
    assert np.isfinite(_np(loss)) and np.isfinite(_np(grad)).all()


def test_gradient_penalty_and_its_gradient_finite():
    # A zero gradient (where a plain norm's derivative is NaN), a tiny one,
    # a huge one and one of norm exactly 1.
    grads = keras.Variable(
        np.array(
            [[0, 0, 0], [1e-30, 0, 0], [1e15, -1e15, 0], [1, 0, 0]], "float32"
        )
    )
    loss, per_row, (grad,) = value_and_grad(
        lambda: (
            ops.sum(gradient_penalty(grads)),
            gradient_penalty(grads),
        ),
        [grads],
    )
    assert np.isfinite(_np(per_row)).all() and np.isfinite(_np(loss))
    assert np.isfinite(_np(grad)).all()


def test_gradient_penalty_through_the_critic_is_finite_for_large_inputs():
    # The whole double-backward path of the WGAN-GP critic loss.
    keras.utils.set_random_seed(0)
    critic = Critic(2, 3, hidden_units=(8,))
    x = ops.convert_to_tensor(
        np.array([[1e6, -1e6, 0], [0, 0, 0], [1e-6, 1, 2]], "float32")
    )
    y = ops.convert_to_tensor(np.array([0, 1, 1], "int32"))

    def loss_fn():
        grad = input_gradient(lambda t: critic(t, y), x)
        return ops.mean(gradient_penalty(grad)), ()

    # The output bias is not connected to the penalty: leave it out (TF's
    # eager tape fails to make zeros for an unconnected variable here).
    loss, _, grads = value_and_grad(loss_fn, critic.trainable_variables[:-1])
    assert np.isfinite(_np(loss))
    assert all(np.isfinite(_np(g)).all() for g in grads)


# ----------------------------------------------------- NaN during training
class PoisonAnchors(keras.callbacks.Callback):
    """After the first batch, set the anchors of class 1 to NaN."""

    def on_train_batch_end(self, batch, logs=None):
        if batch == 0:
            sync = getattr(self.model, "jax_state_sync", None)
            if sync is not None:  # JAX: the next step reads the variables
                sync()
            g = self.model.generator
            anchors = {
                c: keras.ops.convert_to_numpy(a) for c, a in g.anchors.items()
            }
            anchors[1] = np.full(anchors[1].shape, np.nan, "float32")
            g.set_anchors(anchors)


@pytest.fixture(scope="module")
def data():
    return make_imbalanced()


def _model(data, **compile_kwargs):
    x, y = data
    keras.utils.set_random_seed(0)
    model = AdversarialOversampler.from_data(x, y, seed=0, **TINY)
    model.compile(**compile_kwargs)
    return model


def test_nan_mid_training_names_player_and_step_and_keeps_finite_weights(
    data, tmp_path
):
    x, y = data
    model = _model(data)
    backup = ResumableBackup(
        tmp_path / "backup", save_freq=1, delete_checkpoint=False
    )
    with pytest.raises(NonFiniteLossError) as info:
        model.fit(
            x,
            y,
            epochs=2,
            batch_size=16,
            verbose=0,
            callbacks=[backup, PoisonAnchors()],
        )
    err = info.value
    # The critic reads generated rows first: its loss is the first NaN.
    assert (err.player, err.loss, err.step, err.epoch, err.batch) == (
        "critic",
        "d_loss",
        2,
        0,
        1,
    )
    message = str(err)
    assert "critic loss `d_loss` became nan at training step 2" in message
    assert "restored" in message and "To fix" in message
    # Every variable is back to its finite start-of-epoch value, anchors
    # included, so saving writes no NaN.
    assert _finite_state(model)
    path = str(tmp_path / "after.weights.h5")
    model.save_weights(path)
    clone = _model(data)
    clone.load_weights(path)
    assert _finite_state(clone)
    # The guard ran before the backup: its last backup (after step 1) is
    # finite.
    assert sorted(os.listdir(tmp_path / "backup")) == [
        "ckpt-e00000-b000001.weights.h5",
        "state.json",
    ]
    clone.load_weights(str(tmp_path / "backup/ckpt-e00000-b000001.weights.h5"))
    assert _finite_state(clone)
    # Without the guard the same fault trains on and leaves NaN weights.
    history = model.fit(
        x,
        y,
        epochs=1,
        batch_size=16,
        verbose=0,
        nan_guard=False,
        callbacks=[PoisonAnchors()],
    )
    assert np.isnan(history.history["d_loss"]).all()
    assert not _finite_state(model)


def test_diverging_critic_is_named(data):
    x, y = data
    model = _model(data, d_optimizer=keras.optimizers.SGD(1e30))
    with pytest.raises(NonFiniteLossError) as info:
        model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    err = info.value
    # The critic's step-1 update explodes; the generator's loss, which reads
    # the critic right after, is the first non-finite one.
    assert (err.player, err.step) == ("generator", 1)
    assert "the critic's weights diverged first" in str(err)
    assert "d_optimizer" in str(err)
    assert _finite_state(model)


def test_weights_are_checked_at_epoch_end(data):
    model = _model(data)
    guard = NonFiniteGuard()
    guard.set_model(model)
    guard.set_params({"steps": 3, "epochs": 1})
    guard.on_train_begin()
    guard.on_epoch_begin(0)
    kernel = model.classifier.trainable_variables[0]
    kernel.assign(np.full(kernel.shape, np.inf, "float32"))
    with pytest.raises(NonFiniteLossError, match="classifier variable") as e:
        guard.on_epoch_end(0, {})
    assert (e.value.player, e.value.step) == ("classifier", 3)
    assert "q_optimizer" in str(e.value)
    assert _finite_state(model)
    # Non-finite weights before training are refused at once.
    kernel.assign(np.full(kernel.shape, np.nan, "float32"))
    with pytest.raises(NonFiniteLossError, match="start of epoch 0"):
        guard.on_epoch_begin(0)


def test_guard_is_put_first_once():
    other = keras.callbacks.Callback()
    callbacks = with_nan_guard([other])
    assert isinstance(callbacks[0], NonFiniteGuard) and callbacks[1] is other
    assert with_nan_guard(callbacks) == callbacks
    assert isinstance(with_nan_guard(None)[0], NonFiniteGuard)


def test_error_keeps_its_fields_through_pickle():
    err = NonFiniteLossError(
        "boom", player="critic", loss="d_loss", step=7, epoch=1, batch=2
    )
    back = pickle.loads(pickle.dumps(err))
    assert (str(back), back.player, back.step, back.batch) == (
        "boom",
        "critic",
        7,
        2,
    )
    assert isinstance(back, FloatingPointError)


# ---------------------------------------------------------- failed writes
def test_failed_atomic_write_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "results.json"
    io.write_json(path, {"run": 1})

    def disk_full(fd):
        raise OSError("No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space"):
        io.write_json(path, {"run": 2})
    monkeypatch.undo()
    assert path.read_text() == '{\n "run": 1\n}\n'
    assert os.listdir(tmp_path) == ["results.json"]
    # Same for a writer that dies midway through a binary file.
    with pytest.raises(RuntimeError):
        with io.atomic_path(tmp_path / "m.weights.h5") as tmp:
            with open(tmp, "wb") as f:
                f.write(b"partial")
            raise RuntimeError("killed")
    assert os.listdir(tmp_path) == ["results.json"]


def test_failed_backup_write_keeps_the_previous_backup(
    data, tmp_path, monkeypatch
):
    x, y = data
    folder = tmp_path / "backup"
    model = _model(data)
    model.fit(
        x,
        y,
        epochs=1,
        batch_size=16,
        verbose=0,
        callbacks=[ResumableBackup(folder, delete_checkpoint=False)],
    )
    saved = [_np(v) for v in model.weights]
    files = sorted(os.listdir(folder))
    state = (folder / "state.json").read_text()

    def dies_midway(filepath, **kwargs):
        with open(filepath, "wb") as f:
            f.write(b"half a file")
        raise OSError("killed while writing")

    monkeypatch.setattr(model, "save_weights", dies_midway)
    with pytest.raises(OSError, match="killed while writing"):
        model.fit(
            x,
            y,
            epochs=2,
            batch_size=16,
            verbose=0,
            callbacks=[ResumableBackup(folder, delete_checkpoint=False)],
        )
    assert sorted(os.listdir(folder)) == files  # no temporary file left
    assert (folder / "state.json").read_text() == state
    # Temporary files of a write killed outright are removed at next start,
    # and the previous backup loads.
    (folder / ".ckpt-e00002-b000000.abc.tmp.weights.h5").write_bytes(b"x")
    (folder / ".state.abc.tmp.json").write_text("{")
    monkeypatch.undo()
    backup = ResumableBackup(folder, delete_checkpoint=False)
    model.fit(x, y, epochs=1, batch_size=16, verbose=0, callbacks=[backup])
    assert backup.resumed_from == (1, 0)
    assert sorted(os.listdir(folder)) == files
    for a, v in zip(saved, model.weights):
        np.testing.assert_array_equal(a, _np(v))
