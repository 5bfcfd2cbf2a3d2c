"""The class-conditional critic D."""

import keras
from keras import ops

from aos_keras.backend import call_layer
from aos_keras.game.config import GameConfig


@keras.saving.register_keras_serializable(package="aos_keras")
class Critic(keras.Model):
    """Class-conditional critic `D(x, c)`: an MLP on `concat(x, onehot(c))`.

    No batch normalisation, so the gradient penalty applies per row. The
    output is an unbounded score (WGAN) or a logit (vanilla GAN).

    Args:
        num_classes: int. Number of classes `C`.
        num_features: int. Number of features `d`.
        hidden_units: tuple of int. Widths of the hidden layers. `()` gives a
            linear critic. Defaults to `(256, 128)`.
        negative_slope: float. LeakyReLU slope. Defaults to `0.2`.
        **kwargs: forwarded to `keras.Model`.

    Example:
    >>> d = Critic(num_classes=2, num_features=3)
    >>> tuple(d(ops.zeros((4, 3)), ops.zeros((4,), "int32")).shape)
    (4,)
    """

    def __init__(
        self,
        num_classes,
        num_features,
        hidden_units=GameConfig.critic_units,
        negative_slope=0.2,
        name="critic",
        **kwargs,
    ):
        super().__init__(name=name, **kwargs)
        self.num_classes = int(num_classes)
        self.num_features = int(num_features)
        self.hidden_units = tuple(int(u) for u in hidden_units)
        self.negative_slope = float(negative_slope)
        self.hidden = [
            keras.layers.Dense(units, name=f"dense_{i}")
            for i, units in enumerate(self.hidden_units)
        ]
        self.act = keras.layers.LeakyReLU(self.negative_slope)
        self.score = keras.layers.Dense(1, name="score")
        self.build()

    def build(self, input_shape=None):
        if self.built:
            return
        shape = (None, self.num_features + self.num_classes)
        for layer in self.hidden:
            layer.build(shape)
            shape = layer.compute_output_shape(shape)
        self.score.build(shape)
        self.built = True

    def call(self, x, class_ids):
        """Score rows.

        Args:
            x: float tensor `(n, d)`.
            class_ids: int tensor `(n,)`, the class each row is judged as.

        Returns:
            float tensor `(n,)`.
        """
        onehot = ops.one_hot(
            ops.cast(ops.reshape(class_ids, (-1,)), "int32"),
            self.num_classes,
            dtype=x.dtype,
        )
        h = ops.concatenate([x, onehot], axis=-1)
        for layer in self.hidden:
            h = call_layer(self.act, call_layer(layer, h))
        return ops.reshape(call_layer(self.score, h), (-1,))

    def get_config(self):
        config = super().get_config()
        config.update(
            num_classes=self.num_classes,
            num_features=self.num_features,
            hidden_units=list(self.hidden_units),
            negative_slope=self.negative_slope,
        )
        return config
