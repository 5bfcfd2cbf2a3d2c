"""What does the CWI generator generate? Spread and mixing of its rows.

Run from the repository root with `PYTHONPATH=scripts` (for `aos_bench`);
`$STUDY` below is `scripts/studies/generator_spread`.

For each dataset and seed, train AO and DO exactly as the Table 2 benchmark
does (`make_method`, honest split, 100 epochs, batch 32), then draw rows of
every class from the trained generator and measure, per class c:

- `spread`: RMS distance of generated rows to the centroid of class c's
  anchors, divided by the RMS distance of the anchors themselves. 1 means
  the generated rows spread like the real rows; near 0 means G returns
  (nearly) the class mean.
- `eff. anchors`: the effective number of anchors a row mixes,
  `1 / sum_j w_j^2` for its convex weights w, as a share of m_c (1 = the
  uniform average of the class, 1/m_c = one real row).
- the same two numbers for G at initialisation (before `fit`), and the
  spread of SMOTE's synthetic rows (k=5) for reference.

Writes `docs/results/generator_spread.md`. With `--init-only`, no training:
the spread and mix of fresh generators (seed 0's split) at several softmax
temperatures of the heads, to `docs/results/generator_init.md`; this is the
measurement that fixed the temperature of the `AO-T0.1`/`DO-T0.1`
ablations before any of their runs.

Usage:
    KERAS_BACKEND=jax python $STUDY/generator_spread.py \
        --datasets haberman pima yeast --seeds 3
    KERAS_BACKEND=jax python $STUDY/generator_spread.py --init-only \
        --datasets haberman pima yeast secom wafer
    python $STUDY/generator_spread.py --smoke [--init-only]   # tests
"""

import argparse
import os
import sys
import tempfile
import time

import keras
import numpy as np
from keras import ops

from aos_bench.datasets import data_home
from aos_bench.splits import split_dataset
from aos_keras.baselines import make_method
from aos_keras.game.model import AdversarialOversampler
from aos_keras.saving.io import write_text

STUDY = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(STUDY)))
RESULTS = os.path.join(ROOT, "docs", "results")


def measure(generator, rows=1000, seed=0):
    """Per class: (spread, effective-anchor share) of `rows` generated rows."""
    out = {}
    rng = keras.random.SeedGenerator(seed)
    for c in generator.class_ids:
        anchors = ops.convert_to_numpy(generator.anchors[c])
        z = keras.random.normal((1, rows, generator.latent_dim), seed=rng)
        x, w = generator(z, class_ids=(c,), training=False, return_weights=True)
        x, w = ops.convert_to_numpy(x[0]), ops.convert_to_numpy(w[0])
        out[c] = (spread(x, anchors), effective_share(w))
    return out


def spread(rows, anchors):
    """RMS distance of `rows` to the anchors' centroid over the anchors'."""
    centre = anchors.mean(axis=0)
    real = np.sqrt(((anchors - centre) ** 2).sum(axis=1).mean())
    fake = np.sqrt(((rows - centre) ** 2).sum(axis=1).mean())
    return float(fake / max(real, 1e-12))


def effective_share(weights):
    """Mean `1 / sum w^2` of convex weights, as a share of their count."""
    return float((1.0 / (weights**2).sum(axis=1)).mean() / weights.shape[1])


def smote_spread(x, y, seed):
    """Per class: the spread of SMOTE's (k=5) synthetic rows."""
    from imblearn.over_sampling import SMOTE

    counts = np.bincount(y)
    k = int(min(5, counts.min() - 1))
    if k < 1:
        return {}
    target = {c: 2 * n for c, n in enumerate(counts)}
    xs, ys = SMOTE(
        sampling_strategy=target, k_neighbors=k, random_state=seed
    ).fit_resample(x, y)
    new_x, new_y = xs[len(x) :], ys[len(x) :]
    return {c: spread(new_x[new_y == c], x[y == c]) for c in range(len(counts))}


def run(dataset, seed, epochs, data_home):
    """Train AO and DO on one split; measure their generators."""
    split = split_dataset(dataset, seed=seed, data_home=data_home)
    x, y = split.X_train, split.y_train
    counts = np.bincount(y, minlength=split.num_classes)
    result = {"counts": counts, "smote": smote_spread(x, y, seed)}
    for name in ("AO", "DO"):
        method = make_method(
            name,
            num_classes=split.num_classes,
            num_features=x.shape[1],
            seed=seed,
        )
        keras.utils.set_random_seed(seed)
        initial = AdversarialOversampler.from_data(  # the paper's AO/DO
            x, y, mode=name.lower(), seed=seed, generator_temperature=1.0
        )
        result[name + "@init"] = measure(initial.generator, seed=seed)
        started = time.perf_counter()
        method.fit(x, y, epochs=epochs, batch_size=32, verbose=0)
        result[name] = measure(method.model.generator, seed=seed)
        print(
            f"{dataset} seed {seed} {name}: "
            f"{time.perf_counter() - started:.0f} s",
            flush=True,
        )
    return result


def report(results, args, command, seconds):
    """The Markdown report of the trained generators."""
    lines = [
        "# What the generator generates",
        "",
        "Generated by `scripts/studies/generator_spread/generator_spread.py`; "
        "do not edit by hand.",
        "",
        f"Command: `{command}` (KERAS_BACKEND="
        f"{keras.backend.backend()}); {seconds / 60:.1f} min.",
        "",
        f"AO and DO trained as in Table 2 (honest split of each seed, "
        f"{args.epochs} epochs, batch 32, Adam(2e-4, 0.5)), then 1000 rows "
        "drawn per class. **spread**: RMS distance of generated rows to "
        "their class's centroid over that of the real rows (1 = as spread "
        "as the real rows, 0 = the class mean). **mix**: effective number "
        "of anchors per row, `1/sum w^2`, as a share of the class's anchors "
        "(1 = uniform average of the class). `init`: the same generator "
        "before training. SMOTE (k=5) for reference. Mean over seeds "
        f"{list(range(args.seeds))}.",
        "",
        "| dataset | class | rows | SMOTE spread | AO init spread | AO "
        "spread | AO mix | DO init spread | DO spread | DO mix |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for dataset, runs in results.items():
        counts = runs[0]["counts"]
        for c in range(len(counts)):

            def mean(key, i):
                vals = [r[key][c][i] for r in runs if c in r[key]]
                return f"{np.mean(vals):.2f}" if vals else "-"

            smote = [r["smote"][c] for r in runs if c in r["smote"]]
            smote = f"{np.mean(smote):.2f}" if smote else "-"
            lines.append(
                f"| {dataset} | {c} | {counts[c]} | {smote} "
                f"| {mean('AO@init', 0)} | {mean('AO', 0)} | {mean('AO', 1)} "
                f"| {mean('DO@init', 0)} | {mean('DO', 0)} | {mean('DO', 1)} |"
            )
    lines.append("")
    return "\n".join(lines)


def init_report(args, command):
    """Fresh generators at each temperature: spread and mixed anchors."""
    lines = [
        "# A fresh generator's rows, by head temperature",
        "",
        "Generated by `scripts/studies/generator_spread/generator_spread.py "
        "--init-only`; do not edit "
        "by hand.",
        "",
        f"Command: `{command}` (KERAS_BACKEND={keras.backend.backend()}).",
        "",
        "No training: the generator of `AdversarialOversampler.from_data` on "
        "seed 0's honest training split, 1000 rows per class. Per class, "
        "**spread** (RMS distance to the class centroid over that of the "
        "real rows) / **anchors mixed** (`1/sum w^2`, the effective number "
        "of real rows a generated row averages). Classes ordered by index.",
        "",
        "| dataset | rows per class | "
        + " | ".join(f"T = {t:g}" for t in args.temperatures)
        + " |",
        "|---|---|" + "---|" * len(args.temperatures),
    ]
    for dataset in args.datasets:
        split = split_dataset(dataset, seed=0, data_home=args.data_home)
        x, y = split.X_train, split.y_train
        counts = np.bincount(y, minlength=split.num_classes)
        cells = []
        for temperature in args.temperatures:
            keras.utils.set_random_seed(0)
            model = AdversarialOversampler.from_data(
                x, y, seed=0, generator_temperature=temperature
            )
            stats = measure(model.generator)
            cells.append(
                ", ".join(
                    f"{spread_:.2f}/{share * model.anchor_counts[c]:.1f}"
                    for c, (spread_, share) in stats.items()
                )
            )
            print(dataset, temperature, cells[-1], flush=True)
        lines.append(
            f"| {dataset} | {', '.join(map(str, counts))} | "
            + " | ".join(cells)
            + " |"
        )
    lines.append("")
    return "\n".join(lines)


def main(argv=None):
    """Measure and write the report (`--init-only`: fresh generators)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--datasets", nargs="+", default=["haberman", "pima", "yeast"]
    )
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--data-home", default=data_home())
    parser.add_argument("--out", help="the Markdown file to write")
    parser.add_argument(
        "--init-only",
        action="store_true",
        help="no training: fresh generators at --temperatures",
    )
    parser.add_argument(
        "--temperatures",
        type=float,
        nargs="+",
        default=[1.0, 0.5, 0.25, 0.1],
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="tests: Haberman, 1 seed, 1 epoch (temperatures 1 and 0.1), "
        "the report in a temporary folder unless --out",
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.datasets, args.seeds, args.epochs = ["haberman"], 1, 1
        args.temperatures = [1.0, 0.1]
        name = "generator_init.md" if args.init_only else "generator_spread.md"
        args.out = args.out or os.path.join(tempfile.mkdtemp(), name)
    command = " ".join(
        [
            "python scripts/studies/generator_spread/generator_spread.py",
            *(argv if argv is not None else sys.argv[1:]),
        ]
    )
    if args.init_only:
        out = args.out or os.path.join(RESULTS, "generator_init.md")
        text = init_report(args, command)
        write_text(out, text)
        print(text)
        return
    started = time.perf_counter()
    results = {
        dataset: [
            run(dataset, s, args.epochs, args.data_home)
            for s in range(args.seeds)
        ]
        for dataset in args.datasets
    }
    text = report(results, args, command, time.perf_counter() - started)
    write_text(args.out or os.path.join(RESULTS, "generator_spread.md"), text)
    print(text)


if __name__ == "__main__":
    main()
