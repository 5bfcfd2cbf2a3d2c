"""`GameConfig`: one source for the settings, everywhere they appear."""

import dataclasses

import numpy as np
import pytest
from conftest import TINY

from aos_keras import AdversarialOversampler, AOSClassifier, GameConfig, cli
from aos_keras.baselines import OPTIONS, make_method
from aos_keras.game.config import setting


@dataclasses.dataclass(frozen=True)
class KnobConfig(GameConfig):
    knob: int = setting(3, "A setting added by a subclass.", minimum=1)


class KnobModel(AdversarialOversampler):
    config_class = KnobConfig


class KnobClassifier(AOSClassifier):
    model_class = KnobModel


def _data(n=40):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 3)).astype("float32")
    y = np.array([0] * (n - 10) + [1] * 10)
    return x, y


def test_round_trip_and_normalisation():
    config = GameConfig(generator_units=[8, 4], latent_dim=4.0, beta=1)
    assert config.generator_units == (8, 4)
    assert config.latent_dim == 4 and isinstance(config.latent_dim, int)
    assert config.beta == 1.0 and isinstance(config.beta, float)
    assert GameConfig.from_dict(config.to_dict()) == config
    assert config.to_dict()["generator_units"] == [8, 4]


@pytest.mark.parametrize(
    "field, value, words",
    [
        ("latent_dim", 0, "`latent_dim` must be in [1, inf]"),
        ("generator_temperature", 0.0, "(0.0, inf]"),
        ("oversampling_start", 1.0, "[0.0, 1.0)"),
        ("gan_loss", "hinge", "`gan_loss` must be one of"),
        ("critic_units", [8, 0], "`critic_units` must be in [1, inf]"),
        ("generator_units", "wide", "sequence of ints"),
        ("fake_rows_per_class", 2.5, "must be an int"),
        ("sampling_strategy", "most", "`sampling_strategy` must be"),
    ],
)
def test_bad_values_name_the_field(field, value, words):
    with pytest.raises(ValueError) as info:
        GameConfig(**{field: value})
    assert words in str(info.value)


def test_unknown_keys_are_refused():
    with pytest.raises(TypeError, match="latnt_dim"):
        GameConfig.from_dict({"latnt_dim": 4})


def test_presets_fill_only_what_is_not_given():
    ao = GameConfig(mode="ao").resolved()
    assert (ao.g_q_loss, ao.q_class_distribution) == ("complement", "inverse")
    mixed = GameConfig(mode="ao", g_q_loss="ce").resolved()
    assert mixed.g_q_loss == "ce" and mixed.q_fake_loss == "ce"


def test_generator_temperature_follows_the_mode_unless_given():
    # 0.5.0: DO's default temperature is 0.1 (docs/research/variants.md);
    # AO keeps the paper's 1.0; an explicit value is kept for either mode.
    assert GameConfig().generator_temperature is None
    assert GameConfig(mode="do").resolved().generator_temperature == 0.1
    assert GameConfig().resolved().generator_temperature == 0.1
    assert GameConfig(mode="ao").resolved().generator_temperature == 1.0
    paper = GameConfig(mode="do", generator_temperature=1.0).resolved()
    assert paper.generator_temperature == 1.0
    sharp = GameConfig(mode="ao", generator_temperature=0.1).resolved()
    assert sharp.generator_temperature == 0.1


@pytest.mark.parametrize(
    "settings, expected",
    [
        ({}, 0.1),
        ({"mode": "do"}, 0.1),
        ({"mode": "ao"}, 1.0),
        ({"mode": "do", "generator_temperature": 1.0}, 1.0),
    ],
)
def test_the_built_generator_has_the_resolved_temperature(settings, expected):
    x, y = _data()
    model = AdversarialOversampler.from_data(x, y, seed=0, **settings, **TINY)
    assert model.generator.temperature == expected
    assert model.generator_temperature == expected
    config = model.get_config()
    assert config["generator_temperature"] == expected  # written out
    again = AdversarialOversampler.from_config(config)
    assert again.generator.temperature == expected


def test_the_paper_temperature_is_one_option_away_on_the_cli():
    parser = cli.build_parser()
    base = ["train", "d.csv", "--label", "y"]
    default = GameConfig.from_args(parser.parse_args(base))
    assert default.resolved().generator_temperature == 0.1
    paper = GameConfig.from_args(
        parser.parse_args([*base, "--generator-temperature", "1.0"])
    )
    assert paper.resolved().generator_temperature == 1.0
    ao = GameConfig.from_args(parser.parse_args([*base, "--mode", "ao"]))
    assert ao.resolved().generator_temperature == 1.0


def test_compare_presets_keep_the_paper_temperature_and_their_keys():
    # "AO" and "DO" stay the paper's methods (temperature 1, the same
    # revision, so the same cache keys); "DO-T0.1" is the library default.
    from aos_keras.baselines import method_revision
    from aos_keras.baselines.presets import GAME_REVISION, PRESETS

    presets = {p.name: p for p in PRESETS}
    for name in ("AO", "DO"):
        assert presets[name].settings["generator_temperature"] == 1.0
        assert "the paper's" in presets[name].doc
        assert method_revision(name) == GAME_REVISION == 2
        method = make_method(name, num_classes=2, num_features=3)
        assert method._settings()["generator_temperature"] == 1.0
    default = GameConfig(mode="do").resolved().generator_temperature
    assert presets["DO-T0.1"].settings["generator_temperature"] == default
    assert "`AdversarialOversampler(mode='do')`'s settings" in (
        presets["DO-T0.1-LA"].doc
    )


# Issue 25, rule 3: `mode="do"` is DO-T0.1-LA, every class grown by G up to
# half the largest, logit adjustment of Q's loss for the rest; AO keeps full
# balance.
OLD_BALANCE = {"sampling_strategy": "auto", "q_logit_adjustment": 0.0}
LA_BALANCE = {"sampling_strategy": 0.5, "q_logit_adjustment": 1.0}


def _balance(config):
    return {k: getattr(config, k) for k in OLD_BALANCE}


def test_sampling_strategy_and_logit_adjustment_follow_the_mode():
    assert _balance(GameConfig()) == {k: None for k in OLD_BALANCE}
    assert _balance(GameConfig().resolved()) == LA_BALANCE
    assert _balance(GameConfig(mode="do").resolved()) == LA_BALANCE
    assert _balance(GameConfig(mode="ao").resolved()) == OLD_BALANCE
    # DO-T0.1 (full balance, no logit adjustment) is one argument away,
    # and either can be given alone.
    assert _balance(GameConfig(**OLD_BALANCE).resolved()) == OLD_BALANCE
    alone = GameConfig(q_logit_adjustment=0.0).resolved()
    assert _balance(alone) == {
        "sampling_strategy": 0.5,
        "q_logit_adjustment": 0,
    }
    ao = GameConfig(mode="ao", **LA_BALANCE).resolved()
    assert _balance(ao) == LA_BALANCE


@pytest.mark.parametrize(
    "settings, expected",
    [
        ({}, LA_BALANCE),
        ({"mode": "ao"}, OLD_BALANCE),
        (OLD_BALANCE, OLD_BALANCE),
        ({"sampling_strategy": 0.7, "q_logit_adjustment": 0.5},
         {"sampling_strategy": 0.7, "q_logit_adjustment": 0.5}),
    ],
)  # fmt: skip
def test_the_model_plays_the_resolved_balance(settings, expected):
    x, y = _data()
    model = AdversarialOversampler.from_data(x, y, seed=0, **settings, **TINY)
    assert _balance(model) == expected
    config = model.get_config()
    assert {k: config[k] for k in OLD_BALANCE} == expected  # written out
    assert _balance(AdversarialOversampler.from_config(config)) == expected
    shift = model.rules.q_logit_shift
    assert (shift is None) == (expected["q_logit_adjustment"] == 0)


def test_the_cli_defaults_to_the_mode_balance_and_says_so():
    parser = cli.build_parser()
    base = ["train", "d.csv", "--label", "y"]
    default = GameConfig.from_args(parser.parse_args(base))
    assert _balance(default) == {k: None for k in OLD_BALANCE}
    assert _balance(default.resolved()) == LA_BALANCE
    old = parser.parse_args(
        [*base, "--sampling-strategy", "auto", "--q-logit-adjustment", "0"]
    )
    assert _balance(GameConfig.from_args(old).resolved()) == OLD_BALANCE
    ao = GameConfig.from_args(parser.parse_args([*base, "--mode", "ao"]))
    assert _balance(ao.resolved()) == OLD_BALANCE
    train = next(a for a in parser._actions if a.dest == "command").choices[
        "train"
    ]
    helps = {a.dest: a.help for a in train._actions}
    assert "from --mode, 0.5 for do" in helps["sampling_strategy"]
    assert "from mode, 1.0 for DO" in helps["q_logit_adjustment"]


def test_compare_presets_fix_their_balance():
    # "AO", "DO" and "DO-T0.1" keep full balance without logit adjustment
    # (their cached results), whatever `mode` alone means; DO-T0.1-LA is
    # the default's settings.
    from aos_keras.baselines.presets import PRESETS

    presets = {p.name: p for p in PRESETS}
    for name in ("AO", "DO", "DO-T0.1"):
        assert {k: presets[name].settings[k] for k in OLD_BALANCE} == (
            OLD_BALANCE
        )
        method = make_method(name, num_classes=2, num_features=3)
        settings = method._settings()
        assert {k: settings[k] for k in OLD_BALANCE} == OLD_BALANCE
        with pytest.raises(ValueError, match="fixes sampling_strategy"):
            make_method(
                name, num_classes=2, num_features=3, sampling_strategy=0.5
            )
    la = dict(presets["DO-T0.1-LA"].settings)
    assert la == {"generator_temperature": 0.1, **LA_BALANCE}
    assert _balance(GameConfig(mode="do").resolved()) == LA_BALANCE


def test_every_field_is_a_model_attribute_and_in_get_config():
    x, y = _data()
    model = AdversarialOversampler.from_data(
        x, y, seed=0, generator_temperature=0.5, **TINY
    )
    config = model.get_config()
    for name in GameConfig.field_names():
        assert name in config, name
        value = getattr(model, name)
        expected = list(value) if isinstance(value, tuple) else value
        assert config[name] == expected, name
    assert model.generator.temperature == 0.5


def test_every_field_is_a_cli_option():
    parser = cli.build_parser()
    args = parser.parse_args(["train", "d.csv", "--label", "y"])
    assert GameConfig.from_args(args) == GameConfig()
    args = parser.parse_args(
        ["train", "d.csv", "--label", "y", "--q-logit-adjustment", "0.5",
         "--critic-units", "8", "--sampling-strategy", "0.5"]
    )  # fmt: skip
    config = GameConfig.from_args(args)
    assert config.q_logit_adjustment == 0.5
    assert config.critic_units == (8,) and config.sampling_strategy == 0.5


def test_every_field_is_a_wrapper_parameter():
    from aos_keras import AOSSampler

    for wrapper in (AOSClassifier, AOSSampler):
        params = wrapper().get_params()
        for name in GameConfig.field_names():
            assert name in params, (wrapper.__name__, name)
    with pytest.raises(TypeError, match="latnt_dim"):
        AOSClassifier(latnt_dim=4)


def test_a_field_added_in_a_subclass_reaches_every_entry_point():
    x, y = _data()
    # The model and its config.
    model = KnobModel.from_data(x, y, seed=0, knob=5, **TINY)
    assert model.knob == 5 and model.get_config()["knob"] == 5
    assert KnobModel.from_config(model.get_config()).knob == 5
    with pytest.raises(ValueError, match="`knob` must be in"):
        KnobModel.from_data(x, y, knob=0, **TINY)
    # The command line.
    parser = cli.build_parser(KnobModel)
    args = parser.parse_args(["train", "d.csv", "--label", "y", "--knob", "7"])
    assert KnobConfig.from_args(args).knob == 7
    # The scikit-learn wrapper (and, by the same mixin, the sampler).
    assert KnobClassifier().get_params()["knob"] == 3
    clf = KnobClassifier(knob=9, epochs=1, batch_size=40, random_state=0)
    clf.set_params(model_kwargs=dict(TINY))
    assert clf.fit(x, y).model_.knob == 9


def test_settings_through_model_kwargs_and_parameters_do_not_clash():
    x, y = _data()
    clf = AOSClassifier(
        latent_dim=8, model_kwargs={"latent_dim": 4}, epochs=1, batch_size=40
    )
    with pytest.raises(ValueError, match="set it once"):
        clf.fit(x, y)


def test_make_method_refuses_an_option_no_method_reads():
    with pytest.raises(ValueError) as info:
        make_method("DO", num_classes=2, num_features=3, latnt_dim=4)
    assert "latnt_dim" in str(info.value) and "latent_dim" in str(info.value)
    assert set(GameConfig.field_names()) - {"mode", "classifier_units"} <= (
        OPTIONS
    )
    # An option of another method is accepted (one set for a whole suite).
    make_method("Q", num_classes=2, num_features=3, tau=1.0, latent_dim=4)


def test_sampling_strategy_has_one_meaning_across_model_and_wrappers():
    from aos_keras.game.sampling import class_targets

    x, y = _data()
    labels = np.where(y == 1, "yes", "no")
    # Labels as keys on the model, as on AOSClassifier and the sampler.
    model = AdversarialOversampler.from_data(
        x, labels, sampling_strategy={"yes": 20}, **TINY
    )
    assert model.sampling_strategy == {1: 20}
    again = AdversarialOversampler.from_config(model.get_config())
    assert again.sampling_strategy == {1: 20}
    with pytest.raises(ValueError, match="sampling_strategy"):
        AdversarialOversampler.from_data(
            x, labels, sampling_strategy={"maybe": 20}, **TINY
        )
    # imbalanced-learn's names, on class counts (30, 10, 5).
    counts = [30, 10, 5]
    assert class_targets(counts, "auto").tolist() == [30, 30, 30]
    assert class_targets(counts, "not majority").tolist() == [30, 30, 30]
    assert class_targets(counts, "minority").tolist() == [30, 10, 30]
    assert class_targets(counts, "not minority").tolist() == [30, 30, 5]
    # A float: for two classes imbalanced-learn's minority/majority ratio.
    assert class_targets([30, 10], 0.5).tolist() == [30, 15]


@pytest.mark.backend_independent
@pytest.mark.parametrize(
    "strategy", [[1, 2], True, "most", 1.5, 0.0, -0.5, None]
)
def test_a_bad_sampling_strategy_gets_one_error_everywhere(strategy):
    """One check (`sampling.check_strategy`): the same ValueError from the
    class targets, the game's settings and the command line."""
    import argparse

    from aos_keras.game.sampling import check_strategy, class_targets

    with pytest.raises(ValueError) as checked:
        check_strategy(strategy)
    message = str(checked.value)
    assert message.startswith("`sampling_strategy` must be one of")
    with pytest.raises(ValueError) as targets:
        class_targets([10, 2], strategy)
    assert str(targets.value) == message
    if strategy is not None:  # None: the preset's value, for the settings
        with pytest.raises(ValueError) as settings:
            GameConfig(sampling_strategy=strategy)
        assert str(settings.value) == message
    if isinstance(strategy, (str, float)):
        parser = argparse.ArgumentParser(exit_on_error=False)
        GameConfig.add_arguments(parser)
        with pytest.raises(argparse.ArgumentError) as cli_error:
            parser.parse_args(["--sampling-strategy", str(strategy)])
        assert message in str(cli_error.value)


@pytest.mark.backend_independent
def test_the_presets_values_have_one_source():
    """The paper's settings and DO's default are written once, in
    `game.config`: the mode presets, compare's presets and the defaults of
    models saved before a default changed all read them."""
    from aos_keras.baselines.presets import PRESETS as METHODS
    from aos_keras.game import config, upgrade

    presets = {p.name: dict(p.settings) for p in METHODS}
    assert upgrade.EARLIER_DEFAULTS == config.PAPER_SETTINGS
    assert presets["AO"] == presets["DO"] == config.PAPER_SETTINGS
    assert presets["DO-T0.1-LA"] == config.DO_SETTINGS
    assert presets["DO-T0.1"] == {
        **config.PAPER_SETTINGS,
        "generator_temperature": config.SHARP_TEMPERATURE,
    }
    for mode, settings in (
        ("ao", config.PAPER_SETTINGS),
        ("do", config.DO_SETTINGS),
    ):
        resolved = GameConfig(mode=mode).resolved().to_dict()
        assert {k: resolved[k] for k in settings} == settings
    assert config.DO_SETTINGS == {
        "generator_temperature": 0.1,
        "sampling_strategy": 0.5,
        "q_logit_adjustment": 1.0,
    }
