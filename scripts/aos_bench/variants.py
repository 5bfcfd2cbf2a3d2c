"""The study-only variants of AO and DO, registered as methods.

Importing this module registers each preset of `STUDY_PRESETS` with
`aos_keras.baselines.register_preset` (the same registration again is a
no-op), so that `make_method`, `compare` and the Table 2 grid accept their
names. They are ablations of the studies in `docs/research/`, not methods
we recommend, so they are not in `aos_keras.baselines.METHODS`. Every one
is at the game's revision (`GAME_REVISION`), as when they were subclasses,
so the run caches keep their keys.
"""

from aos_keras.baselines import SHARP_TEMPERATURE, register_preset

# name: (mode, GameConfig settings fixed by the preset, what it is)
STUDY_PRESETS = {
    "DO-complement": (
        "do",
        {"q_fake_loss": "complement"},
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
        },
        "DO-T0.1 with Q seeing generated rows after 25% of the epochs "
        "(deferred oversampling, LDAM-DRW)",
    ),
    "DO-T0.1-hard": (
        "do",
        {"generator_temperature": SHARP_TEMPERATURE, "nominal_output": "hard"},
        "DO-T0.1 with hard nominal blocks in generated rows",
    ),
    "AO-fresh": (
        "ao",
        {"q_generated_rows": "fresh"},
        "AO with Q training on a fresh generator pass (the paper's step)",
    ),
    "DO-fresh": (
        "do",
        {"q_generated_rows": "fresh"},
        "DO with Q training on a fresh generator pass (the paper's step)",
    ),
}

STUDY_VARIANTS = tuple(STUDY_PRESETS)


def register():
    """Register every study preset (again: a no-op); return their names."""
    for name, (mode, settings, doc) in STUDY_PRESETS.items():
        register_preset(name, mode=mode, settings=settings, doc=doc)
    return STUDY_VARIANTS


register()
