"""The mixture of class-conditional generators G (the CWI unit)."""

import keras
import numpy as np
from keras import ops

from aos_keras.backend import call_layer
from aos_keras.game.config import GameConfig
from aos_keras.game.head_groups import check_groups, group_heads, take_slots
from aos_keras.game.nominal_blocks import check_blocks, harden_blocks

NOMINAL_OUTPUTS = ("soft", "hard")


@keras.saving.register_keras_serializable(package="aos_keras")
class CWIGenerator(keras.Model):
    """Class-specific weight-instance generators with a shared trunk.

    Noise `z ~ N(0, I)` and `onehot(c)` pass through a shared trunk (GAMO's
    cTMU); the head of class c (an IGU) maps the trunk's output to softmax
    weights `w` over the class's anchors `tau_c` (its training rows), and the
    generated row is `G(z, c) = w^T tau_c`. Every generated row is a convex
    combination of real rows of its own class.

    The heads are computed together, not one layer per class: the classes
    are cut into a few `head_groups` of similar anchor counts (`group_heads`),
    and a group's heads are one batched matrix product over a padded weight
    `(classes, h, m_max)`, its padded logits masked out of the softmax. The
    number of operations in a step grows with the number of groups, not
    with the number of classes, and a row of class c costs at most
    `max(MAX_PADDING * m_c, SMALL_HEAD)` in its head. Padded weights get
    no gradient and stay zero; padded anchors get weight exactly 0.

    The anchors are non-trainable weights, so the generator serialises with
    `get_config`/`save` and its anchors travel with the weights.

    Args:
        anchor_counts: list of int. `m_c`, the number of anchors of each class
            `0..C-1`; 0 means the class has no head (it cannot be generated).
        num_features: int. Number of features `d`.
        latent_dim: int. Size of the noise vector. Defaults to `100`.
        trunk_units: tuple of int. Widths of the trunk's dense layers.
            Defaults to `(256, 64)`.
        activation: str. Activation of the trunk. Defaults to `"relu"`.
        batch_norm: bool. Batch normalisation after each trunk layer.
            Defaults to `True`.
        temperature: float > 0. The heads' softmax temperature: `w =
            softmax(logits / temperature)`. Below 1 a row mixes fewer
            anchors, so generated rows spread more like the real rows at
            initialisation; at 1 (the paper's and GAMO's plain softmax) a
            fresh head averages most of its class and its rows sit near the
            class mean (`docs/results/generator_init.md`); training spreads
            them out (`docs/results/generator_spread.md`). Defaults to
            `1.0` here; `AdversarialOversampler` passes its resolved
            `generator_temperature` (0.1 for DO, 1.0 for AO).
        nominal_blocks: list of `(start, stop)` or None. The one-hot
            blocks of nominal columns in the feature space
            (`aos_keras.TableEncoder.nominal_blocks_`). Defaults to `None`.
        nominal_output: str. What a generated row holds in a nominal
            block: `"soft"` (default), the anchors' weighted vote (a
            distribution over the categories); `"hard"`, the one-hot of its
            largest vote, with a straight-through gradient (the vote's), so
            the critic and Q see rows like real ones.
        head_groups: list of lists of int, or None. The classes whose heads
            are computed together (see above); None: `group_heads`. Saved
            with the model, so a saved layout never changes.
        **kwargs: forwarded to `keras.Model`.

    Example:
    >>> g = CWIGenerator([3, 2], num_features=4, latent_dim=8)
    >>> g.set_anchors([np.eye(4)[:3], np.eye(4)[2:]])
    >>> rows = g(keras.random.normal((2, 5, 8)))  # 5 rows of each class
    >>> tuple(rows.shape)
    (2, 5, 4)

    References:
        Mullick et al., "Generative Adversarial Minority Oversampling",
        ICCV 2019 (convex generator).
    """

    def __init__(
        self,
        anchor_counts,
        num_features,
        latent_dim=GameConfig.latent_dim,
        trunk_units=GameConfig.generator_units,
        activation="relu",
        batch_norm=True,
        temperature=1.0,
        nominal_blocks=None,
        nominal_output="soft",
        head_groups=None,
        name="generator",
        **kwargs,
    ):
        super().__init__(name=name, **kwargs)
        self.anchor_counts = [int(m) for m in anchor_counts]
        self.num_features = int(num_features)
        self.latent_dim = int(latent_dim)
        self.trunk_units = tuple(int(u) for u in trunk_units)
        self.activation = activation
        self.batch_norm = bool(batch_norm)
        self.temperature = _check_temperature(temperature)
        self.nominal_blocks = check_blocks(nominal_blocks, self.num_features)
        self.nominal_output = _check_nominal_output(nominal_output)
        self.num_classes = len(self.anchor_counts)
        self.class_ids = tuple(
            c for c, m in enumerate(self.anchor_counts) if m > 0
        )
        if head_groups is None:
            head_groups = group_heads(self.anchor_counts)
        self.head_groups = check_groups(head_groups, self.class_ids)
        self._group_of = {
            c: (j, i)
            for j, group in enumerate(self.head_groups)
            for i, c in enumerate(group)
        }
        self.trunk = _trunk_layers(self.trunk_units, activation, batch_norm)
        # Every head kernel from one draw (see `build`).
        self._head_draw = keras.initializers.RandomUniform(-1.0, 1.0)
        self.build()

    def build(self, input_shape=None):
        if self.built:
            return
        shape = (None, self.latent_dim + self.num_classes)
        for layer in self.trunk:
            layer.build(shape)
            shape = layer.compute_output_shape(shape)
        kernels = self._initial_kernels(units=shape[-1])
        self.head_kernels, self.head_biases, self.group_anchors = [], [], []
        self._masks = []
        for j, group in enumerate(self.head_groups):
            self._add_head(j, group, kernels[j])
        for j, group in enumerate(self.head_groups):
            width = self._masks[j].shape[1]
            self.group_anchors.append(
                self.add_weight(
                    shape=(len(group), width, self.num_features),
                    initializer="zeros",
                    trainable=False,
                    name=f"anchors_{j}",
                )
            )
        self.built = True

    def _initial_kernels(self, units):
        """Each head group's initial kernel `(classes, units, width)`.

        Glorot-uniform heads, as a Dense(m_c) layer of each class would
        have: U(-1, 1) scaled to sqrt(6 / (h + m_c)). All kernels come from
        one draw, so the backend compiles one random op whatever the number
        of classes (one per shape was 0.5 s each on JAX, 13 s for the 26
        heads of letter-lt100); padded entries are 0.
        """
        draw = ops.convert_to_numpy(
            self._head_draw((units * sum(self.anchor_counts),))
        )
        # Class c's kernel starts after the kernels of classes 0..c-1.
        start = units * (np.cumsum(self.anchor_counts) - self.anchor_counts)
        kernels = []
        for group in self.head_groups:
            width = max(self.anchor_counts[c] for c in group)
            kernel = np.zeros((len(group), units, width), "float32")
            for i, c in enumerate(group):
                m = self.anchor_counts[c]
                block = draw[start[c] : start[c] + units * m]
                limit = np.sqrt(6.0 / (units + m))
                kernel[i, :, :m] = block.reshape(units, m) * limit
            kernels.append(kernel)
        return kernels

    def _add_head(self, j, group, kernel):
        """Group `j`'s kernel and bias weights and its anchor mask."""
        self.head_kernels.append(
            self.add_weight(
                shape=kernel.shape,
                initializer=keras.initializers.Constant(kernel),
                name=f"head_kernel_{j}",
            )
        )
        width = kernel.shape[-1]
        self.head_biases.append(
            self.add_weight(
                shape=(len(group), width),
                initializer="zeros",
                name=f"head_bias_{j}",
            )
        )
        counts = np.array([self.anchor_counts[c] for c in group])
        self._masks.append(np.arange(width)[None, :] < counts[:, None])

    @property
    def anchors(self):
        """Dict: class -> its anchors `(m_c, d)` (a view of the weights)."""
        out = {}
        for c in self.class_ids:
            j, i = self._group_of[c]
            out[c] = self.group_anchors[j][i][: self.anchor_counts[c]]
        return out

    def head_weights(self, c):
        """`(kernel (h, m_c), bias (m_c,))` of the head of class `c`."""
        j, i = self._group_of[c]
        m = self.anchor_counts[c]
        return self.head_kernels[j][i][:, :m], self.head_biases[j][i][:m]

    def set_anchors(self, anchors):
        """Set the anchor rows `tau_c` of every class with a head.

        Args:
            anchors: list (index c) or dict (key c) of float arrays
                `(m_c, d)`.
        """
        for j, group in enumerate(self.head_groups):
            variable = self.group_anchors[j]
            padded = np.zeros(variable.shape, dtype=variable.dtype)
            for i, c in enumerate(group):
                rows = np.asarray(anchors[c], dtype=variable.dtype)
                shape = (self.anchor_counts[c], self.num_features)
                if rows.shape != shape:
                    raise ValueError(
                        f"Anchors of class {c} must have shape {shape}; got "
                        f"{rows.shape}."
                    )
                padded[i, : shape[0]] = rows
            variable.assign(padded)

    def call(self, z, class_ids=None, training=None, return_weights=False):
        """Generate `r` rows of each class in `class_ids`.

        Args:
            z: float tensor `(K, r, latent_dim)`, noise for `r` rows of each
                of the `K` classes.
            class_ids: tuple of int, the `K` classes (static). Defaults to
                every class with a head.
            training: bool, batch-norm mode.
            return_weights: bool. Also return the list of convex weights
                `(r, m_c)` of each class.

        Returns:
            float tensor `(K, r, d)`; with `return_weights`, a tuple
            `(rows, weights)`.
        """
        class_ids = self._check_class_ids(class_ids)
        h = self._trunk_features(z, class_ids, training)
        rows, weights, order = [], [], []
        for j, group in enumerate(self.head_groups):
            wanted = [
                (p, group.index(c))
                for p, c in enumerate(class_ids)
                if c in group
            ]
            if not wanted:
                continue
            positions, slots = (list(t) for t in zip(*wanted))
            w = self._head_softmax(
                j, take_slots(h, positions, len(class_ids)), slots
            )
            anchors = take_slots(self.group_anchors[j], slots, len(group))
            rows.append(ops.matmul(w, ops.cast(anchors, w.dtype)))
            if return_weights:
                weights.extend(
                    w[n, :, : self.anchor_counts[group[s]]]
                    for n, s in enumerate(slots)
                )
            order.extend(positions)
        rows = rows[0] if len(rows) == 1 else ops.concatenate(rows, axis=0)
        if order != sorted(order):  # back to the order of `class_ids`
            rows = ops.take(rows, np.argsort(order), axis=0)
        if self.nominal_output == "hard" and self.nominal_blocks:
            rows = harden_blocks(rows, self.nominal_blocks)
        if not return_weights:
            return rows
        return rows, [weights[i] for i in np.argsort(order)]

    def _check_class_ids(self, class_ids):
        """`class_ids` as a tuple of classes that have a head."""
        class_ids = self.class_ids if class_ids is None else tuple(class_ids)
        if len(class_ids) == 0:
            raise ValueError("`class_ids` must name at least one class.")
        missing = [c for c in class_ids if c not in self._group_of]
        if missing:
            raise ValueError(
                f"Classes {missing} have no generator head (no anchors)."
            )
        return class_ids

    def _trunk_features(self, z, class_ids, training):
        """The trunk's features `(K, r, h)` of noise and class one-hots."""
        k, r = ops.shape(z)[0], ops.shape(z)[1]
        onehot = np.eye(self.num_classes, dtype="float32")[list(class_ids)]
        onehot = ops.broadcast_to(
            ops.cast(onehot[:, None, :], z.dtype), (k, r, self.num_classes)
        )
        h = ops.reshape(
            ops.concatenate([z, onehot], axis=-1),
            (-1, self.latent_dim + self.num_classes),
        )
        for layer in self.trunk:
            if isinstance(layer, keras.layers.BatchNormalization):
                h = call_layer(layer, h, training=training)
            else:
                h = call_layer(layer, h)
        return ops.reshape(h, (k, r, -1))

    def _head_softmax(self, j, h, slots):
        """Convex weights `(k, r, m_max)` of group `j`'s classes `slots`."""
        size = len(self.head_groups[j])
        kernel = take_slots(self.head_kernels[j], slots, size)
        bias = take_slots(self.head_biases[j], slots, size)
        logits = ops.matmul(h, ops.cast(kernel, h.dtype))
        logits = logits + ops.cast(bias, h.dtype)[:, None, :]
        if self.temperature != 1.0:
            logits = logits / self.temperature
        mask = self._masks[j][slots]
        if not mask.all():  # padded anchors: weight exactly 0
            logits = ops.where(mask[:, None, :], logits, -1e9)
        return ops.softmax(logits, axis=-1)

    def sample(self, counts, seed=None):
        """Draw generated rows, in inference mode.

        Args:
            counts: dict mapping class index to the number of rows.
            seed: int or `keras.random.SeedGenerator`.

        Returns:
            `(x, y)` numpy arrays: rows `(n, d)` and class indices `(n,)`.
        """
        if not isinstance(seed, keras.random.SeedGenerator):
            seed = keras.random.SeedGenerator(seed)
        xs, ys = [], []
        for c, n in counts.items():
            if n <= 0:
                continue
            z = keras.random.normal((1, int(n), self.latent_dim), seed=seed)
            rows = self(z, class_ids=(int(c),), training=False)
            xs.append(ops.convert_to_numpy(rows[0]))
            ys.append(np.full(int(n), int(c), dtype=np.int64))
        if not xs:
            return (
                np.zeros((0, self.num_features), dtype=np.float32),
                np.zeros((0,), dtype=np.int64),
            )
        return np.concatenate(xs), np.concatenate(ys)

    def get_config(self):
        config = super().get_config()
        config.update(
            anchor_counts=self.anchor_counts,
            num_features=self.num_features,
            latent_dim=self.latent_dim,
            trunk_units=list(self.trunk_units),
            activation=self.activation,
            batch_norm=self.batch_norm,
            temperature=self.temperature,
            nominal_blocks=[list(b) for b in self.nominal_blocks],
            nominal_output=self.nominal_output,
            head_groups=self.head_groups,
        )
        return config


def _check_temperature(temperature):
    """`temperature` as a float; a finite value > 0."""
    value = float(temperature)
    if not value > 0 or not np.isfinite(value):
        raise ValueError(
            f"`temperature` must be a finite float > 0; got {temperature!r}."
        )
    return value


def _check_nominal_output(nominal_output):
    if nominal_output not in NOMINAL_OUTPUTS:
        raise ValueError(
            f"`nominal_output` must be one of {NOMINAL_OUTPUTS}; got "
            f"{nominal_output!r}."
        )
    return nominal_output


def _trunk_layers(units, activation, batch_norm):
    """The trunk: a Dense layer per width, each followed by batch norm."""
    layers = []
    for i, width in enumerate(units):
        layers.append(keras.layers.Dense(width, activation, name=f"trunk_{i}"))
        if batch_norm:
            layers.append(keras.layers.BatchNormalization(name=f"trunk_bn_{i}"))
    return layers
