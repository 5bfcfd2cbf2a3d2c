"""`pip install "aos_keras[tensorflow]"`, then `aos-keras compare`.

The first step of `make test-min`: run in an environment that holds the
package, its required dependencies and one backend, TensorFlow (the
`tensorflow` extra; no other extra), at their floors, it runs the
command a new user would, with a resampling baseline (imbalanced-learn),
gradient boosting (scikit-learn's validation set), logistic regression and
the plain classifier, and checks that compare writes its runs and report
without matplotlib.

    python .ci/compare_smoke.py
"""

import importlib.metadata
import importlib.util
import os
import pathlib
import subprocess
import sys
import tempfile
import time

CORE = (
    "keras",
    "tensorflow",
    "numpy",
    "pandas",
    "scipy",
    "scikit-learn",
    "imbalanced-learn",
    "joblib",
    "h5py",
)
METHODS = ("LR", "HGB", "SMOTE+Q", "Q")


def write_table(folder):
    """Haberman, the bundled table, as a CSV with a named label column."""
    import pandas as pd

    import aos_keras

    data = aos_keras.load_dataset("haberman")
    frame = pd.DataFrame(data.X, columns=["age", "year", "nodes"])
    path = folder / "haberman.csv"
    frame.assign(survival=data.y).to_csv(path, index=False)
    return path


def run_compare(table, out):
    """`aos-keras compare`, the installed console script; its exit status."""
    script = pathlib.Path(sys.executable).with_name("aos-keras")
    argv = [str(script), "compare", str(table), "--label", "survival"]
    argv += ["--methods", *METHODS, "--repeats", "2", "--epochs", "1"]
    argv += ["-o", str(out)]
    env = {**os.environ, "KERAS_BACKEND": "tensorflow"}
    return subprocess.run(argv, env=env, check=False).returncode


def main():
    """Exit 0 when compare ran and wrote runs.csv and report.md."""
    if importlib.util.find_spec("matplotlib") is not None:
        sys.exit("matplotlib is installed: not a no-extras environment")
    for name in CORE:
        print(f"{name}=={importlib.metadata.version(name)}")
    start = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        folder = pathlib.Path(tmp)
        out = folder / "report"
        code = run_compare(write_table(folder), out)
        written = sorted(p.name for p in out.glob("*")) if out.exists() else []
    print(f"compare: exit {code}, wrote {written}, {time.time() - start:.0f} s")
    missing = {"runs.csv", "report.md"} - set(written)
    if code or missing:
        sys.exit(f"compare without extras failed: exit {code}, no {missing}")


if __name__ == "__main__":
    main()
