"""A neural method blended with a tree ensemble: averaged, or bagged.

- `ProbabilityAverageMethod` (`"LA-CE/HGB"`): the mean of a neural
  method's class probabilities and a tree ensemble's (HGB by default;
  `trees=` takes another method without epochs, BRF in issue 33's round).
  The neural method's epoch is chosen by its own validation ACSA (the
  earliest best epoch, as `compare` chooses an epoch), HGB stops early on
  the same rows; the average is
  scored once. Averaging a network and a tree ensemble is a strong
  baseline of its own on tables (Shwartz-Ziv and Armon 2022), so the
  game's average (`"DO-T0.1/HGB"`, a study variant) is tested against
  `"LA-CE/HGB"`, not against HGB alone: the test shows what the game adds,
  not what averaging adds.
- `GeneratorBaggedHGBMethod`: the game's trained generator inside an
  undersampling bagging ensemble. Each bag brings every class to
  `t = round(N / C)` rows: classes above `t` undersampled at random,
  classes below keep every real row plus `t - n_c` generated rows (fresh
  draws per bag, nominal blocks snapped to one category); an HGB per bag,
  as `"UB-HGB"` (`aos_keras.baselines.ensembles.UnderBaggedHGB`).
- `GeneratorToppedForestMethod`: the same top-up inside a balanced random
  forest: each of BRF's 100 trees draws every class above `t` down to `t`
  rows with replacement (as BRF draws), and tops every class below `t` up
  with generated rows (`TopUpBalancedForest`).

None of them has epochs of its own: `fit_scored` calls `on_epoch` once.

References:
    Shwartz-Ziv and Armon, "Tabular data: deep learning is not all you
    need", Information Fusion 81, 2022.
    Liu, Wu and Zhou, "Exploratory undersampling for class-imbalance
    learning", IEEE TSMC-B 39(2), 2009.
    Chen, Liaw and Breiman, "Using random forest to learn imbalanced data",
    UC Berkeley Tech. Report 666, 2004.
"""

import numpy as np
from sklearn.tree import DecisionTreeClassifier

from aos_keras.baselines.base import BestEpoch, fit_until_stopped
from aos_keras.baselines.ensembles import (
    BAGS,
    FOREST_TREES,
    HGB_LEAF,
    UnderBaggedHGB,
)
from aos_keras.baselines.resampling import snap_blocks
from aos_keras.baselines.trees import HistGradientBoostingMethod, SklearnMethod


def build_member(spec, method, num_features):
    """A fresh method of `spec` with `method`'s seed, Q settings, options."""
    return spec.build(
        num_classes=method.num_classes,
        num_features=num_features,
        seed=method.seed,
        classifier_units=method.classifier_units,
        learning_rate=method.learning_rate,
        beta_1=method.beta_1,
        **method.options,
    )


class ProbabilityAverageMethod(SklearnMethod):
    """The mean of a neural method's and a tree ensemble's probabilities.

    Args:
        name: str. The method's name (`"LA-CE/HGB"`).
        neural: `MethodSpec` of the neural member (its options are read).
        trees: the tree member's `Method` class, one without epochs
            (default `HistGradientBoostingMethod`; BRF's is
            `aos_keras.baselines.ensembles.BalancedRandomForestMethod`).
        **kwargs: see `Method`.

    Attributes (after `fit`):
        members_: `(neural method, tree method)`.
        neural_epoch_: int or None. The neural member's chosen epoch (None
            without validation rows: its last epoch).
    """

    OPTIONS = ("patience",)

    def __init__(self, *, name, neural, trees=None, **kwargs):
        super().__init__(**kwargs)
        self.name, self.neural = name, neural
        self.trees = trees or HistGradientBoostingMethod

    def _fit(self, x, y, counts, validation_data, **fit_kwargs):
        neural = build_member(self.neural, self, x.shape[1])
        self.neural_epoch_ = None
        if validation_data is None:
            neural.fit(x, y, **_neural_kwargs(fit_kwargs))
        else:
            best = BestEpoch(
                *validation_data,
                self.num_classes,
                patience=self.options.get("patience"),
            )
            neural.fit_scored(
                x, y, on_epoch=best.update, **_neural_kwargs(fit_kwargs)
            )
            best.restore(neural)
            self.neural_epoch_ = best.epoch
        trees = self.trees(
            num_classes=self.num_classes,
            num_features=x.shape[1],
            seed=self.seed,
        )
        trees.fit(x, y, epochs=1, validation_data=validation_data)
        self.members_ = (neural, trees)
        self._model = neural.model

    def logits(self, x, batch_size=4096):
        """Log of the members' mean probabilities `(n, C)`."""
        return np.log(np.maximum(self._mean_proba(x), 1e-12))

    def _mean_proba(self, x):
        proba = [
            np.asarray(m.predict_proba(x), np.float64) for m in self.members_
        ]
        return np.mean(proba, axis=0)


def _neural_kwargs(fit_kwargs):
    """`epochs` and `batch_size` of the harness (no callbacks: they are
    the outer method's)."""
    return {
        k: fit_kwargs[k] for k in ("epochs", "batch_size") if k in fit_kwargs
    }


class TopUpBaggedHGB(UnderBaggedHGB):
    """Under-bagging whose small classes are topped up with generated rows.

    Each bag brings every class to `t = round(N / C)` rows: a class above
    `t` is undersampled at random without replacement; a class below keeps
    every real row plus `t - n_c` rows drawn from `sampler` (with the bag's
    seed). An HGB per bag, as `UnderBaggedHGB`.

    Args:
        sampler: callable `(need, seed) -> (x, y)`: `need` maps a class
            index to a row count; rows in model space.
        n_bags: int. Number of bags.
        seed: int or None.
    """

    def __init__(self, sampler, n_bags=BAGS, seed=None):
        super().__init__(n_bags=n_bags, seed=seed)
        self.sampler = sampler

    def leaf_size(self, num_rows):
        """HGB's default leaves (20 rows) on every bag (UB-HGB's revision
        1), whatever its size: `"DO-T0.1+UB-HGB"` has its game's revision,
        and its cached runs stay valid. Its bags hold about as many rows
        as the table: only a table of under 80 fitting rows would get
        other leaves from `UnderBaggedHGB.leaf_size`."""
        return HGB_LEAF

    def resample_bag(self, x, y, seed):
        """One bag's rows: every class at `round(N / C)` rows."""
        return top_up_bag(x, y, seed, self.sampler, replace=False)


def top_up_bag(x, y, seed, sampler, replace):
    """One bag of rows with every class at `t = round(N / C)` rows.

    Args:
        x, y: the fitting rows (model space) and their class indices.
        seed: int. Seed of the draw of the large classes and of `sampler`.
        sampler: callable `(need, seed) -> (x, y)`, `need` a class index ->
            row count.
        replace: bool. Whether a class above `t` is drawn with
            replacement (BRF's draw) or without (under-bagging).

    Returns:
        `(x_bag, y_bag)`: the real rows kept, then the generated ones.
    """
    classes, counts = np.unique(y, return_counts=True)
    target = max(1, int(round(len(y) / len(classes))))
    rng = np.random.default_rng(seed)
    keep = np.concatenate([
        _take(np.flatnonzero(y == c), target, rng, replace) for c in classes
    ])  # fmt: skip
    need = {
        int(c): target - int(n) for c, n in zip(classes, counts) if n < target
    }
    parts_x, parts_y = [x[keep]], [y[keep]]
    if need:
        new_x, new_y = sampler(need, seed)
        parts_x.append(np.asarray(new_x, dtype=x.dtype))
        parts_y.append(np.asarray(new_y, dtype=y.dtype))
    return np.concatenate(parts_x), np.concatenate(parts_y)


def _take(rows, target, rng, replace=False):
    """`rows` if at most `target`; else `target` of them at random."""
    if len(rows) <= target:
        return rows
    return rng.choice(rows, size=target, replace=replace)


class TopUpBalancedForest:
    """A balanced random forest whose small classes are topped up.

    Each tree's rows bring every class to `t = round(N / C)`: a class above
    `t` drawn down to `t` rows with replacement (BRF's draw), a class below
    `t` keeps every real row plus `t - n_c` rows from `sampler` (the tree's
    seed); a `DecisionTreeClassifier(max_features="sqrt")` per tree, as
    `BalancedRandomForestClassifier` grows them. The trees' probabilities
    are averaged.

    Args:
        sampler: callable `(need, seed) -> (x, y)`, as `TopUpBaggedHGB`'s.
        n_trees: int. Number of trees (BRF's 100).
        seed: int or None.

    Example:
    >>> forest = TopUpBalancedForest(sampler, n_trees=100, seed=0)
    >>> forest.fit(x, y).predict_proba(x).shape
    (n, C)
    """

    def __init__(self, sampler, n_trees=FOREST_TREES, seed=None):
        self.sampler, self.n_trees, self.seed = sampler, int(n_trees), seed

    def fit(self, x, y, validation_data=None):
        """Grow one tree per topped-up draw (`validation_data` unused)."""
        seeds = np.random.default_rng(self.seed).integers(
            2**31 - 1, size=self.n_trees
        )
        self.classes_ = np.unique(y)
        self.estimators_ = []
        for seed in seeds:
            x_bag, y_bag = top_up_bag(x, y, int(seed), self.sampler, True)
            tree = DecisionTreeClassifier(
                max_features="sqrt", random_state=int(seed)
            )
            self.estimators_.append(tree.fit(x_bag, y_bag))
        return self

    def predict_proba(self, x):
        """The trees' mean probabilities, columns for `classes_`."""
        return np.mean([t.predict_proba(x) for t in self.estimators_], axis=0)


class GeneratorBaggedHGBMethod(SklearnMethod):
    """The game's trained generator topping up undersampled bags of HGB.

    Args:
        name: str. The method's name (`"DO-T0.1+UB-HGB"`).
        sampler: `MethodSpec` of a game preset, trained on the fitting
            rows for `epochs`, or until its classifier's validation ACSA
            stops improving (option `patience`, `fit_until_stopped`), then
            sampled per bag (the last epoch's generator).
        **kwargs: see `Method`.
    """

    OPTIONS = ("patience",)

    def __init__(self, *, name, sampler, **kwargs):
        super().__init__(**kwargs)
        self.name, self.sampler = name, sampler

    def _fit(self, x, y, counts, validation_data, **fit_kwargs):
        game = build_member(self.sampler, self, x.shape[1])
        fit_until_stopped(
            game,
            x,
            y,
            validation_data,
            self.options.get("patience"),
            **_neural_kwargs(fit_kwargs),
        )
        blocks = self.options.get("nominal_blocks") or ()

        def draw(need, seed):
            new_x, new_y = game.model.sample(need, seed=int(seed))
            new_x = np.asarray(new_x, dtype=np.float32)
            return (snap_blocks(new_x, blocks) if blocks else new_x), new_y

        self.sampler_ = game
        self._model = self.ensemble(draw)
        self._model.fit(x, y, validation_data)

    def ensemble(self, draw):
        """The ensemble the generator tops up (`draw`: its sampler)."""
        return TopUpBaggedHGB(draw, n_bags=BAGS, seed=self.seed)


class GeneratorToppedForestMethod(GeneratorBaggedHGBMethod):
    """The game's trained generator topping up a balanced random forest.

    As `GeneratorBaggedHGBMethod`, with `TopUpBalancedForest` (BRF's 100
    trees) in place of the HGB bags.

    Args:
        name: str. The method's name (`"DO-T0.1-LA+BRF"` in issue 33's
            round).
        sampler: `MethodSpec` of a game preset.
        **kwargs: see `Method`.
    """

    def ensemble(self, draw):
        """BRF's trees, each topped up by `draw`."""
        return TopUpBalancedForest(draw, n_trees=FOREST_TREES, seed=self.seed)
