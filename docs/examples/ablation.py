"""Ablations without code changes: every term of the game is an argument.

Trains AO, DO, DO with the paper's literal Q loss (`q_fake_loss=
"complement"`) and DO at a fractional rate f_s = 0.5 on the bundled Pima
data, and prints validation-selected test ACSA/GM for each. Set
`AOS_KERAS_EXAMPLE_FAST=1` for a smoke run.
"""

import os

import keras

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

split = aos_keras.split_dataset("pima", seed=0)
for name, kwargs in list(VARIANTS.items())[: 2 if FAST else None]:
    keras.utils.set_random_seed(0)
    model = aos_keras.AdversarialOversampler.from_data(
        split.X_train, split.y_train, seed=0, **kwargs, **SIZES
    )
    model.compile()
    cb = aos_keras.EvaluationCallback(
        {
            "val": (split.X_val, split.y_val),
            "test": (split.X_test, split.y_test),
        }
    )
    model.fit(split.X_train, split.y_train, epochs=EPOCHS, batch_size=32,
              callbacks=[cb], verbose=0)  # fmt: skip
    best = cb.best_scores("test", by="val")
    print(f"{name:<20} alpha={model.alpha:.2f}  test ACSA "
          f"{100 * best['acsa']:6.2f}  GM {100 * best['gm']:6.2f}")  # fmt: skip
