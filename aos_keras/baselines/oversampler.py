"""AO, DO and their ablations: presets of `aos_keras.AdversarialOversampler`."""

from aos_keras.baselines.base import Method
from aos_keras.model import AdversarialOversampler
from aos_keras.training import build_game

# Arguments of `AdversarialOversampler.from_data` a benchmark may pass as
# options, besides the settings (`GameConfig` fields) the preset leaves.
_MODEL_OPTIONS = ("max_anchors", "nominal_blocks", "encoder")
_FIXED = ("mode", "classifier_units")


class OversamplerMethod(Method):
    """DO: data-space oversampling (`AdversarialOversampler`, `mode="do"`).

    Built with `AdversarialOversampler.from_data(x, y, mode=..., seed=seed,
    max_anchors=...)` and compiled with one Adam(learning_rate, beta_1) per
    player (the model's default compile). Every setting of
    `aos_keras.GameConfig` but `mode` and `classifier_units` (arguments of
    the method itself) is an option, passed through unless the preset
    fixes it.

    Args:
        See `Method`. Options: `max_anchors`, `nominal_blocks`, `encoder`
        and the `GameConfig` settings above.

    References:
        Adversarial oversampling for multi-class imbalanced data
        classification (the paper in `shared/paper`).
    """

    name = "DO"
    needs_every_class = True
    # 1: version 0.2 trains Q on the critic's generated rows by default
    # (`q_generated_rows="critic"`, docs/research/shared_rows.md). 2: 0.3
    # draws the generator's heads in one random draw (same distribution,
    # other values).
    revision = 2
    mode = "do"
    preset = {}
    model_class = AdversarialOversampler
    OPTIONS = (
        *_MODEL_OPTIONS,
        *(
            f
            for f in AdversarialOversampler.config_class.field_names()
            if f not in _FIXED
        ),
    )

    def _fit(self, x, y, counts, validation_data, **fit_kwargs):
        accepted = self.accepted_options() - {"jit_compile"}
        options = {k: v for k, v in self.options.items() if k in accepted}
        options.update(self.preset)
        max_anchors = options.pop("max_anchors", None)
        model = build_game(
            x,
            y,
            settings={
                "mode": self.mode,
                "classifier_units": self.classifier_units,
                **options,
            },
            max_anchors=max_anchors,
            seed=self.seed,
            compile_kwargs={
                "g_optimizer": self._optimizer(),
                "d_optimizer": self._optimizer(),
                "q_optimizer": self._optimizer(),
                **self._compile_kwargs(),
            },
            model_class=self.model_class,
        )
        self._model = model
        model.fit(x, y, validation_data=validation_data, **fit_kwargs)


class AdversarialMethod(OversamplerMethod):
    """AO: adversarial oversampling (`mode="ao"`)."""

    name = "AO"
    mode = "ao"


class ComplementDOMethod(OversamplerMethod):
    """DO-complement: DO with `q_fake_loss="complement"`.

    The literal reading of the paper's DO: Q learns that generated rows of
    class c are "not class c" (complement cross-entropy).
    """

    name = "DO-complement"
    preset = {"q_fake_loss": "complement"}


# The ablation's temperature, fixed before any training run: at 0.1 a fresh
# generator's rows mix about 2 to 4 anchors on the minority classes of the
# benchmark datasets (like SMOTE's interpolation of two rows), against tens
# to hundreds at the default 1 (docs/results/generator_init.md).
SHARP_TEMPERATURE = 0.1


class SharpAOMethod(AdversarialMethod):
    """AO-T0.1: AO with generator heads at softmax temperature 0.1."""

    name = "AO-T0.1"
    preset = {"generator_temperature": SHARP_TEMPERATURE}


class SharpDOMethod(OversamplerMethod):
    """DO-T0.1: DO with generator heads at softmax temperature 0.1."""

    name = "DO-T0.1"
    preset = {"generator_temperature": SHARP_TEMPERATURE}


# Variants of the game studied on the development suite
# (docs/research/protocol.md); each is a fixed setting of the model.
class SharpDOLogitAdjustedMethod(OversamplerMethod):
    """DO-T0.1-LA: DO-T0.1 filling half the gap, logit adjustment the rest.

    `sampling_strategy=0.5` (each class grows to at least half the largest
    class with generated rows) and `q_logit_adjustment=1.0`: Q's loss is
    logit-adjusted with the class prior it sees after that partial
    oversampling (Menon et al., ICLR 2021).
    """

    name = "DO-T0.1-LA"
    preset = {
        "generator_temperature": SHARP_TEMPERATURE,
        "sampling_strategy": 0.5,
        "q_logit_adjustment": 1.0,
    }


class SharpDODeferredMethod(OversamplerMethod):
    """DO-T0.1-D25: DO-T0.1 with Q seeing generated rows after 25% of epochs.

    Deferred oversampling (`oversampling_start=0.25`), after the deferred
    re-balancing of Cao et al. (LDAM-DRW, NeurIPS 2019): Q first learns a
    representation from real rows while G and D train.
    """

    name = "DO-T0.1-D25"
    preset = {
        "generator_temperature": SHARP_TEMPERATURE,
        "oversampling_start": 0.25,
    }


class SharpDOHardMethod(OversamplerMethod):
    """DO-T0.1-hard: DO-T0.1 with hard nominal blocks in generated rows.

    `nominal_output="hard"`: each nominal block of a generated row is the
    one-hot of the anchors' largest vote (straight-through gradient), so D
    and Q see rows with one category per nominal column, as real rows have.
    On numeric tables it is DO-T0.1.
    """

    name = "DO-T0.1-hard"
    preset = {
        "generator_temperature": SHARP_TEMPERATURE,
        "nominal_output": "hard",
    }


# The paper's step (issue 14): Q trains on a fresh generator pass made after
# G's update. Until version 0.2 this was AO and DO themselves; the shared-rows
# study (docs/research/shared_rows.md) made the critic's rows the default.
class FreshRowsAOMethod(AdversarialMethod):
    """AO-fresh: AO with `q_generated_rows="fresh"` (the paper's step)."""

    name = "AO-fresh"
    preset = {"q_generated_rows": "fresh"}


class FreshRowsDOMethod(OversamplerMethod):
    """DO-fresh: DO with `q_generated_rows="fresh"` (the paper's step)."""

    name = "DO-fresh"
    preset = {"q_generated_rows": "fresh"}
