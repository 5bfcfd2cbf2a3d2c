"""GAMO's reference training loop, re-expressed with Keras 3 models.

Why this exists beside `aos_keras.baselines.gamo.GAMO`: the package's GAMO
is one Keras model whose `train_step` plays the three players in one
compiled step, so it measures the cost of the game itself. GAMO's reference
code trains differently: one compiled model per player and update, each
called with `train_on_batch`, and the generated rows made on the host with
`predict`, five host round trips per step. `scripts/bench_speed.py` times
this loop ("GAMO-loop") to show what that structure costs against the
fused step; the package's `GAMO` cannot measure it.
"""

import math
import time

import keras
import numpy as np
from keras import ops

from aos_keras.game.anchors import select_anchors
from aos_keras.game.classifier import Classifier
from aos_keras.game.critic import Critic
from aos_keras.game.generator import CWIGenerator


class GAMOLoop:
    """GAMO's training loop: a compiled Keras model per player and update.

    Per step: `G.predict`, `Q.train_on_batch` (real + generated rows),
    `D.train_on_batch` (real rows), `D.train_on_batch` (generated rows) and
    `GDQ.train_on_batch` (G through frozen D and Q), least-squares losses.
    D and Q are frozen (`trainable = False`) while the combined model `GDQ`
    trains G through them and unfrozen for their own updates, as GAMO
    does; each model always sees the same frozen state, so its compiled
    function stays valid. The generator makes rows of the minority classes
    only (GAMO), `rows` per class and step (`ceil(B / K)`); their anchors
    are `aos_keras.game.anchors.select_anchors`'s.

    Args:
        x: float32 array `(N, d)`.
        y: int array `(N,)`, classes `0..C-1`.
        batch_size: int. Real rows per step.
        max_anchors: int or None. Cap on anchors per class.
        seed: int. Seed of the anchors, the noise and the batch order.
    """

    def __init__(self, x, y, batch_size, max_anchors=None, seed=0):
        counts = np.bincount(y)
        self.num_classes = c = len(counts)
        self.classes = tuple(
            int(k) for k in np.flatnonzero(counts < counts.max())
        )
        self.rows = math.ceil(batch_size / len(self.classes))
        self.batch_size = batch_size
        self.latent_dim = 100
        self.rng = np.random.default_rng(seed)
        anchors = select_anchors(
            x, y, c, max_anchors=max_anchors, seed=seed, classes=self.classes
        )
        self.generator = CWIGenerator(
            [len(a) for a in anchors], x.shape[1], self.latent_dim
        )
        self.generator.set_anchors(anchors)
        self.critic = Critic(c, x.shape[1])
        self.classifier = Classifier(c, x.shape[1])
        self.anchor_counts = self.generator.anchor_counts
        k, r, latent = len(self.classes), self.rows, self.latent_dim
        classes, gen = self.classes, self.generator
        ids = np.repeat(np.asarray(classes, "int32"), r)
        self.fake_ids = ids
        critic, classifier = self.critic, self.classifier

        def generate(model, z, training):
            z = ops.reshape(z, (k, r, latent))
            rows = model.gen(z, class_ids=classes, training=training)
            return ops.reshape(rows, (k * r, -1))

        class G(keras.Model):
            def __init__(self):
                super().__init__()
                self.gen = gen

            def call(self, z, training=None):
                return generate(self, z, training)

        class D(keras.Model):
            def __init__(self):
                super().__init__()
                self.critic = critic

            def call(self, inputs):
                rows, labels = inputs
                return ops.sigmoid(self.critic(rows, labels))[:, None]

        class Q(keras.Model):
            def __init__(self):
                super().__init__()
                self.classifier = classifier

            def call(self, rows):
                return ops.softmax(self.classifier(rows), axis=-1)

        class GDQ(keras.Model):
            def __init__(self):
                super().__init__()
                self.gen, self.critic = gen, critic
                self.classifier = classifier

            def call(self, z, training=None):
                rows = generate(self, z, training)
                judged = ops.sigmoid(self.critic(rows, ids))[:, None]
                return judged, ops.softmax(self.classifier(rows), axis=-1)

        def adam():
            return keras.optimizers.Adam(2e-4, beta_1=0.5)

        self.g, self.d, self.q, self.gdq = G(), D(), Q(), GDQ()
        self.d.compile(adam(), "mse")
        self.q.compile(adam(), "mse")
        self.gdq.compile(adam(), ["mse", "mse"])
        self.eye = np.eye(c, dtype="float32")

    def _freeze(self, frozen):
        self.critic.trainable = not frozen
        self.classifier.trainable = not frozen

    def step(self, x, y):
        """One training step on a batch of real rows.

        Args:
            x: float32 array `(B, d)`.
            y: int array `(B,)`.
        """
        n = len(self.fake_ids)
        z = self.rng.normal(size=(n, self.latent_dim)).astype("float32")
        fake = self.g.predict(z, batch_size=n, verbose=0)
        self._freeze(False)
        self.q.train_on_batch(
            np.concatenate([x, fake]),
            self.eye[np.concatenate([y, self.fake_ids])],
        )
        ones = np.ones((len(x), 1), "float32")
        self.d.train_on_batch((x, y.astype("int32")), ones)
        self.d.train_on_batch((fake, self.fake_ids), np.zeros((n, 1)))
        self._freeze(True)
        z = self.rng.normal(size=(n, self.latent_dim)).astype("float32")
        self.gdq.train_on_batch(
            z, [np.ones((n, 1), "float32"), 1.0 - self.eye[self.fake_ids]]
        )

    def epoch(self, x, y):
        """One epoch over `(x, y)` in a shuffled order.

        Args:
            x: float32 array `(N, d)`.
            y: int array `(N,)`.

        Returns:
            float: its wall time in seconds.
        """
        order = self.rng.permutation(len(x))
        start = time.perf_counter()
        for i in range(0, len(x), self.batch_size):
            batch = order[i : i + self.batch_size]
            self.step(x[batch], y[batch])
        return time.perf_counter() - start

    def shapes(self):
        """The attributes `flops.network_shapes` reads, for this loop.

        Returns:
            An object with `num_classes`, `num_features`,
            `classifier_units`, `critic_units`, `latent_dim`,
            `generator_units` and `anchor_counts`.
        """
        gamo = self

        class Shapes:
            num_classes = gamo.num_classes
            num_features = gamo.critic.num_features
            classifier_units = gamo.classifier.hidden_units
            critic_units = gamo.critic.hidden_units
            latent_dim = gamo.latent_dim
            generator_units = gamo.generator.trunk_units
            anchor_counts = gamo.anchor_counts

        return Shapes
