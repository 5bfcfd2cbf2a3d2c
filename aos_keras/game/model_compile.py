"""`PlayerOptimizers`: compiling a three-player game with one optimizer per
player, and saving and restoring them with the model.

A mixin of `AdversarialOversampler`: `compile(g_optimizer, d_optimizer,
q_optimizer)` holds the three in one `keras.optimizers.MultiOptimizer`
(`MultiPlayerModel.compile_players`); `get_compile_config` and
`compile_from_config` let `model.save` and `keras.saving.load_model` carry
them and their state.
"""

import keras

from aos_keras import backend
from aos_keras.game.players import default_optimizer

# What `get_compile_config` saves besides the three optimizers.
OPTIMIZERS = ("g_optimizer", "d_optimizer", "q_optimizer")
COMPILE_ARGS = ("run_eagerly", "steps_per_execution", "jit_compile")


class PlayerOptimizers:
    """Mixin: one optimizer per player (generator, critic, classifier).

    Needs `generator`, `critic`, `classifier` and `compile_players`.
    """

    def compile(
        self,
        g_optimizer=None,
        d_optimizer=None,
        q_optimizer=None,
        **kwargs,
    ):
        """Configure one optimizer per player.

        Args:
            g_optimizer: optimizer of the generator.
            d_optimizer: optimizer of the critic.
            q_optimizer: optimizer of the classifier.
            **kwargs: forwarded to `keras.Model.compile` (`jit_compile`,
                `steps_per_execution`, ...). `loss`, `optimizer` and
                `metrics` are set by the model.

        All three default to Adam(2e-4, beta_1=0.5). They are held in one
        `keras.optimizers.MultiOptimizer`, `self.optimizer`, so that every
        backend (JAX included) carries their state through `fit`.
        """
        for arg in ("loss", "optimizer", "metrics"):
            if kwargs.pop(arg, None) is not None:
                raise ValueError(
                    f"AdversarialOversampler sets its own `{arg}`; pass "
                    "g_optimizer, d_optimizer and q_optimizer instead."
                )
        if "jit_compile" in kwargs:
            kwargs["jit_compile"] = backend.check_jit_compile(
                kwargs["jit_compile"]
            )
        self.g_optimizer = keras.optimizers.get(
            g_optimizer or default_optimizer()
        )
        self.d_optimizer = keras.optimizers.get(
            d_optimizer or default_optimizer()
        )
        self.q_optimizer = keras.optimizers.get(
            q_optimizer or default_optimizer()
        )
        self.compile_players(
            [
                (self.g_optimizer, self.generator.trainable_variables),
                (self.d_optimizer, self.critic.trainable_variables),
                (self.q_optimizer, self.classifier.trainable_variables),
            ],
            **kwargs,
        )

    def get_compile_config(self):
        """The three optimizers and `compile`'s other arguments, serialised.

        `model.save` stores this; `keras.saving.load_model` passes it to
        `compile_from_config`, then restores the optimizers' state.
        """
        if not self.compiled:
            return {}
        config = {
            key: value
            for key, value in super().get_compile_config().items()
            if key in COMPILE_ARGS
        }
        for name in OPTIMIZERS:
            config[name] = keras.saving.serialize_keras_object(
                getattr(self, name)
            )
        return config

    def compile_from_config(self, config):
        """Compile a loaded model with its saved optimizers.

        Args:
            config: dict from `get_compile_config`.
        """
        config = dict(config)
        for name in OPTIMIZERS:
            if config.get(name) is not None:
                config[name] = keras.saving.deserialize_keras_object(
                    config[name]
                )
        if "jit_compile" in config:
            config["jit_compile"] = backend.check_jit_compile(
                config["jit_compile"], loading=True
            )
        self.compile(**config)


__all__ = ["COMPILE_ARGS", "OPTIMIZERS", "PlayerOptimizers"]
