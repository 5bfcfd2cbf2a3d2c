"""The registry of methods by name: `make_method`, `register_method`.

Every method `make_method` builds is a `MethodSpec`: a name, a factory (a
`Method` subclass, or a generic one with its arguments, such as a game
`Preset`), a revision and the options it reads. `compare` sends specs to
its workers, so a method registered in the parent process (a study's
variant) also runs in a worker that never imported the study.
"""

import dataclasses
import functools

from aos_keras.baselines.oversampler import OversamplerMethod
from aos_keras.baselines.presets import GAME_REVISION, Preset
from aos_keras.game.players import BETA_1, CLASSIFIER_UNITS, LEARNING_RATE

_REGISTRY = {}
_OPTIONS = set()


@dataclasses.dataclass(frozen=True)
class MethodSpec:
    """One registered method.

    Attributes:
        name: str. The method's name.
        factory: callable returning a `Method` (a `Method` subclass, or a
            `functools.partial` of one).
        revision: int. The method's revision (`Method.revision`).
        options: frozenset of str. The options the method reads.
    """

    name: str
    factory: object
    revision: int = 0
    options: frozenset = frozenset()

    def build(self, **kwargs):
        """`factory(**kwargs)`: a fresh, untrained `Method`."""
        return self.factory(**kwargs)

    def skip_reason(self, num_classes):
        """Why `compare` does not run it on `num_classes` classes, or None
        (`Method.skip_reason`; a factory without one always runs)."""
        base = getattr(self.factory, "func", self.factory)
        reason = getattr(base, "skip_reason", None)
        return None if reason is None else reason(num_classes)


def register_method(name, factory, *, revision=None, options=None):
    """Register a method under `name` for `make_method` and `compare`.

    Args:
        name: str. A name not registered yet.
        factory: a `Method` subclass, or a callable taking `Method`'s
            arguments (`num_classes`, `num_features`, `seed`,
            `classifier_units`, `learning_rate`, `beta_1`, options).
        revision: int or None. Defaults to `factory.revision` (0 if none).
        options: iterable of str or None. The options the method reads.
            Defaults to `factory.accepted_options()` (none if absent).

    Returns:
        The `MethodSpec`.

    Raises:
        ValueError: `name` is already registered as another method (the
            same registration again is a no-op).

    Example:
    >>> class Wide(ClassifierMethod):
    ...     name = "Q-wide"
    >>> register_method("Q-wide", Wide)
    """
    base = getattr(factory, "func", factory)  # a functools.partial's class
    if revision is None:
        revision = getattr(base, "revision", 0)
    if options is None:
        accepted = getattr(base, "accepted_options", None)
        options = accepted() if accepted is not None else ()
    spec = MethodSpec(name, factory, int(revision), frozenset(options))
    if name in _REGISTRY:
        if _key(_REGISTRY[name]) == _key(spec):  # the same one again
            return _REGISTRY[name]
        raise ValueError(
            f"A method named {name!r} is already registered, differently; "
            "choose another name."
        )
    _REGISTRY[name] = spec
    _OPTIONS.update(spec.options)
    return spec


def _key(spec):
    """What makes two specs equal (a partial compares by identity)."""
    f = spec.factory
    if isinstance(f, functools.partial):
        f = (f.func, f.args, tuple(sorted(f.keywords.items())))
    return (spec.name, f, spec.revision, spec.options)


def register_preset(name, *, mode, settings=None, doc="", revision=None):
    """Register a preset of the game (`mode` and fixed settings) by name.

    Args:
        name: str. A name not registered yet (e.g. `"DO-fresh"`).
        mode: str. `"ao"` or `"do"`.
        settings: dict or None. `GameConfig` settings the preset fixes.
        doc: str. One line: what the preset is.
        revision: int or None. Defaults to the game's (`GAME_REVISION`,
            2 in version 0.3); a preset whose results change under the
            same name must bump it.

    Returns:
        The `MethodSpec`.

    Example:
    >>> register_preset("DO-fresh", mode="do",
    ...                 settings={"q_generated_rows": "fresh"})
    >>> make_method("DO-fresh", num_classes=3, num_features=8)
    <OversamplerMethod 'DO-fresh'>
    """
    revision = GAME_REVISION if revision is None else int(revision)
    preset = Preset(name, mode, settings or {}, doc, revision)
    factory = functools.partial(OversamplerMethod, preset=preset)
    return register_method(name, factory, revision=revision)


def method_spec(name):
    """The `MethodSpec` registered as `name` (`ValueError` if none)."""
    if isinstance(name, MethodSpec):
        return name
    if name not in _REGISTRY:
        raise ValueError(
            f"Unknown method {name!r}; use one of {available_methods()}."
        )
    return _REGISTRY[name]


def available_methods():
    """Every registered name: `METHODS` and those registered since."""
    return tuple(_REGISTRY)


def accepted_options():
    """Every option some registered method reads."""
    return frozenset(_OPTIONS)


def make_method(
    name,
    *,
    num_classes,
    num_features,
    seed=None,
    classifier_units=CLASSIFIER_UNITS,
    learning_rate=LEARNING_RATE,
    beta_1=BETA_1,
    **options,
):
    """Build a registered method by name.

    Args:
        name: str (or a `MethodSpec`). One of `METHODS`: `"Q"`, `"RO+Q"`,
            `"COT"`, `"SMOTE+Q"`, `"B-SMOTE+Q"`, `"ADASYN+Q"`, `"GAMO"`,
            `"CW-CE"`, `"Focal"`, `"LA-CE"`, the game's presets `"AO"`,
            `"DO"`, `"DO-T0.1"` (generator heads at softmax temperature
            0.1) and `"DO-T0.1-LA"` (DO-T0.1 growing every class up to half
            the largest, logit adjustment for the rest), the scikit-learn
            methods `"LR"`, `"HGB"`,
            `"SMOTE+HGB"`, `"DO-T0.1+HGB"`; or a name registered with
            `register_method` / `register_preset`.
        num_classes: int. Number of classes `C`; labels are `0..C-1`.
        num_features: int. Number of features `d`.
        seed: int or None. Seed of `keras.utils.set_random_seed` (called at
            the start of `fit`) and of samplers. Defaults to `None`.
        classifier_units: tuple of int. Hidden widths of Q. Defaults to
            `GameConfig.classifier_units`.
        learning_rate: float. Adam's learning rate, every player. Defaults
            to `2e-4`.
        beta_1: float. Adam's `beta_1`, every player. Defaults to `0.5`.
        **options: method options (`OPTIONS`: `max_anchors`, the
            `GameConfig` settings, `tau`, `focal_gamma`, `jit_compile`,
            ...); a method ignores the options of other methods, so one
            set can be passed to all.

    Returns:
        A `Method`.

    Raises:
        ValueError: an unknown method, or an option no method reads (the
            message lists the valid ones).

    Example:
    >>> method = make_method("DO", num_classes=3, num_features=8, seed=0)
    >>> method.fit(x_train, y_train, epochs=100, batch_size=32)
    """
    spec = method_spec(name)
    unknown = sorted(set(options) - _OPTIONS)
    if unknown:
        raise ValueError(
            f"Unknown option(s) {unknown}: no method reads them. Valid "
            f"options: {sorted(_OPTIONS)}."
        )
    return spec.build(
        num_classes=num_classes,
        num_features=num_features,
        seed=seed,
        classifier_units=classifier_units,
        learning_rate=learning_rate,
        beta_1=beta_1,
        **options,
    )


def method_revision(name):
    """The revision of a method's behaviour (`MethodSpec.revision`).

    Args:
        name: str. A registered name; any other name has 0.

    Returns:
        int.

    Example:
    >>> method_revision("DO"), method_revision("SMOTE+Q")
    (2, 0)
    """
    spec = _REGISTRY.get(name)
    return 0 if spec is None else spec.revision
