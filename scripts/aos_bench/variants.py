"""The study-only variants of AO and DO, registered as methods.

Importing this module registers each preset of `STUDY_PRESETS` with
`aos_keras.baselines.register_preset` (the same registration again is a
no-op), so that `make_method`, `compare` and the Table 2 grid accept their
names. They are ablations of the studies in `docs/research/`, not methods
we recommend, so they are not in `aos_keras.baselines.METHODS`. Every one
is at the game's revision (`GAME_REVISION`), as when they were subclasses,
so the run caches keep their keys.
"""

import functools

from aos_keras.baselines import (
    SHARP_TEMPERATURE,
    BalancedRandomForestMethod,
    GeneratorBaggedHGBMethod,
    GeneratorToppedForestMethod,
    ProbabilityAverageMethod,
    method_spec,
    register_method,
    register_preset,
)

# 0.5.0's `mode="do"` fills half the gap with logit adjustment (DO-T0.1-LA);
# the DO variants below fix the full balance without it they were run with.
FULL_BALANCE = {"sampling_strategy": "auto", "q_logit_adjustment": 0.0}
# name: (mode, GameConfig settings fixed by the preset, what it is)
STUDY_PRESETS = {
    "DO-complement": (
        "do",
        {
            "q_fake_loss": "complement",
            "generator_temperature": 1.0,
            **FULL_BALANCE,
        },
        "DO with Q's complement cross-entropy on generated rows (the "
        "paper's literal DO)",
    ),
    "AO-T0.1": (
        "ao",
        {"generator_temperature": SHARP_TEMPERATURE},
        "AO with generator heads at softmax temperature 0.1",
    ),
    "DO-T0.1-D25": (
        "do",
        {
            "generator_temperature": SHARP_TEMPERATURE,
            "oversampling_start": 0.25,
            **FULL_BALANCE,
        },
        "DO-T0.1 with Q seeing generated rows after 25% of the epochs "
        "(deferred oversampling, LDAM-DRW)",
    ),
    "DO-T0.1-hard": (
        "do",
        {
            "generator_temperature": SHARP_TEMPERATURE,
            "nominal_output": "hard",
            **FULL_BALANCE,
        },
        "DO-T0.1 with hard nominal blocks in generated rows",
    ),
    "AO-fresh": (
        "ao",
        {"q_generated_rows": "fresh", "generator_temperature": 1.0},
        "AO with Q training on a fresh generator pass (the paper's step)",
    ),
    "DO-fresh": (
        "do",
        {
            "q_generated_rows": "fresh",
            "generator_temperature": 1.0,
            **FULL_BALANCE,
        },
        "DO with Q training on a fresh generator pass (the paper's step)",
    ),
}
# Issue 25's round (docs/research/round5_protocol.md): the ratio below full
# balance, and the trained DO-T0.1 beside or inside gradient boosting
# (name: (class, the keyword that takes the game's preset)).
ROUND5_PRESETS = {
    "DO-T0.1-S0.5": (
        "do",
        {
            "generator_temperature": SHARP_TEMPERATURE,
            "sampling_strategy": 0.5,
            "q_logit_adjustment": 0.0,
        },
        "DO-T0.1 filling half the gap to the largest class with generated "
        "rows, no logit adjustment (issue 25's round)",
    ),
}
ROUND5_BLENDS = {
    "DO-T0.1/HGB": (ProbabilityAverageMethod, "neural"),
    "DO-T0.1+UB-HGB": (GeneratorBaggedHGBMethod, "sampler"),
}

# Issue 33's round (docs/research/round6_protocol.md): the default game
# (DO-T0.1-LA) beside or inside BRF, and the control of the average (LA-CE
# beside BRF): name -> (the member's preset, class, its keyword, options).
BRF_AVERAGE = functools.partial(
    ProbabilityAverageMethod, trees=BalancedRandomForestMethod
)
ROUND6_BLENDS = {
    "DO-T0.1-LA/BRF": ("DO-T0.1-LA", BRF_AVERAGE, "neural"),
    "LA-CE/BRF": ("LA-CE", BRF_AVERAGE, "neural"),
    "DO-T0.1-LA+BRF": ("DO-T0.1-LA", GeneratorToppedForestMethod, "sampler"),
}

STUDY_VARIANTS = tuple(STUDY_PRESETS)
ROUND5_VARIANTS = tuple(ROUND5_PRESETS) + tuple(ROUND5_BLENDS)
ROUND6_VARIANTS = tuple(ROUND6_BLENDS)


def register():
    """Register every study variant (again: a no-op); return their names."""
    for name, (mode, settings, doc) in {
        **STUDY_PRESETS,
        **ROUND5_PRESETS,
    }.items():
        register_preset(name, mode=mode, settings=settings, doc=doc)
    game = method_spec("DO-T0.1")
    for name, (cls, role) in ROUND5_BLENDS.items():
        register_method(
            name,
            functools.partial(cls, name=name, **{role: game}),
            revision=game.revision,
            options=game.options,
        )
    for name, (member, cls, role) in ROUND6_BLENDS.items():
        spec = method_spec(member)
        register_method(
            name,
            functools.partial(cls, name=name, **{role: spec}),
            revision=spec.revision,
            options=spec.options | {"patience"},
        )
    return STUDY_VARIANTS + ROUND5_VARIANTS + ROUND6_VARIANTS


register()
