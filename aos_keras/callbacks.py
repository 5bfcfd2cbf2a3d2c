"""Training callbacks: per-epoch evaluation, a NaN guard, exact resume.

- `EvaluationCallback`: ACSA/GM on named splits after every epoch, best
  epoch selection and restore.
- `NonFiniteGuard`: stop at the first non-finite loss with a
  `NonFiniteLossError` that names the player and the step, and restore the
  last finite weights (on by default in `AdversarialOversampler.fit`).
- `ResumableBackup`: back up the whole training state atomically and resume
  after a crash so that the run ends with the weights of an uninterrupted
  one.
"""

import json
import os

import keras
import numpy as np

from aos_keras import io, validation
from aos_keras.errors import NonFiniteLossError
from aos_keras.metrics import acsa, geometric_mean, per_class_recall

METRICS = ("acsa", "gm")


class EvaluationCallback(keras.callbacks.Callback):
    """Score the classifier on named splits at the end of every epoch.

    For each split it computes ACSA, GM and per-class recall, adds
    `{split}_acsa` and `{split}_gm` to the epoch's `logs` (so they show in
    the progress bar and `History`), keeps a `history` of every epoch,
    tracks the best epoch by `monitor` and can restore the classifier's
    weights of that epoch when training ends.

    Both evaluation protocols run through it: the honest protocol selects
    the epoch on a validation split (`monitor="val"`); the paper's protocol
    reports the best epoch on the test split (`monitor="test"`, optimistic).
    Since the whole history is kept, `best_scores("val")` and
    `best_scores("test")` read both from one run.

    Args:
        splits: dict mapping a split name to `(x, y)`. `y` holds labels the
            model knows: values of `model.classes_` when the model has
            `encode_labels`, else class indices `0..C-1`.
        monitor: str. The split that selects the best epoch. Defaults to the
            first split.
        metric: str. `"acsa"` (default) or `"gm"`.
        restore_best_weights: bool. At the end of training, set the
            classifier's weights to those of the best epoch. Defaults to
            `False`.
        batch_size: int. Rows scored at once. Defaults to `4096`.

    Example:
    >>> cb = EvaluationCallback({"val": (x_val, y_val)}, monitor="val")
    >>> model.fit(x, y, epochs=100, callbacks=[cb])
    >>> cb.best_epoch, cb.best_scores()["acsa"]
    """

    def __init__(
        self,
        splits,
        monitor=None,
        metric="acsa",
        restore_best_weights=False,
        batch_size=4096,
    ):
        super().__init__()
        if not splits:
            raise ValueError("`splits` must name at least one split.")
        if metric not in METRICS:
            raise ValueError(f"`metric` must be one of {METRICS}.")
        self.splits = dict(splits)
        self.monitor = monitor or next(iter(self.splits))
        if self.monitor not in self.splits:
            raise ValueError(
                f"`monitor` {self.monitor!r} is not one of the splits "
                f"{list(self.splits)}."
            )
        self.metric = metric
        self.restore_best_weights = bool(restore_best_weights)
        self.batch_size = int(batch_size)
        self.history = []
        self.best_epoch = None
        self.best_value = None
        self._best_weights = None
        self._encoded = None

    @property
    def classifier(self):
        """The network scored: `model.classifier` if any, else the model."""
        return getattr(self.model, "classifier", self.model)

    def on_train_begin(self, logs=None):
        self.history = []
        self.best_epoch = None
        self.best_value = None
        self._best_weights = None
        encode = getattr(self.model, "encode_labels", None)
        self._encoded = {}
        for name, (x, y) in self.splits.items():
            y = np.asarray(y).reshape(-1)
            codes = encode(y) if encode else y.astype(np.int64)
            self._encoded[name] = (np.asarray(x, dtype="float32"), codes)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        record = {"epoch": epoch}
        for name, (x, y) in self._encoded.items():
            scores = self.score(x, y)
            record[name] = scores
            for metric in METRICS:
                logs[f"{name}_{metric}"] = scores[metric]
        self.history.append(record)
        value = record[self.monitor][self.metric]
        if self.best_epoch is None or value > self.best_value:
            self.best_epoch, self.best_value = epoch, value
            if self.restore_best_weights:
                self._best_weights = self.classifier.get_weights()

    def on_train_end(self, logs=None):
        if self.restore_best_weights and self._best_weights is not None:
            self.classifier.set_weights(self._best_weights)

    def score(self, x, y):
        """ACSA, GM and per-class recall of the classifier on `(x, y)`."""
        net = self.classifier
        num_classes = self._num_classes()
        chunks = [
            keras.ops.convert_to_numpy(net(x[i : i + self.batch_size]))
            for i in range(0, len(x), self.batch_size)
        ]
        pred = np.concatenate(chunks).argmax(axis=-1)
        return {
            "acsa": acsa(y, pred, num_classes),
            "gm": geometric_mean(y, pred, num_classes),
            "recall": per_class_recall(y, pred, num_classes).tolist(),
        }

    def best_scores(self, split=None, by=None, metric=None):
        """Scores on `split` at the epoch with the best `metric` on `by`.

        Args:
            split: str. The split to report. Defaults to `monitor`.
            by: str. The split that selects the epoch. Defaults to `monitor`.
            metric: str. Selection metric. Defaults to `metric`.

        Returns:
            dict with `epoch` and the split's `acsa`, `gm`, `recall`. Ties
            go to the earliest epoch.
        """
        if not self.history:
            raise ValueError("No epoch has been scored yet.")
        by = by or self.monitor
        metric = metric or self.metric
        values = [r[by][metric] for r in self.history]
        best = int(np.argmax(values))
        record = self.history[best]
        return {"epoch": record["epoch"], **record[split or self.monitor]}

    def last_scores(self, split=None):
        """Scores on `split` (default `monitor`) at the last epoch."""
        if not self.history:
            raise ValueError("No epoch has been scored yet.")
        record = self.history[-1]
        return {"epoch": record["epoch"], **record[split or self.monitor]}

    def _num_classes(self):
        classes = getattr(self.model, "num_classes", None)
        if classes is None:
            classes = self.classifier.output_shape[-1]
        return int(classes)


# --------------------------------------------------------------- NaN guard
# Log entries of `AdversarialOversampler`'s step, in the order the step
# computes them, and the player each belongs to.
PLAYER_LOSSES = {
    "d_loss": "critic",
    "gp": "critic",
    "g_loss": "generator",
    "q_loss": "classifier",
    "loss": "classifier",
}
_HINTS = {
    "critic": "lower the critic's learning rate (d_optimizer) or gp_weight",
    "generator": "lower the generator's learning rate (g_optimizer) or beta",
    "classifier": "lower the classifier's learning rate (q_optimizer)",
}


class NonFiniteGuard(keras.callbacks.Callback):
    """Stop at the first NaN/inf loss, name the player, keep finite weights.

    After every batch it reads the per-player losses of the step's logs
    (`d_loss` and `gp`: critic; `g_loss`: generator; `q_loss` and `loss`:
    classifier; any other entry ending in `loss` under its own name). The
    logs are running means over the epoch, so the first non-finite value
    appears exactly at the step that produced it. It then:

    1. restores every variable of the model (weights, batch-norm
       statistics, seed state) and of its optimizer to their values at the
       start of the epoch, the last state known to be finite, and resets
       the metrics;
    2. raises `aos_keras.errors.NonFiniteLossError`, which names the player,
       the log entry, the step (`epoch * steps_per_epoch + batch + 1`), the
       epoch and the batch, and says what to do.

    At the end of every epoch it also checks that the weights and optimizer
    variables are finite (a step with finite losses may still write NaN
    weights, which the next loss would show), naming the player that owns
    the first bad variable.

    Place it FIRST in the callbacks list (`AdversarialOversampler.fit` does)
    so that it runs before callbacks that save the model: a per-batch
    backup or checkpoint then never writes NaN weights.

    Backends: on TensorFlow and torch the variables are live during an
    epoch. On JAX, `fit` keeps the state in its jitted loop and writes it to
    the variables only at epoch end, but the per-batch logs are available,
    so detection is per step there too; before restoring, the guard calls
    the trainer's `jax_state_sync()` so that Keras's own final sync does not
    overwrite the restored values. Reading the logs every batch makes the
    host wait for each step (on JAX it disables Keras's asynchronous
    callback dispatch); see `docs/robustness.md` for the measured cost.

    Args:
        losses: dict mapping a log entry to the player it belongs to, in the
            order the step computes them (the first non-finite entry in this
            order is reported). Defaults to `PLAYER_LOSSES`.
        check_weights: bool. Also check the variables at each epoch end.
            Defaults to `True`.

    Raises:
        NonFiniteLossError: from `fit`, as described above.

    Example:
    >>> model.fit(x, y, epochs=10)  # the guard is on by default
    >>> model.fit(x, y, epochs=10, nan_guard=False)  # off
    >>> plain_keras_model.fit(x, y, callbacks=[NonFiniteGuard()])
    """

    def __init__(self, losses=None, check_weights=True):
        super().__init__()
        self.losses = dict(PLAYER_LOSSES if losses is None else losses)
        self.check_weights = bool(check_weights)
        self._snapshot = None
        self._epoch = 0

    def on_train_begin(self, logs=None):
        self._snapshot = None

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch
        snapshot = _capture(_state_variables(self.model))
        bad = _first_non_finite(snapshot)
        if bad is not None:
            raise NonFiniteLossError(
                f"The {self._player_of(bad)} variable `{bad}` is not finite "
                f"at the start of epoch {epoch}, before the epoch's first "
                "step. Reload finite weights (or rebuild the model) before "
                "training.",
                player=self._player_of(bad),
                step=epoch * self._steps(),
                epoch=epoch,
            )
        self._snapshot = snapshot

    def on_train_batch_end(self, batch, logs=None):
        bad = [
            (name, value)
            for name, value in self._losses_in(logs or {})
            if not np.isfinite(value)
        ]
        if bad:
            self._fail(bad, batch)

    def on_epoch_end(self, epoch, logs=None):
        if not self.check_weights:
            return
        current = _capture(_state_variables(self.model))
        bad = _first_non_finite(current)
        if bad is not None:
            player = self._player_of(bad)
            steps = self._steps()
            self._restore()
            raise NonFiniteLossError(
                f"The {player} variable `{bad}` became non-finite in epoch "
                f"{epoch} (steps {epoch * steps + 1} to {(epoch + 1) * steps}"
                f") although its losses stayed finite. {self._restored()} To "
                f"fix: {_HINTS.get(player, 'lower the learning rate')}; check "
                "that the features are finite and standardised.",
                player=player,
                step=(epoch + 1) * steps,
                epoch=epoch,
            )

    def restore(self):
        """Set the model's variables to the last finite snapshot.

        Returns:
            bool: whether there was a snapshot to restore.
        """
        return self._restore()

    # ------------------------------------------------------------ helpers
    def _losses_in(self, logs):
        names = list(self.losses) + sorted(
            k for k in logs if k.endswith("loss") and k not in self.losses
        )
        for name in names:
            if name not in logs:
                continue
            try:
                value = float(keras.ops.convert_to_numpy(logs[name]))
            except (TypeError, ValueError):
                continue
            yield name, value

    def _fail(self, bad, batch):
        name, value = bad[0]
        player = self.losses.get(name, name)
        epoch, steps = self._epoch, self._steps()
        step = epoch * steps + batch + 1 if steps else None
        where = f"batch {batch} of epoch {epoch}"
        if step is not None:
            where = f"training step {step} ({where})"
        per_exec = int(getattr(self.model, "steps_per_execution", 1) or 1)
        if per_exec > 1:
            where += f", within its last {per_exec} steps (steps_per_execution)"
        also = ""
        if len(bad) > 1:
            also = "; also non-finite in that step: " + ", ".join(
                f"{self.losses.get(n, n)} `{n}`" for n, _ in bad[1:]
            )
        sizes = self._weight_sizes()
        suspect = _suspect(sizes)
        diagnosis = ""
        if sizes:
            diagnosis = (
                " A NaN spreads within a step (each loss reads the other "
                "players' weights); the largest |weight| of each player "
                "after it: "
                + ", ".join(f"{p} {v:.3g}" for p, v in sizes.items())
                + (
                    f" (the {suspect}'s weights diverged first)."
                    if suspect
                    else "."
                )
            )
        if suspect:
            hint = _HINTS.get(suspect, "lower the learning rate")
        else:
            hint = (
                f"lower the learning rates, the {player}'s first "
                "(d_optimizer, g_optimizer, q_optimizer), or gp_weight/beta"
            )
        self._restore()
        raise NonFiniteLossError(
            f"The {player} loss `{name}` became {value} at {where}{also}."
            f"{diagnosis} Training stopped. {self._restored()} To fix: "
            f"{hint}; check that the features are finite and standardised.",
            player=player,
            loss=name,
            step=step,
            epoch=epoch,
            batch=batch,
            value=value,
        )

    def _weight_sizes(self):
        """Largest |weight| of each player now (nan: a non-finite weight)."""
        sync = getattr(self.model, "jax_state_sync", None)
        if sync is not None:
            sync()
        sizes = {}
        for v in self.model.trainable_variables:
            value = np.asarray(keras.ops.convert_to_numpy(v.value))
            big = float(np.max(np.abs(value))) if value.size else 0.0
            player = self._player_of(v.path)
            if not np.isfinite(big):
                sizes[player] = float("nan")
            elif not np.isnan(sizes.get(player, 0.0)):
                sizes[player] = max(sizes.get(player, 0.0), big)
        return sizes

    def _restore(self):
        if self._snapshot is None:
            return False
        sync = getattr(self.model, "jax_state_sync", None)
        if sync is not None:  # JAX: pull the trainer's state in first
            sync()
        for variable, value in self._snapshot:
            variable.assign(value)
        self.model.reset_metrics()
        return True

    def _restored(self):
        if self._snapshot is None:
            return "No finite state was recorded to restore."
        return (
            "The weights and optimizer state were restored to those at the "
            f"start of epoch {self._epoch}, the last finite state, so saving "
            "the model now writes finite values."
        )

    def _steps(self):
        return int((self.params or {}).get("steps") or 0)

    def _player_of(self, path):
        for player in dict.fromkeys(self.losses.values()):
            if path.startswith(f"{player}/") or f"/{player}_" in path:
                return player
        return path.split("/")[0]


def with_nan_guard(callbacks):
    """`callbacks` with a `NonFiniteGuard` first, unless one is there.

    Args:
        callbacks: None, a list of callbacks or a `keras.callbacks.
            CallbackList` (returned unchanged).

    Returns:
        A list (or the given `CallbackList`).
    """
    if isinstance(callbacks, keras.callbacks.CallbackList):
        return callbacks
    callbacks = list(callbacks or [])
    if not any(isinstance(c, NonFiniteGuard) for c in callbacks):
        callbacks.insert(0, NonFiniteGuard())
    return callbacks


def _suspect(sizes):
    """The player with the largest finite weights beyond 1e6, or None."""
    finite = {p: v for p, v in sizes.items() if np.isfinite(v) and v > 1e6}
    return max(finite, key=finite.get) if finite else None


def _state_variables(model):
    """Every variable of `model` and its optimizer, each once."""
    variables = list(model.variables)
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None:
        variables += list(optimizer.variables)
    seen, unique = set(), []
    for v in variables:
        if id(v) not in seen:
            seen.add(id(v))
            unique.append(v)
    return unique


def _capture(variables):
    return [
        (v, np.array(keras.ops.convert_to_numpy(v.value))) for v in variables
    ]


def _first_non_finite(snapshot):
    for variable, value in snapshot:
        if value.dtype.kind in "fc" and not np.isfinite(value).all():
            return variable.path
    return None


# ------------------------------------------------------------------ resume
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
    - Atomic, consistent writes: the weights go to a new file written via
      `aos_keras.io`, then `state.json` (the commit point, also atomic)
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

    def __init__(self, backup_dir, save_freq="epoch", delete_checkpoint=True):
        super().__init__()
        if not backup_dir:
            raise ValueError("`backup_dir` must name a folder.")
        if save_freq != "epoch":
            try:
                save_freq = validation.check_positive_int(
                    save_freq, "save_freq"
                )
            except TypeError as err:
                raise TypeError(
                    "`save_freq` must be 'epoch' or a positive int (batches)"
                    f"; got {save_freq!r}."
                ) from err
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.delete_checkpoint = bool(delete_checkpoint)
        self.resumed_from = None
        self._skip = 0
        self._restore_point = None
        self._epoch = 0
        self._epoch_rng = None
        self._last_saved = 0

    # -------------------------------------------------------- callbacks
    def on_train_begin(self, logs=None):
        self.resumed_from = None
        self._skip = 0
        self._restore_point = None
        state = self._read_state()
        if state is None:
            return
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
        _set_rng_state(state["rng"])
        model._initial_epoch = state["epoch"]  # as BackupAndRestore does
        self._skip = int(state["batch"])
        if self._skip:
            self._restore_point = _capture(_state_variables(model))
        self.resumed_from = (int(state["epoch"]), self._skip)

    def on_epoch_begin(self, epoch, logs=None):
        self.model._initial_epoch = None  # read by fit already
        self._epoch = epoch
        self._epoch_rng = _rng_state()
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
            _assign(self._restore_point, self.model)
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
        self._save(epoch + 1, 0, _rng_state())

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
        variables = [
            {
                "path": v.path,
                "value": np.asarray(
                    keras.ops.convert_to_numpy(v.value)
                ).tolist(),
            }
            for v in _extra_variables(model)
        ]
        io.write_json(
            os.path.join(self.backup_dir, self.STATE),
            {
                "format": self.FORMAT,
                "backend": keras.backend.backend(),
                "epoch": int(epoch),
                "batch": int(batch),
                "weights": name,
                "variables": variables,
                "rng": rng,
            },
        )
        self._remove(keep=name)

    def _read_state(self):
        path = os.path.join(self.backup_dir, self.STATE)
        if not os.path.exists(path):
            self._remove(keep=None)  # weights without a commit: stale
            return None
        try:
            with open(path, encoding="utf-8") as f:
                state = json.load(f)
            keys = ("epoch", "batch", "weights", "variables", "rng")
            if state.get("format") != self.FORMAT or any(
                k not in state for k in keys
            ):
                raise ValueError("unknown format")
        except ValueError as err:
            raise ValueError(
                f"The backup state {path} is unreadable ({err}). Delete "
                f"{self.backup_dir} to start training afresh."
            ) from err
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


def _extra_variables(model):
    """Variables `save_weights` leaves out: the seed generators' states."""
    weights = {id(v) for v in model.weights}
    return [v for v in model.variables if id(v) not in weights]


def _assign(snapshot, model):
    sync = getattr(model, "jax_state_sync", None)
    if sync is not None:
        sync()
    for variable, value in snapshot:
        variable.assign(value)


def _rng_state():
    """The global random state that `fit` shuffles with, JSON-ready."""
    name, keys, pos, has_gauss, gauss = np.random.get_state(legacy=True)
    state = {"numpy": [name, keys.tolist(), pos, has_gauss, gauss]}
    if keras.backend.backend() == "torch":
        import torch

        state["torch"] = torch.get_rng_state().tolist()
    return state


def _set_rng_state(state):
    name, keys, pos, has_gauss, gauss = state["numpy"]
    np.random.set_state(
        (name, np.asarray(keys, dtype=np.uint32), pos, has_gauss, gauss)
    )
    if "torch" in state and keras.backend.backend() == "torch":
        import torch

        torch.set_rng_state(torch.tensor(state["torch"], dtype=torch.uint8))
