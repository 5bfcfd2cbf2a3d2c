"""The backends as extras (issue 32): a JAX or torch install holds no
TensorFlow and trains, predicts and runs `compare`; the SavedModel export
and an install with no backend say what to install.

`make test-jax-only` runs this module in a fresh `pip install ".[jax]"`
environment (no TensorFlow); `make test` runs it on the three backends.
"""

import importlib.util
import os
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest

from aos_keras import _backends

TENSORFLOW = importlib.util.find_spec("tensorflow") is not None
NO_BACKEND = (
    "aos_keras needs a Keras backend and none is installed (not tensorflow, "
    'jax nor torch). Install one: pip install "aos_keras[jax]", pip install '
    '"aos_keras[torch]", pip install "aos_keras[tensorflow]"; then run with '
    "KERAS_BACKEND=jax or KERAS_BACKEND=torch (tensorflow is Keras's "
    "default)."
)
NO_TENSORFLOW = (
    "The SavedModel export needs TensorFlow, which is not installed "
    "(training, predicting and compare run without it on jax or torch). "
    'Install it: pip install "aos_keras[tensorflow]" (or pip install '
    "tensorflow)."
)
# Run first in a subprocess: the three backends cannot be imported.
BLOCK = textwrap.dedent(
    """
    import importlib.abc, sys

    class Block(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            if name.split(".")[0] in ("tensorflow", "jax", "torch"):
                message = f"No module named {name!r}"
                raise ModuleNotFoundError(message, name=name)

    sys.meta_path.insert(0, Block())
    """
)


def absent(*names):
    """A stand-in for `importlib.util.find_spec`: `names` not installed."""
    real = importlib.util.find_spec
    return lambda name: None if name in names else real(name)


def run_blocked(code, backend="tensorflow"):
    """`code` in a fresh Python where no backend can be imported."""
    env = {**os.environ, "KERAS_BACKEND": backend}
    return subprocess.run(
        [sys.executable, "-c", BLOCK + textwrap.dedent(code)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def tiny_table(n_major=40, n_minor=10, seed=0):
    rng = np.random.default_rng(seed)
    x = np.concatenate(
        [rng.normal(0, 1, (n_major, 3)), rng.normal(2, 1, (n_minor, 3))]
    ).astype("float32")
    y = np.array([0] * n_major + [1] * n_minor)
    return x, y


@pytest.mark.backend_independent
def test_no_backend_message_names_the_three_installs(monkeypatch):
    monkeypatch.setattr(_backends, "_find_spec", absent(*_backends.BACKENDS))
    assert _backends.installed_backends() == ()
    assert _backends.missing_backend_message("tensorflow") == NO_BACKEND


@pytest.mark.backend_independent
def test_a_backend_not_installed_names_the_installed_ones(monkeypatch):
    monkeypatch.setattr(_backends, "_find_spec", absent("tensorflow", "torch"))
    monkeypatch.setenv("KERAS_BACKEND", "tensorflow")
    assert _backends.missing_backend_message("tensorflow") == (
        "Keras's backend is tensorflow (KERAS_BACKEND) but tensorflow is "
        "not installed; installed: jax. Run with KERAS_BACKEND=jax, or "
        'install tensorflow: pip install "aos_keras[tensorflow]".'
    )


@pytest.mark.backend_independent
def test_explained_import_turns_only_a_missing_backend_into_the_message(
    monkeypatch,
):
    monkeypatch.setattr(_backends, "_find_spec", absent(*_backends.BACKENDS))
    with pytest.raises(_backends.BackendMissingError) as caught:
        with _backends.explained_import():
            raise ModuleNotFoundError(
                "No module named 'jax.numpy'", name="jax.numpy"
            )
    assert str(caught.value) == NO_BACKEND
    assert caught.value.name == "jax"
    assert isinstance(caught.value, ImportError)
    with pytest.raises(ModuleNotFoundError, match="'rich'"):
        with _backends.explained_import():
            raise ModuleNotFoundError("No module named 'rich'", name="rich")


@pytest.mark.backend_independent
def test_import_with_no_backend_gives_one_message():
    # `import aos_keras` stays cheap; the first public name imports Keras.
    done = run_blocked(
        """
        import aos_keras
        try:
            aos_keras.AOSClassifier
        except ImportError as err:
            print(type(err).__name__, err.__cause__, err.__suppress_context__)
            print(err)
        """
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "BackendMissingError None True",
        NO_BACKEND,
    ]


@pytest.mark.backend_independent
def test_the_cli_with_no_backend_says_what_to_install(tmp_path):
    x, y = tiny_table()
    path = tmp_path / "t.csv"
    pd.DataFrame(x, columns=["a", "b", "c"]).assign(label=y).to_csv(
        path, index=False
    )
    done = run_blocked(
        f"""
        from aos_keras import cli
        sys.exit(cli.main(["compare", {str(path)!r}, "--label", "label",
                           "--output", {str(tmp_path / "out")!r}]))
        """,
        backend="jax",
    )
    assert done.returncode == 1  # an install problem, not the input's
    assert done.stderr == f"aos-keras compare: error: {NO_BACKEND}\n"


def test_the_export_without_tensorflow_says_what_to_install(
    monkeypatch, tmp_path
):
    import keras

    from aos_keras.saving import export

    monkeypatch.setattr(_backends, "_find_spec", absent("tensorflow"))
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    with pytest.raises(_backends.BackendMissingError) as caught:
        export.export_saved_model(model, tmp_path / "saved")
    assert str(caught.value) == NO_TENSORFLOW
    assert caught.value.name == "tensorflow"
    assert not (tmp_path / "saved").exists()


def test_train_predict_and_compare_run_without_tensorflow_imported(tmp_path):
    """What a `pip install ".[jax]"` user runs first; in such an install
    TensorFlow is never imported (it is not there)."""
    import keras

    from aos_keras import AOSClassifier, cli

    x, y = tiny_table()
    model = AOSClassifier(epochs=1, batch_size=16, random_state=0)
    model.fit(x, y)
    assert model.predict(x).shape == (50,)
    assert set(model.predict(x)) <= {0, 1}
    np.testing.assert_allclose(model.predict_proba(x).sum(axis=1), 1, atol=1e-5)
    path, out = tmp_path / "t.csv", tmp_path / "compare"
    pd.DataFrame(x, columns=["a", "b", "c"]).assign(label=y).to_csv(
        path, index=False
    )
    argv = ["compare", str(path), "--label", "label", "--methods", "LR", "Q"]
    argv += [
        "--repeats",
        "2",
        "--epochs",
        "1",
        "--no-plot",
        "--output",
        str(out),
    ]
    assert cli.main(argv) == 0
    assert {"runs.csv", "report.md"} <= {p.name for p in out.iterdir()}
    runs = pd.read_csv(out / "runs.csv")
    assert sorted(runs["method"].unique()) == ["LR", "Q"]
    if not TENSORFLOW:
        assert keras.backend.backend() != "tensorflow"
        assert "tensorflow" not in sys.modules


def test_aos_keras_export_without_tensorflow_says_what_to_install(
    trained, tmp_path, monkeypatch, capsys
):
    from aos_keras import cli

    monkeypatch.setattr(_backends, "_find_spec", absent("tensorflow"))
    path = tmp_path / "serving" / "1"
    assert cli.main(["export", str(trained), "-o", str(path)]) == 1
    assert capsys.readouterr().err == (
        f"aos-keras export: error: {NO_TENSORFLOW}\n"
    )
    assert not path.exists()
