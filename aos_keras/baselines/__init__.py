"""Every method of the benchmark behind one interface, registered by name.

`make_method(name, num_classes=..., num_features=...)` returns an object
with `fit(x, y, epochs=...)`, `predict_proba(x)`, `logits(x)`,
`classifier` (what is scored), `model` (what `fit` trained) and `name`.
Every neural method trains the same classifier network with the same
epochs, batch size and optimizer (Adam(2e-4, beta_1=0.5), one per player).
A method that cannot run on the given data raises `MethodNotApplicable`
from `fit`; `compare` reports NA with its message.

`METHODS` is the public list: the methods we recommend (the game's presets
AO, DO, DO-T0.1, DO-T0.1-LA) and the baselines. A study registers its own
variants with `register_preset` (a preset of the game) or
`register_method` (a `Method` subclass); they then run by name in
`make_method` and `compare` like the others.

Example:
>>> from aos_keras.baselines import METHODS, make_method, register_preset
>>> register_preset("DO-fresh", mode="do",
...                 settings={"q_generated_rows": "fresh"})
>>> for name in METHODS + ("DO-fresh",):
...     method = make_method(name, num_classes=3, num_features=8, seed=0)
...     method.fit(x_train, y_train, epochs=100, batch_size=32)
...     proba = method.predict_proba(x_test)
"""

import functools

from aos_keras.baselines.base import (
    ClassifierMethod,
    Method,
    MethodNotApplicable,
)
from aos_keras.baselines.blends import (
    BestEpoch,
    GeneratorBaggedHGBMethod,
    GeneratorToppedForestMethod,
    ProbabilityAverageMethod,
    TopUpBaggedHGB,
    TopUpBalancedForest,
)
from aos_keras.baselines.cot import ComplementObjectiveTraining, COTMethod
from aos_keras.baselines.ensembles import (
    BalancedRandomForestMethod,
    EasyEnsembleMethod,
    UnderBaggedHGB,
    UnderBaggedHGBMethod,
)
from aos_keras.baselines.gamo import GAMO, GAMOMethod
from aos_keras.baselines.losses import (
    ClassWeightedMethod,
    FocalMethod,
    LogitAdjustedCrossEntropy,
    LogitAdjustedMethod,
    logit_adjusted_cross_entropy,
)
from aos_keras.baselines.oversampler import OversamplerMethod
from aos_keras.baselines.peers import register_peers
from aos_keras.baselines.presets import PRESETS, SHARP_TEMPERATURE, Preset
from aos_keras.baselines.registry import (
    MethodSpec,
    accepted_options,
    available_methods,
    make_method,
    method_revision,
    method_spec,
    register_method,
    register_preset,
)
from aos_keras.baselines.resampling import (
    ADASYNMethod,
    BorderlineSMOTEMethod,
    ResampledMethod,
    SMOTEMethod,
)
from aos_keras.baselines.trees import (
    HistGradientBoostingMethod,
    LogisticRegressionMethod,
    OversampledHGBMethod,
    UnweightedHGBMethod,
)

for _cls in (
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
):
    register_method(_cls.name, _cls)
for _preset in PRESETS:
    register_preset(
        _preset.name,
        mode=_preset.mode,
        settings=dict(_preset.settings),
        doc=_preset.doc,
        revision=_preset.revision,
    )
register_method("LR", LogisticRegressionMethod)
register_method("HGB", HistGradientBoostingMethod)
register_method("HGB-plain", UnweightedHGBMethod)
# A two-stage method has its sampler's revision and reads its options.
for _name, _sampler in (("SMOTE+HGB", "SMOTE+Q"), ("DO-T0.1+HGB", "DO-T0.1")):
    _spec = method_spec(_sampler)
    register_method(
        _name,
        functools.partial(OversampledHGBMethod, name=_name, sampler=_spec),
        revision=_spec.revision,
        options=_spec.options | {"patience"},
    )
# The undersampling ensembles of imbalanced-learn (CLIMB's strongest).
for _cls in (
    BalancedRandomForestMethod,
    UnderBaggedHGBMethod,
    EasyEnsembleMethod,
):
    register_method(_cls.name, _cls)
# A neural method and HGB, their probabilities averaged (a baseline).
_spec = method_spec("LA-CE")
register_method(
    "LA-CE/HGB",
    functools.partial(ProbabilityAverageMethod, name="LA-CE/HGB", neural=_spec),
    revision=_spec.revision,
    options=_spec.options | ProbabilityAverageMethod.accepted_options(),
)

# The public list (compare's default): what a later registration adds is
# in `available_methods()`, not here.
METHODS = available_methods()
# Every option some method of `METHODS` reads; `make_method` refuses any
# option no registered method reads.
OPTIONS = accepted_options()
# The game's generative peers (CTGAN, TVAE) need the `peers` extra: they
# run by name, outside the default list.
register_peers()

__all__ = [
    "GAMO",
    "METHODS",
    "OPTIONS",
    "PRESETS",
    "SHARP_TEMPERATURE",
    "BestEpoch",
    "GeneratorBaggedHGBMethod",
    "GeneratorToppedForestMethod",
    "ProbabilityAverageMethod",
    "TopUpBaggedHGB",
    "TopUpBalancedForest",
    "UnderBaggedHGB",
    "ComplementObjectiveTraining",
    "LogitAdjustedCrossEntropy",
    "Method",
    "MethodNotApplicable",
    "MethodSpec",
    "OversamplerMethod",
    "Preset",
    "available_methods",
    "logit_adjusted_cross_entropy",
    "make_method",
    "method_revision",
    "method_spec",
    "register_method",
    "register_peers",
    "register_preset",
]
