"""aos_keras: adversarial and data-space oversampling for Keras 3.

A three-player game between a mixture of class-conditional convex generators
(CWI), a WGAN-GP critic and a classifier, trained with `model.fit` on the
TensorFlow, JAX and PyTorch backends.

`import aos_keras` is cheap: it imports neither Keras nor the backend.
No backend is installed with the package (the extras `tensorflow`, `jax`
and `torch`, as in Keras): where Keras cannot import its backend, the
first use of a public name says what to install (`aos_keras._backends`). The
public names are imported on first use (PEP 562 `__getattr__`), and the
package's Keras-serialisable classes are registered as soon as Keras is
imported (at once when it already is), so that `import aos_keras, keras`
then `keras.saving.load_model(path)` loads a saved `AdversarialOversampler`.
"""

import sys as _sys
import warnings as _warnings

from aos_keras._backends import explained_import as _explained_import
from aos_keras._imports import LoaderHook as _LoaderHook
from aos_keras._imports import ModuleAliases as _ModuleAliases

__version__ = "0.5.0"

__all__ = [
    "ACSA",
    "DATASETS",
    "AOSClassifier",
    "AOSSampler",
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
    "TablePreprocessor",
    "acsa",
    "class_distribution",
    "class_targets",
    "compare",
    "compare_suite",
    "complement_cross_entropy",
    "complement_entropy",
    "cross_entropy",
    "export_onnx",
    "export_saved_model",
    "geometric_mean",
    "gradient_penalty",
    "least_squares",
    "load_dataset",
    "per_class_recall",
    "split_table",
]

# Where the modules of the flat layout (0.5.0 and earlier) are now: their
# earlier paths still import (and pickles naming them still load).
_MOVED_MODULES = {
    **{
        f"aos_keras.{name}": f"aos_keras.game.{name}"
        for name in (
            "anchors", "batching", "classifier", "config", "critic",
            "generated_rows", "generator", "head_groups", "losses", "model",
            "nominal_blocks", "players", "sampling", "schedule", "upgrade",
        )
    },
    "aos_keras.model_entry": "aos_keras.game.model",
    "aos_keras.model_compile": "aos_keras.game.model",
    "aos_keras.settings": "aos_keras.game.config",
    "aos_keras.columns": "aos_keras.tables.columns",
    "aos_keras.preprocessing": "aos_keras.tables.preprocessing",
    "aos_keras.reader": "aos_keras.tables.reader",
    "aos_keras.spec_encoder": "aos_keras.tables.spec_encoder",
    "aos_keras.validation": "aos_keras.tables.checks",
    "aos_keras.labels": "aos_keras.tables.labels",
    "aos_keras.io": "aos_keras.saving.io",
    "aos_keras.export": "aos_keras.saving.export",
    "aos_keras.serving_graph": "aos_keras.saving.serving_graph",
    "aos_keras.model_folder": "aos_keras.cli.model_folder",
    "aos_keras.sampler": "aos_keras.sklearn.sampler",
}  # fmt: skip

# The names that `sampler` holds: it needs imbalanced-learn, an optional
# extra, so they are imported on their own first access.
_SAMPLER_NAMES = ("AOSSampler",)
# Deprecated names, still importable (with a `DeprecationWarning`) until a
# later release removes them: name -> the name to use.
_DEPRECATED = {"AdversarialOverSampler": "AOSSampler"}


def _load():
    """Import every public name (and register the Keras classes) now."""
    from aos_keras import _api

    for name in __all__:
        if name not in _SAMPLER_NAMES:
            globals()[name] = getattr(_api, name)


def __getattr__(name):
    if name in _DEPRECATED:
        _warnings.warn(
            f"aos_keras.{name} is deprecated and will be removed in a later "
            f"release: use aos_keras.{_DEPRECATED[name]}, the same class.",
            DeprecationWarning,
            stacklevel=2,
        )
        from aos_keras.sklearn import sampler

        return getattr(sampler, name)
    if name in _SAMPLER_NAMES:
        from aos_keras.sklearn import sampler

        return getattr(sampler, name)
    if name in __all__:
        _load()
        return globals()[name]
    raise AttributeError(f"module 'aos_keras' has no attribute {name!r}")


def __dir__():
    return sorted({*globals(), *__all__})


def _register_once_keras_is_imported():
    """`_load` after the import that brought Keras in has ended.

    Waits for the outermost watched import (Keras, or a module of this
    package that imports it) to end, so that no module of the package is
    half-initialised when `_api` imports them all.
    """
    if "keras" in _sys.modules:
        _KERAS_HOOK.remove()
        _load()


_KERAS_HOOK = _LoaderHook(
    lambda name: name == "keras" or name.startswith("aos_keras."),
    after=_register_once_keras_is_imported,
)
# No backend installed (the extras `tensorflow`, `jax`, `torch`): the first
# `import keras` fails with one message that says what to install.
_BACKEND_HOOK = _LoaderHook(
    lambda name: name == "keras",
    around=lambda name: _explained_import(),
)
_ModuleAliases(_MOVED_MODULES).install()
if "keras" in _sys.modules:
    _load()
else:
    _KERAS_HOOK.install()
    _BACKEND_HOOK.install()
