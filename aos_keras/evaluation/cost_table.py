"""compare's cost model: typical seconds of one run, per method.

Written by `python scripts/fit_compare_costs.py >
aos_keras/evaluation/cost_table.py` (see the script for the fit and
the run records); not edited by hand.
"""

# method -> (seconds, seconds per 1000 fitting rows x epochs
# trained; x 1 for a method without epochs); runs fitted
COSTS = {
    "ADASYN+Q": (0.0, 0.07607),  # 50 runs
    "AO": (0.0, 0.46085),  # 54 runs
    "B-SMOTE+Q": (2.1812, 0.05163),  # 54 runs
    "BRF": (0.3415, 0.14627),  # 54 runs
    "COT": (2.6357, 0.04683),  # 54 runs
    "CTGAN+HGB": (0.0, 0.45185),  # 54 runs
    "CW-CE": (3.5054, 0.03309),  # 54 runs
    "DO": (6.3749, 0.16741),  # 54 runs
    "DO-T0.1": (7.1061, 0.16895),  # 54 runs
    "DO-T0.1+HGB": (2.6504, 0.54498),  # 54 runs
    "DO-T0.1-LA": (5.5234, 0.16106),  # 54 runs
    "EasyEnsemble": (0.7838, 0.72488),  # 54 runs
    "Focal": (1.5154, 0.03664),  # 54 runs
    "HGB": (0.0, 0.81584),  # 54 runs
    "HGB-plain": (5.0632, 0.0),  # 54 runs
    "LA-CE": (3.8728, 0.0176),  # 54 runs
    "LA-CE/HGB": (4.7375, 0.12439),  # 54 runs
    "LR": (0.4607, 0.0),  # 54 runs
    "Q": (4.1636, 0.02797),  # 54 runs
    "RO+Q": (1.2977, 0.05882),  # 54 runs
    "SMOTE+HGB": (0.0, 0.02967),  # 54 runs
    "SMOTE+Q": (3.1135, 0.03808),  # 54 runs
    "TVAE+HGB": (2.2858, 0.07537),  # 14 runs
    "TVAE-C+HGB": (0.0, 0.16876),  # 54 runs
    "UB-HGB": (0.5266, 1.78649),  # 54 runs
}
# epochs a method trains with patience 10 (median; None: all)
STOP_EPOCHS = {
    "B-SMOTE+Q": 16.0,
    "CW-CE": 21.5,
    "DO": 18.0,
    "DO-T0.1": 19.0,
    "DO-T0.1-LA": 19.5,
    "LA-CE": 20.5,
    "Q": 20.5,
    "SMOTE+Q": 14.5,
    None: 19.25,
}
# a method not fitted: the median coefficients, by trains_epochs
FALLBACK = {True: (2.6357, 0.07537), False: (0.49365, 0.43557)}
# runs: 1306 from 3 files
# scripts/studies/early_stopping/runs.csv:
#   measured 4660 s, model 4660 s in-sample (540 runs)
# scripts/studies/round5/dev_suite_v05/runs.csv:
#   measured 3578 s, model 3847 s in-sample (500 runs)
# scripts/studies/dev_suite_100ep/runs.csv:
#   measured 5038 s, model 5588 s in-sample (266 runs)
