"""Ablations without code changes: every term of the game is an argument.

Trains AO, DO, DO with the paper's literal Q loss (`q_fake_loss=
"complement"`) and DO at a fractional rate f_s = 0.5 on the bundled Pima
data, and prints validation-selected test ACSA/GM for each. Set
`AOS_KERAS_EXAMPLE_FAST=1` for a smoke run.
"""

import os

import keras
import pandas as pd
from sklearn.model_selection import train_test_split

import aos_keras

FAST = os.environ.get("AOS_KERAS_EXAMPLE_FAST") == "1"
EPOCHS = 1 if FAST else 50
SIZES = (
    dict(latent_dim=4, generator_units=(8, 4), critic_units=(8,),
         classifier_units=(8,))
    if FAST else {}
)  # fmt: skip

VARIANTS = {
    "AO": dict(mode="ao"),
    "DO": dict(mode="do"),
    "DO, literal Q loss": dict(mode="do", q_fake_loss="complement"),
    "DO, f_s = 0.5": dict(mode="do", sampling_strategy=0.5),
    "DO, vanilla GAN": dict(mode="do", gan_loss="vanilla"),
}

# 70/30 train/test, 20% of train for validation, stratified; the columns
# standardised on the training rows only (the model keeps the
# preprocessor and applies it to the validation and test DataFrames).
data = aos_keras.load_dataset("pima")
X = pd.DataFrame(data.X, columns=data.feature_names)
X_train, X_test, y_train, y_test = train_test_split(
    X, data.y, test_size=0.3, stratify=data.y, random_state=0
)
X_train, X_val, y_train, y_val = train_test_split(
    X_train, y_train, test_size=0.2, stratify=y_train, random_state=0
)
prep = aos_keras.TablePreprocessor.fit(X_train, y_train, encode=True)

for name, kwargs in list(VARIANTS.items())[: 2 if FAST else None]:
    keras.utils.set_random_seed(0)
    model = aos_keras.AdversarialOversampler.from_data(
        X_train, y_train, preprocessor=prep, seed=0, **kwargs, **SIZES
    )
    model.compile()
    cb = aos_keras.EvaluationCallback(
        {
            "val": (X_val, y_val),
            "test": (X_test, y_test),
        }
    )
    model.fit(X_train, y_train, epochs=EPOCHS, batch_size=32,
              callbacks=[cb], verbose=0)  # fmt: skip
    best = cb.best_scores("test", by="val")
    print(f"{name:<20} alpha={model.alpha:.2f}  test ACSA "
          f"{100 * best['acsa']:6.2f}  GM {100 * best['gm']:6.2f}")  # fmt: skip
