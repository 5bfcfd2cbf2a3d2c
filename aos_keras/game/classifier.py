"""The classifier Q, the network every method in the benchmark trains."""

import keras

from aos_keras.backend import call_layer
from aos_keras.game.config import GameConfig


@keras.saving.register_keras_serializable(package="aos_keras")
class Classifier(keras.Model):
    """A multi-layer perceptron returning class logits.

    The paper's 4-layer Q: Dense(256), Dense(128), Dense(64), each followed by
    LeakyReLU(0.1), then Dense(C).

    Args:
        num_classes: int. Number of classes `C`.
        num_features: int. Number of features `d`.
        hidden_units: tuple of int. Widths of the hidden layers. Defaults to
            `GameConfig.classifier_units`.
        negative_slope: float. LeakyReLU slope. Defaults to `0.1`.
        **kwargs: forwarded to `keras.Model`.

    Example:
    >>> q = Classifier(num_classes=3, num_features=5)
    >>> tuple(q(keras.ops.zeros((2, 5))).shape)
    (2, 3)
    """

    def __init__(
        self,
        num_classes,
        num_features,
        hidden_units=GameConfig.classifier_units,
        negative_slope=0.1,
        name="classifier",
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
        self.logits = keras.layers.Dense(self.num_classes, name="logits")
        self.build()

    def build(self, input_shape=None):
        if self.built:
            return
        shape = (None, self.num_features)
        for layer in self.hidden:
            layer.build(shape)
            shape = layer.compute_output_shape(shape)
        self.logits.build(shape)
        self.built = True

    def call(self, x):
        """Class logits `(n, C)` of rows `x` `(n, d)`."""
        h = x
        for layer in self.hidden:
            h = call_layer(self.act, call_layer(layer, h))
        return call_layer(self.logits, h)

    def get_config(self):
        config = super().get_config()
        config.update(
            num_classes=self.num_classes,
            num_features=self.num_features,
            hidden_units=list(self.hidden_units),
            negative_slope=self.negative_slope,
        )
        return config
