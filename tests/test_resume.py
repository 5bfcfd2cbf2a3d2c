"""A run interrupted and resumed with `ResumableBackup` ends with exactly the
weights, optimizer state and seed state of an uninterrupted run.

In-process (every backend): an exception stops `fit` mid-epoch, a fresh
model resumes. Out of process: a child is killed with SIGKILL right after a
mid-epoch backup and a new child resumes (JAX in `make test`; TensorFlow and
torch with `-m slow`).
"""

import os
import signal
import subprocess
import sys

import keras
import numpy as np
import pytest
from conftest import TINY, make_imbalanced

from aos_keras import AdversarialOversampler
from aos_keras.callbacks import ResumableBackup

EPOCHS, BATCH = 3, 16  # 48 rows: 3 steps per epoch
STOP = (1, 2)  # epoch, batch index: the last step of the second epoch


class Crash(Exception):
    pass


class CrashAt(keras.callbacks.Callback):
    def __init__(self, epoch, batch):
        super().__init__()
        self.at, self.epoch = (epoch, batch), None

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if (self.epoch, batch) == self.at:
            raise Crash


def _model(x, y):
    keras.utils.set_random_seed(0)
    model = AdversarialOversampler.from_data(x, y, seed=0, **TINY)
    model.compile()
    return model


def _state(model):
    """Weights, optimizer variables and seed state, by position."""
    variables = model.weights + model.optimizer.variables
    variables.append(model.seed_generator.state)
    return [np.array(keras.ops.convert_to_numpy(v)) for v in variables]


def _assert_same(a, b):
    assert len(a) == len(b)
    for i, (u, v) in enumerate(zip(a, b)):
        np.testing.assert_array_equal(u, v, err_msg=f"variable {i}")


@pytest.fixture(scope="module")
def data():
    return make_imbalanced()


@pytest.fixture(scope="module")
def uninterrupted(data):
    x, y = data
    model = _model(x, y)
    model.fit(x, y, epochs=EPOCHS, batch_size=BATCH, verbose=0)
    return _state(model)


@pytest.mark.parametrize(
    "save_freq, resumed_from",
    [("epoch", (1, 0)), (2, (1, 2))],
    ids=["epoch-backup", "mid-epoch-backup"],
)
def test_resume_ends_with_the_uninterrupted_weights(
    data, uninterrupted, tmp_path, save_freq, resumed_from
):
    x, y = data
    folder = tmp_path / "backup"
    model = _model(x, y)
    with pytest.raises(Crash):
        model.fit(
            x,
            y,
            epochs=EPOCHS,
            batch_size=BATCH,
            verbose=0,
            callbacks=[ResumableBackup(folder, save_freq), CrashAt(*STOP)],
        )
    assert (folder / "state.json").exists()
    # Resume on the crashed model itself (no new trace): every variable
    # the backup failed to restore would keep its value from the crash,
    # ahead of the backup. The killed-process test below builds afresh.
    backup = ResumableBackup(folder, save_freq)
    history = model.fit(
        x, y, epochs=EPOCHS, batch_size=BATCH, verbose=0, callbacks=[backup]
    )
    assert backup.resumed_from == resumed_from
    assert history.epoch == [1, 2]
    _assert_same(uninterrupted, _state(model))
    assert not folder.exists()  # removed once training finished


def test_bad_save_freq():
    with pytest.raises(TypeError, match="'epoch' or a positive int"):
        ResumableBackup("b", save_freq="batch")
    with pytest.raises(ValueError, match="at least 1"):
        ResumableBackup("b", save_freq=0)


def test_unreadable_state_says_what_to_do(data, tmp_path):
    x, y = data
    folder = tmp_path / "backup"
    folder.mkdir()
    (folder / "state.json").write_text("{not json")
    model = _model(x, y)
    with pytest.raises(ValueError, match="Delete .* to start training afresh"):
        model.fit(
            x, y, epochs=1, verbose=0, callbacks=[ResumableBackup(folder)]
        )


def _evaluated_fit(model, x, y, folder=None, crash=None):
    """Fit with an `EvaluationCallback` (restoring the best epoch), backed
    up in `folder`; returns the callback, the backup and Keras's history."""
    from aos_keras.callbacks import EvaluationCallback

    evaluation = EvaluationCallback({"val": (x, y)}, restore_best_weights=True)
    backup = folder and ResumableBackup(folder, track=[evaluation])
    callbacks = [evaluation, *([backup] if backup else [])]
    history = model.fit(
        x,
        y,
        epochs=EPOCHS,
        batch_size=BATCH,
        verbose=0,
        callbacks=[*callbacks, *([crash] if crash else [])],
    )
    return evaluation, backup, history.history


def test_resume_keeps_the_history_and_the_best_epoch_of_tracked_callbacks(
    data, tmp_path
):
    # Issue 24 item 13: without the tracked state, a resumed run picked its
    # best epoch among the epochs after the restart only, and its history
    # missed the first ones.
    x, y = data
    whole, _, history = _evaluated_fit(_model(x, y), x, y)
    folder = tmp_path / "backup"
    model = _model(x, y)
    with pytest.raises(Crash):
        _evaluated_fit(model, x, y, folder, crash=CrashAt(*STOP))
    resumed, backup, _ = _evaluated_fit(_model(x, y), x, y, folder)
    assert backup.resumed_from == (1, 0)
    assert resumed.history == whole.history  # every epoch, once
    assert resumed.best_epoch == whole.best_epoch
    assert resumed.best_scores() == whole.best_scores()
    assert backup.history == history  # the logs of every epoch
    assert list(backup.history["val_acsa"]) == [
        r["val"]["acsa"] for r in whole.history
    ]


def test_a_backup_of_other_callbacks_is_refused(data, tmp_path):
    x, y = data
    folder = tmp_path / "backup"
    with pytest.raises(Crash):
        _evaluated_fit(_model(x, y), x, y, folder, crash=CrashAt(*STOP))
    model = _model(x, y)
    with pytest.raises(ValueError, match="made by another run"):
        model.fit(
            x, y, epochs=EPOCHS, verbose=0, callbacks=[ResumableBackup(folder)]
        )


def test_a_backup_of_another_backend_is_refused(data, tmp_path):
    import json

    x, y = data
    folder = tmp_path / "backup"
    with pytest.raises(Crash):
        _evaluated_fit(_model(x, y), x, y, folder, crash=CrashAt(*STOP))
    state = json.loads((folder / "state.json").read_text())
    state["backend"] = "another"
    (folder / "state.json").write_text(json.dumps(state))
    with pytest.raises(ValueError, match="made on the another backend"):
        _evaluated_fit(_model(x, y), x, y, folder)


# ------------------------------------------------------ killed process
CHILD = """
import os, signal, sys
sys.path.insert(0, {tests!r})
import keras
import numpy as np
from conftest import TINY, make_imbalanced
from aos_keras import AdversarialOversampler
from aos_keras.callbacks import ResumableBackup

out, folder, kill_epoch, kill_batch = sys.argv[1:5]


class Kill(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if (self.epoch, batch) == (int(kill_epoch), int(kill_batch)):
            os.kill(os.getpid(), signal.SIGKILL)


x, y = make_imbalanced()
keras.utils.set_random_seed(0)
model = AdversarialOversampler.from_data(x, y, seed=0, **TINY)
model.compile()
callbacks = [] if folder == "-" else [ResumableBackup(folder, 2), Kill()]
model.fit(x, y, epochs={epochs}, batch_size={batch}, verbose=0,
          callbacks=callbacks)
state = model.weights + model.optimizer.variables
state.append(model.seed_generator.state)
np.savez(out, *[keras.ops.convert_to_numpy(v) for v in state])
"""


def _child(script, backend, *args):
    env = dict(os.environ, KERAS_BACKEND=backend)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = os.pathsep.join(
        [root] + [p for p in [env.get("PYTHONPATH")] if p]
    )
    return subprocess.Popen(
        [sys.executable, str(script), *map(str, args)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _wait(process):
    _, err = process.communicate(timeout=300)
    return process.returncode, err.decode(errors="replace")[-2000:]


@pytest.mark.parametrize(
    "backend",
    [
        pytest.param("jax", marks=pytest.mark.backend("jax")),
        pytest.param(
            "tensorflow",
            marks=[pytest.mark.slow, pytest.mark.backend("tensorflow")],
        ),
        pytest.param(
            "torch", marks=[pytest.mark.slow, pytest.mark.backend("torch")]
        ),
    ],
)
def test_sigkilled_run_resumes_to_the_same_weights(
    tmp_path, backend, uninterrupted
):
    # `uninterrupted` ran in this process, on this backend: the children
    # must reproduce it bit for bit (same seed, same programs).
    script = tmp_path / "child.py"
    tests = os.path.dirname(os.path.abspath(__file__))
    script.write_text(CHILD.format(tests=tests, epochs=EPOCHS, batch=BATCH))
    folder = tmp_path / "backup"
    killed = _child(script, backend, tmp_path / "x.npz", folder, *STOP)
    code, err = _wait(killed)
    assert code == -signal.SIGKILL, err
    assert (folder / "state.json").exists()
    assert not (tmp_path / "x.npz").exists()
    resumed = _child(script, backend, tmp_path / "resumed.npz", folder, -1, -1)
    code, err = _wait(resumed)
    assert code == 0, err
    assert not folder.exists()
    with np.load(tmp_path / "resumed.npz") as saved:
        _assert_same(
            uninterrupted, [saved[k] for k in sorted(saved.files, key=_index)]
        )


def _index(name):
    return int(name.split("_")[1])  # np.savez names arrays arr_0, arr_1...
