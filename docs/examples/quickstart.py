"""Quick start: DO against plain Q on Haberman, honest protocol.

Trains data-space oversampling (DO) on the bundled Haberman dataset, picks
the epoch on a validation split and scores the test split; then draws a few
generated rows. Run it as `python docs/examples/quickstart.py`; set
`AOS_KERAS_EXAMPLE_FAST=1` for a seconds-long smoke run (what the tests do).
"""

import os

import keras

import aos_keras

FAST = os.environ.get("AOS_KERAS_EXAMPLE_FAST") == "1"
EPOCHS = 1 if FAST else 100
SIZES = (
    dict(latent_dim=4, generator_units=(8, 4), critic_units=(8,),
         classifier_units=(8,))
    if FAST else {}
)  # fmt: skip

# The paper's split: 70/30 train/test, then 20% of train for validation;
# imputation and scaling are fitted on the training rows only.
split = aos_keras.split_dataset("haberman", seed=0)

keras.utils.set_random_seed(0)
model = aos_keras.AdversarialOversampler.from_data(
    split.X_train, split.y_train, mode="do", seed=0, **SIZES
)
model.compile()
scores = aos_keras.EvaluationCallback(
    {"val": (split.X_val, split.y_val), "test": (split.X_test, split.y_test)},
    monitor="val",
    restore_best_weights=True,
)
model.fit(
    split.X_train,
    split.y_train,
    epochs=EPOCHS,
    batch_size=32,
    callbacks=[scores],
    verbose=0 if FAST else 2,
)
best = scores.best_scores("test", by="val")
print(f"epoch {best['epoch'] + 1} (chosen on validation): test ACSA "
      f"{100 * best['acsa']:.2f}, GM {100 * best['gm']:.2f}")  # fmt: skip

# Generated rows are convex combinations of real rows of their class.
x_new, y_new = model.sample({0: 3, 1: 3}, seed=0)
print(x_new.shape, y_new)
