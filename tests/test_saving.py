"""`.keras` round trips of the composite model and of each player."""

import json
import os
import zipfile

import keras
import numpy as np
import pytest
from conftest import BACKEND, TINY, make_imbalanced
from keras import ops

from aos_keras import AdversarialOversampler
from aos_keras.game.model import OPTIMIZERS

# Eager TF runs three steps faster than tracing; the flag is saved too.
FAST = {"run_eagerly": True} if BACKEND == "tensorflow" else {}


@pytest.fixture(scope="module")
def trained():
    """A tiny DO model trained for one epoch (3 steps), its data."""
    x, y = make_imbalanced()
    y = np.where(y == 1, "minority", "majority")  # string labels travel too
    keras.utils.set_random_seed(0)
    model = AdversarialOversampler.from_data(
        x, y, mode="do", seed=0, generator_temperature=0.5, **TINY
    )
    model.compile(q_optimizer=keras.optimizers.Adam(1e-3), **FAST)
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    return model, x, y


@pytest.fixture(scope="module")
def reloaded(trained, tmp_path_factory):
    model = trained[0]
    path = tmp_path_factory.mktemp("saving") / "aos.keras"
    model.save(path)
    return keras.saving.load_model(path)


def test_composite_predicts_identically(trained, reloaded):
    model, x, _ = trained
    assert isinstance(reloaded, AdversarialOversampler)
    assert reloaded.get_config() == model.get_config()
    assert reloaded.generator.temperature == 0.5
    np.testing.assert_array_equal(
        reloaded.predict(x, verbose=0), model.predict(x, verbose=0)
    )
    np.testing.assert_array_equal(
        reloaded.predict_labels(x, verbose=0), model.predict_labels(x)
    )
    for c in model.generator.class_ids:
        np.testing.assert_array_equal(
            reloaded.generator.anchors[c], model.generator.anchors[c]
        )
    counts = {"minority": 5, "majority": 2}
    for a, b in zip(model.sample(counts, 3), reloaded.sample(counts, 3)):
        np.testing.assert_array_equal(a, b)


def test_composite_is_compiled_with_its_three_optimizers(trained, reloaded):
    model = trained[0]
    assert reloaded.compiled
    assert reloaded.run_eagerly == model.run_eagerly
    for name in OPTIMIZERS:
        saved, loaded = getattr(model, name), getattr(reloaded, name)
        assert type(loaded) is type(saved)
        assert loaded.get_config() == saved.get_config()
        assert int(loaded.iterations) == int(saved.iterations) == 3
        for u, v in zip(saved.variables, loaded.variables, strict=True):
            np.testing.assert_array_equal(np.asarray(u), np.asarray(v))
    assert float(reloaded.q_optimizer.learning_rate) == pytest.approx(1e-3)


def test_reloaded_model_keeps_training(trained, reloaded):
    _, x, y = trained
    reloaded.fit(x, y, epochs=1, batch_size=16, verbose=0)
    for name in OPTIMIZERS:
        assert int(getattr(reloaded, name).iterations) == 6


def test_uncompiled_model_round_trip(trained, tmp_path):
    model, x, y = trained
    fresh = AdversarialOversampler.from_config(model.get_config())
    fresh.set_weights(model.get_weights())
    fresh.save(tmp_path / "fresh.keras")
    loaded = keras.saving.load_model(tmp_path / "fresh.keras")
    assert not loaded.compiled
    np.testing.assert_array_equal(
        loaded.predict(x, verbose=0), model.predict(x, verbose=0)
    )
    loaded.compile()  # re-compilable after loading
    assert int(loaded.g_optimizer.iterations) == 0


def _player_outputs(name, player, x, model):
    if name == "generator":  # the draws of `test_composite_...`
        return player.sample({1: 5, 0: 2}, seed=3)[0]
    if name == "critic":
        return player(x, np.arange(len(x)) % model.num_classes)
    return player(x)


@pytest.mark.parametrize("name", ["generator", "critic", "classifier"])
def test_player_round_trip(trained, tmp_path, name):
    model, x, _ = trained
    player = getattr(model, name)
    path = tmp_path / f"{name}.keras"
    player.save(path)
    loaded = keras.saving.load_model(path)
    assert type(loaded) is type(player)
    assert loaded.get_config() == player.get_config()
    for u, v in zip(player.weights, loaded.weights, strict=True):
        assert u.path == v.path
        np.testing.assert_array_equal(np.asarray(u), np.asarray(v))
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(_player_outputs(name, loaded, x, model)),
        keras.ops.convert_to_numpy(_player_outputs(name, player, x, model)),
    )


# ------------------------------------- files of the per-class head layout
LEGACY = os.path.join(os.path.dirname(__file__), "data")


@pytest.mark.parametrize("name", ["do", "gamo"])
def test_old_layout_is_refused_clearly_then_converted_exactly(tmp_path, name):
    # Files saved by aos_keras 0.1 (one Dense head per class), with the
    # logits that model gave; made once by the 0.1 code.
    import aos_keras.baselines.gamo  # noqa: F401  (registers GAMO)
    from aos_keras.game.upgrade import (
        LegacyLayoutError,
        is_legacy_file,
        upgrade_saved_model,
    )

    source = os.path.join(LEGACY, f"legacy_{name}_v0.1.keras")
    expected = np.load(os.path.join(LEGACY, "legacy_v0.1_expected.npz"))
    assert is_legacy_file(source)
    with pytest.raises(LegacyLayoutError, match="upgrade_saved_model"):
        keras.saving.load_model(source)
    out = upgrade_saved_model(source, str(tmp_path / "new.keras"))
    assert not is_legacy_file(out)
    model = keras.saving.load_model(out)
    np.testing.assert_allclose(
        model.predict(expected["x"], verbose=0),
        expected[f"{name}_logits"],
        atol=1e-5,
    )
    if name == "do":
        rows = model.generator(expected["z"], training=False)
        np.testing.assert_allclose(
            ops.convert_to_numpy(rows), expected["do_rows"], atol=1e-5
        )
    with pytest.raises(ValueError, match="nothing to convert"):
        upgrade_saved_model(out)


def test_model_folders_of_the_old_layout_load_with_a_warning():
    from aos_keras.cli import model_folder

    source = os.path.join(LEGACY, "legacy_do_v0.1.keras")
    expected = np.load(os.path.join(LEGACY, "legacy_v0.1_expected.npz"))
    with pytest.warns(UserWarning, match="saved by aos_keras < 0.2"):
        model = model_folder._load_model(source)
    np.testing.assert_allclose(
        model.predict(expected["x"], verbose=0),
        expected["do_logits"],
        atol=1e-5,
    )


def test_a_model_saved_by_0_3_loads_and_predicts_identically():
    """A mixed-table model saved by version 0.3 (its `encoder` spec in the
    config, deferred oversampling): same probabilities, by column name."""
    import pandas as pd

    data = os.path.join(os.path.dirname(__file__), "data")
    frame = pd.read_csv(os.path.join(data, "mixed_v0.3.csv"))
    expected = np.load(os.path.join(data, "mixed_v0.3_expected.npz"))
    model = keras.saving.load_model(os.path.join(data, "mixed_v0.3.keras"))
    assert model.preprocessor.named and not model.preprocessor.identity
    assert model.oversampling_start_step is not None
    for columns in (frame.columns, frame.columns[::-1]):
        np.testing.assert_allclose(
            model.predict(frame[columns], verbose=0),
            expected["proba"],
            atol=1e-6,
        )
    assert "preprocessor" in model.get_config()  # saved the new way now


# --------------------- 0.5.0: DO's default temperature 0.1; saved files keep
DATA = os.path.join(os.path.dirname(__file__), "data")


def _without_setting(source, out, name="generator_temperature"):
    """A copy of the `.keras` file `source` whose config lacks `name`."""
    with zipfile.ZipFile(source) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    config = json.loads(members["config.json"])
    del config["config"][name]
    members["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(out, "w") as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    return str(out)


def _rows(model):
    """Generated rows in model space, fixed draws."""
    index = {c: 6 for c in model.generator.class_ids}
    return keras.ops.convert_to_numpy(model.generator.sample(index, seed=3)[0])


@pytest.mark.parametrize("temperature", [None, 1.0])
def test_do_saves_and_loads_its_temperature(tmp_path, temperature):
    # The default DO (0.1) and the paper's DO (an explicit 1.0) both come
    # back as they were saved.
    x, y = make_imbalanced()
    model = AdversarialOversampler.from_data(
        x, y, mode="do", seed=0, generator_temperature=temperature, **TINY
    )
    expected = 0.1 if temperature is None else temperature
    assert model.get_config()["generator_temperature"] == expected
    model.save(tmp_path / "do.keras")
    loaded = keras.saving.load_model(tmp_path / "do.keras")
    assert loaded.generator.temperature == loaded.generator_temperature
    assert loaded.generator_temperature == expected
    np.testing.assert_array_equal(_rows(loaded), _rows(model))


@pytest.mark.parametrize("strip", [False, True])
def test_a_0_3_file_keeps_the_temperature_it_was_trained_with(tmp_path, strip):
    """0.3 and 0.4 wrote `generator_temperature=1.0`; a config without it
    (`strip`) was trained with 1.0 too: neither takes DO's new 0.1."""
    import pandas as pd

    from aos_keras.cli import model_folder

    frame = pd.read_csv(os.path.join(DATA, "mixed_v0.3.csv"))
    expected = np.load(os.path.join(DATA, "mixed_v0.3_expected.npz"))
    source = os.path.join(DATA, "mixed_v0.3.keras")
    path = _without_setting(source, tmp_path / "m.keras") if strip else source
    reference = keras.saving.load_model(source)
    for model in (
        keras.saving.load_model(path),
        model_folder._load_model(path),
    ):
        assert model.mode == "do"
        assert model.generator.temperature == model.generator_temperature
        assert model.generator_temperature == 1.0
        np.testing.assert_allclose(
            model.predict(frame, verbose=0), expected["proba"], atol=1e-6
        )
        np.testing.assert_allclose(_rows(model), _rows(reference), atol=1e-6)
    # The rows do depend on the temperature: 0.1 would have been caught.
    reference.generator.temperature = 0.1
    assert np.abs(_rows(reference) - _rows(model)).max() > 1e-3


def test_a_0_1_config_without_the_temperature_generates_as_it_did(tmp_path):
    # The rows the 0.1 code generated (`legacy_v0.1_expected.npz`), from
    # a converted 0.1 file whose config lacks the setting.
    from aos_keras.game.upgrade import upgrade_saved_model

    source = os.path.join(LEGACY, "legacy_do_v0.1.keras")
    expected = np.load(os.path.join(LEGACY, "legacy_v0.1_expected.npz"))
    converted = upgrade_saved_model(source, str(tmp_path / "new.keras"))
    path = _without_setting(converted, tmp_path / "stripped.keras")
    model = keras.saving.load_model(path)
    assert model.mode == "do" and model.generator.temperature == 1.0
    rows = model.generator(expected["z"], training=False)
    np.testing.assert_allclose(
        ops.convert_to_numpy(rows), expected["do_rows"], atol=1e-6
    )
    np.testing.assert_allclose(
        model.predict(expected["x"], verbose=0),
        expected["do_logits"],
        atol=1e-5,
    )


# ---- 0.5.0: DO's default is DO-T0.1-LA (sampling_strategy 0.5, logit
# adjustment 1); saved files keep the balance they were trained with.
BALANCE = ("sampling_strategy", "q_logit_adjustment")


@pytest.mark.parametrize(
    "settings, expected",
    [
        ({}, (0.5, 1.0)),
        ({"sampling_strategy": "auto", "q_logit_adjustment": 0.0},
         ("auto", 0.0)),
        ({"mode": "ao"}, ("auto", 0.0)),
    ],
)  # fmt: skip
def test_do_saves_and_loads_its_balance(tmp_path, settings, expected):
    x, y = make_imbalanced()
    model = AdversarialOversampler.from_data(x, y, seed=0, **settings, **TINY)
    assert tuple(model.get_config()[k] for k in BALANCE) == expected
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    assert tuple(getattr(loaded, k) for k in BALANCE) == expected
    np.testing.assert_array_equal(
        loaded.rules.q_logit_shift, model.rules.q_logit_shift
    )
    assert loaded.rules.alpha == model.rules.alpha


@pytest.mark.parametrize("strip", [(), ("sampling_strategy",), BALANCE])
def test_a_0_3_file_keeps_the_balance_it_was_trained_with(tmp_path, strip):
    """0.3 to 0.5-dev wrote both settings (full balance, no logit
    adjustment); a config without them was trained with those too: neither
    takes DO's new 0.5 and 1.0."""
    import pandas as pd

    from aos_keras.cli import model_folder

    frame = pd.read_csv(os.path.join(DATA, "mixed_v0.3.csv"))
    expected = np.load(os.path.join(DATA, "mixed_v0.3_expected.npz"))
    path = os.path.join(DATA, "mixed_v0.3.keras")
    for i, name in enumerate(strip):
        path = _without_setting(path, tmp_path / f"m{i}.keras", name)
    for model in (
        keras.saving.load_model(path),
        model_folder._load_model(path),
    ):
        assert model.mode == "do"
        assert (model.sampling_strategy, model.q_logit_adjustment) == (
            "auto",
            0.0,
        )
        assert model.rules.q_logit_shift is None
        np.testing.assert_allclose(
            model.predict(frame, verbose=0), expected["proba"], atol=1e-6
        )
    # Today's DO on the file's classes (10 and 30 rows) would differ.
    counts = model.class_counts
    new = AdversarialOversampler(
        classes=model.classes_.tolist(),
        class_counts=counts,
        num_features=model.num_features,
    )
    assert new.rules.alpha != model.rules.alpha
    assert new.rules.q_logit_shift is not None
