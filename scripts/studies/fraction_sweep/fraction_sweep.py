"""The paper's Figure 2: DO's ACSA and GM on Secom as f_s varies.

Run from the repository root with `PYTHONPATH=scripts` (for `aos_bench`);
`$STUDY` below is `scripts/studies/fraction_sweep`.

For each fractional rate f_s (DO's `sampling_strategy`: every class is
oversampled to at least `ceil(f_s * n_max)` rows), trains DO on each seed
under the honest protocol (epoch chosen on validation ACSA) and reports the
test ACSA and GM, mean ± std over seeds. Runs are cached (one JSON file
each, written atomically) so an interrupted sweep resumes.

    python $STUDY/fraction_sweep.py                    # 10 rates x 5 seeds
    python $STUDY/fraction_sweep.py --fractions 0.1 1.0 --seeds 1 --epochs 3
    python $STUDY/fraction_sweep.py --smoke    # tests: Haberman, 2 rates,
                                                # 1 seed, 1 epoch, temp folder

Writes docs/results/fraction_sweep.csv and, with matplotlib installed,
docs/results/fraction_sweep.png.
"""

import argparse
import json
import os
import shlex
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from aos_bench import table2  # noqa: E402
from aos_bench.datasets import data_home  # noqa: E402
from aos_bench.splits import split_dataset  # noqa: E402
from aos_keras.baselines import register_preset  # noqa: E402
from aos_keras.saving import io  # noqa: E402

STUDY = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(STUDY)))
SHARED_DATA = data_home()
FRACTIONS = [round(0.1 * i, 1) for i in range(1, 11)]
# The paper's DO with its rate left free: compare's "DO" fixes
# `sampling_strategy="auto"` (since 0.5.0, when `mode="do"` alone became
# DO-T0.1-LA), so the sweep runs this preset, the same game otherwise.
SWEPT = "DO-fs"
register_preset(
    SWEPT,
    mode="do",
    settings={"generator_temperature": 1.0, "q_logit_adjustment": 0.0},
    doc="the paper's DO (temperature 1) at the sweep's rate f_s",
)


def parse_args(argv=None):
    """The command line (see the module's notes)."""
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--dataset", default="secom")
    parser.add_argument("--fractions", type=float, nargs="+", default=FRACTIONS)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument(
        "--data-home", default=os.environ.get("AOS_KERAS_DATA", SHARED_DATA)
    )
    parser.add_argument(
        "--cache-dir", help="default scripts/studies/fraction_sweep"
    )
    parser.add_argument("--out-dir", help="default docs/results")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="tests: Haberman, f_s 0.5 and 1.0, 1 seed, 1 epoch; cache and "
        "output in a temporary folder unless given",
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.dataset, args.fractions = "haberman", [0.5, 1.0]
        args.seeds, args.epochs = 1, 1
        tmp = tempfile.mkdtemp()
        args.cache_dir = args.cache_dir or os.path.join(tmp, "runs")
        args.out_dir = args.out_dir or tmp
    args.cache_dir = args.cache_dir or STUDY
    args.out_dir = args.out_dir or os.path.join(ROOT, "docs", "results")
    for f in args.fractions:
        if not 0.0 < f <= 1.0:
            parser.error(f"fractions must be in (0, 1]; got {f}")
    return args


def sweep(args, log=print):
    """Run (or read from the cache) every (fraction, seed); return records."""
    config = table2.RunConfig(epochs=args.epochs, batch_size=args.batch_size)
    records = []
    total = len(args.fractions) * args.seeds
    for seed in range(args.seeds):
        split = split_dataset(args.dataset, seed=seed, data_home=args.data_home)
        for f in args.fractions:
            path = os.path.join(
                args.cache_dir,
                f"{args.dataset}__DO__fs{f:.2f}__seed{seed}__{config.tag()}.json",
            )
            if os.path.exists(path):
                with open(path, encoding="utf-8") as f_in:
                    records.append(json.load(f_in))
                continue
            record = table2.run_one(
                args.dataset,
                SWEPT,
                seed,
                config,
                split=split,
                options={"sampling_strategy": f},
            )
            record["fraction"] = f
            io.write_json(path, record)
            records.append(record)
            h = record["honest"]
            log(
                f"[{len(records)}/{total}] f_s={f:.1f} seed {seed}: ACSA "
                f"{100 * h['acsa']:.2f} GM {100 * h['gm']:.2f} "
                f"({record['seconds']:.0f} s)"
            )
    return records


def summarize(records):
    """One row per fraction: mean and std over seeds, in %."""
    rows = []
    for f, group in pd.DataFrame(records).groupby("fraction"):
        row = {"fraction": f, "seeds": len(group)}
        for protocol in ("honest", "last", "paper"):
            for metric in ("acsa", "gm"):
                values = [100 * r[metric] for r in group[protocol]]
                row[f"{protocol}_{metric}_mean"] = np.mean(values)
                row[f"{protocol}_{metric}_std"] = np.std(values)
        rows.append(row)
    return pd.DataFrame(rows)


def plot(table, path, title):
    """Honest ACSA and GM against f_s, to `path` (needs matplotlib)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no plot (pip install matplotlib)")
        return
    fig, ax = plt.subplots(figsize=(6, 4))
    for metric, label in (("acsa", "ACSA"), ("gm", "GM")):
        mean = table[f"honest_{metric}_mean"]
        std = table[f"honest_{metric}_std"]
        ax.errorbar(
            table["fraction"],
            mean,
            yerr=std,
            marker="o",
            label=label,
            capsize=3,
        )
    ax.set_xlabel("fractional rate $f_s$")
    ax.set_ylabel("test score (%)")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    with io.atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=120, format="png")
    plt.close(fig)


def main(argv=None):
    """Run the sweep and write the CSV (and the plot)."""
    args = parse_args(argv)
    records = sweep(args)
    table = summarize(records)
    command = (
        "python scripts/studies/fraction_sweep/fraction_sweep.py "
        + shlex.join(sys.argv[1:] if argv is None else argv)
    )
    csv = os.path.join(args.out_dir, "fraction_sweep.csv")
    io.write_text(csv, f"# {command}\n" + table.to_csv(index=False))
    title = (
        f"DO on {args.dataset}, honest protocol, {args.seeds} seeds, "
        f"{args.epochs} epochs"
    )
    plot(table, os.path.join(args.out_dir, "fraction_sweep.png"), title)
    print(table.round(2).to_string(index=False))
    print(f"wrote {csv}")


if __name__ == "__main__":
    main()
