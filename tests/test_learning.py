"""AO and DO lift the minority class where plain Q collapses.

Two overlapping Gaussians, 300:15. With the same network, optimizer, seed
and 10 epochs, plain cross-entropy predicts the majority class everywhere
(minority recall 0.000 on all three backends with seed 1), while AO and DO
reach a minority recall of 0.95 to 0.99 (measured: tensorflow 0.994/0.994,
torch 0.983/0.986, jax 0.978/0.983). The margins below are far from both.
"""

import keras
import numpy as np
import pytest

from aos_keras import AdversarialOversampler, Classifier, acsa, per_class_recall

SEED = 1


def _data(seed, n_major, n_minor):
    rng = np.random.default_rng(seed)
    x = np.concatenate(
        [rng.normal(0, 1, (n_major, 2)), rng.normal(1.5, 0.7, (n_minor, 2))]
    ).astype("float32")
    return x, np.array([0] * n_major + [1] * n_minor)


def _optimizer():
    return keras.optimizers.Adam(1e-3, beta_1=0.5)


@pytest.fixture(scope="module")
def problem():
    return _data(0, 300, 15), _data(1, 1000, 1000)


def _scores(proba, y):
    pred = proba.argmax(axis=1)
    return per_class_recall(y, pred)[1], acsa(y, pred)


def test_plain_classifier_collapses_to_the_majority(problem):
    (x, y), (x_test, y_test) = problem
    keras.utils.set_random_seed(SEED)
    q = Classifier(2, 2, hidden_units=(16,))
    q.compile(
        _optimizer(),
        keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    q.fit(x, y, epochs=10, batch_size=32, verbose=0)
    recall, score = _scores(q.predict(x_test, verbose=0), y_test)
    assert recall < 0.1
    assert score < 0.56


@pytest.mark.parametrize("mode", ["ao", "do"])
def test_oversampling_raises_minority_recall(problem, mode):
    (x, y), (x_test, y_test) = problem
    keras.utils.set_random_seed(SEED)
    model = AdversarialOversampler.from_data(
        x,
        y,
        mode=mode,
        seed=SEED,
        latent_dim=4,
        generator_units=(8, 4),
        critic_units=(8,),
        classifier_units=(16,),
    )
    model.compile(
        g_optimizer=_optimizer(),
        d_optimizer=_optimizer(),
        q_optimizer=_optimizer(),
    )
    model.fit(x, y, epochs=10, batch_size=32, verbose=0)
    recall, score = _scores(model.predict(x_test, verbose=0), y_test)
    assert recall > 0.8
    assert score > 0.75
