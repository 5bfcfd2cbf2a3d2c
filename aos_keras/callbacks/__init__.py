"""Training callbacks: per-epoch evaluation, a NaN guard, exact resume.

One module per callback:

- `evaluation.py`: `EvaluationCallback`, ACSA/GM on named splits after
  every epoch, best epoch selection and restore (`METRICS`: the metrics it
  can select by).
- `nan_guard.py`: `NonFiniteGuard`, stop at the first non-finite loss with
  a `NonFiniteLossError` that names the player and the step, and restore
  the last finite weights (on by default in `AdversarialOversampler.fit`);
  `with_nan_guard`, a callbacks list with the guard first; `PLAYER_LOSSES`,
  the step's log entries and their players.
- `deferred.py`: `DeferredOversampling`, the step from which Q sees
  generated rows (`oversampling_start`), set at the start of each `fit`
  (added by `AdversarialOversampler.fit` when the model defers).
- `backup.py`: `ResumableBackup`, back up the whole training state (and
  that of tracked callbacks, such as `EvaluationCallback`'s best epoch)
  atomically and resume after a crash so that the run ends with the
  weights of an uninterrupted one.
- `_snapshot.py` (private): copying a model's and its optimizer's
  variables and assigning them back, used by the guard and the backup.

Everything public is importable from `aos_keras.callbacks`.
"""

from aos_keras.callbacks.backup import ResumableBackup
from aos_keras.callbacks.deferred import DeferredOversampling
from aos_keras.callbacks.evaluation import METRICS, EvaluationCallback
from aos_keras.callbacks.nan_guard import (
    PLAYER_LOSSES,
    NonFiniteGuard,
    with_nan_guard,
)
from aos_keras.errors import NonFiniteLossError

__all__ = [
    "METRICS",
    "DeferredOversampling",
    "PLAYER_LOSSES",
    "EvaluationCallback",
    "NonFiniteGuard",
    "NonFiniteLossError",
    "ResumableBackup",
    "with_nan_guard",
]
