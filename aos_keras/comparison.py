"""Temporary: moved to `aos_keras.evaluation` (this module is deleted soon)."""

from aos_keras.evaluation import *  # noqa: F403
from aos_keras.evaluation import __all__  # noqa: F401
from aos_keras.evaluation.runs import jsonable as _jsonable  # noqa: F401
from aos_keras.evaluation.statistics import paired_table  # noqa: F401
from aos_keras.tables import TableEncoder  # noqa: F401
