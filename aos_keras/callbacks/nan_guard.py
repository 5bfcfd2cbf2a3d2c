"""A guard that stops training at the first non-finite loss.

- `NonFiniteGuard`: stop at the first NaN/inf loss with a
  `NonFiniteLossError` that names the player and the step, and restore the
  last finite weights (on by default in `AdversarialOversampler.fit`).
- `with_nan_guard`: a callbacks list with a `NonFiniteGuard` first.
- `PLAYER_LOSSES`: the step's log entries and the player each belongs to.
"""

import keras
import numpy as np

from aos_keras.callbacks._snapshot import assign, capture, state_variables
from aos_keras.errors import NonFiniteLossError

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
        snapshot = capture(state_variables(self.model))
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
        current = capture(state_variables(self.model))
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
        also = ""
        if len(bad) > 1:
            also = "; also non-finite in that step: " + ", ".join(
                f"{self.losses.get(n, n)} `{n}`" for n, _ in bad[1:]
            )
        diagnosis, hint = _diagnosis(self._weight_sizes(), player)
        self._restore()
        raise NonFiniteLossError(
            f"The {player} loss `{name}` became {value} at "
            f"{self._where(step, batch)}{also}.{diagnosis} Training stopped. "
            f"{self._restored()} To fix: {hint}; check that the features "
            "are finite and standardised.",
            player=player,
            loss=name,
            step=step,
            epoch=epoch,
            batch=batch,
            value=value,
        )

    def _where(self, step, batch):
        """`training step 3 (batch 2 of epoch 0)` and the like."""
        where = f"batch {batch} of epoch {self._epoch}"
        if step is not None:
            where = f"training step {step} ({where})"
        per_exec = int(getattr(self.model, "steps_per_execution", 1) or 1)
        if per_exec > 1:
            where += f", within its last {per_exec} steps (steps_per_execution)"
        return where

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
        assign(self._snapshot, self.model)  # JAX: syncs the trainer first
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


def _diagnosis(sizes, player):
    """`(diagnosis, hint)`: each player's largest |weight| after the step,
    which player diverged first, and what to lower."""
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
        return diagnosis, _HINTS.get(suspect, "lower the learning rate")
    return diagnosis, (
        f"lower the learning rates, the {player}'s first "
        "(d_optimizer, g_optimizer, q_optimizer), or gp_weight/beta"
    )


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


def _first_non_finite(snapshot):
    for variable, value in snapshot:
        if value.dtype.kind in "fc" and not np.isfinite(value).all():
            return variable.path
    return None
