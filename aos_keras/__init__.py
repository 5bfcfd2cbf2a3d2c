"""aos_keras: adversarial and data-space oversampling for Keras 3.

A three-player game between a mixture of class-conditional convex generators
(CWI), a WGAN-GP critic and a classifier, trained with `model.fit` on the
TensorFlow, JAX and PyTorch backends.
"""

__version__ = "0.1.0"

from aos_keras.callbacks import (
    EvaluationCallback,
    NonFiniteGuard,
    ResumableBackup,
)
from aos_keras.classifier import Classifier
from aos_keras.comparison import compare, compare_suite
from aos_keras.config import GameConfig
from aos_keras.critic import Critic
from aos_keras.datasets import DATASETS, load_dataset, split_dataset
from aos_keras.errors import NonFiniteLossError
from aos_keras.export import export_saved_model
from aos_keras.generator import CWIGenerator
from aos_keras.losses import (
    ComplementCrossEntropy,
    complement_cross_entropy,
    complement_entropy,
    cross_entropy,
    gradient_penalty,
    least_squares,
)
from aos_keras.metrics import (
    ACSA,
    GeometricMean,
    acsa,
    geometric_mean,
    per_class_recall,
)
from aos_keras.model import AdversarialOversampler
from aos_keras.sampling import class_distribution, class_targets
from aos_keras.sklearn import AOSClassifier
from aos_keras.tables import TableEncoder

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
]


def __getattr__(name):
    # The sampler needs imbalanced-learn, an optional extra.
    if name in ("AOSSampler", "AdversarialOverSampler"):
        from aos_keras import sampler

        return getattr(sampler, name)
    raise AttributeError(f"module 'aos_keras' has no attribute {name!r}")
