"""Every method of the benchmark behind one interface.

`make_method(name, num_classes=..., num_features=...)` returns an object
with `fit(x, y, epochs=...)`, `predict_proba(x)`, `classifier` (the
`aos_keras.Classifier` that is scored), `model` (the Keras model that `fit`
trained) and `name`. Every method trains the same classifier network with
the same epochs, batch size and optimizer (Adam(2e-4, beta_1=0.5), one per
player). A method that cannot run on the given data raises
`MethodNotApplicable` from `fit`; the benchmark reports NA with its message.

Example:
>>> from aos_keras.baselines import METHODS, make_method
>>> for name in METHODS:
...     method = make_method(name, num_classes=3, num_features=8, seed=0)
...     method.fit(x_train, y_train, epochs=100, batch_size=32)
...     proba = method.predict_proba(x_test)
"""

from aos_keras.baselines.base import (
    ClassifierMethod,
    Method,
    MethodNotApplicable,
)
from aos_keras.baselines.cot import ComplementObjectiveTraining, COTMethod
from aos_keras.baselines.gamo import GAMO, GAMOMethod
from aos_keras.baselines.losses import (
    ClassWeightedMethod,
    FocalMethod,
    LogitAdjustedCrossEntropy,
    LogitAdjustedMethod,
    logit_adjusted_cross_entropy,
)
from aos_keras.baselines.oversampler import (
    AdversarialMethod,
    ComplementDOMethod,
    FreshRowsAOMethod,
    FreshRowsDOMethod,
    OversamplerMethod,
    SharpAOMethod,
    SharpDODeferredMethod,
    SharpDOHardMethod,
    SharpDOLogitAdjustedMethod,
    SharpDOMethod,
)
from aos_keras.baselines.resampling import (
    ADASYNMethod,
    BorderlineSMOTEMethod,
    ResampledMethod,
    SMOTEMethod,
)
from aos_keras.players import BETA_1, CLASSIFIER_UNITS, LEARNING_RATE

_REGISTRY = {
    cls.name: cls
    for cls in (
        ClassifierMethod,
        ResampledMethod,
        COTMethod,
        SMOTEMethod,
        BorderlineSMOTEMethod,
        ADASYNMethod,
        GAMOMethod,
        ClassWeightedMethod,
        FocalMethod,
        LogitAdjustedMethod,
        AdversarialMethod,
        OversamplerMethod,
        ComplementDOMethod,
        SharpAOMethod,
        SharpDOMethod,
        SharpDOLogitAdjustedMethod,
        SharpDODeferredMethod,
        SharpDOHardMethod,
        FreshRowsAOMethod,
        FreshRowsDOMethod,
    )
}
METHODS = tuple(_REGISTRY)
# Every option some method reads; `make_method` refuses any other name.
OPTIONS = frozenset().union(*(m.accepted_options() for m in _REGISTRY.values()))


def make_method(
    name,
    *,
    num_classes,
    num_features,
    seed=None,
    classifier_units=CLASSIFIER_UNITS,
    learning_rate=LEARNING_RATE,
    beta_1=BETA_1,
    **options,
):
    """Build a benchmark method by name.

    Args:
        name: str. One of `METHODS`: `"Q"`, `"RO+Q"`, `"COT"`, `"SMOTE+Q"`,
            `"B-SMOTE+Q"`, `"ADASYN+Q"`, `"GAMO"`, `"CW-CE"`, `"Focal"`,
            `"LA-CE"`, `"AO"`, `"DO"`, and the ablations `"DO-complement"`
            (`q_fake_loss="complement"`), `"AO-T0.1"` and `"DO-T0.1"`
            (generator heads at softmax temperature 0.1), and the variants
            of the development-suite study `"DO-T0.1-LA"` and
            `"DO-T0.1-D25"` (see `docs/research/`), `"DO-T0.1-hard"`
            (hard nominal blocks in generated rows), and `"AO-fresh"`,
            `"DO-fresh"` (`q_generated_rows="fresh"`, the paper's step: Q
            trains on a generator pass of its own, one more per step than
            the default).
        num_classes: int. Number of classes `C`; labels are `0..C-1`.
        num_features: int. Number of features `d`.
        seed: int or None. Seed of `keras.utils.set_random_seed` (called at
            the start of `fit`) and of samplers. Defaults to `None`.
        classifier_units: tuple of int. Hidden widths of Q. Defaults to
            `(256, 128, 64)`.
        learning_rate: float. Adam's learning rate, every player. Defaults
            to `2e-4`.
        beta_1: float. Adam's `beta_1`, every player. Defaults to `0.5`.
        **options: method options (`OPTIONS`: `max_anchors`, the
            `GameConfig` settings, `tau`, `focal_gamma`, `jit_compile`,
            ...); a method ignores the options of other methods, so one
            set can be passed to all.

    Returns:
        A `Method`.

    Raises:
        ValueError: an unknown method, or an option no method reads (the
            message lists the valid ones).
    """
    if name not in _REGISTRY:
        raise ValueError(f"Unknown method {name!r}; use one of {METHODS}.")
    unknown = sorted(set(options) - OPTIONS)
    if unknown:
        raise ValueError(
            f"Unknown option(s) {unknown}: no method reads them. Valid "
            f"options: {sorted(OPTIONS)}."
        )
    return _REGISTRY[name](
        num_classes=num_classes,
        num_features=num_features,
        seed=seed,
        classifier_units=classifier_units,
        learning_rate=learning_rate,
        beta_1=beta_1,
        **options,
    )


def method_revision(name):
    """The revision of a method's behaviour (`Method.revision`).

    Args:
        name: str. A name of `METHODS` or of `aos_keras.references`
            (a reference built on a game method, such as `"DO-T0.1+HGB"`,
            has the revision of its sampler); any other name has 0.

    Returns:
        int.

    Example:
    >>> method_revision("DO"), method_revision("SMOTE+Q")
    (2, 0)
    """
    from aos_keras.references import SAMPLERS

    klass = _REGISTRY.get(SAMPLERS.get(name, name))
    return 0 if klass is None else klass.revision


__all__ = [
    "method_revision",
    "GAMO",
    "METHODS",
    "OPTIONS",
    "ComplementObjectiveTraining",
    "LogitAdjustedCrossEntropy",
    "Method",
    "MethodNotApplicable",
    "logit_adjusted_cross_entropy",
    "make_method",
]
