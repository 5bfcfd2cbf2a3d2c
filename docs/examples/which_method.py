"""Which method for my table? Every method on Haberman, one call.

Runs `aos_keras.compare` on the bundled Haberman table: 5 stratified
splits, a validation split carved from each training split that alone
chooses the epoch, the package's own methods beside class weights, logit
adjustment, SMOTE and the two scikit-learn references. Writes
`docs/results/which_method/` (runs.csv, report.md, scores.png; the run
cache in `scripts/studies/which_method/`) and prints the ranking and the
recommendation. Run it as
`python docs/examples/which_method.py`; `AOS_KERAS_EXAMPLE_FAST=1` makes it
a seconds-long smoke run into a temporary folder (what the tests do).
"""

import os
import tempfile

import aos_keras
from aos_keras.evaluation import compare

FAST = os.environ.get("AOS_KERAS_EXAMPLE_FAST") == "1"
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = (
    tempfile.mkdtemp()
    if FAST
    else os.path.join(HERE, "..", "results", "which_method")
)

data = aos_keras.load_dataset("haberman")  # 306 rows, 2 classes, 3:1
methods = ["Q", "CW-CE", "LA-CE", "SMOTE+Q", "LR", "HGB", "DO", "DO-T0.1"]
result = compare(
    data.X,
    data.y,
    methods=methods[:2] + ["LR"] if FAST else methods,
    repeats=2 if FAST else 5,
    epochs=1 if FAST else 100,
    options={"Q": {"classifier_units": (8,)}, "CW-CE": {}} if FAST else None,
    cache_dir=os.path.join(OUT, "runs")
    if FAST
    else os.path.join(HERE, "..", "..", "scripts", "studies", "which_method"),
    name="haberman",
)
print(result.summary().round(2).to_string())
print(result.paired_tests().round(3).to_string())
print(result.recommendation())
result.save(OUT)
