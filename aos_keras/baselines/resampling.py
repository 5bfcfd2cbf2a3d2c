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

    Args:
        See `Method`. No option of its own.
    """

    name = "RO+Q"
    needs_every_class = True
    uses_neighbours = False

    def _resample(self, x, y):
        n_min = int(np.bincount(y).min())
        k = min(5, n_min - 1)
        if self.uses_neighbours and k < 1:
            smallest = int(np.argmin(np.bincount(y)))
            raise MethodNotApplicable(
                f"{self.name}: class {smallest} has {n_min} training row; "
                "k-NN over-sampling needs at least 2 rows per class."
            )
        sampler = self._sampler(k, len(y))
        try:
            x_res, y_res = sampler.fit_resample(x, y)
        except (ValueError, RuntimeError) as err:
            raise MethodNotApplicable(
                f"{self.name}: {type(sampler).__name__} failed: {err}"
            ) from err
        y_res = np.asarray(y_res, dtype=np.int64)
        self.resampled_counts_ = np.bincount(y_res, minlength=self.num_classes)
        return np.asarray(x_res, dtype=np.float32), y_res

    def _sampler(self, k, num_rows):
        from imblearn.over_sampling import RandomOverSampler

        return RandomOverSampler(random_state=self.seed)


class SMOTEMethod(ResampledMethod):
    """SMOTE+Q: SMOTE with `k_neighbors = min(5, n_min - 1)`."""

    name = "SMOTE+Q"
    uses_neighbours = True

    def _sampler(self, k, num_rows):
        from imblearn.over_sampling import SMOTE

        return SMOTE(k_neighbors=k, random_state=self.seed)


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
