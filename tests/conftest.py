"""Shared fixtures: tiny imbalanced data and tiny models, on any backend."""

import os

import keras
import numpy as np
import pandas as pd
import pytest

BACKEND = keras.backend.backend()

if BACKEND == "jax":
    # Tests build many identical tiny models: reuse compiled XLA programs.
    import jax

    jax.config.update(
        "jax_compilation_cache_dir",
        os.path.join(os.path.dirname(__file__), "..", ".cache", "jax"),
    )
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)

TINY = dict(
    latent_dim=4,
    generator_units=(8, 4),
    critic_units=(8,),
    classifier_units=(8,),
)


# `make test` runs the suite once per backend; a test marked
# `backend_independent` (tables, parsing, statistics, reports, scripts: no
# Keras maths) runs only in the pass of this backend. Unset (a plain
# `pytest`), every test runs.
ONCE_ON = os.environ.get("AOS_KERAS_TEST_ONCE_ON")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "backend(*names): run only on these Keras backends"
    )
    config.addinivalue_line(
        "markers",
        "backend_independent: no Keras maths; run on one backend of "
        "`make test` (AOS_KERAS_TEST_ONCE_ON)",
    )


def pytest_runtest_setup(item):
    for marker in item.iter_markers(name="backend"):
        if BACKEND not in marker.args:
            pytest.skip(f"only on {marker.args}, running {BACKEND}")
    if ONCE_ON and BACKEND != ONCE_ON:
        if item.get_closest_marker("backend_independent"):
            pytest.skip(f"backend-independent: runs on {ONCE_ON} only")


def make_imbalanced(n_major=40, n_minor=8, d=3, shift=1.5, seed=0):
    """Two Gaussian classes, `n_major:n_minor`, float32."""
    rng = np.random.default_rng(seed)
    x = np.concatenate(
        [rng.normal(0, 1, (n_major, d)), rng.normal(shift, 1, (n_minor, d))]
    ).astype("float32")
    y = np.array([0] * n_major + [1] * n_minor)
    return x, y


@pytest.fixture
def tiny_data():
    return make_imbalanced()


@pytest.fixture
def tiny_model():
    """Factory of a compiled tiny AdversarialOversampler."""
    from aos_keras import AdversarialOversampler

    def make(x, y, mode="do", seed=0, **kwargs):
        keras.utils.set_random_seed(seed)
        model = AdversarialOversampler.from_data(
            x, y, mode=mode, seed=seed, **{**TINY, **kwargs}
        )
        model.compile()
        return model

    return make


# ------------------------------------------------ the command line's table
# Options of `aos-keras train` for a tiny, fast game.
TINY_ARGS = [
    "--epochs", "1", "--batch-size", "16", "--progress", "0",
    "--latent-dim", "4", "--generator-units", "8", "4",
    "--critic-units", "8", "--classifier-units", "8",
    "--generator-temperature", "0.5",
]  # fmt: skip


@pytest.fixture(scope="session")
def table(tmp_path_factory):
    """`(folder, path, frame)`: a small mixed CSV table, label `outcome`."""
    rng = np.random.default_rng(0)
    folder = tmp_path_factory.mktemp("cli")
    frame = pd.DataFrame(
        {
            "age": rng.integers(20, 80, 48),
            "dose": rng.normal(size=48),
            "flag": rng.integers(0, 2, 48).astype(bool),
            "outcome": ["ok"] * 38 + ["relapse"] * 10,
        }
    )
    path = folder / "train.csv"
    frame.to_csv(path, index=False)
    return folder, path, frame


@pytest.fixture(scope="session")
def trained(table):
    """The model folder `aos-keras train` writes from `table` (once)."""
    from aos_keras import cli

    folder, path, _ = table
    out = folder / "run"
    argv = ["train", str(path), "--label", "outcome", "--output", str(out)]
    assert cli.main(argv + TINY_ARGS) == 0
    return out


def shifted_tables(shifts):
    """`{name: (frame, labels)}`: per name, 60 `"no"` rows and 20 `"yes"`
    rows shifted by its value (3 normal columns): the summaries' tests."""
    rng = np.random.default_rng(0)
    out = {}
    for name, shift in shifts.items():
        x = np.concatenate(
            [rng.normal(0, 1, (60, 3)), rng.normal(shift, 1, (20, 3))]
        )
        frame = pd.DataFrame(x, columns=["p", "q", "r"])
        out[name] = (frame, np.array(["no"] * 60 + ["yes"] * 20))
    return out


def small_table(seed=0):
    """A 54-row, 2-column table with 14 `"yes"` rows: compare's tests."""
    rng = np.random.default_rng(seed)
    y = np.array(["no"] * 40 + ["yes"] * 14)
    frame = pd.DataFrame(
        {"x1": rng.normal(size=54) + (y == "yes") * 1.5,
         "x2": rng.normal(size=54)}
    )  # fmt: skip
    return frame, y
