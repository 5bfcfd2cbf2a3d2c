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
from aos_keras.datasets import DATASETS, load_dataset
from aos_keras.errors import NonFiniteLossError
from aos_keras.evaluation.harness import compare, compare_suite
from aos_keras.game.classifier import Classifier
from aos_keras.game.config import GameConfig
from aos_keras.game.critic import Critic
from aos_keras.game.generator import CWIGenerator
from aos_keras.game.losses import (
    ComplementCrossEntropy,
    complement_cross_entropy,
    complement_entropy,
    cross_entropy,
    gradient_penalty,
    least_squares,
)
from aos_keras.game.model import AdversarialOversampler
from aos_keras.game.sampling import class_distribution, class_targets
from aos_keras.metrics import (
    ACSA,
    GeometricMean,
    acsa,
    geometric_mean,
    per_class_recall,
)
from aos_keras.saving.export import export_onnx, export_saved_model
from aos_keras.sklearn.classifier import AOSClassifier
from aos_keras.tables.encoder import TableEncoder, split_table
from aos_keras.tables.preprocessing import TablePreprocessor
