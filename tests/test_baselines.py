"""Every benchmark method behind `make_method`, on the current backend."""

import math

import keras
import numpy as np
import pytest
from conftest import TINY
from keras import ops

from aos_keras import Classifier, EvaluationCallback, backend
from aos_keras.baselines import (
    GAMO,
    METHODS,
    MethodNotApplicable,
    available_methods,
    make_method,
    method_revision,
    register_method,
    register_preset,
)
from aos_keras.baselines.cot import complement_objective
from aos_keras.baselines.losses import balanced_class_weight

EPOCHS, BATCH = 2, 30  # 60 rows: 2 steps per epoch, one batch shape
BINARY_COUNTS, MULTI_COUNTS = (50, 10), (36, 16, 8)
RESAMPLERS = ("RO+Q", "SMOTE+Q", "B-SMOTE+Q", "ADASYN+Q")


def make_data(counts, d=4, seed=0):
    """Overlapping Gaussian classes of the given sizes, float32."""
    rng = np.random.default_rng(seed)
    x = np.concatenate(
        [rng.normal(0.8 * c, 1.0, (n, d)) for c, n in enumerate(counts)]
    ).astype("float32")
    y = np.repeat(np.arange(len(counts)), counts)
    return x, y


# The sharp presets; on two classes only their settings differ from DO.
SHARP = ("DO-T0.1", "DO-T0.1-LA")
# tests/test_references.py: the scikit-learn and imbalanced-learn methods.
TREES = (
    "LR",
    "HGB",
    "HGB-plain",
    "SMOTE+HGB",
    "DO-T0.1+HGB",
    "BRF",
    "UB-HGB",
    "EasyEnsemble",
    "LA-CE/HGB",
)
NEURAL = tuple(m for m in METHODS if m not in TREES)
# A study's variant, registered as scripts/ register theirs.
register_preset(  # the paper's literal DO: its temperature 1 explicit
    "DO-complement-test",
    mode="do",
    settings={"q_fake_loss": "complement", "generator_temperature": 1.0},
)


def build(name, counts, seed=0, **options):
    return make_method(
        name,
        num_classes=len(counts),
        num_features=4,
        seed=seed,
        **{**TINY, **options},
    )


def fit(name, counts, seed=0, **options):
    x, y = make_data(counts)
    method = build(name, counts, seed=seed, **options)
    callback = EvaluationCallback({"val": (x, y)})
    method.fit(
        x,
        y,
        epochs=EPOCHS,
        batch_size=BATCH,
        callbacks=[callback],
        validation_data=(x, y),
    )
    return method, callback


_CACHE = {}


def fitted(name, counts):
    """Each method is fitted once per data set and shared by the tests."""
    if (name, counts) not in _CACHE:
        _CACHE[name, counts] = fit(name, counts)
    return _CACHE[name, counts]


def iterations(optimizer):
    return int(ops.convert_to_numpy(optimizer.iterations))


def steps(rows):
    return EPOCHS * math.ceil(rows / BATCH)


# ---------------------------------------------------------- every method
@pytest.mark.parametrize("name", NEURAL)
def test_every_method_fits_and_predicts_three_classes(name):
    method, callback = fitted(name, MULTI_COUNTS)
    x, _ = make_data(MULTI_COUNTS)
    proba = method.predict_proba(x)
    assert method.name == name
    assert proba.shape == (len(x), 3)
    assert np.all(np.isfinite(proba)) and np.all(proba >= 0)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-6)
    assert isinstance(method.classifier, Classifier)
    assert isinstance(method.model, keras.Model)
    assert method.classifier.hidden_units == TINY["classifier_units"]
    # The callback was attached to `model` and scored the classifier.
    assert [r["epoch"] for r in callback.history] == list(range(EPOCHS))
    assert len(method.model.history.history["val_loss"]) == EPOCHS


@pytest.mark.parametrize(
    "name",
    [n for n in NEURAL if n not in ("AO", "DO") + SHARP],
)
def test_methods_fit_and_predict_two_classes(name):
    # AO/DO on two classes are covered by tests/test_model.py.
    method, _ = fitted(name, BINARY_COUNTS)
    proba = method.predict_proba(make_data(BINARY_COUNTS)[0])
    assert proba.shape == (sum(BINARY_COUNTS), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-6)


def test_method_names_and_unknown_name():
    assert METHODS == (
        "Q",
        "RO+Q",
        "COT",
        "SMOTE+Q",
        "B-SMOTE+Q",
        "ADASYN+Q",
        "GAMO",
        "CW-CE",
        "Focal",
        "LA-CE",
        "AO",
        "DO",
        "DO-T0.1",
        "DO-T0.1-LA",
        "LR",
        "HGB",
        "HGB-plain",
        "SMOTE+HGB",
        "DO-T0.1+HGB",
        "BRF",
        "UB-HGB",
        "EasyEnsemble",
        "LA-CE/HGB",
    )
    with pytest.raises(ValueError, match="Unknown method"):
        make_method("SVM", num_classes=2, num_features=4)


def test_labels_must_be_class_indices():
    x, y = make_data(BINARY_COUNTS)
    method = build("Q", BINARY_COUNTS)
    with pytest.raises(ValueError, match="class indices 0..1"):
        method.fit(x, y + 1, epochs=1)
    with pytest.raises(RuntimeError, match="call `fit` first"):
        method.classifier


def test_same_seed_same_predictions():
    x, _ = make_data(BINARY_COUNTS)
    first = fitted("Q", BINARY_COUNTS)[0].predict_proba(x)
    again = fit("Q", BINARY_COUNTS)[0].predict_proba(x)
    other = fit("Q", BINARY_COUNTS, seed=1)[0].predict_proba(x)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


# ------------------------------------------------------------ not applicable
@pytest.mark.parametrize("name", ["SMOTE+Q", "B-SMOTE+Q", "ADASYN+Q"])
def test_knn_samplers_need_two_rows_per_class(name):
    x, y = make_data((20, 1))
    with pytest.raises(MethodNotApplicable, match="class 1 has 1 training"):
        build(name, (20, 1)).fit(x, y, epochs=1)


def test_random_oversampling_runs_with_one_row():
    x, y = make_data((20, 1))
    method = build("RO+Q", (20, 1)).fit(x, y, epochs=1, batch_size=BATCH)
    np.testing.assert_array_equal(method.resampled_counts_, [20, 20])


def test_adasyn_without_neighbours_of_another_class():
    # Two far-apart clusters: no minority row has a majority neighbour.
    x, y = make_data((20, 6))
    x[y == 1] += 100.0
    with pytest.raises(MethodNotApplicable, match="ADASYN is not suited"):
        build("ADASYN+Q", (20, 6)).fit(x, y, epochs=1)


def test_gamo_needs_a_minority_class():
    x, y = make_data((10, 10))
    with pytest.raises(MethodNotApplicable, match="balanced"):
        build("GAMO", (10, 10)).fit(x, y, epochs=1)


@pytest.mark.parametrize("name", ["LA-CE", "CW-CE", "SMOTE+Q", "DO"])
def test_a_class_without_rows(name):
    x, y = make_data((20, 6))
    method = make_method(name, num_classes=3, num_features=4)
    with pytest.raises(MethodNotApplicable, match=r"classes \[2\]"):
        method.fit(x, y, epochs=1)


# -------------------------------------------------------------- resampling
@pytest.mark.parametrize("name", RESAMPLERS)
def test_resampling_feeds_balanced_rows_to_q(name):
    method, _ = fitted(name, MULTI_COUNTS)
    counts = method.resampled_counts_
    if name == "ADASYN+Q":  # per-row counts are rounded
        assert counts[0] == 36 and np.all(np.abs(counts - 36) <= 2)
    else:
        np.testing.assert_array_equal(counts, [36, 36, 36])
    # Q took one step per batch of the resampled rows.
    assert iterations(method.model.optimizer) == steps(counts.sum())


def test_resampling_is_seeded():
    x, y = make_data(MULTI_COUNTS)
    a = build("SMOTE+Q", MULTI_COUNTS)._resample(x, y)
    b = build("SMOTE+Q", MULTI_COUNTS)._resample(x, y)
    np.testing.assert_array_equal(a[0], b[0])
    # The original rows come first, unchanged.
    np.testing.assert_array_equal(a[0][: len(x)], x)


# ------------------------------------------------------------- weighted
def test_class_weights_are_n_over_c_n_c():
    assert balanced_class_weight([50, 10]) == {0: 0.6, 1: 3.0}
    method, _ = fitted("CW-CE", BINARY_COUNTS)
    np.testing.assert_array_equal(method.class_counts_, [50, 10])


def test_focal_uses_keras_focal_loss_with_its_defaults():
    method, _ = fitted("Focal", MULTI_COUNTS)
    loss = method.model.loss
    assert isinstance(loss, keras.losses.CategoricalFocalCrossentropy)
    config = loss.get_config()
    assert (config["gamma"], config["alpha"]) == (2.0, 0.25)
    assert config["from_logits"] is True


def test_logit_adjusted_trains_adjusted_and_predicts_plain_logits():
    method, _ = fitted("LA-CE", MULTI_COUNTS)
    x, y = make_data(MULTI_COUNTS)
    logits = ops.convert_to_numpy(method.classifier(x))
    np.testing.assert_allclose(
        method.predict_proba(x),
        ops.convert_to_numpy(ops.softmax(logits)),
        rtol=1e-6,
        atol=1e-7,
    )
    # At zero logits the adjusted softmax is the prior: loss = -log pi_y.
    prior = np.array(MULTI_COUNTS) / sum(MULTI_COUNTS)
    loss = method.model.loss(y, np.zeros((len(y), 3), "float32"))
    np.testing.assert_allclose(
        float(loss), np.mean(-np.log(prior[y])), rtol=1e-6
    )


# --------------------------------------------------------------------- COT
def test_cot_counts_both_optimizers_steps():
    method, _ = fitted("COT", MULTI_COUNTS)
    model = method.model
    assert iterations(model.q_optimizer) == steps(60)
    assert iterations(model.complement_optimizer) == steps(60)
    assert iterations(model.optimizer) == steps(60)
    # Three classes: the complement step moved its Adam moments.
    moments = model.complement_optimizer.variables[2:]
    assert any(np.any(ops.convert_to_numpy(v) != 0) for v in moments)
    assert all(v < 0 for v in model.history.history["complement_loss"])


def test_cot_complement_step_is_exactly_zero_for_two_classes():
    method, _ = fitted("COT", BINARY_COUNTS)
    model = method.model
    assert iterations(model.complement_optimizer) == steps(60)
    assert model.history.history["complement_loss"] == [0.0] * EPOCHS
    # Its gradients were exactly 0 at every step: Adam's moments still are.
    moments = model.complement_optimizer.variables[2:]
    assert len(moments) == 2 * len(model.classifier.trainable_variables)
    for v in moments:
        assert not np.any(ops.convert_to_numpy(v)), v.path


def test_complement_objective_gradient_is_zero_for_two_classes():
    q = Classifier(2, 4, hidden_units=(8,))
    x, y = make_data(BINARY_COUNTS)
    x, y = ops.convert_to_tensor(x), ops.convert_to_tensor(y, "int32")
    loss, _, grads = backend.value_and_grad(
        lambda: (complement_objective(y, q(x), 2), ()), q.trainable_variables
    )
    assert float(loss) == 0.0
    for g in grads:
        assert not np.any(ops.convert_to_numpy(g))


# -------------------------------------------------------------------- GAMO
@pytest.mark.parametrize("counts", [BINARY_COUNTS, MULTI_COUNTS])
def test_gamo_counts_every_players_steps(counts):
    model = fitted("GAMO", counts)[0].model
    for optimizer in (
        model.q_optimizer,
        model.d_optimizer,
        model.g_optimizer,
        model.optimizer,
    ):
        assert iterations(optimizer) == steps(60)


def test_gamo_generates_minority_classes_by_deficit():
    model = fitted("GAMO", MULTI_COUNTS)[0].model
    assert model.generator.class_ids == (1, 2)
    assert model.minority_classes == (1, 2)
    np.testing.assert_allclose(
        model.class_weights, [0.0, 20 / 48, 28 / 48], rtol=1e-6
    )
    assert model.alpha == 48 / 60
    logs = model.history.history
    assert {"loss", "q_loss", "d_loss", "g_loss", "acsa", "gm"} <= set(logs)


def test_gamo_anchors_are_minority_rows_and_can_be_capped():
    x, y = make_data(MULTI_COUNTS)
    model = GAMO.from_data(x, y, max_anchors=5, seed=0, **TINY)
    assert model.anchor_counts == [0, 5, 5]
    for c in (1, 2):
        anchors = ops.convert_to_numpy(model.generator.anchors[c])
        rows = {tuple(r) for r in x[y == c]}
        assert all(tuple(a) in rows for a in anchors)
    clone = GAMO.from_config(model.get_config())
    assert clone.anchor_counts == [0, 5, 5]


def _values(player):
    return {v.path: np.array(ops.convert_to_numpy(v)) for v in player.weights}


def test_gamo_updates_touch_only_their_player():
    x, y = make_data(MULTI_COUNTS)
    keras.utils.set_random_seed(0)
    model = GAMO.from_data(x, y, seed=0, **TINY)
    model.compile()
    x, y = ops.convert_to_tensor(x[:30]), ops.convert_to_tensor(y[:30])
    players = {
        "classifier": model.classifier_update,
        "discriminator": model.discriminator_update,
        "generator": lambda x, y: model.generator_update(30),
    }
    for name, update in players.items():
        before = {p: _values(getattr(model, p)) for p in players}
        update(x, y)
        for other in players:
            player = getattr(model, other)
            trainable = {v.path for v in player.trainable_variables}
            for path, value in _values(player).items():
                # G's batch-norm statistics move whenever G runs.
                if path not in trainable:
                    continue
                same = np.array_equal(value, before[other][path])
                assert same == (other != name), (name, path)
    assert iterations(model.q_optimizer) == 1
    assert iterations(model.d_optimizer) == 1
    assert iterations(model.g_optimizer) == 1


def test_oversampler_presets():
    assert fitted("AO", MULTI_COUNTS)[0].model.mode == "ao"
    do = fitted("DO", MULTI_COUNTS)[0].model
    complement = fitted("DO-complement-test", MULTI_COUNTS)[0].model
    assert (do.mode, do.q_fake_loss) == ("do", "ce")
    assert (complement.mode, complement.q_fake_loss) == ("do", "complement")
    assert do.generator.temperature == complement.generator.temperature == 1.0
    sharp = fitted("DO-T0.1", MULTI_COUNTS)[0].model
    assert (sharp.mode, sharp.q_fake_loss) == ("do", "ce")
    assert sharp.generator.temperature == sharp.generator_temperature == 0.1
    for optimizer in (do.q_optimizer, do.d_optimizer, do.g_optimizer):
        assert iterations(optimizer) == steps(60)


# ---------------------------------------------------------------- registry
def test_a_registered_preset_runs_by_name_outside_the_public_list():
    spec = register_preset(
        "DO-test-sharp", mode="do", settings={"generator_temperature": 0.2}
    )
    assert "DO-test-sharp" in available_methods()
    assert "DO-test-sharp" not in METHODS
    assert spec.revision == method_revision("DO-test-sharp") == 2
    method = build("DO-test-sharp", BINARY_COUNTS)
    assert method.name == "DO-test-sharp" and method.revision == 2
    assert method._settings()["generator_temperature"] == 0.2
    assert method._settings()["mode"] == "do"
    # The same registration again is a no-op; another under the name fails.
    again = register_preset(
        "DO-test-sharp", mode="do", settings={"generator_temperature": 0.2}
    )
    assert again is spec
    with pytest.raises(ValueError, match="already registered"):
        register_preset("DO-test-sharp", mode="ao")
    with pytest.raises(ValueError, match="mode"):
        register_preset("bad-mode", mode="xo")


def test_an_option_that_contradicts_a_preset_is_refused():
    # "DO" is the paper's DO: its temperature 1 is fixed, not overridden
    # silently by an option (nor is DO-T0.1's 0.1).
    for name, fixed in (("DO", 1.0), ("DO-T0.1", 0.1)):
        with pytest.raises(
            ValueError, match=f"fixes generator_temperature={fixed}"
        ):
            build(name, BINARY_COUNTS, generator_temperature=0.5)
        same = build(name, BINARY_COUNTS, generator_temperature=fixed)
        assert same._settings()["generator_temperature"] == fixed


def test_a_registered_method_class_and_its_revision():
    from aos_keras.baselines.base import ClassifierMethod

    class Wide(ClassifierMethod):
        name = "Q-wide-test"
        revision = 3

    register_method("Q-wide-test", Wide)
    assert method_revision("Q-wide-test") == 3
    method = make_method("Q-wide-test", num_classes=2, num_features=4)
    assert isinstance(method, Wide)
    assert method_revision("never registered") == 0


def test_a_preset_method_pickles_with_its_settings():
    import pickle

    from aos_keras.baselines import method_spec

    spec = pickle.loads(pickle.dumps(method_spec("DO-T0.1-LA")))
    method = spec.build(num_classes=2, num_features=4)
    assert method.name == "DO-T0.1-LA"
    assert method._settings()["sampling_strategy"] == 0.5
