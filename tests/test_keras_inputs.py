"""Keras inputs that used to give wrong results without a word (issue 29).

Datasets and generators yielding raw labels instead of class indices
(item 5), `class_weight` keyed by label (item 6), raw NumPy rows reaching a
model that standardises (item 7), and `EarlyStopping` on `val_acsa`
(item 16).
"""

import keras
import numpy as np
import pytest
from conftest import TINY, make_imbalanced

RAW = "class indices 0..1"


@pytest.fixture
def model():
    from aos_keras import AdversarialOversampler

    x, y = make_imbalanced(n_major=24, n_minor=8)
    keras.utils.set_random_seed(0)
    model = AdversarialOversampler.from_data(x, y + 1, seed=0, **TINY)
    model.compile()
    return model


class Batches(keras.utils.PyDataset):
    def __init__(self, x, y, batch_size=16):
        super().__init__()
        self.x, self.y, self.batch_size = x, y, batch_size

    def __len__(self):
        return -(-len(self.x) // self.batch_size)

    def __getitem__(self, index):
        rows = slice(index * self.batch_size, (index + 1) * self.batch_size)
        return self.x[rows], self.y[rows]


def _generator(x, y, batch_size=16):
    for start in range(0, len(x), batch_size):
        yield x[start : start + batch_size], y[start : start + batch_size]


def _tf_dataset(x, y):
    import tensorflow as tf

    return tf.data.Dataset.from_tensor_slices((x, y)).batch(16)


def _torch_loader(x, y):
    import torch

    pairs = torch.utils.data.TensorDataset(torch.tensor(x), torch.tensor(y))
    return torch.utils.data.DataLoader(pairs, batch_size=16)


def _data():
    return make_imbalanced(n_major=24, n_minor=8)


# --------------------------------------------------------------- item 5
@pytest.mark.parametrize(
    "make", [Batches, _generator, _tf_dataset, _torch_loader]
)
def test_raw_labels_in_a_dataset_are_refused(model, make):
    x, y = _data()
    with pytest.raises(ValueError, match=RAW) as info:
        model.fit(make(x, y + 1), epochs=1, verbose=0)
    assert "model.encode_labels" in str(info.value)


@pytest.mark.parametrize(
    "make", [Batches, _generator, _tf_dataset, _torch_loader]
)
def test_class_indices_in_a_dataset_train(model, make):
    x, y = _data()
    history = model.fit(make(x, y), epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][-1])


def test_float_class_indices_in_a_dataset_train(model):
    x, y = _data()
    history = model.fit(Batches(x, y.astype("float32")), epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][-1])


@pytest.mark.parametrize(
    "labels, words",
    [
        (lambda y: y + 1, RAW),
        (lambda y: y - 1, RAW),
        (lambda y: y + 0.5, RAW),
        (lambda y: np.eye(2, dtype="float32")[y], "one-hot"),
        (lambda y: np.array(["neg", "pos"])[y], RAW),
    ],
    ids=["raw", "negative", "fractional", "one-hot", "strings"],
)
def test_labels_that_are_not_class_indices_are_refused(model, labels, words):
    x, y = _data()
    with pytest.raises(ValueError, match=words):
        model.fit(Batches(x, labels(y)), epochs=1, verbose=0)


def test_one_hot_labels_in_a_tf_dataset_are_refused(model):
    x, y = _data()
    one_hot = np.eye(2, dtype="float32")[y]
    with pytest.raises(ValueError, match="one-hot"):
        model.fit(_tf_dataset(x, one_hot), epochs=1, verbose=0)


def test_raw_labels_in_evaluate_and_validation_data_are_refused(model):
    x, y = _data()
    with pytest.raises(ValueError, match=RAW):
        model.evaluate(Batches(x, y + 1), verbose=0)
    with pytest.raises(ValueError, match=RAW):
        model.fit(
            Batches(x, y),
            validation_data=_generator(x, y + 1),
            epochs=1,
            verbose=0,
        )


# --------------------------------------------------------------- item 6
def _named_model():
    from aos_keras import AdversarialOversampler

    x, y = _data()
    labels = np.array(["neg", "pos"])[y]
    keras.utils.set_random_seed(0)
    model = AdversarialOversampler.from_data(x, labels, seed=0, **TINY)
    model.compile()
    return model, x, labels


def _losses(class_weight):
    model, x, labels = _named_model()
    history = model.fit(
        x,
        labels,
        class_weight=class_weight,
        epochs=2,
        batch_size=16,
        shuffle=False,
        verbose=0,
    )
    return history.history["loss"] + history.history["q_loss"]


def test_class_weight_keyed_by_label_weighs_the_classes():
    plain = _losses(None)
    by_label = _losses({"neg": 1.0, "pos": 5.0})
    by_index = _losses({0: 1.0, 1: 5.0})
    assert by_label == by_index
    assert by_label != plain


@pytest.mark.parametrize(
    "class_weight, words",
    [
        ({"neg": 1.0, "pso": 5.0}, "not classes of the model"),
        ({"neg": 1.0, 1: 5.0}, "mix labels and class indices"),
        ({0: 1.0, 2: 5.0}, "not classes of the model"),
    ],
)
def test_class_weight_with_unknown_keys_is_refused(class_weight, words):
    model, x, labels = _named_model()
    with pytest.raises(ValueError, match=words) as info:
        model.fit(x, labels, class_weight=class_weight, epochs=1, verbose=0)
    assert "['neg', 'pos']" in str(info.value)


def test_class_weight_keys_that_are_labels_and_indices_are_refused(model):
    # Classes [1, 2]: is {0: ..., 1: ...} keyed by index or by label?
    x, y = _data()
    with pytest.raises(ValueError, match="by class label"):
        model.fit(x, y + 1, class_weight={0: 1.0, 1: 5.0}, epochs=1, verbose=0)
    history = model.fit(
        x, y + 1, class_weight={1: 1.0, 2: 5.0}, epochs=1, verbose=0
    )
    assert np.isfinite(history.history["loss"][-1])


# --------------------------------------------------------------- item 7
RAW_ROWS = "look like raw table rows"


def _standardising_model():
    import pandas as pd

    from aos_keras import AdversarialOversampler, TablePreprocessor

    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {"age": rng.normal(50, 10, 60), "income": rng.normal(1000, 100, 60)}
    )
    y = (frame["age"] > 55).astype(int).to_numpy()
    prep = TablePreprocessor.fit(frame, y, encode=True)
    keras.utils.set_random_seed(0)
    model = AdversarialOversampler.from_data(
        frame, y, preprocessor=prep, seed=0, **TINY
    )
    model.compile()
    return model, frame, y


def _warned(call):
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    return [str(w.message) for w in caught if RAW_ROWS in str(w.message)]


def test_raw_numpy_rows_of_a_standardising_model_warn_once():
    model, frame, y = _standardising_model()
    raw = frame.to_numpy()
    for call in (
        lambda: model.predict(raw, verbose=0),
        lambda: model.predict(raw[:1], verbose=0),
        lambda: model.predict_labels(raw, verbose=0),
        lambda: model.evaluate(raw, y, verbose=0),
    ):
        messages = _warned(call)
        assert len(messages) == 1
        assert "DataFrame" in messages[0]
        assert "model.preprocessor.transform" in messages[0]


def test_encoded_rows_and_dataframes_do_not_warn():
    model, frame, y = _standardising_model()
    encoded = model.preprocessor.transform(frame)
    far = encoded[np.argsort(-np.abs(encoded).max(axis=1))[:3]]  # outliers
    for call in (
        lambda: model.predict(encoded, verbose=0),
        lambda: model.predict(encoded[:1], verbose=0),
        lambda: model.predict(far, verbose=0),
        lambda: model.predict(frame, verbose=0),
        lambda: model.evaluate(encoded, y, verbose=0),
        lambda: model.fit(encoded, y, epochs=1, verbose=0),
    ):
        assert _warned(call) == []


def test_a_model_without_an_encoding_takes_any_rows_silently():
    from aos_keras import AdversarialOversampler

    x, y = _data()
    model = AdversarialOversampler.from_data(x * 100 + 1000, y, **TINY)
    assert _warned(lambda: model.predict(x * 100 + 1000, verbose=0)) == []


# -------------------------------------------------------------- item 16
VAL = make_imbalanced(n_major=24, n_minor=8, shift=1.0, seed=1)


def _fit_with(model, callback, epochs=6):
    # A fast classifier: ACSA moves from epoch to epoch.
    model.compile(q_optimizer=keras.optimizers.Adam(0.03))
    x, y = make_imbalanced(n_major=24, n_minor=8, shift=1.0)
    return model.fit(
        x,
        y + 1,
        validation_data=(VAL[0], VAL[1] + 1),
        epochs=epochs,
        batch_size=16,
        callbacks=[callback],
        verbose=0,
    ).history


@pytest.mark.parametrize("monitor", ["val_acsa", "val_gm", "acsa"])
def test_early_stopping_on_acsa_needs_no_mode_and_keeps_the_max(model, monitor):
    stop = keras.callbacks.EarlyStopping(monitor=monitor, patience=6)
    values = _fit_with(model, stop)[monitor]
    assert len(set(values)) > 1
    assert stop.mode == "max"
    assert stop.best == max(values)
    assert stop.best_epoch == int(np.argmax(values))


def test_early_stopping_stops_after_the_max_and_restores_it(model):
    stop = keras.callbacks.EarlyStopping(
        monitor="val_acsa", patience=1, restore_best_weights=True
    )
    values = _fit_with(model, stop, epochs=12)["val_acsa"]
    best = int(np.argmax(values))
    assert len(values) == best + 2 < 12  # one epoch without a gain
    scores = model.evaluate(VAL[0], VAL[1] + 1, verbose=0, return_dict=True)
    assert scores["acsa"] == values[best]  # the best epoch's weights


def test_a_given_mode_and_other_monitors_are_kept(model):
    stop = keras.callbacks.EarlyStopping(monitor="val_acsa", mode="min")
    values = _fit_with(model, stop, epochs=3)
    assert stop.mode == "min" and stop.best == min(values["val_acsa"])
    loss = keras.callbacks.EarlyStopping(monitor="val_loss")
    _fit_with(model, loss, epochs=2)
    assert loss.mode == "auto"


@pytest.mark.parametrize("make", [Batches, _generator])
def test_a_refused_dataset_leaves_the_model_usable(model, make):
    # The first batch is checked before fit starts: a refusal from inside
    # an epoch left a JAX model's variables unusable ("'NoneType' object
    # is not callable" at the next predict).
    x, y = _data()
    with pytest.raises(ValueError, match=RAW):
        model.fit(make(x, y + 1), epochs=1, verbose=0)
    assert model.predict(x, verbose=0).shape == (len(x), 2)
    history = model.fit(make(x, y), epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][-1])


class GoodOnce(Batches):
    """Class indices on its first read (the check before fit), raw labels
    after: fit's first batch is refused, where JAX holds the state."""

    reads = 0

    def __getitem__(self, index):
        x, y = super().__getitem__(index)
        self.reads += 1
        return x, y if self.reads == 1 else y + 1


def test_a_batch_refused_inside_fit_leaves_the_model_usable(model):
    x, y = _data()
    model.fit(x, y + 1, epochs=1, batch_size=16, verbose=0)  # trained state
    with pytest.raises(ValueError, match=RAW):
        model.fit(GoodOnce(x, y), epochs=1, verbose=0)
    proba = model.predict(x, verbose=0)  # JAX: "'NoneType' is not callable"
    assert proba.shape == (len(x), 2) and np.isfinite(proba).all()
    model.fit(x, y + 1, epochs=1, batch_size=16, verbose=0)  # trains on
