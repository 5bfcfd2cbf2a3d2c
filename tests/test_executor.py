"""The harness's edges: one method, one split, workers (loky, Dask, Ray),
the cache key's context, no matplotlib, nothing left in os.environ."""

import os
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
from conftest import small_table
from joblib import parallel_config

from aos_keras import __version__
from aos_keras.evaluation import (
    Protocol,
    compare,
    executor,
    harness,
    make_splits,
    run_key,
)

# Harness logic: one backend.
pytestmark = pytest.mark.backend("jax")
Q_TINY = {"Q": {"classifier_units": (8,)}}


def records(result):
    """The scores of a result, sorted, without the timings."""
    runs = result.runs.drop(columns=["seconds"])
    return runs.sort_values(["method", "split"]).reset_index(drop=True)


def run(**kwargs):
    frame, y = small_table()
    settings = dict(methods=["LR", "Q"], repeats=2, epochs=1, batch_size=16,
                    options=Q_TINY, log=None)  # fmt: skip
    return compare(frame, y, **{**settings, **kwargs})


# ------------------------------------------------------- methods, repeats
def test_a_single_method_reports_without_a_paired_test(tmp_path):
    result = run(methods=["LR"], options=None)
    assert result.paired_tests().empty
    text = result.markdown()
    assert "No paired test with a single method." in text
    assert result.recommendation().startswith("best: LR (")
    paths = result.save(str(tmp_path), plot=False)
    assert [os.path.basename(p) for p in paths] == ["runs.csv", "report.md"]


def test_no_method_is_refused():
    frame, y = small_table()
    with pytest.raises(ValueError, match="`methods` is empty"):
        compare(frame, y, methods=[])


def test_one_split_reports_no_spread_and_no_test_with_a_caution():
    text = run(repeats=1).markdown()
    assert "Caution: one split (repeats=1)" in text
    assert "±" not in text and "p = 1" not in text
    assert "No paired test with one split." in text


# ------------------------------------------------------------- workers
@pytest.mark.filterwarnings("ignore:n_jobs=2 is more than")  # 1 core
def test_two_loky_workers_give_the_numbers_of_one(tmp_path):
    before = dict(os.environ)
    one = run(cache_dir=str(tmp_path / "one"))
    two = run(n_jobs=2, cache_dir=str(tmp_path / "two"))
    pd.testing.assert_frame_equal(records(one), records(two))
    assert dict(os.environ) == before  # nothing set, nothing left


@pytest.mark.filterwarnings("ignore:n_jobs=2 is more than")  # 1 core
def test_a_registered_variant_runs_in_a_worker_that_never_registered_it():
    from aos_keras.baselines import register_preset

    register_preset("DO-worker-test", mode="do",
                    settings={"generator_temperature": 0.5})  # fmt: skip
    tiny = {"classifier_units": (8,), "latent_dim": 4,
            "generator_units": (8,), "critic_units": (8,)}  # fmt: skip
    result = run(methods=["DO-worker-test", "LR"], repeats=1, n_jobs=2,
                 options={"DO-worker-test": tiny})  # fmt: skip
    assert (result.runs["status"] == "ok").all()
    assert set(result.runs["method"]) == {"DO-worker-test", "LR"}


def test_more_workers_than_cores_warns(monkeypatch):
    monkeypatch.setattr(executor, "available_cores", lambda: 1)
    with pytest.warns(UserWarning, match="n_jobs=2 is more than the 1 cores"):
        run(methods=["LR"], options=None, repeats=1, n_jobs=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        executor.check_jobs(1)
        executor.check_jobs(-1)


def test_dask_local_cluster_in_process(tmp_path):
    distributed = pytest.importorskip("distributed")
    local = run()
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False,
        dashboard_address=None,
    ) as cluster, distributed.Client(cluster):  # fmt: skip
        with parallel_config(backend="dask"):
            remote = run(n_jobs=1, cache_dir=str(tmp_path))
    pd.testing.assert_frame_equal(records(local), records(remote))
    assert len(list(tmp_path.rglob("*.json"))) == 4


@pytest.mark.slow
def test_dask_local_cluster_of_processes():
    distributed = pytest.importorskip("distributed")
    local = run(methods=["LR"], options=None)
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True,
        dashboard_address=None,
    ) as cluster, distributed.Client(cluster):  # fmt: skip
        with parallel_config(backend="dask"):
            remote = run(methods=["LR"], options=None)
    pd.testing.assert_frame_equal(records(local), records(remote))


# Ray starts its processes by fork; JAX (threaded) warns about any fork.
@pytest.mark.filterwarnings("ignore:os.fork:RuntimeWarning")
def test_ray_local_cluster():
    ray = pytest.importorskip("ray")
    from ray.util.joblib import register_ray

    local = run(methods=["LR"], options=None)
    ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False)
    try:
        register_ray()
        with parallel_config(backend="ray"):
            remote = run(methods=["LR"], options=None)
    finally:
        ray.shutdown()
    pd.testing.assert_frame_equal(records(local), records(remote))


def test_a_fresh_worker_takes_the_backend_it_is_given():
    code = (
        "import sys\n"
        "from aos_keras.evaluation.worker import use_backend\n"
        "assert 'keras' not in sys.modules\n"
        "use_backend('jax')\n"
        "import keras\n"
        "print(keras.backend.backend())\n"
    )
    env = dict(os.environ, KERAS_BACKEND="tensorflow")
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True,
        text=True, check=True,
    )  # fmt: skip
    assert out.stdout.strip().splitlines()[-1] == "jax"


def test_a_worker_on_another_backend_is_refused(monkeypatch):
    from aos_keras.evaluation import worker

    with pytest.raises(RuntimeError, match="runs 'jax', but the compare"):
        worker.use_backend("torch")


# ------------------------------------------------------------ cache key
def test_the_cache_key_holds_backend_and_version():
    protocol = Protocol(epochs=2, batch_size=16)
    split = make_splits(np.array([0, 1] * 10), repeats=1)[0]
    args = ("f" * 16, "DO", {}, protocol, split)
    base = run_key(*args, revision=2, backend="jax", version=__version__)
    assert base != run_key(*args, revision=2, backend="torch",
                           version=__version__)  # fmt: skip
    assert base != run_key(*args, revision=2, backend="jax", version="0.0")
    assert base != run_key(*args, revision=3, backend="jax",
                           version=__version__)  # fmt: skip
    # Without backend and version: the keys of 0.3.0 caches.
    assert run_key(*args, revision=2) != base


def test_a_run_cached_on_another_backend_is_not_reused(tmp_path, monkeypatch):
    lines = []
    run(methods=["LR"], options=None, cache_dir=str(tmp_path))
    run(methods=["LR"], options=None, cache_dir=str(tmp_path),
        log=lines.append)  # fmt: skip
    assert lines[0] == "2 of 2 runs cached; 0 to run."
    monkeypatch.setattr(harness, "run_context", lambda: ("torch", __version__))
    frame, y = small_table()
    prepared = {"table": harness.prepare_table(frame, y)}
    runs = harness.plan_runs(
        prepared, ["LR"], Protocol(epochs=1, batch_size=16), repeats=2,
        seed=0, options={}, cache_dir=str(tmp_path),
    )  # fmt: skip
    assert [r.cached() for r in runs] == [None, None]


# -------------------------------------------------------------- plots
def test_without_matplotlib_the_report_is_written_and_plots_skipped(
    tmp_path, monkeypatch
):
    result = run(methods=["LR"], options=None)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.warns(UserWarning, match="scores.png not written"):
        paths = result.save(str(tmp_path))
    assert sorted(os.listdir(tmp_path)) == ["report.md", "runs.csv"]
    assert len(paths) == 2


def test_progress_goes_to_the_logger_not_stdout(caplog, capsys):
    with caplog.at_level("INFO", logger="aos_keras.evaluation"):
        run(methods=["LR"], options=None, log=harness.LOGGER.info)
    assert "0 of 2 runs cached; 2 to run." in caplog.messages
    assert any(m.startswith("[2/2] table LR split") for m in caplog.messages)
    assert capsys.readouterr().out == ""


# ------------------------------------------------------------- labels
def test_labels_go_through_the_one_label_check():
    frame, y = small_table()
    padded = np.where(np.arange(len(y)) % 2, np.char.add(y, " "), y)
    with pytest.warns(UserWarning, match="surrounding spaces"):
        _, codes, classes = harness.prepare_table(frame, padded)
    assert classes.tolist() == ["no", "yes"] and codes.max() == 1
    continuous = np.random.default_rng(0).normal(size=len(y))
    with pytest.raises(ValueError, match="looks like a regression target"):
        compare(frame, continuous, methods=["LR"])


def test_a_suite_folder_is_read_as_the_command_line_reads_tables(tmp_path):
    frame, y = small_table()
    frame.assign(label=y).to_csv(tmp_path / "comma.csv", index=False)
    frame.assign(label=y).to_csv(
        tmp_path / "semicolon.csv", sep=";", decimal=",", index=False
    )
    tables = harness.read_suite(str(tmp_path))
    assert sorted(tables) == ["comma", "semicolon"]
    for X, labels in tables.values():
        assert list(X.columns) == ["x1", "x2"]
        assert X.dtypes.map(lambda d: d.kind).tolist() == ["f", "f"]
        pd.testing.assert_frame_equal(X, tables["comma"][0], atol=1e-12)


def test_a_worker_sets_the_compile_cache_it_is_given(monkeypatch):
    import pickle

    from aos_keras import backend
    from aos_keras.evaluation import worker

    seen = []
    monkeypatch.setattr(
        backend, "enable_compile_cache", lambda *a, **k: seen.append((a, k))
    )
    frame, y = small_table()
    prepared = {"t": harness.prepare_table(frame, y)}
    (spec,) = harness.plan_runs(
        prepared, ["LR"], Protocol(epochs=1), repeats=1, seed=0,
        options={}, cache_dir=None,
    )  # fmt: skip
    tag, record = worker.run_in_worker(
        pickle.dumps(spec), "jax", "/tmp/cache/.jax", os.getpid()
    )
    # Every program kept, however fast it compiled.
    assert seen == [(("/tmp/cache/.jax",), {"min_compile_seconds": 0})]
    assert tag == ("t", "LR", 0) and record["status"] == "ok"
