"""Whole batches: padding rows of weight 0, one compilation of the step."""

import numpy as np
import pytest
from conftest import BACKEND, TINY, make_imbalanced

from aos_keras import AdversarialOversampler
from aos_keras.game import schedule
from aos_keras.game.batching import pad_to_batches


def test_pad_to_batches_appends_zero_weight_copies():
    x = np.arange(10, dtype="float32").reshape(5, 2)
    y = np.array([0, 1, 0, 1, 1])
    px, py, w = pad_to_batches(x, y, None, 4)
    assert px.shape == (8, 2) and py.shape == (8,)
    np.testing.assert_array_equal(px[5:], x[:3])
    np.testing.assert_array_equal(py[5:], y[:3])
    assert w.tolist() == [1.0] * 5 + [0.0] * 3
    # Given weights are kept; whole batches come back unchanged.
    _, _, w = pad_to_batches(x, y, [2, 1, 1, 1, 3], 3)
    assert w.tolist() == [2.0, 1.0, 1.0, 1.0, 3.0, 0.0]
    same = pad_to_batches(x, y, None, 5)
    assert same[0] is x and same[2] is None
    # More padding than rows: the rows are cycled.
    px, _, w = pad_to_batches(x[:2], y[:2], None, 7)
    np.testing.assert_array_equal(px[2:], x[[0, 1, 0, 1, 0]])
    assert w.sum() == 2.0


@pytest.mark.skipif(BACKEND == "torch", reason="torch runs steps eagerly")
def test_a_partial_last_batch_traces_the_step_once(monkeypatch):
    x, y = make_imbalanced(n_major=40, n_minor=10)  # 50 rows, batch 16
    traced = []
    step = schedule.train_step

    def counting(game, data):
        traced.append(tuple(data[0].shape))
        return step(game, data)

    monkeypatch.setattr(schedule, "train_step", counting)
    model = AdversarialOversampler.from_data(x, y, seed=0, **TINY)
    model.compile()
    history = model.fit(
        x, y, epochs=2, batch_size=16, validation_data=(x, y), verbose=0
    )
    assert traced == [(16, x.shape[1])]
    assert np.isfinite(history.history["val_loss"]).all()
    # The padding rows of the validation data weigh nothing: its ACSA is
    # the unpadded data's, scored in one batch.
    scores = model.evaluate(
        x, y, batch_size=len(x), return_dict=True, verbose=0
    )
    assert history.history["val_acsa"][-1] == pytest.approx(
        scores["acsa"], abs=1e-7
    )


@pytest.mark.skipif(BACKEND != "jax", reason="JAX's compilation cache")
def test_default_compile_cache_folder_and_its_off_switch(monkeypatch, tmp_path):
    import jax

    from aos_keras import backend

    chosen = []
    monkeypatch.setattr(
        backend, "enable_compile_cache", lambda f, s=1.0: chosen.append(f)
    )
    before = jax.config.jax_compilation_cache_dir
    try:
        jax.config.update("jax_compilation_cache_dir", None)
        for env, expected in (
            ({"AOS_KERAS_COMPILE_CACHE": "off"}, None),
            ({"AOS_KERAS_COMPILE_CACHE": str(tmp_path)}, str(tmp_path)),
            (
                {"XDG_CACHE_HOME": str(tmp_path)},
                str(tmp_path / "aos_keras" / "jax"),
            ),
        ):
            monkeypatch.delenv("AOS_KERAS_COMPILE_CACHE", raising=False)
            for key, value in env.items():
                monkeypatch.setenv(key, value)
            monkeypatch.setitem(backend._default_cache, "done", False)
            assert backend.default_compile_cache() == expected
            # Once per process.
            assert backend.default_compile_cache() is None
        assert chosen == [str(tmp_path), str(tmp_path / "aos_keras" / "jax")]
        # A folder the user set wins.
        jax.config.update("jax_compilation_cache_dir", str(tmp_path / "mine"))
        monkeypatch.setitem(backend._default_cache, "done", False)
        assert backend.default_compile_cache() is None
    finally:
        jax.config.update("jax_compilation_cache_dir", before)


@pytest.mark.parametrize("rows, passes", [("fresh", 3), ("critic", 2)])
def test_q_generated_rows_critic_saves_one_generator_pass(
    monkeypatch, rows, passes
):
    from aos_keras import CWIGenerator

    x, y = make_imbalanced(n_major=24, n_minor=8)  # one step of 32 rows
    calls = []
    call = CWIGenerator.call

    def counting(self, *args, **kwargs):
        calls.append(kwargs.get("class_ids"))
        return call(self, *args, **kwargs)

    monkeypatch.setattr(CWIGenerator, "call", counting)
    model = AdversarialOversampler.from_data(
        x, y, seed=0, mode="do", q_generated_rows=rows, **TINY
    )
    assert model.q_generated_rows == rows
    model.compile()
    history = model.fit(x, y, epochs=1, batch_size=32, verbose=0)
    assert np.isfinite(history.history["q_loss"]).all()
    # One trace of the step (one eager step on torch) calls G this often.
    assert len(calls) == passes, calls
