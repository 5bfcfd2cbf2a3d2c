"""Every class of 2 rows or more has a validation row (issue 29, item 4).

A stratified split rounds a small class's share of the validation rows down
to none; the epoch would then be chosen by a score that ignores that class.
"""

import math

import numpy as np
import pandas as pd
import pytest

from aos_keras.game.config import GameConfig
from aos_keras.training import train_table, validation_split

TINY = dict(
    latent_dim=4,
    generator_units=(8, 4),
    critic_units=(8,),
    classifier_units=(8,),
)


@pytest.mark.backend_independent
@pytest.mark.parametrize("big", [30, 50])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_two_row_class_has_a_row_on_both_sides(big, seed):
    # Stratified, 0.2 of these tables gives "b" no validation row.
    y = np.array(["a"] * big + ["b"] * 2 + ["c"] * (big - 30) + ["d"])
    rows, val = validation_split(y, 0.2, seed=seed)
    for c in np.unique(y[:-1]):
        assert (y[val] == c).sum() >= 1 and (y[rows] == c).sum() >= 1
    assert (y[val] == "d").sum() == 0 and (y[rows] == "d").sum() == 1
    assert sorted(np.concatenate([rows, val]).tolist()) == list(range(len(y)))


@pytest.mark.backend_independent
def test_a_split_that_holds_every_class_is_unchanged():
    from sklearn.model_selection import train_test_split

    y = np.array(["a"] * 30 + ["b"] * 10)
    rows, val = validation_split(y, 0.2, seed=0)
    fit, held = train_test_split(
        np.arange(40), test_size=0.2, stratify=y, random_state=0
    )
    assert rows.tolist() == fit.tolist() and val.tolist() == held.tolist()
    assert len(val) == math.ceil(0.2 * 40)


def test_train_table_scores_a_two_row_class_on_validation():
    rng = np.random.default_rng(0)
    y = np.array(["a"] * 30 + ["b"] * 2)
    features = pd.DataFrame(
        {"x": rng.normal(size=32), "z": rng.normal(size=32)}
    )
    result = train_table(
        features,
        y,
        config=GameConfig(mode="do", **TINY),
        val_size=0.2,
        epochs=1,
        batch_size=16,
    )
    recall = result.best["recall"]
    assert len(recall) == 2 and not np.isnan(recall).any()
