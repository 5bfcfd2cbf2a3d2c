"""Issue 31, question 4: one epoch of `aos-keras train` at its defaults on
large synthetic tables.

A 100,000-row, 10-column table (5% minority, `aos_bench.data.two_gaussians`
with ratio 19) trains at the command's defaults (batch `"auto"`, anchor cap
4096) and at 0.5's defaults (`--batch-size 32 --max-anchors all`), measured
in the same run; then a 10^6-row table at the defaults. Each run is a fresh
`aos-keras train ... --epochs 2 --patience 0` process: `command_s` is its
wall time (Python's start, the CSV read, the encoder, the build, two
epochs, saving), `epoch1_s` (with the step's compilation) and `epoch2_s`
the epochs as Keras's per-epoch log lines report them. One row per run
goes to `train_defaults.csv` beside this script, with the machine and the
load average; `summary.py` puts it on the study's page.

Usage (from the repository root, nothing else running):
    KERAS_BACKEND=jax PYTHONPATH=scripts \
        python scripts/studies/early_stopping/train_defaults.py
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd

from aos_bench.data import two_gaussians
from aos_bench.environment import machine, versions

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
DEFAULT_OUT = os.path.join(HERE, "train_defaults.csv")
OLD = ["--batch-size", "32", "--max-anchors", "all"]
# Keras's per-epoch line at --progress 2: "N/N - 12s - 5ms/step - ...".
EPOCH_LINE = re.compile(r"^\s*(\d+)/\1 - (\d+(?:\.\d+)?)(m?s)\b", re.M)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--features", type=int, default=10)
    parser.add_argument("--million", type=int, default=1_000_000)
    parser.add_argument("--skip-million", action="store_true")
    parser.add_argument("--skip-old", action="store_true")
    parser.add_argument("--out", default=DEFAULT_OUT)
    return parser.parse_args(argv)


def write_table(folder, rows, features):
    """A CSV of `rows` x `features` numbers and a `label` (5% minority)."""
    x, y = two_gaussians(rows, features, ratio=19, seed=0)
    frame = pd.DataFrame(x, columns=[f"f{i}" for i in range(features)])
    frame["label"] = np.where(y == 1, "rare", "common")
    path = os.path.join(folder, f"table_{rows}.csv")
    frame.to_csv(path, index=False, float_format="%.5g")
    return path


def train_once(path, folder, extra):
    """`(command seconds, [epoch seconds], steps)` of one `--epochs 2`
    run (`--patience 0`: both epochs run)."""
    out = os.path.join(folder, f"run_{time.monotonic_ns()}")
    argv = [
        sys.executable, "-m", "aos_keras.cli", "train", path,
        "--label", "label", "--epochs", "2", "--patience", "0",
        "--progress", "2",
        "--out", out, *extra,
    ]  # fmt: skip
    env = dict(os.environ, PYTHONPATH=ROOT)
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{argv} failed:\n{done.stderr[-3000:]}")
    found = EPOCH_LINE.findall(done.stdout + done.stderr)
    if len(found) != 2:
        raise RuntimeError(f"no two epoch lines in:\n{done.stdout[-2000:]}")
    epochs = [float(v) / (1000 if unit == "ms" else 1) for _, v, unit in found]
    return seconds, epochs, int(found[0][0])


def main(argv=None):
    args = parse_args(argv)
    load = os.getloadavg()[0]
    plan = [("defaults", args.rows, [])]
    if not args.skip_old:
        plan.append(("0.5 defaults (batch 32, every anchor)", args.rows, OLD))
    if not args.skip_million:
        plan.append(("defaults", args.million, []))
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        tables = {}
        for name, n, extra in plan:
            if n not in tables:
                tables[n] = write_table(folder, n, args.features)
            command, epochs, steps = train_once(tables[n], folder, extra)
            rows.append({
                "rows": n, "features": args.features, "settings": name,
                "steps": steps, "epoch1_s": epochs[0], "epoch2_s": epochs[1],
                "command_s": command,
            })  # fmt: skip
            print(rows[-1], flush=True)
    frame = pd.DataFrame(rows).assign(
        backend=os.environ.get("KERAS_BACKEND", "tensorflow"),
        machine=machine(),
        versions=versions(),
        load_start=load,
        load_end=os.getloadavg()[0],
    )
    frame.to_csv(args.out, index=False, float_format="%.2f")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
