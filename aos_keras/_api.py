"""The public names of `aos_keras`, imported from their modules.

The one list of the package's imports of its public names. `aos_keras`
imports it on the first access to a public name (PEP 562 `__getattr__`)
or as soon as Keras is imported, whichever comes first: importing it
registers every Keras-serialisable class of the package, so that
`keras.saving.load_model` finds them.
"""

from aos_keras.callbacks import (
    EvaluationCallback,
    NonFiniteGuard,
    ResumableBackup,
)
from aos_keras.classifier import Classifier
from aos_keras.config import GameConfig
from aos_keras.critic import Critic
from aos_keras.datasets import DATASETS, load_dataset
from aos_keras.errors import NonFiniteLossError
from aos_keras.evaluation.harness import compare, compare_suite
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
from aos_keras.preprocessing import TablePreprocessor
from aos_keras.sampling import class_distribution, class_targets
from aos_keras.sklearn import AOSClassifier
from aos_keras.tables import TableEncoder, split_table
