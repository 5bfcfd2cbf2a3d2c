"""`AdversarialOversampler`: the three-player game as one Keras model."""

import math

import keras
import numpy as np
from keras import ops

from aos_keras import backend, schedule, validation
from aos_keras.anchors import select_anchors
from aos_keras.callbacks import with_nan_guard
from aos_keras.classifier import Classifier
from aos_keras.critic import Critic
from aos_keras.generator import CWIGenerator
from aos_keras.metrics import ACSA, GeometricMean
from aos_keras.sampling import class_distribution, synthetic_weight
from aos_keras.tables import SpecEncoder

# What `mode` sets; each entry can be overridden by its own argument.
PRESETS = {
    "ao": {
        "g_q_loss": "complement",
        "q_class_distribution": "inverse",
        "q_fake_loss": "ce",
    },
    "do": {
        "g_q_loss": "ce",
        "q_class_distribution": "fraction",
        "q_fake_loss": "ce",
    },
}
GAN_LOSSES = ("wgan-gp", "vanilla")
TRACKERS = ("loss", "q_loss", "g_loss", "d_loss", "gp")
# What `get_compile_config` saves besides the three optimizers.
OPTIMIZERS = ("g_optimizer", "d_optimizer", "q_optimizer")
COMPILE_ARGS = ("run_eagerly", "steps_per_execution", "jit_compile")


def default_optimizer():
    """Adam(learning_rate=2e-4, beta_1=0.5), GAMO's choice for each player."""
    return keras.optimizers.Adam(learning_rate=2e-4, beta_1=0.5)


@keras.saving.register_keras_serializable(package="aos_keras")
class AdversarialOversampler(keras.Model):
    """Adversarial (AO) or data-space (DO) oversampling as a Keras model.

    Owns the three players: a mixture of class-conditional convex generators
    `generator` (`CWIGenerator`), a class-conditional `critic` (WGAN-GP) and
    the `classifier` Q. `fit` plays the game (see `aos_keras.schedule`);
    `predict`/`call` return Q's class probabilities and `evaluate` scores Q
    (cross-entropy, ACSA, GM).

    Build it from training data with `AdversarialOversampler.from_data(x, y,
    mode=...)`: the anchors of each class's generator are its training rows.
    Labels may be any hashable values; `fit`, `evaluate` and
    `predict_labels` map them through `classes_`.

    Args:
        classes: list. The class labels, in index order (`classes_`).
        class_counts: list of int. Training rows of each class, `n_c`.
        num_features: int. Number of features `d`.
        anchor_counts: list of int. Anchors of each class, `m_c` (at most
            `n_c`). Defaults to `class_counts`.
        mode: str. `"do"` (data-space oversampling, default) or `"ao"`
            (adversarial oversampling); sets `g_q_loss`,
            `q_class_distribution` and `q_fake_loss` unless given.
        latent_dim: int. Size of the noise vector. Defaults to `100`.
        generator_units: tuple of int. Generator trunk widths. Defaults to
            `(256, 64)`.
        generator_temperature: float > 0. Softmax temperature of the
            generator's heads (`CWIGenerator(temperature=...)`); below 1 each
            row mixes fewer anchors. Defaults to `1.0` (the paper's softmax).
        critic_units: tuple of int. Critic hidden widths. Defaults to
            `(256, 128)`.
        classifier_units: tuple of int. Classifier hidden widths. Defaults to
            `(256, 128, 64)`.
        critic_steps: int. Critic updates per step. Defaults to `1`.
        gp_weight: float. Gradient-penalty weight. Defaults to `10`.
        gan_loss: str. `"wgan-gp"` (default) or `"vanilla"`.
        beta: float. Weight of Q's term in the generator loss. Defaults to
            `1`.
        sampling_strategy: `"auto"`, float f_s in `(0, 1]` or dict (class
            index to target count), imbalanced-learn's meaning. Sets
            `p_frac` and `alpha = sum_c deficit_c / N`. Defaults to `"auto"`.
        g_q_loss: str. `"complement"` (AO: fool Q) or `"ce"` (DO: favour Q).
        q_class_distribution: str. Distribution of Q's generated rows:
            `"inverse"` (AO), `"fraction"` (DO), `"balanced"` or `"real"`.
        q_fake_loss: str. Q's loss on generated rows: `"ce"` (default) or
            `"complement"` (the literal reading of the paper's DO).
        fake_rows_per_class: int or None. Generated rows per class and step.
            Defaults to `ceil(batch_size / classes)`.
        oversampling_start: float in `[0, 1)`. Deferred oversampling
            (DRW-style, Cao et al. 2019): for this fraction of the epochs of
            each `fit`, Q learns from real rows only (its generated-row term
            is multiplied by exactly 0) while G and D train as usual; then
            the full game. Defaults to `0.0` (the paper's schedule).
        q_logit_adjustment: float >= 0. Logit adjustment of Q's loss inside
            the game (Menon et al. 2021): Q's loss on real and generated
            rows uses `logits + tau * log(pi_eff)`, with `pi_eff(c)`
            proportional to `n_c / N + alpha * p(c)`, the class prior Q
            sees after oversampling (so the correction is not applied
            twice; at full balance `pi_eff` is uniform and the adjustment
            does nothing). Predictions use the plain logits. Defaults to
            `0.0`.
        nominal_blocks: list of `(start, stop)` or None. One-hot blocks of
            nominal columns (`TableEncoder.nominal_blocks_`), for
            `nominal_output`. Defaults to `None`.
        nominal_output: str. `"soft"` (default: generated rows hold the
            anchors' weighted vote in a nominal block) or `"hard"` (the
            one-hot of the largest vote, straight-through gradient); see
            `CWIGenerator`.
        encoder: dict or None. The `serving_spec()` of the
            `aos_keras.TableEncoder` that made the model's rows from a
            table (set by `from_data` with a DataFrame that has nominal
            columns or missing cells). With it, `fit`, `evaluate`,
            `predict` and `predict_labels` take DataFrames of the table's
            columns, `sample` returns rows of its schema, and the encoder
            is saved with the model. Defaults to `None`.
        seed: int or None. Seed of the model's random draws.
        **kwargs: forwarded to `keras.Model`.

    Example:
    >>> model = AdversarialOversampler.from_data(x_train, y_train, mode="do")
    >>> model.compile()
    >>> model.fit(x_train, y_train, epochs=100, batch_size=32)
    >>> model.predict_labels(x_test)

    References:
        Adversarial oversampling for multi-class imbalanced data
        classification (the paper in `shared/paper`).
        Mullick et al., "Generative Adversarial Minority Oversampling",
        ICCV 2019.
    """

    def __init__(
        self,
        classes,
        class_counts,
        num_features,
        anchor_counts=None,
        mode="do",
        latent_dim=100,
        generator_units=(256, 64),
        generator_temperature=1.0,
        critic_units=(256, 128),
        classifier_units=(256, 128, 64),
        critic_steps=1,
        gp_weight=10.0,
        gan_loss="wgan-gp",
        beta=1.0,
        sampling_strategy="auto",
        g_q_loss=None,
        q_class_distribution=None,
        q_fake_loss=None,
        fake_rows_per_class=None,
        oversampling_start=0.0,
        q_logit_adjustment=0.0,
        nominal_blocks=None,
        nominal_output="soft",
        encoder=None,
        seed=None,
        name="adversarial_oversampler",
        **kwargs,
    ):
        super().__init__(name=name, **kwargs)
        if mode not in PRESETS:
            raise ValueError(f"`mode` must be 'ao' or 'do'; got {mode!r}.")
        if gan_loss not in GAN_LOSSES:
            raise ValueError(
                f"`gan_loss` must be one of {GAN_LOSSES}; got {gan_loss!r}."
            )
        preset = PRESETS[mode]
        self.mode = mode
        self.g_q_loss = g_q_loss or preset["g_q_loss"]
        self.q_class_distribution = (
            q_class_distribution or preset["q_class_distribution"]
        )
        self.q_fake_loss = q_fake_loss or preset["q_fake_loss"]
        for arg in ("g_q_loss", "q_fake_loss"):
            if getattr(self, arg) not in schedule.CLASS_LOSSES:
                raise ValueError(
                    f"`{arg}` must be one of {list(schedule.CLASS_LOSSES)}; "
                    f"got {getattr(self, arg)!r}."
                )
        self.classes_ = np.asarray(classes)
        self.class_counts = [int(n) for n in class_counts]
        self.num_classes = len(self.class_counts)
        if len(self.classes_) != self.num_classes:
            raise ValueError("`classes` and `class_counts` differ in length.")
        self.num_features = int(num_features)
        self.anchor_counts = [
            int(m) for m in (anchor_counts or self.class_counts)
        ]
        self.latent_dim = int(latent_dim)
        self.generator_units = tuple(generator_units)
        self.generator_temperature = float(generator_temperature)
        self.critic_units = tuple(critic_units)
        self.classifier_units = tuple(classifier_units)
        self.critic_steps = int(critic_steps)
        if self.critic_steps < 1:
            raise ValueError("`critic_steps` must be at least 1.")
        self.gp_weight = float(gp_weight)
        self.gan_loss = gan_loss
        self.beta = float(beta)
        self.sampling_strategy = sampling_strategy
        self.fake_rows_per_class = (
            None if fake_rows_per_class is None else int(fake_rows_per_class)
        )
        self.oversampling_start = float(oversampling_start)
        if not 0.0 <= self.oversampling_start < 1.0:
            raise ValueError(
                "`oversampling_start` must be in [0, 1) (a fraction of the "
                f"epochs); got {oversampling_start!r}."
            )
        self.q_logit_adjustment = float(q_logit_adjustment)
        if not self.q_logit_adjustment >= 0.0:
            raise ValueError(
                "`q_logit_adjustment` must be >= 0; got "
                f"{q_logit_adjustment!r}."
            )
        self.seed = validation.check_seed(seed)
        self.encoder = None if encoder is None else SpecEncoder(encoder)
        if self.encoder is not None:
            if self.encoder.n_features_out_ != int(num_features):
                raise ValueError(
                    f"The encoder makes {self.encoder.n_features_out_} "
                    f"features; num_features is {num_features}."
                )
            if nominal_blocks is None:
                nominal_blocks = self.encoder.nominal_blocks_

        self.generator = CWIGenerator(
            self.anchor_counts,
            self.num_features,
            latent_dim=self.latent_dim,
            trunk_units=self.generator_units,
            temperature=self.generator_temperature,
            nominal_blocks=nominal_blocks,
            nominal_output=nominal_output,
        )
        self.critic = Critic(
            self.num_classes, self.num_features, hidden_units=critic_units
        )
        self.classifier = Classifier(
            self.num_classes, self.num_features, hidden_units=classifier_units
        )
        self.seed_generator = keras.random.SeedGenerator(self.seed)

        # The schedule's class weights, supports and alpha (constants).
        counts = self.class_counts
        q_dist = class_distribution(
            counts, self.q_class_distribution, sampling_strategy
        )
        self.class_weights = {
            "real": class_distribution(counts, "real"),
            "generator": class_distribution(counts, "balanced"),
            "classifier": q_dist,
        }
        self.support = {
            "generator": self.generator.class_ids,
            "classifier": tuple(int(c) for c in np.flatnonzero(q_dist > 0)),
        }
        self.alpha = synthetic_weight(counts, sampling_strategy)
        position = np.zeros(self.num_classes, dtype=np.int32)
        position[list(self.generator.class_ids)] = np.arange(
            len(self.generator.class_ids)
        )
        self.class_position = position
        self.q_logit_shift = None
        if self.q_logit_adjustment > 0:
            real = np.asarray(counts, np.float64) / np.sum(counts)
            prior = real + self.alpha * np.asarray(q_dist, np.float64)
            self.q_logit_shift = (
                self.q_logit_adjustment * np.log(prior / prior.sum())
            ).astype("float32")
        # Deferred oversampling: the step from which Q sees generated rows
        # (set by `fit`); only models that defer carry the variable.
        self.oversampling_start_step = None
        if self.oversampling_start > 0:
            self.oversampling_start_step = self.add_weight(
                shape=(),
                initializer="zeros",
                dtype="float32",
                trainable=False,
                name="oversampling_start_step",
            )

        self.trackers = {
            name: keras.metrics.Mean(name=name) for name in TRACKERS
        }
        self.class_metrics = [
            ACSA(self.num_classes, name="acsa"),
            GeometricMean(self.num_classes, name="gm"),
        ]
        self.built = True

    # ----------------------------------------------------------- building
    @classmethod
    def from_data(cls, x, y, *, max_anchors=None, seed=None, **kwargs):
        """Build the model from training rows; their rows become anchors.

        Args:
            x: array-like `(N, d)`, training features (standardised), or a
                DataFrame with nominal columns or missing cells: then a
                `TableEncoder` is fitted on it (these rows only), its rows
                in model space become the anchors, and the model keeps the
                encoder (`encoder`) to take DataFrames later.
            y: array-like `(N,)`, training labels (any hashable values).
            max_anchors: int or None. Cap on anchors per class; a larger
                class keeps a random subset drawn with `seed`. Defaults to
                `None` (every row).
            seed: int or None. Seed of the anchor subset and of training.
            **kwargs: any argument of `AdversarialOversampler`.

        Returns:
            An `AdversarialOversampler`.
        """
        from aos_keras.tables import TableEncoder
        from aos_keras.tables import is_mixed_table as _is_mixed

        if _is_mixed(x) and kwargs.get("encoder") is None:
            table = TableEncoder().fit(x)
            kwargs["encoder"] = table.serving_spec()
            x = table.transform(x)
        x = validation.check_features(x)
        y = validation.check_labels(y, num_rows=len(x))
        classes, counts, codes = validation.check_classes(y)
        max_anchors = validation.check_positive_int(
            max_anchors, "max_anchors", allow_none=True
        )
        anchors = select_anchors(
            x, codes, len(classes), max_anchors=max_anchors, seed=seed
        )
        model = cls(
            classes=classes.tolist(),
            class_counts=counts.tolist(),
            num_features=x.shape[1],
            anchor_counts=[len(a) for a in anchors],
            seed=seed,
            **kwargs,
        )
        model.generator.set_anchors(anchors)
        return model

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
        if backend.BACKEND == "torch" and kwargs.get("jit_compile") is True:
            raise ValueError(
                "jit_compile=True is not supported on the torch backend: the "
                "gradient penalty needs double backward, which torch.compile "
                "lacks. Leave jit_compile unset."
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
        players = {
            self.generator: self.g_optimizer,
            self.critic: self.d_optimizer,
            self.classifier: self.q_optimizer,
        }
        optimizer_map = keras.optimizers.OptimizerMap(self.q_optimizer)
        for player, optimizer in players.items():
            for v in player.trainable_variables:
                optimizer_map[v.path] = optimizer
        container = keras.optimizers.MultiOptimizer(optimizer_map)
        super().compile(optimizer=container, **kwargs)
        container.build(self.trainable_variables)

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
        if backend.BACKEND == "torch" and config.get("jit_compile") is True:
            config["jit_compile"] = "auto"  # saved on another backend
        self.compile(**config)

    # ------------------------------------------------------------ training
    @property
    def metrics(self):
        return list(self.trackers.values()) + self.class_metrics

    def train_step(self, *args):
        return backend.train_step(
            self, lambda data: schedule.train_step(self, data), args
        )

    def test_step(self, *args):
        return backend.test_step(
            self, lambda data: schedule.test_step(self, data), args
        )

    def call(self, x, training=False):
        """Class probabilities `(n, C)` of Q for rows `x` `(n, d)`."""
        return ops.softmax(self.classifier(x), axis=-1)

    # ------------------------------------------- labels at the Keras entry
    def fit(
        self, x=None, y=None, validation_data=None, nan_guard=True, **kwargs
    ):
        """`keras.Model.fit` that accepts arrays/DataFrames and raw labels.

        Numpy/pandas `x` and `y` (and `validation_data=(x_val, y_val)`) are
        validated and their labels mapped through `classes_`; datasets and
        generators must yield class indices `0..C-1`.

        Args:
            x: features `(N, d)`, or a dataset/generator of `(x, y)`.
            y: labels `(N,)` (values of `classes_`) when `x` is an array.
            validation_data: `(x_val, y_val)` or a dataset.
            nan_guard: bool. Put an `aos_keras.callbacks.NonFiniteGuard`
                first in the callbacks: training stops at the first
                non-finite loss with a `NonFiniteLossError` naming the
                player and the step, and the last finite weights are
                restored. Defaults to `True`.
            **kwargs: forwarded to `keras.Model.fit`.

        Returns:
            The `History`.

        Raises:
            ValueError, TypeError: bad arrays or labels (see
                `aos_keras.validation`).
            NonFiniteLossError: a loss or weight became NaN or infinite.
        """
        x, y = self._prepare(x, y)
        if _is_array_like(x) and y is None:
            raise ValueError(
                "fit needs labels: pass y (one label per row of x)."
            )
        if isinstance(validation_data, (tuple, list)):
            validation_data = (
                *self._prepare(*validation_data[:2], "x_val"),
                *validation_data[2:],
            )
        if nan_guard:
            kwargs["callbacks"] = with_nan_guard(kwargs.get("callbacks"))
        if self.oversampling_start_step is not None:
            self._set_oversampling_start(x, kwargs)
        return super().fit(x, y, validation_data=validation_data, **kwargs)

    def _set_oversampling_start(self, x, kwargs):
        """Step from which Q sees generated rows in this `fit` call."""
        epochs = int(kwargs.get("epochs", 1)) - int(
            kwargs.get("initial_epoch", 0)
        )
        steps = kwargs.get("steps_per_epoch")
        if steps is None and _is_array_like(x):
            batch = kwargs.get("batch_size") or 32
            steps = math.ceil(len(x) / int(batch))
        if steps is None:
            try:
                steps = len(x)
            except TypeError:
                raise ValueError(
                    "oversampling_start needs the number of steps per "
                    "epoch: pass steps_per_epoch to fit for a dataset "
                    "without a length."
                ) from None
        start = round(self.oversampling_start * epochs) * int(steps)
        now = int(keras.ops.convert_to_numpy(self.optimizer.iterations))
        self.oversampling_start_step.assign(float(now + start))

    def evaluate(self, x=None, y=None, **kwargs):
        """`keras.Model.evaluate` with label mapping (see `fit`)."""
        if not kwargs.get("_use_cached_eval_dataset"):  # not fit's own call
            x, y = self._prepare(x, y)
        return super().evaluate(x, y, **kwargs)

    def predict(self, x, **kwargs):
        """Class probabilities `(n, C)`, columns in the order of `classes_`."""
        x = self._encoded(x)
        if _is_array_like(x):
            x = validation.check_features(x, self.num_features)
        return super().predict(x, **kwargs)

    def _encoded(self, x):
        """A DataFrame of the table's columns through `encoder`, if any."""
        import pandas as pd

        if self.encoder is not None and isinstance(x, pd.DataFrame):
            return self.encoder.transform(x)
        return x

    def predict_labels(self, x, **kwargs):
        """Predicted labels (values of `classes_`) of rows `x`."""
        proba = self.predict(x, **kwargs)
        return self.classes_[np.argmax(proba, axis=-1)]

    def encode_labels(self, y, name="y"):
        """Map labels to class indices `0..C-1` (unseen labels: an error)."""
        return validation.encode_labels(y, self.classes_, name=name)

    def _prepare(self, x, y, name="x"):
        x = self._encoded(x)
        if _is_array_like(x):
            x = validation.check_features(x, self.num_features, name=name)
        if y is not None and _is_array_like(y):
            y = self.encode_labels(y)
            if _is_array_like(x) and len(y) != len(x):
                raise ValueError(
                    f"{name} has {len(x)} rows but y has {len(y)} labels."
                )
        return x, y

    def sample(self, counts, seed=None, as_frame=None):
        """Generated rows and their labels (values of `classes_`).

        Args:
            counts: dict mapping a label (a value of `classes_`) to a count.
            seed: int, `keras.random.SeedGenerator` or None.
            as_frame: bool or None. Return the rows as a DataFrame of the
                table's schema (through `encoder`: valid categories,
                integers, original dtypes). Defaults to `None`: a DataFrame
                when the model has an encoder, else model-space arrays.

        Returns:
            `(x, y)`: rows (numpy `(n, d)` or a DataFrame) and labels.

        Raises:
            TypeError: `counts` is not a dict of int counts, or a bad seed.
            ValueError: a negative count or a label not in `classes_`.
        """
        counts = validation.check_counts(counts)
        if not isinstance(seed, keras.random.SeedGenerator):
            seed = validation.check_seed(seed)
        index = {
            int(self.encode_labels([label], name="counts")[0]): n
            for label, n in counts.items()
        }
        x, codes = self.generator.sample(index, seed=seed)
        if as_frame is None:
            as_frame = self.encoder is not None
        if as_frame:
            if self.encoder is None:
                raise ValueError("as_frame=True needs a model with an encoder.")
            x = self.encoder.inverse_transform(x)
        return x, self.classes_[codes]

    # ---------------------------------------------------------- config
    def get_config(self):
        config = super().get_config()
        config.update(
            classes=self.classes_.tolist(),
            class_counts=self.class_counts,
            num_features=self.num_features,
            anchor_counts=self.anchor_counts,
            mode=self.mode,
            latent_dim=self.latent_dim,
            generator_units=list(self.generator_units),
            generator_temperature=self.generator_temperature,
            critic_units=list(self.critic_units),
            classifier_units=list(self.classifier_units),
            critic_steps=self.critic_steps,
            gp_weight=self.gp_weight,
            gan_loss=self.gan_loss,
            beta=self.beta,
            sampling_strategy=_json_strategy(self.sampling_strategy),
            g_q_loss=self.g_q_loss,
            q_class_distribution=self.q_class_distribution,
            q_fake_loss=self.q_fake_loss,
            fake_rows_per_class=self.fake_rows_per_class,
            oversampling_start=self.oversampling_start,
            q_logit_adjustment=self.q_logit_adjustment,
            nominal_blocks=[list(b) for b in self.generator.nominal_blocks],
            nominal_output=self.generator.nominal_output,
            encoder=None if self.encoder is None else self.encoder.spec,
            seed=self.seed,
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        strategy = config.get("sampling_strategy")
        if isinstance(strategy, dict):
            config["sampling_strategy"] = {
                int(k): v for k, v in strategy.items()
            }
        return cls(**config)


def _json_strategy(strategy):
    if isinstance(strategy, dict):
        return {str(int(k)): int(v) for k, v in strategy.items()}
    return strategy


def _is_array_like(x):
    import pandas as pd

    return isinstance(x, (np.ndarray, list, tuple, pd.DataFrame, pd.Series))
