"""The protocol of a compare run: its settings and its splits.

`Protocol` holds what a run depends on besides the table, the method, its
options and the split; `make_splits` draws the stratified (fit,
validation, test) splits every method shares.
"""

import dataclasses

import numpy as np
from sklearn.model_selection import train_test_split

from aos_keras.game.anchors import MAX_ANCHORS
from aos_keras.game.batching import BATCH_SIZES, resolve_batch_size
from aos_keras.stopping import (
    EPOCHS,
    PATIENCE,
    VALIDATION_FRACTION,
    check_patience,
)

POSTHOC_TAUS = (0.0, 0.5, 1.0, 1.5, 2.0)
PROTOCOLS = ("honest", "posthoc")
# compare's default field (`methods=None`): the strongest and the fast of
# the development suite (docs/compare.md says why); `methods="all"` runs
# every method of `aos_keras.baselines.METHODS`.
DEFAULT_FIELD = (
    "LR",
    "HGB",
    "BRF",
    "EasyEnsemble",
    "SMOTE+HGB",
    "LA-CE",
    "LA-CE/HGB",
    "DO-T0.1-LA",
)
__all__ = [
    "DEFAULT_FIELD",
    "BATCH_SIZES",
    "POSTHOC_TAUS",
    "PROTOCOLS",
    "Protocol",
    "make_splits",
    "stratified_split",
]


@dataclasses.dataclass(frozen=True)
class Protocol:
    """What a run depends on besides the table, method, options and split.

    Attributes:
        epochs: int. Most epochs of every neural method.
        batch_size: int or `"auto"`. Real rows per step. `"auto"`: the
            smallest of 32, 64, 128, 256 giving at most 50 steps per epoch
            (`aos_keras.game.batching.auto_batch_size`, the same for every
            method and entry point).
        test_size: float. Test share of each split.
        val_size: float. Validation share of each training split.
        posthoc_taus: tuple of float. Post-hoc logit-adjustment grid.
        max_anchors: int or None. Anchor cap of the adversarial methods
            (None: every row).
        patience: int or None. A neural method's run stops once this many
            epochs have passed without a better validation ACSA
            (`aos_keras.stopping`); None: every epoch runs.

    Example:
    >>> Protocol(epochs=10, batch_size="auto").check().batch_for(5000)
    128
    """

    epochs: int = EPOCHS
    batch_size: object = "auto"
    test_size: float = 0.3
    val_size: float = VALIDATION_FRACTION
    posthoc_taus: tuple = POSTHOC_TAUS
    max_anchors: object = MAX_ANCHORS
    patience: object = PATIENCE

    def batch_for(self, num_rows):
        """The batch size for `num_rows` fitting rows."""
        return resolve_batch_size(self.batch_size, num_rows)

    def key_fields(self):
        """The fields that name a run in the cache (`run_key`): all of
        them, except `patience` while it is None, so the runs of versions
        before it are found again."""
        fields = dataclasses.asdict(self)
        if fields["patience"] is None:
            del fields["patience"]
        return fields

    def check(self):
        """Return `self`; raise `ValueError` naming a bad setting."""
        if not isinstance(self.epochs, int) or self.epochs < 1:
            raise ValueError(
                f"`epochs` must be an int >= 1; got {self.epochs}."
            )
        if self.batch_size != "auto" and (
            not isinstance(self.batch_size, int) or self.batch_size < 1
        ):
            raise ValueError(
                "`batch_size` must be an int >= 1 or 'auto'; got "
                f"{self.batch_size!r}."
            )
        check_patience(self.patience)
        for name in ("test_size", "val_size"):
            value = getattr(self, name)
            if not 0.0 < value < 1.0:
                raise ValueError(f"`{name}` must be in (0, 1); got {value}.")
        return self


def stratified_split(rows, codes, size, seed):
    """Split `rows` into `(kept, held, rare)`, stratified by `codes`.

    Rows of classes with fewer than 2 rows among `rows` cannot be
    stratified; they all go to `kept`, and their class indices are `rare`.

    Args:
        rows: int array, the row indices to split.
        codes: int array `(N,)`, the class index of every row of the table.
        size: float. Share of `rows` held out.
        seed: int. `random_state` of scikit-learn's `train_test_split`.

    Returns:
        `(kept, held, rare)`: two int arrays and a sorted list of int.
    """
    counts = np.bincount(codes[rows], minlength=codes.max() + 1)
    is_rare = counts[codes[rows]] < 2
    rest = rows[~is_rare]
    kept, held = train_test_split(
        rest, test_size=size, stratify=codes[rest], random_state=seed
    )
    rare = sorted(int(k) for k in np.unique(codes[rows[is_rare]]))
    return np.concatenate([kept, rows[is_rare]]), held, rare


def make_splits(y, *, repeats=5, seed=0, test_size=0.3, val_size=0.2):
    """Stratified (fit, validation, test) row indices, one per repeat.

    Args:
        y: int array `(N,)`, class indices.
        repeats: int. Number of splits.
        seed: int. Split `r` uses seed `seed + r`.
        test_size: float. Share of the rows in the test split.
        val_size: float. Share of the training rows in the validation
            split.

    Returns:
        list of dicts with int arrays `fit`, `val`, `test` (disjoint, their
        union all rows) and `seed`.

    Example:
    >>> splits = make_splits(np.array([0] * 20 + [1] * 10), repeats=2)
    >>> [s["seed"] for s in splits]
    [0, 1]
    """
    y = np.asarray(y)
    rows = np.arange(len(y))
    return [_split(rows, y, int(seed) + r, test_size, val_size)
            for r in range(int(repeats))]  # fmt: skip


def _split(rows, y, seed, test_size, val_size):
    train, test, _ = stratified_split(rows, y, test_size, seed)
    fit, val, _ = stratified_split(train, y, val_size, seed)
    return {
        "fit": np.sort(fit),
        "val": np.sort(val),
        "test": np.sort(test),
        "seed": seed,
    }
