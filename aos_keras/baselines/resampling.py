"""Q trained on rows resampled to full balance by imbalanced-learn.

References:
    Chawla et al., "SMOTE: Synthetic Minority Over-sampling Technique",
    JAIR 2002.
    Han et al., "Borderline-SMOTE: A New Over-Sampling Method in Imbalanced
    Data Sets Learning", ICIC 2005.
    He et al., "ADASYN: Adaptive Synthetic Sampling Approach for Imbalanced
    Learning", IJCNN 2008.
"""

import numpy as np

from aos_keras.baselines.base import ClassifierMethod, MethodNotApplicable


class ResampledMethod(ClassifierMethod):
    """Q with cross-entropy on the rows of an imbalanced-learn over-sampler.

    The sampler runs once, on the training rows, with
    `sampling_strategy="auto"` (every class but the largest grows to the
    largest class's size: full balance, multi-class through a per-class
    target), `random_state=seed`, and `k_neighbors = min(5, n_min - 1)` for
    the k-NN samplers (`n_min`: the smallest class). Its class counts are
    kept in `resampled_counts_`.

    Where the sampler cannot run (a class with a single row for a k-NN
    sampler; ADASYN when no neighbour of a minority class belongs to
    another class), `fit` raises `MethodNotApplicable` with the reason.

    Borderline-SMOTE only synthesises from minority rows "in danger"; a
    class with no such row keeps its size (imbalanced-learn's behaviour),
    so `resampled_counts_` may be short of balance. ADASYN's per-row counts
    are rounded, so its classes may miss the target by a few rows.

    Nominal columns: with the option `nominal_blocks` (the one-hot blocks
    of `aos_keras.TableEncoder.nominal_blocks_`), SMOTE+Q runs SMOTE-NC on
    a table with numeric and nominal columns and SMOTE-N on an all-nominal
    one (imbalanced-learn's recommendation), on the blocks' categories; the
    other samplers work in model space and every generated row's block is
    then snapped to the one-hot of its largest value, so each nominal cell
    holds one category. `sampler_name_` says which sampler ran.

    Args:
        See `Method`. Option `nominal_blocks` (list of `(start, stop)`).
    """

    name = "RO+Q"
    needs_every_class = True
    uses_neighbours = False
    OPTIONS = ("nominal_blocks",)

    def _resample(self, x, y):
        k = self._neighbours(y)
        blocks = [tuple(b) for b in self.options.get("nominal_blocks") or ()]
        sampler = self._nominal_sampler(k, blocks) if blocks else None
        ordinal = sampler is not None
        if sampler is None:
            sampler = self._sampler(k, len(y))
        self.sampler_name_ = type(sampler).__name__
        x_res, y_res = self._fit_resample(
            sampler, to_ordinal(x, blocks) if ordinal else x, y
        )
        if ordinal:
            x_res = from_ordinal(x_res, blocks, x.shape[1])
        elif blocks:
            x_res = snap_blocks(x_res, blocks)
        self.resampled_counts_ = np.bincount(y_res, minlength=self.num_classes)
        return np.asarray(x_res, dtype=np.float32), y_res

    def _neighbours(self, y):
        """`k = min(5, n_min - 1)`; NA for a k-NN sampler when `k < 1`."""
        n_min = int(np.bincount(y).min())
        k = min(5, n_min - 1)
        if self.uses_neighbours and k < 1:
            smallest = int(np.argmin(np.bincount(y)))
            raise MethodNotApplicable(
                f"{self.name}: class {smallest} has {n_min} training row; "
                "k-NN over-sampling needs at least 2 rows per class."
            )
        return k

    def _fit_resample(self, sampler, data, y):
        """The sampler's rows (float32) and labels (int64); NA on failure."""
        try:
            x_res, y_res = sampler.fit_resample(data, y)
        except (ValueError, RuntimeError) as err:
            raise MethodNotApplicable(
                f"{self.name}: {type(sampler).__name__} failed: {err}"
            ) from err
        return (
            np.asarray(x_res, dtype=np.float32),
            np.asarray(y_res, dtype=np.int64),
        )

    def _sampler(self, k, num_rows):
        from imblearn.over_sampling import RandomOverSampler

        return RandomOverSampler(random_state=self.seed)

    def _nominal_sampler(self, k, blocks):
        """A sampler for the ordinal view of nominal blocks, or None."""
        return None


class SMOTEMethod(ResampledMethod):
    """SMOTE+Q: SMOTE with `k_neighbors = min(5, n_min - 1)`."""

    name = "SMOTE+Q"
    uses_neighbours = True

    def _sampler(self, k, num_rows):
        from imblearn.over_sampling import SMOTE

        return SMOTE(k_neighbors=k, random_state=self.seed)

    def _nominal_sampler(self, k, blocks):
        from imblearn.over_sampling import SMOTEN, SMOTENC

        num_numeric = self.num_features - sum(b - a for a, b in blocks)
        if num_numeric == 0:
            return SMOTEN(k_neighbors=k, random_state=self.seed)
        categorical = list(range(num_numeric, num_numeric + len(blocks)))
        return SMOTENC(
            categorical_features=categorical,
            k_neighbors=k,
            random_state=self.seed,
        )


class BorderlineSMOTEMethod(ResampledMethod):
    """B-SMOTE+Q: Borderline-SMOTE 1.

    `k_neighbors = min(5, n_min - 1)`; `m_neighbors` (the neighbourhood
    that decides whether a row is "in danger", taken over all classes) is
    imbalanced-learn's default 10, capped at `N - 1`.
    """

    name = "B-SMOTE+Q"
    uses_neighbours = True

    def _sampler(self, k, num_rows):
        from imblearn.over_sampling import BorderlineSMOTE

        return BorderlineSMOTE(
            kind="borderline-1",
            k_neighbors=k,
            m_neighbors=min(10, num_rows - 1),
            random_state=self.seed,
        )


class ADASYNMethod(ResampledMethod):
    """ADASYN+Q: ADASYN with `n_neighbors = min(5, n_min - 1)`."""

    name = "ADASYN+Q"
    uses_neighbours = True

    def _sampler(self, k, num_rows):
        from imblearn.over_sampling import ADASYN

        return ADASYN(n_neighbors=k, random_state=self.seed)


def _numeric_index(width, blocks):
    inside = np.zeros(width, dtype=bool)
    for a, b in blocks:
        inside[a:b] = True
    return np.flatnonzero(~inside)


def to_ordinal(x, blocks):
    """Model-space rows to `[numeric columns, category index per block]`."""
    numeric = x[:, _numeric_index(x.shape[1], blocks)]
    codes = [np.argmax(x[:, a:b], axis=1) for a, b in blocks]
    return np.column_stack([numeric, *codes]).astype(np.float64)


def from_ordinal(rows, blocks, width):
    """Inverse of `to_ordinal`: category indices back to one-hot blocks."""
    numeric = _numeric_index(width, blocks)
    out = np.zeros((len(rows), width), dtype=np.float32)
    out[:, numeric] = rows[:, : len(numeric)]
    for j, (a, b) in enumerate(blocks):
        codes = np.rint(rows[:, len(numeric) + j]).astype(np.int64)
        out[np.arange(len(rows)), a + np.clip(codes, 0, b - a - 1)] = 1.0
    return out


def snap_blocks(x, blocks):
    """Each one-hot block set to the one-hot of its largest value."""
    x = np.array(x, dtype=np.float32, copy=True)
    for a, b in blocks:
        codes = np.argmax(x[:, a:b], axis=1)
        x[:, a:b] = 0.0
        x[np.arange(len(x)), a + codes] = 1.0
    return x
