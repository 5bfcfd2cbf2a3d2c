"""The scikit-learn and imbalanced-learn wrappers of the game.

- `classifier`: `AOSClassifier`, a scikit-learn classifier, and the
  parameters both wrappers take from `GameConfig`.
- `sampler`: `AOSSampler`, an imbalanced-learn sampler (needs the
  `imbalanced-learn` extra, so it is imported on first use).
"""

from aos_keras.sklearn.classifier import AOSClassifier

__all__ = ["AOSClassifier", "AOSSampler"]


def __getattr__(name):
    if name == "AOSSampler":
        from aos_keras.sklearn.sampler import AOSSampler

        return AOSSampler
    raise AttributeError(
        f"module 'aos_keras.sklearn' has no attribute {name!r}"
    )
