"""`AdversarialOversampler`: the three-player game as one Keras model."""

import dataclasses
import warnings

import keras
import numpy as np

from aos_keras.game import schedule
from aos_keras.game.anchors import select_anchors
from aos_keras.game.config import GAN_LOSSES, PRESETS, GameConfig
from aos_keras.game.critic import Critic
from aos_keras.game.generator import CWIGenerator
from aos_keras.game.model_compile import (
    COMPILE_ARGS,
    OPTIMIZERS,
    PlayerOptimizers,
)
from aos_keras.game.model_entry import TableEntry, model_rows
from aos_keras.game.players import MultiPlayerModel, default_optimizer
from aos_keras.game.upgrade import check_saved_layout, saved_settings
from aos_keras.tables import checks
from aos_keras.tables.preprocessing import TablePreprocessor

TRACKERS = ("loss", "q_loss", "g_loss", "d_loss", "gp")
__all__ = [
    "COMPILE_ARGS",
    "GAN_LOSSES",
    "OPTIMIZERS",
    "PRESETS",
    "AdversarialOversampler",
    "default_optimizer",
]


@keras.saving.register_keras_serializable(package="aos_keras")
class AdversarialOversampler(TableEntry, PlayerOptimizers, MultiPlayerModel):
    """Adversarial (AO) or data-space (DO) oversampling as a Keras model.

    Owns the three players: a mixture of class-conditional convex generators
    `generator` (`CWIGenerator`), a class-conditional `critic` (WGAN-GP) and
    the `classifier` Q. `fit` plays the game (see `aos_keras.schedule`);
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
            left at `None` (DO since 0.5.0: generator temperature 0.1,
            `sampling_strategy` 0.5 and `q_logit_adjustment` 1.0, the
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
        Adversarial oversampling for multi-class imbalanced data
        classification (the paper in `shared/paper`).
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
        max_anchors=None,
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
                checked with `aos_keras.validation.check_target`).
            max_anchors: int or None. Cap on anchors per class; a larger
                class keeps a random subset drawn with `seed`. Defaults to
                `None` (every row).
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
        if kwargs.get("encoder") is not None:  # a 0.3 spec: x encoded
            classes = checks.check_classes(checks.check_target(y))[0]
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
        """The `aos_keras.schedule.Game` a step plays: rules, players, ..."""
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
        """One step of the game (`aos_keras.schedule.train_step`)."""
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


def _anchors(preprocessor, x, y, max_anchors, seed):
    """`(rows per class, each class's anchors)` of model-space rows `x`."""
    with warnings.catch_warnings():  # stripped labels: warned once
        warnings.simplefilter("ignore", UserWarning)
        codes = preprocessor.encode_labels(checks.check_target(y, len(x)))
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
    codes = checks.encode_labels(
        list(strategy), classes, name="sampling_strategy"
    )
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
