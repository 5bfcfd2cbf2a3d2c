"""AO, DO and their variants: a `Preset` of `AdversarialOversampler` run."""

from aos_keras.baselines.base import Method
from aos_keras.game.model import AdversarialOversampler
from aos_keras.training import build_game

# Arguments of `AdversarialOversampler.from_data` a benchmark may pass as
# options, besides the settings (`GameConfig` fields) the preset leaves.
_MODEL_OPTIONS = ("max_anchors", "nominal_blocks", "encoder")
_FIXED = ("mode", "classifier_units")


class OversamplerMethod(Method):
    """The game under a `Preset` (AO, DO, DO-T0.1, ...).

    Built with `aos_keras.training.build_game` (the model's
    `from_data`) and compiled with one Adam(learning_rate, beta_1) per
    player. Every setting of `aos_keras.GameConfig` but `mode` and
    `classifier_units` (arguments of the method itself) is an option,
    passed through unless the preset fixes it.

    Args:
        preset: `aos_keras.baselines.Preset`. Name, mode and settings.
        **kwargs: see `Method`. Options: `max_anchors`, `nominal_blocks`,
            `encoder` and the `GameConfig` settings above.

    References:
        Dam, Ferdaus et al., "Does Adversarial Oversampling Help us?",
        CIKM 2021 (ACM International Conference on Information and
        Knowledge Management).
    """

    name = "DO"
    needs_every_class = True
    model_class = AdversarialOversampler
    OPTIONS = (
        *_MODEL_OPTIONS,
        *(
            f
            for f in AdversarialOversampler.config_class.field_names()
            if f not in _FIXED
        ),
    )

    def __init__(self, *, preset, **kwargs):
        super().__init__(**kwargs)
        self.preset = preset
        self.name, self.mode = preset.name, preset.mode
        self.revision = preset.revision
        self._check_fixed_settings()

    def _check_fixed_settings(self):
        """An option that contradicts the preset is an error, not ignored."""
        clash = {
            k: (v, self.options[k])
            for k, v in self.preset.settings.items()
            if k in self.options and self.options[k] != v
        }
        if clash:
            said = ", ".join(
                f"{k}={fixed!r} (got {given!r})"
                for k, (fixed, given) in clash.items()
            )
            what = self.preset.doc or "a preset"
            raise ValueError(
                f"{self.name} fixes {said}: it is {what}."
                " Run the preset that has the setting you want (e.g. 'DO' for "
                "temperature 1, 'DO-T0.1' for 0.1, 'DO-T0.1-LA' for half the "
                "gap with logit adjustment) or register your own with "
                "aos_keras.baselines.register_preset."
            )

    def _fit(self, x, y, counts, validation_data, **fit_kwargs):
        model = build_game(
            x,
            y,
            settings=self._settings(),
            max_anchors=self.options.get("max_anchors"),
            seed=self.seed,
            compile_kwargs=self._game_compile_kwargs(),
            model_class=self.model_class,
        )
        self._model = model
        model.fit(x, y, validation_data=validation_data, **fit_kwargs)

    def _settings(self):
        """The game's settings: options, then the preset's, mode, units."""
        accepted = self.accepted_options() - {"jit_compile", "max_anchors"}
        options = {k: v for k, v in self.options.items() if k in accepted}
        options.update(self.preset.settings)
        return {
            "mode": self.mode,
            "classifier_units": self.classifier_units,
            **options,
        }

    def _game_compile_kwargs(self):
        return {
            "g_optimizer": self._optimizer(),
            "d_optimizer": self._optimizer(),
            "q_optimizer": self._optimizer(),
            **self._compile_kwargs(),
        }
