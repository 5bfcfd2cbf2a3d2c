"""`compare --cluster ADDRESS`: a Dask or Ray cluster by its address, each
table sent once (issue 32, item 6)."""

import pickle
import re
import types

import numpy as np
import pandas as pd
import pytest

from aos_keras import cli
from aos_keras.evaluation import cluster
from aos_keras.evaluation.cluster import Address, parse_address

METHODS = ["LR", "HGB"]


def _write_table(path, rows=300):
    rng = np.random.default_rng(0)
    y = np.array(["x"] * (rows - rows // 4) + ["y"] * (rows // 4))
    frame = pd.DataFrame(
        {c: rng.normal(size=rows) + (y == "y") for c in ("a", "b", "c", "d")}
    )
    frame.assign(label=y).to_csv(path, index=False)
    return path


def _compare(tmp_path, address):
    data = _write_table(tmp_path / "t.csv")
    out = tmp_path / "report"
    argv = ["compare", str(data), "--methods", *METHODS, "--repeats", "2",
            "--no-plot", "-o", str(out), "--cluster", address]  # fmt: skip
    return cli.main(argv), out


def _check_report(out, err):
    runs = pd.read_csv(out / "runs.csv")
    assert sorted(set(runs["method"])) == sorted(METHODS)
    assert (runs["status"] == "ok").all() and len(runs) == 4
    assert len(list((out / "runs").rglob("*.json"))) == 4
    # one progress line per run, as each ends
    lines = re.findall(r"^aos-keras: \[(\d)/4\] t (LR|HGB) split", err, re.M)
    assert [i for i, _ in lines] == ["1", "2", "3", "4"]


class _Counting:
    """Wraps a callable; counts its calls."""

    def __init__(self, call):
        self.call, self.calls = call, 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self.call(*args, **kwargs)


# ------------------------------------------------------------ addresses
@pytest.mark.backend_independent
@pytest.mark.parametrize(
    "text, address",
    [
        ("tcp://10.0.0.5:8786", Address("dask", "tcp://10.0.0.5:8786")),
        ("tls://h:8786", Address("dask", "tls://h:8786")),
        ("dask://10.0.0.5:8786", Address("dask", "tcp://10.0.0.5:8786")),
        ("ray://head:10001", Address("ray", "ray://head:10001")),
        ("ray:auto", Address("ray", "auto")),
    ],
)
def test_an_address_names_dask_or_ray(text, address):
    assert parse_address(text) == address


@pytest.mark.backend_independent
@pytest.mark.parametrize("text", ["h:8786", "http://h:1", "ray:", "dask://"])
def test_a_bad_address_is_refused_before_keras_starts(text, tmp_path, capsys):
    data = _write_table(tmp_path / "t.csv", rows=20)
    argv = ["compare", str(data), "-o", str(tmp_path / "r"), "--cluster", text]
    assert cli.main(argv) == 2
    assert capsys.readouterr().err == (
        f"aos-keras compare: error: --cluster: cluster address {text!r} "
        "names no Dask scheduler or Ray cluster; give one of the forms "
        "tcp://scheduler:8786, dask://scheduler:8786, ray://head:10001 or "
        "ray:auto\n"
    )
    assert not (tmp_path / "r").exists()


# ------------------------------------------------------- payloads
@pytest.mark.backend_independent
def test_runs_travel_without_their_table_and_each_table_once(tmp_path):
    from aos_keras.evaluation import Protocol, plan_runs, prepare_table

    frame = pd.read_csv(_write_table(tmp_path / "t.csv"))
    prepared = {
        name: prepare_table(frame[["a", "b", "c", "d"]], frame["label"])
        for name in ("t1", "t2")
    }
    runs = plan_runs(
        prepared, METHODS, Protocol(epochs=1), repeats=2, seed=0,
        options={}, cache_dir="runs",
    )  # fmt: skip
    payloads, tables, which = cluster.split_payloads(runs)
    assert len(payloads) == 8 and which == [0, 0, 1, 1, 0, 0, 1, 1]
    assert [t is prepared[n] for t, n in zip(tables, ("t1", "t2"))] == [1, 1]
    table_bytes = len(pickle.dumps(tables[0]))
    for payload, run in zip(payloads, runs):
        sent = pickle.loads(payload)
        assert sent.data is None and sent.tag == run.tag
        assert sent.path.startswith("/") and sent.path.endswith(run.path)
        assert len(payload) < table_bytes / 2


@pytest.mark.backend_independent
def test_ray_is_connected_to_by_address_and_left_as_found():
    calls = []
    fake = types.SimpleNamespace(
        is_initialized=lambda: False,
        init=lambda **kw: calls.append(("init", kw)),
        shutdown=lambda: calls.append(("shutdown",)),
    )
    with cluster._ray_connected(fake, "ray://head:10001"):
        calls.append(("inside",))
    assert calls == [
        ("init", {"address": "ray://head:10001", "log_to_driver": False}),
        ("inside",),
        ("shutdown",),
    ]
    calls.clear()
    fake.is_initialized = lambda: True  # a session's own connection
    with cluster._ray_connected(fake, "auto"):
        calls.append(("inside",))
    assert calls == [("inside",)]


# ------------------------------------------------------ local clusters
@pytest.mark.backend_independent
def test_compare_on_a_dask_scheduler_by_address(tmp_path, capsys, monkeypatch):
    distributed = pytest.importorskip("distributed")
    scatter = _Counting(distributed.Client.scatter)
    monkeypatch.setattr(
        distributed.Client, "scatter", lambda *a, **k: scatter(*a, **k)
    )
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False,
        dashboard_address=None,
    ) as local:  # fmt: skip
        status, out = _compare(tmp_path, local.scheduler_address)
    assert status == 0
    assert scatter.calls == 1  # the table, once for its 4 runs
    _check_report(out, capsys.readouterr().err)


# Ray starts its processes by fork; JAX (threaded) warns about any fork.
@pytest.mark.filterwarnings("ignore:os.fork:RuntimeWarning")
def test_compare_on_ray(tmp_path, capsys, monkeypatch):
    ray = pytest.importorskip("ray")
    put = _Counting(ray.put)
    monkeypatch.setattr(ray, "put", put)
    ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False)
    try:
        status, out = _compare(tmp_path, "ray:auto")
    finally:
        ray.shutdown()
    assert status == 0
    assert put.calls == 1  # the table, once for its 4 runs
    _check_report(out, capsys.readouterr().err)
