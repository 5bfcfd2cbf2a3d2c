"""Temporary: the scikit-learn methods are registered in `aos_keras.baselines`
(`baselines/trees.py`); this module is deleted soon."""

REFERENCES = ("LR", "HGB", "SMOTE+HGB", "DO-T0.1+HGB")
SAMPLERS = {"SMOTE+HGB": "SMOTE+Q", "DO-T0.1+HGB": "DO-T0.1"}
