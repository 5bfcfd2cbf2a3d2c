"""Mixed precision (`keras.mixed_precision.set_global_policy`): a tiny
game trains, saves, reloads (optimizer state included) and predicts alike,
on each backend, in float16 and bfloat16."""

import warnings

import keras
import numpy as np
import pytest
from conftest import TINY, make_imbalanced

from aos_keras import AdversarialOversampler

COMPUTE = {"mixed_float16": "float16", "mixed_bfloat16": "bfloat16"}

# The generator masks its padded head slots with -1e9, which float16 holds
# as -inf (numpy says so on TensorFlow): the softmax gives them 0 all the same.
pytestmark = pytest.mark.filterwarnings(
    "ignore:overflow encountered in cast:RuntimeWarning"
)


@pytest.fixture(params=sorted(COMPUTE))
def policy(request):
    """The global policy for one test, the previous one restored after."""
    previous = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy(request.param)
    yield request.param
    keras.mixed_precision.set_global_policy(previous)


def trained(x, y):
    keras.utils.set_random_seed(0)
    model = AdversarialOversampler.from_data(x, y, seed=0, **TINY)
    model.compile()
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    return model


def values(variables):
    return [keras.ops.convert_to_numpy(v) for v in variables]


def test_train_save_reload_predict(policy, tmp_path):
    x, y = make_imbalanced()
    model = trained(x, y)
    q = model.classifier
    assert q.dtype_policy.name == policy
    assert q.compute_dtype == COMPUTE[policy]
    assert {v.dtype for v in q.weights} == {"float32"}  # float32 weights
    proba = model.predict(x, verbose=0)
    assert proba.shape == (48, 2) and np.isfinite(proba).all()
    path = tmp_path / "model.keras"
    model.save(path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loaded = keras.saving.load_model(path)
    skipped = [str(w.message) for w in caught if "Skipping" in str(w.message)]
    assert skipped == []  # the optimizers' state is loaded, not skipped
    assert loaded.classifier.dtype_policy.name == policy
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), proba)
    for before, after in zip(
        values(q.weights), values(loaded.classifier.weights)
    ):
        np.testing.assert_array_equal(after, before)
    saved = values(model.optimizer.variables)
    assert len(loaded.optimizer.variables) == len(saved)
    for before, after in zip(saved, values(loaded.optimizer.variables)):
        np.testing.assert_array_equal(after, before)


def test_float16_wraps_the_optimizers_in_a_built_loss_scale_optimizer():
    previous = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        x, y = make_imbalanced()
        model = AdversarialOversampler.from_data(x, y, seed=0, **TINY)
        model.compile()
    finally:
        keras.mixed_precision.set_global_policy(previous)
    optimizer = model.optimizer
    assert type(optimizer).__name__ == "LossScaleOptimizer"
    names = {v.path.split("/")[-1] for v in optimizer.variables}
    assert {"step_counter", "dynamic_scale"} <= names  # built at compile
