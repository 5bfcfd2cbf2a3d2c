"""A setting: a documented dataclass field, its checks and its renderings.

`GameConfig` declares each setting of the game once with `setting(...)`;
this module turns such a field into what each entry point needs: the value
checked and cast (`normalise`), an `argparse` option (`cli_option`) and a
scikit-learn parameter constraint (`sklearn_constraint`).

Example:
>>> import dataclasses
>>> @dataclasses.dataclass(frozen=True)
... class Config:
...     rate: float = setting(0.1, "Step size.", minimum=0)
>>> field = dataclasses.fields(Config)[0]
>>> normalise(field, 1)
1.0
"""

import argparse
import dataclasses
import typing
from numbers import Integral, Real

from aos_keras.game.sampling import STRATEGY_NAMES


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
        return _check_strategy(value)
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


def _check_strategy(value):
    """`sampling_strategy`: a name, a float in (0, 1] or a dict."""
    if isinstance(value, str):
        if value not in STRATEGY_NAMES:
            raise ValueError(
                f"`sampling_strategy` must be one of {list(STRATEGY_NAMES)}, "
                f"a float in (0, 1] or a dict; got {value!r}."
            )
        return value
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(
            "`sampling_strategy` must be 'auto', a float in (0, 1] or a "
            f"dict; got {value!r}."
        )
    return float(value)


def _strategy(text):
    """The command line's `--sampling-strategy`: a name or a float."""
    if text in STRATEGY_NAMES:
        return text
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be one of {list(STRATEGY_NAMES)} or a float in (0, 1]; "
            f"got {text!r}"
        ) from None
    if not 0.0 < value <= 1.0:
        raise argparse.ArgumentTypeError(
            f"must be one of {list(STRATEGY_NAMES)} or a float in (0, 1]; "
            f"got {text!r}"
        )
    return value


def _shown(default):
    if isinstance(default, tuple):
        return " ".join(str(v) for v in default)
    return default
