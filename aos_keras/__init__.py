"""aos_keras: adversarial and data-space oversampling for Keras 3.

A three-player game between a mixture of class-conditional convex generators
(CWI), a WGAN-GP critic and a classifier, trained with `model.fit` on the
TensorFlow, JAX and PyTorch backends.
"""

import os as _os

__version__ = "0.3.0"

__all__ = [
    "ACSA",
    "DATASETS",
    "AOSClassifier",
    "AOSSampler",
    "AdversarialOverSampler",
    "AdversarialOversampler",
    "CWIGenerator",
    "Classifier",
    "ComplementCrossEntropy",
    "Critic",
    "GameConfig",
    "EvaluationCallback",
    "GeometricMean",
    "NonFiniteGuard",
    "NonFiniteLossError",
    "ResumableBackup",
    "TableEncoder",
    "acsa",
    "class_distribution",
    "class_targets",
    "compare",
    "compare_suite",
    "complement_cross_entropy",
    "complement_entropy",
    "cross_entropy",
    "export_saved_model",
    "geometric_mean",
    "gradient_penalty",
    "least_squares",
    "load_dataset",
    "per_class_recall",
    "split_dataset",
    "split_table",
]

# The names that `sampler` holds: it needs imbalanced-learn, an optional
# extra, so they are imported on first access.
_SAMPLER_NAMES = ("AOSSampler", "AdversarialOverSampler")

# Set only by the `aos-keras` launcher (`aos_keras_cli.main`) while it
# imports `aos_keras.cli`: the command line parses its arguments, and sets
# the backend, before Keras is imported. Everywhere else the public names
# are imported here, at once, so that `import aos_keras` registers every
# Keras-serialisable class before `keras.saving.load_model` needs it.
_DEFER_FLAG = "_AOS_KERAS_DEFER_IMPORTS"

if _os.environ.get(_DEFER_FLAG) != "1":
    from aos_keras._api import *


def _load():
    """Import every public name (and register the Keras classes) now."""
    from aos_keras import _api

    for name in __all__:
        if name not in _SAMPLER_NAMES:
            globals()[name] = getattr(_api, name)


def __getattr__(name):
    if name in _SAMPLER_NAMES:
        from aos_keras import sampler

        return getattr(sampler, name)
    if name in __all__:  # deferred by the command line's launcher
        _load()
        return globals()[name]
    raise AttributeError(f"module 'aos_keras' has no attribute {name!r}")
