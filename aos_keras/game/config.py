"""`GameConfig`: the settings of the game, written once.

Every setting of the three-player game (its name, type, default, allowed
values and documentation) is one field of `GameConfig`. Everything else is
generated from the fields:

- `AdversarialOversampler` takes each field as a keyword argument and
  writes them all in `get_config`;
- the `aos-keras train` command line has one option per field
  (`add_arguments`, `from_args`);
- `AOSClassifier` and `AOSSampler` have one parameter per field
  (`wrapper_parameters`) and scikit-learn constraints derived from them
  (`parameter_constraints`);
- `make_method` accepts the fields as options of the adversarial methods.

A subclass that adds a field (a `dataclasses.dataclass` deriving from
`GameConfig`, set as `config_class` of a model subclass) gets the field in
all of these places without touching them.

Each field is declared with `setting(default, doc, ...)`, which keeps its
documentation and allowed values in the field's metadata; the functions
below it turn such a field into what each entry point needs: the value
checked and cast (`normalise`), an `argparse` option (`cli_option`) and a
scikit-learn parameter constraint (`sklearn_constraint`).

Example:
>>> config = GameConfig(mode="ao", generator_temperature=0.1)
>>> config.to_dict()["generator_temperature"]
0.1
>>> GameConfig.from_dict(config.to_dict()) == config
True
>>> @dataclasses.dataclass(frozen=True)
... class Config:
...     rate: float = setting(0.1, "Step size.", minimum=0)
>>> normalise(dataclasses.fields(Config)[0], 1)
1.0
"""

import argparse
import dataclasses
import typing
from numbers import Integral, Real

from aos_keras.game.sampling import check_strategy


# ------------------------------------------------------------ a setting
def setting(
    default,
    doc,
    *,
    choices=None,
    minimum=None,
    maximum=None,
    exclusive=(),
    optional=False,
    cli_help=None,
):
    """A field of `GameConfig` with its documentation and allowed values.

    Args:
        default: the default value.
        doc: str. One sentence or more: what the setting does.
        choices: tuple of str or None. Allowed values of a string setting.
        minimum: number or None. Smallest allowed value.
        maximum: number or None. Largest allowed value.
        exclusive: tuple of "minimum"/"maximum": bounds that are excluded.
        optional: bool. `None` is allowed (and means "from the preset" or
            "automatic", as `doc` says).
        cli_help: str or None. Shorter help for the command line. Defaults
            to `doc`.

    Returns:
        A `dataclasses.field` carrying this information in its `metadata`.
    """
    return dataclasses.field(
        default=default,
        metadata={
            "doc": doc,
            "choices": choices,
            "minimum": minimum,
            "maximum": maximum,
            "exclusive": tuple(exclusive),
            "optional": optional,
            "cli_help": cli_help,
        },
    )


def cli_option(field):
    """The keyword arguments of `parser.add_argument` for a setting."""
    meta = field.metadata
    kind, many = _kind(field)
    help_text = meta["cli_help"] or meta["doc"].replace("`", "")
    if field.default is not None:
        help_text += f" (default: {_shown(field.default)})"
    option = {
        "dest": field.name,
        "default": field.default,
        "help": help_text.replace("%", "%%"),
    }
    if meta["choices"]:
        option["choices"] = meta["choices"]
    if many:
        option.update(nargs="+", type=int, metavar="N")
    elif field.name == "sampling_strategy":
        option["type"] = _strategy
    elif kind in (int, float):
        option["type"] = kind
    return option


def sklearn_constraint(field):
    """A setting's scikit-learn `_parameter_constraints` entry, or None.

    Only the type and range are checked this way; `normalise` checks the
    rest when the model is built.
    """
    from sklearn.utils._param_validation import Interval, StrOptions

    meta = field.metadata
    kind, many = _kind(field)
    if meta["choices"]:
        allowed = [StrOptions(set(meta["choices"]))]
    elif many:
        allowed = ["array-like"]
    elif kind in (int, float):
        number = Integral if kind is int else Real
        bounds = (meta["minimum"], meta["maximum"])
        allowed = [Interval(number, *bounds, closed=_closed(meta))]
    else:
        return None
    return allowed + [None] if meta["optional"] else allowed


def _kind(field):
    """`(scalar type, is a tuple of ints)` of a field's annotation."""
    hint = field.type
    if isinstance(hint, str):  # postponed annotations
        hint = eval(hint, vars(typing))  # noqa: S307 (own annotations)
    args = typing.get_args(hint)
    origin = typing.get_origin(hint)
    if origin in (tuple, typing.Tuple):
        return int, True
    if origin is typing.Union:
        inner = [a for a in args if a is not type(None)]
        hint = inner[0] if len(inner) == 1 else typing.Any
    return hint, False


def normalise(field, value):
    """A field's value checked and cast, or `ValueError` naming it."""
    meta = field.metadata
    name = field.name
    if value is None:
        if meta["optional"]:
            return None
        raise ValueError(f"`{name}` must not be None.")
    kind, many = _kind(field)
    if name == "sampling_strategy":
        return check_strategy(value)
    if meta["choices"]:
        if value not in meta["choices"]:
            raise ValueError(
                f"`{name}` must be one of {list(meta['choices'])}; got "
                f"{value!r}."
            )
        return value
    if many:
        return _normalise_ints(name, value, meta)
    if kind in (int, float):
        return _normalise_number(name, value, kind, meta)
    return value


def _normalise_ints(name, value, meta):
    """A sequence of ints, each in the field's range."""
    try:
        values = tuple(int(v) for v in value)
    except (TypeError, ValueError):
        raise ValueError(
            f"`{name}` must be a sequence of ints; got {value!r}."
        ) from None
    for v in values:
        _check_range(name, v, meta)
    return values


def _normalise_number(name, value, kind, meta):
    """An int or float (`kind`) in the field's range; bools refused."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(f"`{name}` must be a number; got {value!r}.")
    if kind is int:
        if int(value) != value:
            raise ValueError(f"`{name}` must be an int; got {value!r}.")
        value = int(value)
    else:
        value = float(value)
    _check_range(name, value, meta)
    return value


def _check_range(name, value, meta):
    low, high = meta["minimum"], meta["maximum"]
    excl = meta["exclusive"]
    bad_low = low is not None and (
        value <= low if "minimum" in excl else value < low
    )
    bad_high = high is not None and (
        value >= high if "maximum" in excl else value > high
    )
    if bad_low or bad_high or value != value:  # NaN fails too
        lo = "(" if "minimum" in excl else "["
        hi = ")" if "maximum" in excl else "]"
        low_s = "-inf" if low is None else low
        high_s = "inf" if high is None else high
        raise ValueError(
            f"`{name}` must be in {lo}{low_s}, {high_s}{hi}; got {value!r}."
        )


def _closed(meta):
    low = "neither" if "minimum" in meta["exclusive"] else "left"
    if meta["maximum"] is None:
        return low if meta["minimum"] is not None else "neither"
    if "maximum" in meta["exclusive"]:
        return "neither" if low == "neither" else "left"
    return "right" if low == "neither" else "both"


def _strategy(text):
    """The command line's `--sampling-strategy`: a name or a float."""
    try:
        value = float(text)
    except ValueError:
        value = text
    try:
        return check_strategy(value)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _shown(default):
    if isinstance(default, tuple):
        return " ".join(str(v) for v in default)
    return default


# ------------------------------------------------------------ the game's
# The paper's game: softmax heads at temperature 1, every class grown to the
# largest, no logit adjustment. AO's settings; compare's presets AO and DO
# (`aos_keras.baselines.presets`); what a model saved without these fields
# was trained with (`upgrade.EARLIER_DEFAULTS`).
PAPER_SETTINGS = {
    "generator_temperature": 1.0,
    "sampling_strategy": "auto",
    "q_logit_adjustment": 0.0,
}
# The sharp generator heads of compare's T0.1 presets: a fresh generator's
# rows mix a few anchors, like SMOTE's interpolation of two rows.
SHARP_TEMPERATURE = 0.1
# DO's settings, chosen on the development suite (docs/research/round5.md)
# and run by compare as DO-T0.1-LA: sharp heads, every class grown up to
# half the largest class by generated rows, logit adjustment of Q's loss
# for the rest of the imbalance.
DO_SETTINGS = {
    "generator_temperature": SHARP_TEMPERATURE,
    "sampling_strategy": 0.5,
    "q_logit_adjustment": 1.0,
}
# What `mode` sets; each entry can be overridden by its own field.
PRESETS = {
    "ao": {
        "g_q_loss": "complement",
        "q_class_distribution": "inverse",
        "q_fake_loss": "ce",
        **PAPER_SETTINGS,
    },
    "do": {
        "g_q_loss": "ce",
        "q_class_distribution": "fraction",
        "q_fake_loss": "ce",
        **DO_SETTINGS,
    },
}
GAN_LOSSES = ("wgan-gp", "vanilla")
CLASS_LOSS_NAMES = ("ce", "complement")
CLASS_DISTRIBUTIONS = ("inverse", "fraction", "balanced", "real")
NOMINAL_OUTPUTS = ("soft", "hard")
Q_GENERATED_ROWS = ("fresh", "critic")


@dataclasses.dataclass(frozen=True)
class GameConfig:
    """The settings of the AO/DO game (one field per setting).

    Fields are validated and normalised on construction (ints, floats,
    tuples of ints); a bad value raises `ValueError` naming the field.
    `resolved()` fills the fields that `mode` presets. See the module
    docstring for where the fields are used.

    Args:
        mode: see the field's documentation (`GameConfig.describe()`).
        ...: every field of the class, keyword-only in practice.

    Example:
    >>> GameConfig(mode="ao").resolved().g_q_loss
    'complement'
    >>> GameConfig(mode="do").resolved().generator_temperature
    0.1
    >>> GameConfig(mode="do", generator_temperature=1.0).resolved(
    ... ).generator_temperature  # the paper's DO
    1.0
    >>> rules = GameConfig(mode="do").resolved()  # DO_SETTINGS
    >>> rules.sampling_strategy, rules.q_logit_adjustment
    (0.5, 1.0)
    >>> rules = GameConfig(mode="ao").resolved()
    >>> rules.sampling_strategy, rules.q_logit_adjustment
    ('auto', 0.0)

    References:
        Dam, Ferdaus et al., "Does Adversarial Oversampling Help us?",
        CIKM 2021 (ACM International Conference on Information and
        Knowledge Management).
    """

    mode: str = setting(
        "do",
        "`'do'` (data-space oversampling) or `'ao'` (adversarial "
        "oversampling); presets `g_q_loss`, `q_class_distribution`, "
        "`q_fake_loss`, `generator_temperature`, `sampling_strategy` and "
        "`q_logit_adjustment` unless they are given.",
        choices=tuple(PRESETS),
    )
    latent_dim: int = setting(
        100, "Size of the generator's noise vector.", minimum=1
    )
    generator_units: typing.Tuple[int, ...] = setting(
        (256, 64), "Widths of the generator's shared trunk.", minimum=1
    )
    generator_temperature: typing.Optional[float] = setting(
        None,
        "Softmax temperature of the generator's class heads; below 1 each "
        "generated row mixes fewer real rows. `None`: from `mode`, 0.1 for "
        "DO (chosen on the development suite: docs/research/variants.md) "
        "and 1.0 for AO; 1.0 is the paper's softmax.",
        minimum=0.0,
        exclusive=("minimum",),
        optional=True,
    )
    critic_units: typing.Tuple[int, ...] = setting(
        (256, 128), "Hidden widths of the critic D.", minimum=1
    )
    classifier_units: typing.Tuple[int, ...] = setting(
        (256, 128, 64), "Hidden widths of the classifier Q.", minimum=1
    )
    critic_steps: int = setting(
        1, "Critic updates per training step.", minimum=1
    )
    gp_weight: float = setting(
        10.0, "Weight of the WGAN gradient penalty.", minimum=0.0
    )
    gan_loss: str = setting(
        "wgan-gp",
        "The critic's game: `'wgan-gp'` (the paper) or `'vanilla'` (the "
        "non-saturating GAN loss).",
        choices=GAN_LOSSES,
    )
    beta: float = setting(
        1.0, "Weight of Q's term in the generator's loss.", minimum=0.0
    )
    sampling_strategy: typing.Any = setting(
        None,
        "How many rows are generated per class, imbalanced-learn's meaning: "
        "`'auto'` (= `'not majority'`: every class up to the largest), "
        "`'minority'`, `'not minority'`, `'all'`, a float f_s in (0, 1] "
        "(each class up to f_s times the largest: 0.5, up to half the "
        "largest class; for two classes the minority/majority ratio) or a "
        "dict (class label to target count). `None`: from `mode`, 0.5 for "
        "DO (with `q_logit_adjustment` 1: compare's preset DO-T0.1-LA, "
        "docs/research/round5.md) and `'auto'` for AO; the paper's DO is "
        "`'auto'`.",
        cli_help="'auto', 'minority', 'not minority', 'not majority', "
        "'all', or a float f_s in (0, 1]: each class grows to at least f_s "
        "times the largest (default: from --mode, 0.5 for do, 'auto' for "
        "ao; the paper's DO is 'auto')",
        optional=True,
    )
    g_q_loss: typing.Optional[str] = setting(
        None,
        "The generator's term on Q: `'complement'` (AO: fool Q) or `'ce'` "
        "(DO: favour Q). `None`: from `mode`.",
        choices=CLASS_LOSS_NAMES,
        optional=True,
    )
    q_class_distribution: typing.Optional[str] = setting(
        None,
        "Class distribution of the generated rows Q learns from: "
        "`'inverse'` (AO), `'fraction'` (DO), `'balanced'` or `'real'`. "
        "`None`: from `mode`.",
        choices=CLASS_DISTRIBUTIONS,
        optional=True,
    )
    q_fake_loss: typing.Optional[str] = setting(
        None,
        "Q's loss on generated rows: `'ce'` or `'complement'` (the literal "
        "reading of the paper's DO). `None`: from `mode`.",
        choices=CLASS_LOSS_NAMES,
        optional=True,
    )
    fake_rows_per_class: typing.Optional[int] = setting(
        None,
        "Generated rows per class and step. `None`: ceil(batch size / "
        "classes).",
        minimum=1,
        optional=True,
    )
    oversampling_start: float = setting(
        0.0,
        "Deferred oversampling (DRW-style, Cao et al. 2019): for this "
        "fraction of the epochs of each `fit`, Q learns from real rows "
        "only while G and D train as usual; then the full game.",
        minimum=0.0,
        maximum=1.0,
        exclusive=("maximum",),
    )
    q_generated_rows: str = setting(
        "critic",
        "The generated rows Q's update trains on: `'critic'` (the rows of "
        "the critic's last update in the same step: one generator pass "
        "less per step, rows one G update older, ceil(batch / heads) rows "
        "per class; chosen on the development suite, "
        "docs/research/shared_rows.md) or `'fresh'` (a forward "
        "pass of G after its update, the paper's step).",
        choices=Q_GENERATED_ROWS,
    )
    q_logit_adjustment: typing.Optional[float] = setting(
        None,
        "Logit adjustment tau of Q's loss inside the game (Menon et al. "
        "2021), with the class prior Q sees after oversampling; "
        "predictions use the plain logits. `None`: from `mode`, 1.0 for DO "
        "(with `sampling_strategy` 0.5: compare's preset DO-T0.1-LA, "
        "docs/research/round5.md) and 0.0 for AO; the paper's DO is 0.0.",
        minimum=0.0,
        optional=True,
    )
    nominal_output: str = setting(
        "soft",
        "Nominal blocks of generated rows: `'soft'` (the anchors' weighted "
        "vote) or `'hard'` (the one-hot of the largest vote, "
        "straight-through gradient).",
        choices=NOMINAL_OUTPUTS,
    )

    def __post_init__(self):
        for field in dataclasses.fields(self):
            value = normalise(field, getattr(self, field.name))
            object.__setattr__(self, field.name, value)

    # ------------------------------------------------------------- views
    def resolved(self):
        """A copy with the `mode` presets filled in (no `None` presets)."""
        preset = PRESETS[self.mode]
        return dataclasses.replace(
            self,
            **{
                k: v if getattr(self, k) is None else getattr(self, k)
                for k, v in preset.items()
            },
        )

    def to_dict(self):
        """The fields as a JSON-friendly dict (tuples as lists)."""
        out = {}
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            out[field.name] = list(value) if isinstance(value, tuple) else value
        return out

    @classmethod
    def from_dict(cls, values):
        """The config of a dict; unknown keys raise `TypeError`."""
        unknown = sorted(set(values) - set(cls.field_names()))
        if unknown:
            raise TypeError(
                f"Unknown settings {unknown}; valid: {cls.field_names()}."
            )
        return cls(**values)

    @classmethod
    def field_names(cls):
        """The names of the settings, in declaration order."""
        return [f.name for f in dataclasses.fields(cls)]

    @classmethod
    def split(cls, kwargs):
        """`(settings, rest)`: the entries of `kwargs` that are fields."""
        names = set(cls.field_names())
        settings = {k: v for k, v in kwargs.items() if k in names}
        rest = {k: v for k, v in kwargs.items() if k not in names}
        return settings, rest

    @classmethod
    def describe(cls):
        """Markdown lines, one per setting: name, default, documentation."""
        return [
            f"- `{f.name}` (default `{f.default!r}`): {f.metadata['doc']}"
            for f in dataclasses.fields(cls)
        ]

    # ----------------------------------------------------- command line
    @classmethod
    def add_arguments(cls, parser, *, exclude=()):
        """Add one `--option` per field to an `argparse` parser.

        Args:
            parser: `argparse.ArgumentParser` or argument group.
            exclude: field names left out.
        """
        for field in dataclasses.fields(cls):
            if field.name not in exclude:
                flag = "--" + field.name.replace("_", "-")
                parser.add_argument(flag, **cli_option(field))

    @classmethod
    def from_args(cls, args, *, exclude=()):
        """The config of parsed arguments (`add_arguments`' options)."""
        return cls(
            **{
                name: getattr(args, name)
                for name in cls.field_names()
                if name not in exclude and hasattr(args, name)
            }
        )

    # --------------------------------------------- scikit-learn wrappers
    @classmethod
    def wrapper_parameters(cls, *, exclude=()):
        """`(name, default)` of the fields a wrapper takes as parameters."""
        return [
            (f.name, f.default)
            for f in dataclasses.fields(cls)
            if f.name not in exclude
        ]

    @classmethod
    def parameter_constraints(cls, *, exclude=()):
        """scikit-learn `_parameter_constraints` entries of the fields.

        Only the type and range are checked here; `GameConfig` itself
        checks the rest when the model is built.
        """
        constraints = {}
        for field in dataclasses.fields(cls):
            allowed = sklearn_constraint(field)
            if field.name not in exclude and allowed is not None:
                constraints[field.name] = allowed
        return constraints
