"""Every script in `scripts/` runs in its fast mode (on the torch backend).

Each test loads a script as a module and calls its `main(argv)` with the
script's `--smoke` (or `--quick`) flag and every output folder in
`tmp_path`, then checks what it wrote. Scripts that run themselves once per
backend in child processes run with `--in-process` (this backend only);
`aos_bench.backends`'s child processes are tested on their own with a
tiny script. Scripts that need the paper's datasets skip without them.
"""

import glob
import importlib.util
import json
import math
import os

import keras
import pandas as pd
import pytest

from aos_bench import backends, datasets

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
# The datasets' folder as the scripts find it: $AOS_KERAS_DATA, else
# ~/aos_keras_data (`aos_bench.datasets.data_home`).
DATA = datasets.data_home()
BACKEND = keras.backend.backend()

# The scripts' smoke runs test the scripts, not the backends (the package's
# tests do that): one backend, the one where a tiny training costs least.
pytestmark = pytest.mark.backend("torch")

needs_data = pytest.mark.skipif(
    not os.path.isdir(os.path.join(DATA, "haberman")),
    reason=f"the paper's datasets are not in {DATA}",
)
needs_dev = pytest.mark.skipif(
    not os.path.isdir(os.path.join(DATA, "dev")),
    reason=f"the development tables are not in {os.path.join(DATA, 'dev')}",
)


@pytest.fixture(autouse=True)
def data_home(monkeypatch):
    """The scripts read the datasets from $AOS_KERAS_DATA: the tests' copy."""
    monkeypatch.setenv("AOS_KERAS_DATA", DATA)


def load(name):
    """The script `{name}.py` as a module: a tool at the root of `scripts/`
    or a study's script in `scripts/studies/<study>/`."""
    (path,) = glob.glob(
        os.path.join(ROOT, "scripts", f"{name}.py")
    ) + glob.glob(os.path.join(ROOT, "scripts", "studies", "*", f"{name}.py"))
    spec = importlib.util.spec_from_file_location(f"script_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def jax_config():
    """Restore the JAX compilation-cache settings a script changes."""
    if BACKEND != "jax":
        yield
        return
    import jax

    names = (
        "jax_compilation_cache_dir",
        "jax_persistent_cache_min_compile_time_secs",
    )
    saved = {n: getattr(jax.config, n) for n in names}
    yield
    for name, value in saved.items():
        jax.config.update(name, value)


def test_child_driver_reads_the_last_json_line_or_the_error(tmp_path):
    script = tmp_path / "child.py"
    script.write_text(
        "import json, os, sys\n"
        "assert sys.argv[1] == '--child'\n"
        "if sys.argv[2:] == ['--fail']:\n"
        "    sys.exit('child failed: ' + os.environ['KERAS_BACKEND'])\n"
        "print('progress')\n"
        "print(json.dumps({'backend': os.environ['KERAS_BACKEND'],\n"
        "                  'argv': sys.argv[2:]}))\n"
    )
    argv = backends.child_argv({"rows": 3, "quick": True, "slow": False})
    assert argv == ["--rows", "3", "--quick"]
    results = backends.run_per_backend(
        str(script), argv, ["numpy", "other"], log=lambda line: None
    )
    assert results == {
        "numpy": {"backend": "numpy", "argv": ["--rows", "3", "--quick"]},
        "other": {"backend": "other", "argv": ["--rows", "3", "--quick"]},
    }
    failed = backends.run_child(str(script), ["--fail"], "numpy")
    assert failed == {"error": "child failed: numpy"}


def test_child_driver_in_process_runs_the_current_backend_only():
    def main(argv):
        print(json.dumps({"argv": argv}))

    result = backends.run_child(
        "unused.py", ["--a"], BACKEND, main=main, in_process=True
    )
    assert result == {"argv": ["--child", "--a"]}
    other = "torch" if BACKEND != "torch" else "jax"
    with pytest.raises(ValueError, match="current backend"):
        backends.run_child("x", [], other, main=main, in_process=True)


@needs_data
def test_reproduce_table2_quick(tmp_path, jax_config):
    load("reproduce_table2").main(
        [
            "--quick", "--datasets", "haberman", "--methods", "Q", "SMOTE+Q",
            "--epochs", "1",
            "--cache-dir", str(tmp_path / "runs"),
            "--out-dir", str(tmp_path / "out"),
        ]
    )  # fmt: skip
    table = pd.read_csv(tmp_path / "out" / "table2_quick.csv")
    assert table["method"].tolist() == ["Q", "SMOTE+Q"]
    assert (table["seeds_done"] == 1).all()
    assert table["honest_acsa_mean"].between(0, 100).all()
    assert len(os.listdir(tmp_path / "runs")) == 2
    text = (tmp_path / "out" / "table2_quick.md").read_text()
    assert "### haberman (epochs 1, batch size 32" in text


def test_bench_speed_smoke(tmp_path):
    script = load("bench_speed")
    out, raw = tmp_path / "speed.md", tmp_path / "speed.json"
    script.main(
        ["--smoke", "--in-process", "--out", str(out), "--json", str(raw)]
    )
    (result,) = json.loads(raw.read_text())["results"]
    assert result["backend"] == BACKEND
    (config,) = result["configs"]
    assert (config["dataset"], config["batch"]) == ("haberman", 256)
    assert set(config["epoch_s"]) == {"Q", "AO", "DO", "DO+guard", "GAMO-loop"}
    seconds = [t for times in config["epoch_s"].values() for t in times]
    assert len(seconds) == 5 and all(0 < t < math.inf for t in seconds)
    assert config["flops"]["DO"] > config["flops"]["Q"] > 0
    text = out.read_text()
    assert f"| haberman | 256 | {BACKEND} |" in text
    assert "GAMO-loop" in text and "failed" not in text


def test_bench_step_smoke(tmp_path):
    out = tmp_path / "step.md"
    load("bench_step").main(["--smoke", "--in-process", "--out", str(out)])
    rows = [
        line.split("|")[1:-1]
        for line in out.read_text().splitlines()
        if line.startswith(f"| {BACKEND} |")
    ]
    assert [r[1].strip() for r in rows] == ["Q", "AO", "DO"]
    assert float(rows[0][4]) == 1.0  # Q against itself
    assert all(math.isfinite(float(r[2])) for r in rows)


@needs_data
def test_bench_anchors_smoke(tmp_path):
    out = tmp_path / "anchors.md"
    load("bench_anchors").main(["--smoke", "--in-process", "--out", str(out)])
    text = out.read_text()
    assert "failed" not in text
    assert "| 1,000 | all | (1000, 71) |" in text
    assert "| 1,000 | 16 | (16, 16) |" in text
    assert "| 16 | (16, 16) |" in text  # accuracy, capped
    assert "| 16 +resample | (16, 16) |" in text


def test_bench_large_smoke(tmp_path):
    out = tmp_path / "large.md"
    load("bench_large").main(["--smoke", "--in-process", "--out", str(out)])
    text = out.read_text()
    assert "| fit, 1 epoch |" in text
    assert "| NaN guard on/off |" in text
    assert "peak RSS, 1,000 rows (MiB)" in text
    assert "(all finite)." in text


@needs_data
def test_confirm_paper_six_smoke(tmp_path):
    load("confirm_paper_six").main(
        ["--smoke", "--cache-dir", str(tmp_path / "runs"), "--out-dir",
         str(tmp_path)]
    )  # fmt: skip
    runs = pd.read_csv(tmp_path / "paper_six_compare.csv")
    assert set(runs["method"]) == {"LR", "HGB"}
    assert (tmp_path / "paper_six_compare.md").exists()


def test_demo_smoke(capsys):
    demo = load("demo")
    demo.main(["--smoke"])
    out = capsys.readouterr().out
    table = [line for line in out.splitlines() if line.startswith("| ")]
    assert {line.split("|")[1].strip() for line in table[1:]} == set(
        demo.METHODS
    )
    assert "1 epochs, 1 splits" in out


@needs_data
def test_fraction_sweep_smoke(tmp_path):
    load("fraction_sweep").main(
        ["--smoke", "--cache-dir", str(tmp_path / "runs"), "--out-dir",
         str(tmp_path)]
    )  # fmt: skip
    table = pd.read_csv(tmp_path / "fraction_sweep.csv", comment="#")
    assert table["fraction"].tolist() == [0.5, 1.0]
    assert (table["seeds"] == 1).all()
    assert table["honest_acsa_mean"].between(0, 100).all()


@needs_data
def test_generator_spread_smoke(tmp_path):
    script = load("generator_spread")
    script.main(["--smoke", "--out", str(tmp_path / "spread.md")])
    rows = [
        line.split("|")[1:-1]
        for line in (tmp_path / "spread.md").read_text().splitlines()
        if line.startswith("| haberman |")
    ]
    assert [r[1].strip() for r in rows] == ["0", "1"]
    assert all(math.isfinite(float(cell)) for r in rows for cell in r[4:])
    script.main(["--smoke", "--init-only", "--out", str(tmp_path / "i.md")])
    text = (tmp_path / "i.md").read_text()
    assert "| T = 1 | T = 0.1 |" in text and "| haberman |" in text


@needs_dev
def test_bench_time_to_model_child_runs_only_its_run(tmp_path):
    # Each timed run has a process of its own (no run reuses another's
    # compiled shapes): a child given `--run TABLE METHOD` makes that run
    # and no other, and the report reads it.
    script = load("bench_time_to_model")
    runs = tmp_path / "runs"
    common = ["--tables", "new-thyroid1", "--methods", "Q", "DO",
              "--epochs", "1", "--cache-dir", str(runs)]  # fmt: skip
    script.main(["--child", *common, "--run", "new-thyroid1", "Q"])
    assert os.listdir(runs) == [f"{BACKEND}__new-thyroid1__Q__e1.json"]
    with open(runs / os.listdir(runs)[0]) as f:
        run = json.load(f)
    assert (run["table"], run["method"], run["epochs"]) == (
        "new-thyroid1",
        "Q",
        1,
    )
    assert len(run["epoch_seconds"]) == 1
    out = tmp_path / "ttm.md"
    script.main(
        [*common, "--backends", BACKEND, "--report-only", "--out", str(out)]
    )
    text = out.read_text()
    assert f"| {BACKEND} | new-thyroid1 | 215 | 2 | Q |" in text
    assert f"Not run (yet): {BACKEND}/new-thyroid1/DO." in text


def test_bench_time_to_model_reports_medians_of_repeats():
    script = load("bench_time_to_model")
    runs = [
        {
            "wall_seconds": w,
            "epoch_seconds": e,
            "jax_compile_seconds": {"xla": x},
        }
        for w, e, x in [
            (10.0, [5.0, 1.0], 3.0),
            (30.0, [9.0, 2.0, 4.0], 1.0),
            (20.0, [7.0, 3.0], 2.0),
        ]
    ]
    merged = script.merge_repeats(runs)
    assert merged["repeats"] == 3
    assert merged["wall_seconds"] == 20.0
    assert merged["epoch_seconds"] == [7.0, 1.0, 2.0, 4.0, 3.0]
    assert merged["jax_compile_seconds"] == {"xla": 2.0}
    assert script.merge_repeats(runs[:1]) == dict(runs[0], repeats=1)
    args = script.parse_args(["--epochs", "4", "--cache-dir", "c"])
    assert script.run_path(args, "jax", "t", "DO", 0) == os.path.join(
        "c", "jax__t__DO__e4.json"
    )
    assert script.run_path(args, "jax", "t", "DO", 2).endswith("e4__r2.json")


@needs_dev
def test_research_summary_smoke(tmp_path):
    load("research_summary").main(
        ["--smoke", "--cache-dir", str(tmp_path / "runs"), "--research-dir",
         str(tmp_path), "--results-dir", str(tmp_path)]
    )  # fmt: skip
    variants = (tmp_path / "variants.md").read_text()
    assert "| DO-T0.1 | DO | sharper generator heads (T = 0.1) | honest" in (
        variants
    )
    nominal = (tmp_path / "nominal_output.md").read_text()
    assert "| flare-F |" in nominal
    assert "| DO-T0.1 |" in (tmp_path / "confirmation.md").read_text()


def test_no_script_changes_sys_path():
    scripts = glob.glob(os.path.join(ROOT, "scripts", "*.py"))
    scripts += glob.glob(os.path.join(ROOT, "scripts", "studies", "*", "*.py"))
    assert len(scripts) > 15
    for path in sorted(scripts):
        with open(path) as f:
            assert "sys.path" not in f.read(), path
