"""CTGAN and TVAE as oversamplers (aos_keras.baselines.peers).

The fitting tests need the `peers` extra (`make test-peers` runs them in
.venv-peers, pandas 2.x); the others run everywhere, the message test
with `ctgan` made unimportable.
"""

import sys

import numpy as np
import pandas as pd
import pytest

from aos_keras.baselines import MethodNotApplicable, make_method, peers

SPECS = peers.register_peers()
BLOCKS = [(3, 6), (6, 8)]


def table(seed=0):
    """120 rows, 3 classes (90/20/10), 3 numbers and 2 nominal blocks."""
    rng = np.random.default_rng(seed)
    y = np.r_[np.zeros(90, int), np.ones(20, int), np.full(10, 2)]
    numbers = rng.normal(size=(len(y), 3)) + y[:, None]
    first = np.eye(3)[(rng.integers(0, 3, len(y)) + y) % 3]
    second = np.eye(2)[rng.integers(0, 2, len(y))]
    return np.c_[numbers, first, second].astype(np.float32), y


def peer(name, seed=0, epochs=2):
    return make_method(
        name,
        num_classes=3,
        num_features=8,
        seed=seed,
        nominal_blocks=BLOCKS,
        peer_epochs=epochs,
    )


def test_the_four_peers_are_registered_with_their_options():
    names = [spec.name for spec in SPECS]
    assert names == [
        "CTGAN+Q", "CTGAN+HGB", "TVAE+Q", "TVAE+HGB", "TVAE-C+Q", "TVAE-C+HGB"
    ]  # fmt: skip
    for spec in SPECS:
        assert {
            "peer_epochs",
            "peer_max_steps",
            "nominal_blocks",
        } <= spec.options
        assert spec.revision == 0
    assert peers.PEER_EPOCHS == 300


@pytest.mark.parametrize("name", ["CTGAN+HGB", "TVAE+Q"])
def test_without_ctgan_fit_names_the_extra(name, monkeypatch):
    monkeypatch.setitem(sys.modules, "ctgan", None)  # import fails
    x, y = table()
    with pytest.raises(ImportError, match=r'pip install "aos-keras\[peers\]"'):
        peer(name).fit(x, y, epochs=1)


@pytest.mark.parametrize(
    ("name", "rows", "options", "epochs"),
    [
        ("CTGAN+Q", 120, {}, 300),
        ("CTGAN+Q", 120, {"peer_max_steps": 100}, 100),
        ("CTGAN+Q", 1499, {"peer_max_steps": 300}, 150),  # 2 steps an epoch
        ("TVAE+Q", 1499, {"peer_max_steps": 300}, 100),  # 3 (the last kept)
        ("TVAE+Q", 7328, {"peer_max_steps": 300}, 20),
        ("TVAE+Q", 7328, {"peer_max_steps": 10, "peer_epochs": 5}, 1),
        ("CTGAN+Q", 120, {"peer_max_steps": 300, "peer_epochs": 2}, 2),
    ],
)
def test_peer_max_steps_lowers_the_epochs_of_large_tables(
    name, rows, options, epochs
):
    method = make_method(name, num_classes=2, num_features=3, **options)
    assert method._epochs(rows) == epochs


def test_to_frame_round_trips_through_from_frame():
    x, y = table()
    frame, discrete = peers.to_frame(x, y, BLOCKS)
    assert list(frame.columns) == ["n0", "n1", "n2", "c0", "c1", "label"]
    assert discrete == ["c0", "c1", "label"]
    assert frame["c0"].dtype == np.int64 and frame["label"].dtype == np.int64
    x_back, y_back = peers.from_frame(frame, BLOCKS, 8)
    np.testing.assert_allclose(x_back, x, atol=1e-6)
    np.testing.assert_array_equal(y_back, y)


def fake_draw(labels):
    """A draw giving rows of these labels in turn, 3 rows a call."""
    calls = []

    def draw(todo):
        calls.append(dict(todo))
        got = np.resize(labels, 3)
        return pd.DataFrame({"n0": np.arange(3.0), "label": got})

    return draw, calls


def test_draw_rows_keeps_exactly_the_needed_rows_of_each_class():
    draw, calls = fake_draw([1, 2, 0])
    rows = peers.draw_rows(draw, {1: 4, 2: 2}, "X")
    assert rows["label"].tolist() == [1, 1, 1, 1, 2, 2]
    assert calls == [{1: 4, 2: 2}, {1: 3, 2: 1}, {1: 2}, {1: 1}]


def test_draw_rows_gives_up_after_max_draws():
    draw, calls = fake_draw([0])
    with pytest.raises(MethodNotApplicable, match="after 20 draws.*{1: 5}"):
        peers.draw_rows(draw, {1: 5}, "TVAE+Q")
    assert len(calls) == peers.MAX_DRAWS


def check_resampled(x, y, x_res, y_res):
    """Real rows first, then full balance; each block exactly one-hot."""
    np.testing.assert_array_equal(x_res[: len(x)], x)
    np.testing.assert_array_equal(y_res[: len(y)], y)
    assert np.bincount(y_res).tolist() == [90, 90, 90]
    assert x_res.dtype == np.float32 and np.isfinite(x_res).all()
    new = x_res[len(x) :]
    for a, b in BLOCKS:
        assert set(np.unique(new[:, a:b])) <= {0.0, 1.0}
        np.testing.assert_array_equal(new[:, a:b].sum(axis=1), 1.0)


@pytest.mark.parametrize("name", ["CTGAN+Q", "TVAE+Q", "TVAE-C+Q"])
def test_a_peer_oversamples_to_full_balance_with_one_hot_blocks(name):
    pytest.importorskip("ctgan")
    x, y = table()
    method = peer(name)
    x_res, y_res = method._resample(x, y)
    check_resampled(x, y, x_res, y_res)
    assert method.resampled_counts_.tolist() == [90, 90, 90]
    models = method.generator_
    for model in models.values() if isinstance(models, dict) else [models]:
        assert model._enable_gpu is False
    assert method.epochs_ in (2, {1: 2, 2: 2})


def test_tvae_per_class_fits_one_model_per_class_to_grow():
    pytest.importorskip("ctgan")
    x, y = table()
    y = y.copy()
    y[-2:] = 3  # a class of two rows
    method = make_method(
        "TVAE-C+Q", num_classes=4, num_features=8, seed=0,
        nominal_blocks=BLOCKS, peer_epochs=1,
    )  # fmt: skip
    _, y_res = method._resample(x, y)
    assert sorted(method.generator_) == [1, 2, 3]
    assert np.bincount(y_res).tolist() == [90] * 4
    y[-2] = 2  # a class of one row
    with pytest.raises(MethodNotApplicable, match="class 3 has 1 training"):
        method._resample(x, y)


def test_ctgan_labels_its_rows_by_the_condition():
    pytest.importorskip("ctgan")
    x, y = table()
    method = peer("CTGAN+Q", epochs=1)
    _, y_res = method._resample(x, y)
    assert y_res[len(y) :].tolist() == [1] * 70 + [2] * 80
    assert 0.0 <= method.condition_match_ <= 1.0


def test_a_balanced_table_fits_no_generator():
    pytest.importorskip("ctgan")
    x, y = table()
    x, y = x[:60], np.r_[np.zeros(20, int), np.ones(20, int), np.full(20, 2)]
    method = peer("TVAE+Q")
    x_res, y_res = method._resample(x, y)
    np.testing.assert_array_equal(x_res, x)
    np.testing.assert_array_equal(y_res, y)
    assert method.sampler_seconds_ == 0.0 and not hasattr(method, "generator_")


@pytest.mark.parametrize("name", ["CTGAN+Q", "TVAE+Q", "TVAE-C+Q"])
def test_a_seeded_peer_draws_the_same_rows_twice(name):
    pytest.importorskip("ctgan")
    x, y = table()
    first, _ = peer(name, seed=3)._resample(x, y)
    again, _ = peer(name, seed=3)._resample(x, y)
    other, _ = peer(name, seed=4)._resample(x, y)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


@pytest.mark.parametrize("name", ["CTGAN+HGB", "TVAE+HGB"])
def test_a_peer_before_hgb_fits_on_balanced_rows(name):
    pytest.importorskip("ctgan")
    torch = pytest.importorskip("torch")
    threads = torch.get_num_threads()
    x, y = table()
    method = peer(name).fit(x, y, epochs=1, validation_data=(x, y))
    assert method.sampler_.resampled_counts_.tolist() == [90, 90, 90]
    assert method.sampler_name_ == name.split("+")[0]
    assert method.sampler_seconds_ == method.sampler_.sampler_seconds_ > 0
    assert method.predict_proba(x).shape == (len(x), 3)
    assert torch.get_num_threads() == threads  # restored after the fit


def test_a_peer_with_a_class_without_rows_is_not_applicable():
    pytest.importorskip("ctgan")
    x, y = table()
    keep = y != 2
    with pytest.raises(MethodNotApplicable, match=r"classes \[2\]"):
        peer("CTGAN+Q")._resample(x[keep], y[keep])


class OnePercentModel:
    """A stand-in generator: class 1 on every 100th row (or never)."""

    def __init__(self, every=100):
        self.every, self.sizes = every, []

    def sample(self, n):
        self.sizes.append(n)
        labels = np.zeros(n, dtype=np.int64)
        if self.every:
            labels[:: self.every] = 1
        return pd.DataFrame({"n0": np.zeros(n), "label": labels})


def tvae_at(counts):
    method = make_method("TVAE+Q", num_classes=2, num_features=1)
    method._counts = np.asarray(counts)
    return method


def test_tvae_chunks_follow_the_rate_drawn_so_far():
    model = OnePercentModel()
    rows = tvae_at([90, 10])._new_rows(model, {1: 100})
    # 100 rows at the training share 10%, then 90 at the 1% drawn.
    assert model.sizes == [1000, 9000]
    assert rows["label"].tolist() == [1] * 100


def test_tvae_never_drawing_a_class_is_not_applicable_within_bounds():
    model = OnePercentModel(every=0)
    with pytest.raises(MethodNotApplicable, match=r"TVAE\+Q: after 20 draws"):
        tvae_at([90, 10])._new_rows(model, {1: 5})
    assert model.sizes == [peers.MIN_CHUNK] + [peers.MAX_CHUNK] * 19
