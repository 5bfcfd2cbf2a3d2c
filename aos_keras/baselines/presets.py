"""AO, DO and the variants we recommend: presets of the game, as data.

A preset is a name, a schedule (`mode`), fixed `GameConfig` settings, a
line of documentation and a revision. `aos_keras.baselines.register_preset`
adds one (the studies under `scripts/` register their variants this way);
the presets below are the public ones, in `METHODS`.
"""

import dataclasses
import types

from aos_keras.game.config import DO_SETTINGS, PAPER_SETTINGS, SHARP_TEMPERATURE

# SHARP_TEMPERATURE, the ablation's temperature, was fixed before any
# training run: at 0.1 a fresh generator's rows mix about 2 to 4 anchors on
# the minority classes of the benchmark datasets (like SMOTE's interpolation
# of two rows), against tens to hundreds at 1 (docs/results/generator_init.md).
# 1: version 0.2 trains Q on the critic's generated rows by default
# (`q_generated_rows="critic"`, docs/research/shared_rows.md). 2: 0.3 draws
# the generator's heads in one random draw (same distribution, other
# values).
GAME_REVISION = 2
MODES = ("ao", "do")


@dataclasses.dataclass(frozen=True)
class Preset:
    """A preset of `aos_keras.AdversarialOversampler` run as a method.

    Attributes:
        name: str. The method's name (`make_method`, `compare`).
        mode: str. `"ao"` or `"do"`.
        settings: mapping. `GameConfig` settings the preset fixes (an
            option that contradicts one is refused).
        doc: str. One line: what the preset is.
        revision: int. Bumped when the preset's results change under the
            same name and options; part of `compare`'s cache key.
    """

    name: str
    mode: str
    settings: types.MappingProxyType = dataclasses.field(
        default_factory=lambda: types.MappingProxyType({})
    )
    doc: str = ""
    revision: int = GAME_REVISION

    def __post_init__(self):
        if self.mode not in MODES:
            raise ValueError(
                f"Preset {self.name!r}: `mode` must be one of {MODES}; got "
                f"{self.mode!r}."
            )
        settings = types.MappingProxyType(dict(self.settings))
        object.__setattr__(self, "settings", settings)

    def __reduce__(self):  # a mappingproxy does not pickle; a dict does
        fields = (self.name, self.mode, dict(self.settings), self.doc)
        return (type(self), (*fields, self.revision))


# The paper's softmax, its full balance and no logit adjustment. "AO",
# "DO" and "DO-T0.1" fix them, so that these names keep their methods (and
# the results cached under their names) whatever `mode` defaults to.
PAPER_TEMPERATURE = PAPER_SETTINGS["generator_temperature"]
FULL_BALANCE = {
    "sampling_strategy": PAPER_SETTINGS["sampling_strategy"],
    "q_logit_adjustment": PAPER_SETTINGS["q_logit_adjustment"],
}

PRESETS = (
    Preset(
        "AO",
        "ao",
        {"generator_temperature": PAPER_TEMPERATURE, **FULL_BALANCE},
        "adversarial oversampling: the paper's AO (temperature 1)",
    ),
    Preset(
        "DO",
        "do",
        {"generator_temperature": PAPER_TEMPERATURE, **FULL_BALANCE},
        "data-space oversampling: the paper's DO (temperature 1)",
    ),
    Preset(
        "DO-T0.1",
        "do",
        {"generator_temperature": SHARP_TEMPERATURE, **FULL_BALANCE},
        "DO with generator heads at softmax temperature 0.1, full balance "
        "and no logit adjustment",
    ),
    Preset(
        "DO-T0.1-LA",
        "do",
        dict(DO_SETTINGS),
        "DO-T0.1 growing every class up to half the largest class with "
        "generated rows, logit adjustment (Menon et al., ICLR 2021) for "
        "the rest: `AdversarialOversampler(mode='do')`'s settings",
    ),
)
