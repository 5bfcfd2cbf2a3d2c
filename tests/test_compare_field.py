"""The field of `compare` (issue 29, "Also found"): COT is not run where it
equals Q, and UB-HGB never predicts a constant."""

import logging

import numpy as np
import pandas as pd
import pytest

from aos_keras import evaluation
from aos_keras.baselines import make_method, method_revision, method_spec
from aos_keras.metrics import acsa

COT_IS_Q = (
    "not run: on two classes COT equals Q (the complement entropy over the "
    "one other class is constant, so COT's extra step changes nothing); "
    "see Q"
)


def _binary_table(n_major=40, n_minor=12, seed=0):
    rng = np.random.default_rng(seed)
    y = np.array(["no"] * n_major + ["yes"] * n_minor)
    frame = pd.DataFrame(
        {"x1": rng.normal(size=len(y)) + (y == "yes") * 1.5,
         "x2": rng.normal(size=len(y))}
    )  # fmt: skip
    return frame, y


# ------------------------------------------------------------- COT
@pytest.mark.backend_independent
def test_cot_says_where_it_is_not_run():
    spec = method_spec("COT")
    assert spec.skip_reason(2) == COT_IS_Q
    assert spec.skip_reason(3) is None
    assert method_spec("Q").skip_reason(2) is None


@pytest.mark.backend_independent
def test_compare_skips_cot_on_two_classes_with_one_line_and_a_reason(
    tmp_path, caplog
):
    frame, y = _binary_table()
    with caplog.at_level(logging.INFO, logger="aos_keras.evaluation"):
        result = evaluation.compare(
            frame, y, name="t", methods=["LR", "COT"], repeats=2,
            cache_dir=str(tmp_path / "runs"),
        )  # fmt: skip
    assert [m for m in caplog.messages if "COT" in m] == [
        f"COT on t: {COT_IS_Q}"
    ]
    assert "0 of 2 runs cached; 2 to run." in caplog.messages
    cot = result.runs[result.runs["method"] == "COT"]
    assert cot["status"].tolist() == ["na", "na"]
    assert cot["reason"].tolist() == [COT_IS_Q, COT_IS_Q]
    assert result.summary().loc["COT", "na_reason"] == COT_IS_Q
    assert f"NA COT: {COT_IS_Q}" in result.markdown()
    assert [p.name.split("__")[0] for p in (tmp_path / "runs").rglob("*")
            if p.is_file()] == ["LR", "LR"]  # fmt: skip


# ---------------------------------------------------------- UB-HGB
def _gaussians(n_major, n_minor, seed, d=3, shift=1.5):
    rng = np.random.default_rng(seed)
    x = np.concatenate(
        [rng.normal(0, 1, (n_major, d)), rng.normal(shift, 1, (n_minor, d))]
    ).astype("float32")
    return x, np.array([0] * n_major + [1] * n_minor)


@pytest.mark.backend_independent
def test_under_bagging_on_a_tiny_table_predicts_no_constant():
    # Bags of 2 x 8 rows: HGB's default leaves of 20 rows cannot split
    # them, and every bag predicted 0.5 for every row.
    x, y = _gaussians(40, 8, seed=0)
    x_val, y_val = _gaussians(12, 3, seed=1)
    x_test, y_test = _gaussians(100, 100, seed=2)
    method = make_method("UB-HGB", num_classes=2, num_features=3, seed=0)
    method.fit(x, y, validation_data=(x_val, y_val), epochs=1)
    proba = method.predict_proba(x_test)[:, 1]
    assert np.ptp(proba) > 0.5
    assert acsa(y_test, (proba > 0.5).astype(int)) > 0.75
    leaves = {e.min_samples_leaf for e in method.model.estimators_}
    assert leaves == {4}  # a quarter of the 16 rows of a bag


@pytest.mark.backend_independent
def test_under_bagging_keeps_hgbs_leaves_on_large_bags_and_a_new_revision():
    x, y = _gaussians(200, 40, seed=0)  # bags of 80 rows
    method = make_method("UB-HGB", num_classes=2, num_features=3, seed=0)
    method.fit(x, y, validation_data=(x, y), epochs=1)
    assert {e.min_samples_leaf for e in method.model.estimators_} == {20}
    # Its results changed on small tables: no run cached before is reused.
    assert method_revision("UB-HGB") == 2
