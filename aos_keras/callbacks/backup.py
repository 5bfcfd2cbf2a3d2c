"""Atomic backups of the whole training state, for an exact resume.

`ResumableBackup` backs up the weights, the optimizers' variables, the seed
generators' states and the global random state after every epoch (or every
`n` batches), and resumes after a crash so that the run ends with the
weights of an uninterrupted one.
"""

import json
import os

import keras
import numpy as np

from aos_keras import backend
from aos_keras.callbacks._snapshot import assign, capture, state_variables
from aos_keras.saving import io
from aos_keras.tables import checks


class ResumableBackup(keras.callbacks.Callback):
    """Back up the training state atomically; resume exactly after a crash.

    A drop-in for `keras.callbacks.BackupAndRestore(backup_dir, save_freq)`
    that makes a resumed run end with the weights of an uninterrupted one
    (same backend, same seed, same arguments). What it adds:

    - Everything that decides the rest of the run is backed up: the model's
      weights and its optimizers' variables (`save_weights`), the state of
      every `keras.random.SeedGenerator` of the model (which `save_weights`
      leaves out: without it the resumed run draws other noise), and the
      global random state that `fit` shuffles with (numpy's on JAX, torch's
      on torch; TensorFlow's `fit` shuffles the same way every epoch once
      `keras.utils.set_random_seed` was called, so it needs none).
    - Mid-epoch backups (`save_freq=n`) resume mid-epoch: Keras's callback
      restarts the interrupted epoch at its first batch from the mid-epoch
      weights, applying the batches before the backup twice. Here the
      resumed epoch replays its first batches only to advance the data
      iterator, then the backed-up state is restored, so batch `n + 1` sees
      the state it saw in the first run. The replayed steps cost at most
      one epoch.
    - The state of other callbacks (`track`) and the logs of every epoch
      (`history`): a resumed `EvaluationCallback` selects its best epoch
      among all epochs, not only those after the restart, and `history`
      holds every epoch once.
    - Atomic, consistent writes: the weights go to a new file written via
      `aos_keras.saving.io`, then `state.json` (the commit point, also atomic)
      names it, then older files are removed. A crash at any moment leaves
      a loadable backup; temporary files of a killed write are removed at
      the next start.

    Files in `backup_dir` (which it owns: do not share it): `state.json`
    and `ckpt-e{epoch}-b{batch}.weights.h5`; all removed when training ends
    unless `delete_checkpoint=False`.

    Args:
        backup_dir: str or `os.PathLike`. Folder of the backup.
        save_freq: `"epoch"` (back up at every epoch end) or a positive int
            `n` (also every `n` batches within an epoch). Defaults to
            `"epoch"`.
        delete_checkpoint: bool. Remove the backup when `fit` finishes.
            Defaults to `True`.
        track: callbacks whose state is backed up too: each has
            `get_backup_state()` (a JSON-able dict) and
            `set_backup_state(state)`, like `EvaluationCallback`. Put the
            backup after them in `fit`'s callbacks: it restores their state
            after their `on_train_begin` and saves it after their
            `on_epoch_end`. Defaults to none.

    Attributes:
        history: dict of per-epoch logs (as `keras.callbacks.History`) of
            every epoch, those before a resume included.
        resumed_from: `(epoch, batch)` the last `fit` resumed from (0-based
            epoch, batches done in it), or None when it started afresh.

    Raises:
        FileNotFoundError: at `fit`, when `state.json` names a weights file
            that is missing.
        ValueError: at `fit`, when `state.json` is unreadable.

    Example:
    >>> backup = ResumableBackup("runs/backup", save_freq=50)
    >>> model.fit(x, y, epochs=100, callbacks=[backup])  # killed
    >>> # rerun the same script: it resumes from the last backup
    >>> model.fit(x, y, epochs=100, callbacks=[backup])
    """

    STATE = "state.json"
    FORMAT = 1

    def __init__(
        self, backup_dir, save_freq="epoch", delete_checkpoint=True, track=()
    ):
        super().__init__()
        if not backup_dir:
            raise ValueError("`backup_dir` must name a folder.")
        save_freq = _check_save_freq(save_freq)
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.delete_checkpoint = bool(delete_checkpoint)
        self.track = list(track)
        self.history = {}
        self.resumed_from = None
        self._skip = 0
        self._restore_point = None
        self._epoch = 0
        self._epoch_rng = None
        self._last_saved = 0

    # -------------------------------------------------------- callbacks
    def on_train_begin(self, logs=None):
        self.resumed_from = None
        self.history = {}
        self._skip = 0
        self._restore_point = None
        state = self._read_state()
        if state is None:
            return
        self._restore_model(state)
        self._restore_tracked(state.get("tracked", []))
        self.history = {k: list(v) for k, v in state.get("history", {}).items()}
        self.model._initial_epoch = state["epoch"]  # as BackupAndRestore does
        self._skip = int(state["batch"])
        if self._skip:
            self._restore_point = capture(state_variables(self.model))
        self.resumed_from = (int(state["epoch"]), self._skip)

    def _restore_model(self, state):
        """Weights, optimizer variables, seed states and the random state."""
        model = self.model
        optimizer = getattr(model, "optimizer", None)
        if optimizer is not None and not optimizer.built:
            optimizer.build(model.trainable_variables)
        model.load_weights(os.path.join(self.backup_dir, state["weights"]))
        extra = _extra_variables(model)
        if len(extra) != len(state["variables"]):
            raise ValueError(
                f"The backup in {self.backup_dir} holds "
                f"{len(state['variables'])} seed states but the model has "
                f"{len(extra)}: it was made by another model. Delete "
                f"{self.backup_dir} to start training afresh."
            )
        # By position: paths of seed generators get numbered per process.
        for v, saved in zip(extra, state["variables"]):
            v.assign(np.asarray(saved["value"], dtype=v.dtype))
        backend.set_rng_state(state["rng"])

    def _restore_tracked(self, saved):
        names = [type(c).__name__ for c in self.track]
        if [s["callback"] for s in saved] != names:
            raise ValueError(
                f"The backup in {self.backup_dir} holds the state of "
                f"{[s['callback'] for s in saved]} but this run tracks "
                f"{names}: it was made by another run. Delete "
                f"{self.backup_dir} to start training afresh."
            )
        for callback, state in zip(self.track, saved):
            callback.set_backup_state(state["state"])

    def on_epoch_begin(self, epoch, logs=None):
        self.model._initial_epoch = None  # read by fit already
        self._epoch = epoch
        self._epoch_rng = backend.rng_state()
        self._last_saved = 0

    def on_train_batch_end(self, batch, logs=None):
        done = batch + 1
        if self._skip:
            if done < self._skip:
                return
            if done != self._skip:
                raise RuntimeError(
                    f"Cannot resume at batch {self._skip} of epoch "
                    f"{self._epoch}: the steps now end at batch {done}. "
                    "Resume with the `steps_per_execution` of the first run."
                )
            assign(self._restore_point, self.model)
            self.model.reset_metrics()
            self._skip, self._restore_point = 0, None
            self._last_saved = done
            return
        if self.save_freq == "epoch" or done - self._last_saved < (
            self.save_freq
        ):
            return
        self._last_saved = done
        steps = (self.params or {}).get("steps")
        if steps and done >= steps:
            return  # on_epoch_end backs up the end of the epoch
        self._save(self._epoch, done, self._epoch_rng)

    def on_epoch_end(self, epoch, logs=None):
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(_plain(value))
        self._save(epoch + 1, 0, backend.rng_state())

    def on_train_end(self, logs=None):
        self.model._initial_epoch = None
        if self.delete_checkpoint:
            self._remove(keep=None)
            try:
                os.rmdir(self.backup_dir)
            except OSError:  # missing, or holds files that are not ours
                pass

    # ---------------------------------------------------------- storage
    def _save(self, epoch, batch, rng):
        model = self.model
        sync = getattr(model, "jax_state_sync", None)
        if sync is not None:  # JAX: write the trainer's state to variables
            sync()
        os.makedirs(self.backup_dir, exist_ok=True)
        name = f"ckpt-e{epoch:05d}-b{batch:06d}.weights.h5"
        with io.atomic_path(os.path.join(self.backup_dir, name)) as tmp:
            model.save_weights(tmp)
        state = {
            "format": self.FORMAT,
            "backend": backend.BACKEND,
            "epoch": int(epoch),
            "batch": int(batch),
            "weights": name,
            "variables": _seed_states(model),
            "rng": rng,
            "history": self.history,
            "tracked": [
                {"callback": type(c).__name__, "state": c.get_backup_state()}
                for c in self.track
            ],
        }
        path = os.path.join(self.backup_dir, self.STATE)
        io.write_json(path, state, strict=False)  # the commit point
        self._remove(keep=name)

    def _read_state(self):
        path = os.path.join(self.backup_dir, self.STATE)
        if not os.path.exists(path):
            self._remove(keep=None)  # weights without a commit: stale
            return None
        state = _load_state(path, self.FORMAT, self.backup_dir)
        made_on = state.get("backend", backend.BACKEND)
        if made_on != backend.BACKEND:
            raise ValueError(
                f"The backup in {self.backup_dir} was made on the {made_on} "
                f"backend and cannot resume on {backend.BACKEND}: resume on "
                f"{made_on}, or delete {self.backup_dir} to start afresh."
            )
        weights = os.path.join(self.backup_dir, state["weights"])
        if not os.path.exists(weights):
            raise FileNotFoundError(
                f"The backup state {path} names {weights}, which is missing. "
                f"Delete {self.backup_dir} to start training afresh."
            )
        self._remove(keep=state["weights"])
        return state

    def _remove(self, keep):
        """Remove our files in `backup_dir` but `keep` (and state.json)."""
        if not os.path.isdir(self.backup_dir):
            return
        for name in os.listdir(self.backup_dir):
            ours = name.startswith("ckpt-") and name.endswith(".weights.h5")
            temp = name.startswith((".ckpt-", ".state.")) and ".tmp" in name
            if keep is None and name == self.STATE:
                ours = True
            if (ours and name != keep) or temp:
                try:
                    os.remove(os.path.join(self.backup_dir, name))
                except FileNotFoundError:
                    pass


def _check_save_freq(save_freq):
    """`"epoch"` or a positive int; a `TypeError`/`ValueError` otherwise."""
    if save_freq == "epoch":
        return save_freq
    try:
        return checks.check_positive_int(save_freq, "save_freq")
    except TypeError as err:
        raise TypeError(
            "`save_freq` must be 'epoch' or a positive int (batches)"
            f"; got {save_freq!r}."
        ) from err


def _load_state(path, format_, backup_dir):
    """`state.json` read and checked; a `ValueError` saying what to do."""
    try:
        with open(path, encoding="utf-8") as f:
            state = json.load(f)
        keys = ("epoch", "batch", "weights", "variables", "rng")
        if state.get("format") != format_ or any(k not in state for k in keys):
            raise ValueError("unknown format")
    except ValueError as err:
        raise ValueError(
            f"The backup state {path} is unreadable ({err}). Delete "
            f"{backup_dir} to start training afresh."
        ) from err
    return state


def _seed_states(model):
    """The seed generators' states, JSON-able (`path`, `value`)."""
    return [
        {
            "path": v.path,
            "value": np.asarray(keras.ops.convert_to_numpy(v.value)).tolist(),
        }
        for v in _extra_variables(model)
    ]


def saved_epoch(backup_dir):
    """The epoch a `ResumableBackup` in `backup_dir` resumes from.

    Args:
        backup_dir: str or `os.PathLike`. The backup's folder.

    Returns:
        `(epoch, batch)`: the 0-based epoch and the batches done in it, or
        None when the folder holds no readable backup.
    """
    path = os.path.join(os.fspath(backup_dir), ResumableBackup.STATE)
    try:
        with open(path, encoding="utf-8") as f:
            state = json.load(f)
        return int(state["epoch"]), int(state["batch"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _plain(value):
    """A log value as a Python scalar (JSON-able)."""
    try:
        return np.asarray(keras.ops.convert_to_numpy(value)).item()
    except (TypeError, ValueError):
        return value


def _extra_variables(model):
    """Variables `save_weights` leaves out: the seed generators' states."""
    weights = {id(v) for v in model.weights}
    return [v for v in model.variables if id(v) not in weights]
