"""Undersampling ensembles from imbalanced-learn, registered like `"HGB"`.

The methods that recent benchmarks of imbalanced tables find most robust
(CLIMB, Liu et al. 2025: undersampling ensembles around a strong tree
learner), behind the `Method` interface of `aos_keras.baselines.trees`:

- `"BRF"`: `BalancedRandomForestClassifier` (Chen et al. 2004), 100 trees,
  each on a balanced draw of every class with replacement
  (`sampling_strategy="all"`, `replacement=True`, `bootstrap=False`, as
  imbalanced-learn recommends);
- `"UB-HGB"`: under-bagging around HGB: 10 bags, each every class
  undersampled at random to the smallest class's count
  (`RandomUnderSampler`), an HGB per bag that stops early on the
  validation rows (its leaves at least a quarter of a small bag, so a
  bag of a few rows still splits); the bags' probabilities averaged. On
  bags of 80 rows or more this is
  `BalancedBaggingClassifier(HistGradientBoostingClassifier(),
  n_estimators=10, bootstrap=False)`, written out because that class's
  `fit` takes no validation rows for the inner HGB's early stopping;
- `"EasyEnsemble"`: `EasyEnsembleClassifier` (Liu et al. 2009): 10
  AdaBoost learners, each on a balanced undersampled bag.

None has epochs; only UB-HGB uses the validation rows (early stopping).
All run on one core (`n_jobs=1`), seeded by the method's seed.

References:
    Chen, Liaw and Breiman, "Using random forest to learn imbalanced data",
    UC Berkeley Tech. Report 666, 2004.
    Liu, Wu and Zhou, "Exploratory undersampling for class-imbalance
    learning", IEEE TSMC-B 39(2), 2009.
    Lemaitre, Nogueira and Aridas, "Imbalanced-learn: a Python toolbox to
    tackle the curse of imbalanced datasets in machine learning", JMLR 2017.
    Liu et al., "CLIMB: class-imbalanced learning benchmark on tabular
    data", NeurIPS 2025 Datasets and Benchmarks.
"""

import numpy as np
from imblearn.ensemble import (
    BalancedRandomForestClassifier,
    EasyEnsembleClassifier,
)
from imblearn.under_sampling import RandomUnderSampler
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.utils.class_weight import compute_sample_weight

from aos_keras.baselines.trees import SklearnMethod

# Settings fixed before any run (no tuning): imbalanced-learn's defaults or
# recommendations, and the 10 bags of EasyEnsemble's paper for UB-HGB.
FOREST_TREES = 100
BAGS = 10
# HGB's default smallest leaf (`min_samples_leaf`), kept on bags of 80 rows
# or more (`UnderBaggedHGB.leaf_size`).
HGB_LEAF = 20


class BalancedRandomForestMethod(SklearnMethod):
    """BRF: a balanced random forest (100 trees, every class resampled)."""

    name = "BRF"
    revision = 1

    def _fit(self, x, y, counts, validation_data, **fit_kwargs):
        self._model = BalancedRandomForestClassifier(
            n_estimators=FOREST_TREES,
            sampling_strategy="all",
            replacement=True,
            bootstrap=False,
            random_state=self.seed,
            n_jobs=1,
        )
        self._model.fit(x, y)


class EasyEnsembleMethod(SklearnMethod):
    """EasyEnsemble: 10 AdaBoost learners on balanced undersampled bags."""

    name = "EasyEnsemble"
    revision = 1

    def _fit(self, x, y, counts, validation_data, **fit_kwargs):
        self._model = EasyEnsembleClassifier(
            n_estimators=BAGS, random_state=self.seed, n_jobs=1
        )
        self._model.fit(x, y)


class UnderBaggedHGB:
    """Under-bagging: an HGB per randomly undersampled, balanced bag.

    Args:
        n_bags: int. Number of bags.
        seed: int or None. Seed of the bags' undersampling and HGBs.

    Attributes:
        classes_: int array, the classes seen in training.
        estimators_: list of the fitted `HistGradientBoostingClassifier`.

    Example:
    >>> model = UnderBaggedHGB(n_bags=10, seed=0).fit(x, y, (x_val, y_val))
    >>> model.predict_proba(x).shape
    (n, C)
    """

    def __init__(self, n_bags=BAGS, seed=None):
        self.n_bags, self.seed = int(n_bags), seed

    def fit(self, x, y, validation_data=None):
        """Fit one HGB per bag (early stopping on `validation_data`)."""
        seeds = np.random.default_rng(self.seed).integers(
            2**31 - 1, size=self.n_bags
        )
        self.classes_ = np.unique(y)
        self.estimators_ = [
            self._bag(x, y, int(s), validation_data) for s in seeds
        ]
        return self

    def resample_bag(self, x, y, seed):
        """One bag's rows: every class undersampled to the smallest."""
        sampler = RandomUnderSampler(sampling_strategy="all", random_state=seed)
        return sampler.fit_resample(x, y)

    def leaf_size(self, num_rows):
        """`min_samples_leaf` of the HGB of a bag of `num_rows` rows.

        HGB's default, 20, on bags of 80 rows or more; a quarter of the
        bag below, so a tree can always split (with leaves of 20 rows, a
        bag under 40 rows gave one-leaf trees: every row got the bag's
        class shares, 0.5 on two classes, whatever the early stopping).
        """
        return min(HGB_LEAF, max(1, num_rows // 4))

    def _bag(self, x, y, seed, validation_data):
        """One bag (`resample_bag`) and its HGB."""
        x_bag, y_bag = self.resample_bag(x, y, seed)
        model = HistGradientBoostingClassifier(
            early_stopping=validation_data is not None,
            min_samples_leaf=self.leaf_size(len(y_bag)),
            random_state=seed,
        )
        if validation_data is None:
            return model.fit(x_bag, y_bag)
        x_val, y_val = validation_data
        # The bag is balanced; the validation loss weighs classes alike too.
        weight = compute_sample_weight("balanced", y_val)
        return model.fit(
            x_bag, y_bag, X_val=x_val, y_val=y_val, sample_weight_val=weight
        )

    def predict_proba(self, x):
        """The bags' mean probabilities, columns for `classes_`."""
        return np.mean([m.predict_proba(x) for m in self.estimators_], axis=0)


class UnderBaggedHGBMethod(SklearnMethod):
    """UB-HGB: under-bagging around HGB (10 bags, early stopping each).

    Its revision, 2, is that of the bags' leaf sizes
    (`UnderBaggedHGB.leaf_size`): the leaves of 20 rows of revision 1
    gave constant probabilities on a table whose smallest class has
    under 20 fitting rows, and no run cached with them is reused.
    """

    name = "UB-HGB"
    revision = 2

    def _fit(self, x, y, counts, validation_data, **fit_kwargs):
        self._model = UnderBaggedHGB(n_bags=BAGS, seed=self.seed)
        self._model.fit(x, y, validation_data)
