"""`AdversarialOversampler`: the three-player game as one Keras model.

The model holds the game: the three players (`players`, `generator`,
`critic`, `classifier`), its `GameConfig` and one optimizer per player
(`compile(g_optimizer, d_optimizer, q_optimizer)`, held in one
`keras.optimizers.MultiOptimizer` and saved with the model). Its
`preprocessor` (`aos_keras.TablePreprocessor`) holds the table: `fit`,
`evaluate`, `predict`, `predict_labels`, `encode_labels` and `export`
pass a DataFrame through `preprocessor.transform` (columns matched by
name), raw labels through `preprocessor.encode_labels` and predictions back
through `preprocessor.decode`. Arrays are rows in model space (for a model
without an encoding they are the same thing). `fit` also adds the NaN
guard and `DeferredOversampling` to the callbacks and pads arrays to whole
batches (`batching`).
"""

import dataclasses

import keras
import numpy as np
import pandas as pd

from aos_keras import backend
from aos_keras.callbacks import DeferredOversampling, with_nan_guard
from aos_keras.game import schedule
from aos_keras.game.anchors import MAX_ANCHORS, select_anchors
from aos_keras.game.batching import (
    batch_size_for,
    pad_to_batches,
    resolve_batch_size,
)
from aos_keras.game.config import GAN_LOSSES, PRESETS, GameConfig
from aos_keras.game.critic import Critic
from aos_keras.game.generator import CWIGenerator
from aos_keras.game.inputs import (
    LabelErrors,
    checked_batches,
    is_array_like,
    monitor_directions,
    state_kept_on_refusal,
    warn_if_raw,
)
from aos_keras.game.players import MultiPlayerModel, default_optimizer
from aos_keras.game.upgrade import check_saved_layout, saved_settings
from aos_keras.saving.export import export_onnx, export_saved_model
from aos_keras.tables import checks
from aos_keras.tables.labels import (
    check_classes,
    check_target,
    class_weight_by_index,
    encode_labels,
)
from aos_keras.tables.preprocessing import TablePreprocessor

TRACKERS = ("loss", "q_loss", "g_loss", "d_loss", "gp")
# What `get_compile_config` saves besides the three optimizers.
OPTIMIZERS = ("g_optimizer", "d_optimizer", "q_optimizer")
COMPILE_ARGS = ("run_eagerly", "steps_per_execution", "jit_compile")
__all__ = [
    "COMPILE_ARGS",
    "GAN_LOSSES",
    "OPTIMIZERS",
    "PRESETS",
    "AdversarialOversampler",
    "default_optimizer",
]


@keras.saving.register_keras_serializable(package="aos_keras")
class AdversarialOversampler(MultiPlayerModel):
    """Adversarial (AO) or data-space (DO) oversampling as a Keras model.

    Owns the three players: a mixture of class-conditional convex generators
    `generator` (`CWIGenerator`), a class-conditional `critic` (WGAN-GP) and
    the `classifier` Q. `fit` plays the game (see `aos_keras.game.schedule`);
    `predict`/`call` return Q's class probabilities and `evaluate` scores Q
    (cross-entropy, ACSA, GM).

    Build it from training data with `AdversarialOversampler.from_data(x, y,
    mode=...)`: the anchors of each class's generator are its training rows.
    Labels may be any hashable values. The model holds the game; its
    `preprocessor` (an `aos_keras.TablePreprocessor`) holds the table:
    `fit`, `evaluate`, `predict` and `predict_labels` pass DataFrames
    (matched to the training columns by name) and labels through it.

    Args:
        classes: list. The class labels, in index order (`classes_`).
        class_counts: list of int. Training rows of each class, `n_c`.
        num_features: int. Number of features `d`.
        anchor_counts: list of int. Anchors of each class, `m_c` (at most
            `n_c`). Defaults to `class_counts`.
        config: `aos_keras.GameConfig` or None. The game's settings.
            Defaults to `None`: `GameConfig()` updated by the settings
            given as keyword arguments.
        **settings: any field of `config_class` (`GameConfig`: `mode`,
            `latent_dim`, `generator_temperature`, `sampling_strategy`,
            ...: `GameConfig.describe()` lists them), documented once on
            `GameConfig`; each overrides `config`. `mode` presets those
            left at `None` (DO: generator temperature 0.1,
            `sampling_strategy` 0.5 and `q_logit_adjustment` 1.0, compare's
            preset DO-T0.1-LA; the paper's DO is
            `generator_temperature=1.0, sampling_strategy="auto",
            q_logit_adjustment=0.0`). The resolved
            settings are attributes of the model (`model.g_q_loss`, ...)
            and entries of `get_config`.
        nominal_blocks: list of `(start, stop)` or None. One-hot blocks of
            nominal columns (`TableEncoder.nominal_blocks_`), for
            `nominal_output`. Defaults to `None`.
        nominal_output: str. `"soft"` (default: generated rows hold the
            anchors' weighted vote in a nominal block) or `"hard"` (the
            one-hot of the largest vote, straight-through gradient); see
            `CWIGenerator`.
        preprocessor: `aos_keras.TablePreprocessor`, its config (dict) or
            None. The table's columns, their encoding and the classes (set
            by `from_data`). `fit`, `evaluate`, `predict` and
            `predict_labels` pass their inputs through it: a DataFrame is
            matched to the training columns by name, labels are mapped to
            class indices; `sample` returns rows of the table's schema when
            it encodes. Saved with the model. Defaults to `None`: rows
            taken as they are, by position (`TablePreprocessor.identity`).
        encoder: dict or None. The `serving_spec()` of a `TableEncoder`:
            the argument of models saved by version 0.3 (a
            `preprocessor` with named columns is built from it).
        head_groups: list of lists of int or None. The generator's head
            layout (`CWIGenerator`); None computes it from `anchor_counts`.
            Saved with the model.
        seed: int or None. Seed of the model's random draws.
        **kwargs: other arguments of `keras.Model` (`name`, `dtype`).

    Example:
    >>> model = AdversarialOversampler.from_data(x_train, y_train, mode="do")
    >>> model.compile()
    >>> model.fit(x_train, y_train, epochs=100, batch_size=32)
    >>> model.predict_labels(x_test)

    References:
        Dam, Ferdaus et al., "Does Adversarial Oversampling Help us?",
        CIKM 2021 (ACM International Conference on Information and
        Knowledge Management).
        Mullick et al., "Generative Adversarial Minority Oversampling",
        ICCV 2019.
    """

    # The settings' dataclass; a subclass may extend it with more fields.
    config_class = GameConfig
    TRACKERS = TRACKERS

    def __init__(
        self,
        classes,
        class_counts,
        num_features,
        anchor_counts=None,
        *,
        config=None,
        nominal_blocks=None,
        preprocessor=None,
        encoder=None,
        head_groups=None,
        seed=None,
        name="adversarial_oversampler",
        **kwargs,
    ):
        settings, kwargs = self.config_class.split(kwargs)
        rules = self._resolve(config, settings)
        class_counts = [int(n) for n in class_counts]
        super().__init__(
            len(class_counts),
            num_features,
            classifier_units=rules.classifier_units,
            seed=checks.check_seed(seed),
            build_classifier=False,
            name=name,
            **kwargs,
        )
        self._keep_settings(rules)
        self._keep_classes(classes, class_counts, anchor_counts)
        self.preprocessor = _preprocessor(
            preprocessor, encoder, self.classes_, self.num_features
        )
        if nominal_blocks is None and not self.preprocessor.identity:
            nominal_blocks = self.preprocessor.nominal_blocks_
        self._build_players(rules, nominal_blocks, head_groups)
        self._build_rules(rules)
        self.built = True

    def _keep_settings(self, rules):
        """The resolved settings as attributes (`model.mode`, ...);
        `sampling_strategy` is set by `_build_rules`, keyed by class index."""
        for field in dataclasses.fields(rules):
            if field.name != "sampling_strategy":
                setattr(self, field.name, getattr(rules, field.name))

    def _keep_classes(self, classes, class_counts, anchor_counts):
        """`classes_`, `class_counts` and `anchor_counts` (checked)."""
        self.classes_ = np.asarray(classes)
        self.class_counts = class_counts
        if len(self.classes_) != self.num_classes:
            raise ValueError("`classes` and `class_counts` differ in length.")
        self.anchor_counts = [
            int(m) for m in (anchor_counts or self.class_counts)
        ]

    def _resolve(self, config, settings):
        """`self.config` (the settings given over `config`), resolved."""
        config = config or self.config_class()
        if not isinstance(config, self.config_class):
            raise TypeError(
                f"`config` must be a {self.config_class.__name__}; got "
                f"{type(config).__name__}."
            )
        self.config = dataclasses.replace(config, **settings)
        return self.config.resolved()

    def _build_players(self, rules, nominal_blocks, head_groups):
        """G and D first, then Q: the order their weights are drawn in."""
        self.generator = CWIGenerator(
            self.anchor_counts,
            self.num_features,
            latent_dim=rules.latent_dim,
            trunk_units=rules.generator_units,
            temperature=rules.generator_temperature,
            nominal_blocks=nominal_blocks,
            nominal_output=rules.nominal_output,
            head_groups=head_groups,
        )
        self.critic = Critic(
            self.num_classes, self.num_features, hidden_units=rules.critic_units
        )
        self._build_classifier()

    def _build_rules(self, rules):
        """The constants of the step (class weights, supports, alpha, ...)
        and, for deferred oversampling, the step from which Q sees
        generated rows (set by `DeferredOversampling` in `fit`)."""
        # Dict keys are labels (values of `classes_`); the step's form
        # keys them by class index.
        self.sampling_strategy = _index_strategy(
            rules.sampling_strategy, self.classes_
        )
        self.rules = schedule.GameRules.of(
            dataclasses.replace(
                rules, sampling_strategy=self.sampling_strategy
            ),
            self.class_counts,
            self.generator.class_ids,
        )
        self.oversampling_start_step = None  # only models that defer
        if rules.oversampling_start > 0:
            self.oversampling_start_step = self.add_weight(
                shape=(),
                initializer="zeros",
                dtype="float32",
                trainable=False,
                name="oversampling_start_step",
            )

    # ----------------------------------------------------------- building
    @classmethod
    def from_data(
        cls,
        x,
        y,
        *,
        max_anchors=MAX_ANCHORS,
        seed=None,
        max_categories=100,
        preprocessor=None,
        **kwargs,
    ):
        """Build the model from training rows; their rows become anchors.

        Args:
            x: array-like `(N, d)`, training features (standardised), or a
                DataFrame. A DataFrame's column names are kept (`predict`
                and `fit` match later DataFrames by name); one with nominal
                columns or missing cells is encoded by a `TableEncoder`
                fitted on these rows, whose rows in model space become the
                anchors. Both are held by the model's `preprocessor`.
            y: array-like `(N,)`, training labels (any hashable values;
                checked with `aos_keras.tables.labels.check_target`).
            max_anchors: int or None. Cap on anchors per class; a larger
                class keeps a random subset drawn with `seed`. Defaults to
                `4096` (`aos_keras.game.anchors.MAX_ANCHORS`: a class below
                it keeps every row); None: every row.
            seed: int or None. Seed of the anchor subset and of training.
            max_categories: int. Most distinct values of a nominal column
                (`TableEncoder`). Defaults to `100`.
            preprocessor: a fitted `aos_keras.TablePreprocessor` or None.
                The table's encoding, fitted elsewhere (for example on the
                training split); `x` is transformed through it. Defaults
                to `None`: fitted here on `x` and `y`.
            **kwargs: any argument of `AdversarialOversampler`.

        Returns:
            An `AdversarialOversampler`.
        """
        y = check_target(y, num_rows=len(x))  # once: passed on, checked
        if kwargs.get("encoder") is not None:  # a 0.3 spec: x encoded
            classes = check_classes(y)[0]
            preprocessor = TablePreprocessor(kwargs.pop("encoder"), classes)
        if preprocessor is None:
            preprocessor = TablePreprocessor.fit(
                x, y, max_categories=max_categories
            )
        x = model_rows(preprocessor, x)
        counts, anchors = _anchors(preprocessor, x, y, max_anchors, seed)
        model = cls(
            classes=preprocessor.classes_.tolist(),
            class_counts=counts.tolist(),
            num_features=x.shape[1],
            anchor_counts=[len(a) for a in anchors],
            preprocessor=preprocessor,
            seed=seed,
            **kwargs,
        )
        model.generator.set_anchors(anchors)
        return model

    # The step's constants, read off `rules` (`schedule.GameRules`).
    @property
    def alpha(self):
        """Weight of Q's generated-row term, `sum_c deficit_c / N`."""
        return self.rules.alpha

    @property
    def class_weights(self):
        """Class distributions of the critic, generator and classifier."""
        return self.rules.class_weights

    @property
    def support(self):
        """Classes the generator and the classifier generate rows of."""
        return self.rules.support

    @property
    def q_logit_shift(self):
        """`tau * log(pi_eff)` of Q's in-game logit adjustment, or None."""
        return self.rules.q_logit_shift

    # ------------------------------------------------------------ training
    @property
    def game(self):
        """The `schedule.Game` a step plays: rules, players, ..."""
        return schedule.Game(
            rules=self.rules,
            generator=self.generator,
            critic=self.critic,
            classifier=self.classifier,
            g_optimizer=getattr(self, "g_optimizer", None),
            d_optimizer=getattr(self, "d_optimizer", None),
            q_optimizer=getattr(self, "q_optimizer", None),
            seed_generator=self.seed_generator,
            dtype=self.compute_dtype,
            step=self.optimizer.iterations if self.compiled else None,
            q_start_step=self.oversampling_start_step,
        )

    def step(self, data):
        """One step of the game (`aos_keras.game.schedule.train_step`)."""
        return self.record(*schedule.train_step(self.game, data))

    def sample(self, counts, seed=None, as_frame=None):
        """Generated rows and their labels (values of `classes_`).

        Args:
            counts: dict mapping a label (a value of `classes_`) to a count.
            seed: int, `keras.random.SeedGenerator` or None.
            as_frame: bool or None. Return the rows as a DataFrame of the
                table's schema (through `preprocessor`: valid categories,
                integers, original dtypes). Defaults to `None`: a DataFrame
                when the preprocessor encodes a table, else model-space
                arrays.

        Returns:
            `(x, y)`: rows (numpy `(n, d)` or a DataFrame) and labels.

        Raises:
            TypeError: `counts` is not a dict of int counts, or a bad seed.
            ValueError: a negative count or a label not in `classes_`.
        """
        counts = checks.check_counts(counts)
        if not isinstance(seed, keras.random.SeedGenerator):
            seed = checks.check_seed(seed)
        index = {
            int(self.encode_labels([label], name="counts")[0]): n
            for label, n in counts.items()
        }
        x, codes = self.generator.sample(index, seed=seed)
        if as_frame is None:
            as_frame = not self.preprocessor.identity
        if as_frame:
            x = self.preprocessor.inverse_transform(x)
        return x, self.preprocessor.decode(codes)

    @property
    def encoder(self):
        """The table's encoding (`preprocessor.encoder`), or None for rows
        taken as they are."""
        if self.preprocessor.identity:
            return None
        return self.preprocessor.encoder

    # ---------------------------------------------------------- config
    def get_config(self):
        config = keras.Model.get_config(self)
        settings = self.config.resolved().to_dict()
        strategy = self.sampling_strategy
        if isinstance(strategy, dict):  # [label, target] pairs (JSON keys
            labels = self.classes_.tolist()  # would turn labels into str)
            strategy = [[labels[c], int(n)] for c, n in strategy.items()]
        settings["sampling_strategy"] = strategy
        config.update(
            classes=self.classes_.tolist(),
            class_counts=self.class_counts,
            num_features=self.num_features,
            anchor_counts=self.anchor_counts,
            **settings,
            nominal_blocks=[list(b) for b in self.generator.nominal_blocks],
            preprocessor=_preprocessor_config(self.preprocessor),
            head_groups=self.generator.head_groups,
            seed=self.seed,
        )
        return config

    @classmethod
    def from_config(cls, config):
        check_saved_layout(config, cls.__name__)
        config = saved_settings(config)  # a setting absent: its old default
        strategy = config.get("sampling_strategy")
        if isinstance(strategy, list):  # [label, target] pairs
            config["sampling_strategy"] = {k: n for k, n in strategy}
        elif isinstance(strategy, dict):  # earlier versions: class indices
            labels = config["classes"]
            config["sampling_strategy"] = {
                labels[int(k)]: n for k, n in strategy.items()
            }
        return cls(**config)

    # ------------------------------------------------- tables and labels
    def fit(
        self, x=None, y=None, validation_data=None, nan_guard=True, **kwargs
    ):
        """`keras.Model.fit` that accepts arrays/DataFrames and raw labels.

        Numpy/pandas `x` and `y` (and `validation_data=(x_val, y_val)`) go
        through the model's `preprocessor`: DataFrames matched by column
        name, labels mapped through `classes_`; datasets and generators
        must yield class indices `0..C-1`, one per row (each batch is
        checked: raw labels and one-hot rows are refused,
        `aos_keras.game.inputs.checked_batches`). A `batch_size` larger
        than the table is clipped to the table; without one (or with
        `"auto"`), arrays get the batch size of `aos_keras.game.batching.
        auto_batch_size` (32 up to 1,600 rows, then 64, 128, 256: at most
        50 steps an epoch where 256 allows).

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
                `aos_keras.tables.checks`), a batch of a dataset whose
                labels are not class indices, or a `class_weight` key that
                is not a class (`class_weight` is keyed by class label, or
                by class index `0..C-1`).
            NonFiniteLossError: a loss or weight became NaN or infinite.
        """
        _check_epochs(kwargs)
        if kwargs.get("class_weight") is not None:
            kwargs["class_weight"] = class_weight_by_index(
                kwargs["class_weight"], self.classes_
            )
        x, y = self._prepare(x, y)
        if is_array_like(x) and y is None:
            raise ValueError(
                "fit needs labels: pass y (one label per row of x)."
            )
        if isinstance(validation_data, (tuple, list)):
            validation_data = (
                *self._prepare(*validation_data[:2], "x_val"),
                *validation_data[2:],
            )
        else:
            validation_data = self._checked(validation_data, "validation_data")
        kwargs["callbacks"] = self._fit_callbacks(
            kwargs.get("callbacks"), nan_guard
        )
        if is_array_like(x):
            kwargs["batch_size"] = resolve_batch_size(
                kwargs.get("batch_size"), len(x)
            )
        if _can_pad(x, kwargs):
            x, y, validation_data = _whole_batches(
                x, y, validation_data, kwargs
            )
        with state_kept_on_refusal(self, x, validation_data):
            with LabelErrors(self.classes_):
                return super().fit(
                    x, y, validation_data=validation_data, **kwargs
                )

    def _fit_callbacks(self, callbacks, nan_guard):
        """`fit`'s callbacks: the guard first, the deferral when deferred;
        monitors of ACSA or GM in `mode="auto"` maximise them."""
        monitor_directions(callbacks, self.metrics)
        callbacks = with_nan_guard(callbacks) if nan_guard else callbacks
        if self.oversampling_start_step is not None:
            callbacks = [*(callbacks or []), DeferredOversampling()]
        return callbacks

    def evaluate(self, x=None, y=None, **kwargs):
        """`keras.Model.evaluate` with label mapping (see `fit`)."""
        if not kwargs.get("_use_cached_eval_dataset"):  # not fit's own call
            x, y = self._prepare(x, y)
        with state_kept_on_refusal(self, x), LabelErrors(self.classes_):
            return super().evaluate(x, y, **kwargs)

    def predict(self, x, **kwargs):
        """Class probabilities `(n, C)`, columns in the order of `classes_`.

        A DataFrame is matched to the training columns by name.
        """
        return super().predict(self._rows(x), **kwargs)

    def predict_labels(self, x, **kwargs):
        """Predicted labels (values of `classes_`) of rows `x`."""
        return self.preprocessor.decode(self.predict(x, **kwargs))

    def encode_labels(self, y, name="y"):
        """Map labels to class indices `0..C-1` (unseen labels: an error)."""
        return self.preprocessor.encode_labels(y, name=name)

    def _rows(self, x, name="x"):
        if not is_array_like(x):
            return x
        rows = model_rows(self.preprocessor, x, name)
        if not isinstance(x, pd.DataFrame):
            warn_if_raw(self.preprocessor, rows, name)
        return rows

    def _checked(self, data, name):
        """A dataset or generator whose batches' labels are checked."""
        return checked_batches(data, self.classes_, f"the batches of {name}")

    def _prepare(self, x, y, name="x"):
        x = self._checked(self._rows(x, name), name)
        if y is not None and is_array_like(y):
            y = self.encode_labels(y)
            if is_array_like(x) and len(y) != len(x):
                raise ValueError(
                    f"{name} has {len(x)} rows but y has {len(y)} labels."
                )
        return x, y

    def export(self, filepath, format="tf_saved_model", verbose=None, **kw):
        """Keras' `model.export`: the classifier as a SavedModel or ONNX.

        `format="tf_saved_model"` delegates to
        `aos_keras.export_saved_model` (signatures `serving_default` and
        `classes`; a table's encoding runs in the graph); `format="onnx"`
        to `aos_keras.export_onnx` (input `features`, output
        `probabilities`; a numeric table's encoding runs in the graph).
        An existing `filepath` is replaced, as Keras does.

        Args:
            filepath: str. The SavedModel directory or the `.onnx` file.
            format: str. `"tf_saved_model"` or `"onnx"`.
            verbose: bool or None. Let the exporter print.
            **kw: other arguments of `export_saved_model` or `export_onnx`
                (`method`, ...).

        Returns:
            The absolute path of the SavedModel or ONNX file (str).

        Raises:
            ValueError: another `format` (Keras's OpenVINO and LiteRT
                formats are not offered for this model).

        Example:
        >>> model.export("aos.onnx", format="onnx")
        """
        writers = {"tf_saved_model": export_saved_model, "onnx": export_onnx}
        if format not in writers:
            raise ValueError(
                f"{type(self).__name__}.export supports format="
                f"'tf_saved_model' or 'onnx'; got {format!r}. Export ONNX "
                "and convert it for other runtimes (OpenVINO reads ONNX)."
            )
        kw.setdefault("overwrite", True)
        return writers[format](self, filepath, verbose=bool(verbose), **kw)

    # --------------------------------------------- one optimizer a player
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


def _anchors(preprocessor, x, y, max_anchors, seed):
    """`(rows per class, each class's anchors)` of model-space rows `x`."""
    codes = preprocessor.encode_labels(check_target(y, len(x)))
    counts = np.bincount(codes, minlength=len(preprocessor.classes_))
    max_anchors = checks.check_positive_int(
        max_anchors, "max_anchors", allow_none=True
    )
    anchors = select_anchors(
        x, codes, len(counts), max_anchors=max_anchors, seed=seed
    )
    return counts, anchors


def _index_strategy(strategy, classes):
    """A `sampling_strategy` dict keyed by label, keyed by class index."""
    if not isinstance(strategy, dict):
        return strategy
    codes = encode_labels(list(strategy), classes, name="sampling_strategy")
    return {int(c): int(n) for c, n in zip(codes, strategy.values())}


def _preprocessor(preprocessor, encoder, classes, num_features):
    """The model's `TablePreprocessor`, from the constructor's arguments."""
    if isinstance(preprocessor, dict):
        preprocessor = TablePreprocessor.from_config(preprocessor)
    if preprocessor is None and encoder is not None:  # saved by 0.3
        preprocessor = TablePreprocessor(encoder, classes)
    if preprocessor is None:
        return TablePreprocessor.identity(num_features, classes)
    if preprocessor.n_features_out_ != num_features:
        raise ValueError(
            f"The preprocessor makes {preprocessor.n_features_out_} "
            f"features; num_features is {num_features}."
        )
    if preprocessor.classes_.tolist() != np.asarray(classes).tolist():
        raise ValueError(
            f"The preprocessor's classes {preprocessor.classes_.tolist()} "
            f"differ from `classes` {np.asarray(classes).tolist()}."
        )
    return preprocessor


def _preprocessor_config(preprocessor):
    """`get_config`'s entry: None for rows taken as they are by position."""
    if preprocessor.identity and not preprocessor.named:
        return None
    return preprocessor.get_config()


def model_rows(preprocessor, x, name="x"):
    """Rows in model space: a DataFrame through `preprocessor`; an array
    as it is (checked), unless the preprocessor is the identity."""
    if isinstance(x, pd.DataFrame) or preprocessor.identity:
        return preprocessor.transform(x, name)
    return checks.check_features(x, preprocessor.n_features_out_, name)


def _check_epochs(kwargs):
    epochs = kwargs.get("epochs", 1)
    start = kwargs.get("initial_epoch")
    if int(epochs) - int(start or 0) < 1:
        raise ValueError(
            f"fit needs at least one epoch to run; got epochs={epochs}"
            + (f" with initial_epoch={start}" if start else "")
            + "."
        )


def _whole_batches(x, y, validation_data, kwargs):
    """Pad arrays to whole batches (one compiled step shape); a batch size
    larger than the table is clipped to it."""
    batch = batch_size_for(kwargs["batch_size"], len(x))
    kwargs["batch_size"] = batch
    x, y, kwargs["sample_weight"] = pad_to_batches(
        x, y, kwargs.get("sample_weight"), batch
    )
    if isinstance(validation_data, tuple) and is_array_like(validation_data[0]):
        val_batch = batch_size_for(
            kwargs.get("validation_batch_size") or batch,
            len(validation_data[0]),
        )
        kwargs["validation_batch_size"] = val_batch
        validation_data = pad_to_batches(
            *validation_data[:2],
            (validation_data[2:] or (None,))[0],
            val_batch,
        )
    return x, y, validation_data


def _can_pad(x, kwargs):
    """Whether `fit` may pad `x` to whole batches (`aos_keras.game.batching`):
    arrays, and no Keras option that reads the rows' order or count."""
    return is_array_like(x) and not any(
        kwargs.get(k)
        for k in ("validation_split", "class_weight", "steps_per_epoch")
    )
