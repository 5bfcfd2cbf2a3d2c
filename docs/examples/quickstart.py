"""Quick start: DO on Haberman, the epoch chosen on validation.

Trains data-space oversampling (DO) on the bundled Haberman dataset, keeps
the epoch with the best validation ACSA (training stops 30 epochs after
it; `EPOCHS` is a ceiling) and scores the test split; then draws a few
generated rows. Run it as `python docs/examples/quickstart.py`; set
`AOS_KERAS_EXAMPLE_FAST=1` for a seconds-long smoke run (what the tests do).
"""

import os

import keras
import pandas as pd
from sklearn.model_selection import train_test_split

import aos_keras

FAST = os.environ.get("AOS_KERAS_EXAMPLE_FAST") == "1"
EPOCHS = 1 if FAST else 100
SIZES = (
    dict(latent_dim=4, generator_units=(8, 4), critic_units=(8,),
         classifier_units=(8,))
    if FAST else {}
)  # fmt: skip

# The paper's split: 70/30 train/test, then 20% of train for validation,
# stratified by class.
data = aos_keras.load_dataset("haberman")  # bundled, nothing downloaded
X = pd.DataFrame(data.X, columns=data.feature_names)
X_train, X_test, y_train, y_test = train_test_split(
    X, data.y, test_size=0.3, stratify=data.y, random_state=0
)
X_train, X_val, y_train, y_val = train_test_split(
    X_train, y_train, test_size=0.2, stratify=y_train, random_state=0
)

# Imputation and standardisation fitted on the training rows only; the
# model keeps this preprocessor and applies it to every DataFrame it gets.
prep = aos_keras.TablePreprocessor.fit(X_train, y_train, encode=True)

keras.utils.set_random_seed(0)
model = aos_keras.AdversarialOversampler.from_data(
    X_train, y_train, preprocessor=prep, mode="do", seed=0, **SIZES
)
model.compile()
scores = aos_keras.EvaluationCallback(
    {"val": (X_val, y_val), "test": (X_test, y_test)},
    monitor="val",
    restore_best_weights=True,
    patience=30,  # stop 30 epochs after the best validation ACSA
)
model.fit(
    X_train,
    y_train,
    epochs=EPOCHS,  # a ceiling; the batch size is chosen from the table
    callbacks=[scores],
    verbose=0 if FAST else 2,
)
best = scores.best_scores("test", by="val")
print(f"epoch {best['epoch'] + 1} of {len(scores.history)} (chosen on "
      f"validation): test ACSA "
      f"{100 * best['acsa']:.2f}, GM {100 * best['gm']:.2f}")  # fmt: skip
print("labels:", model.predict_labels(X_test, verbose=0)[:5])  # 1 or 2

# Generated rows are convex combinations of real rows of their class,
# returned in the table's columns (labels as in the data: 1 and 2).
x_new, y_new = model.sample({1: 3, 2: 3}, seed=0)
print(x_new.round(1), y_new)
