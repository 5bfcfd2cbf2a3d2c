"""Per-epoch time of plain Q, AO and DO on each Keras backend.

Synthetic data: 20,000 rows x 20 features, 10:1 imbalance. For each backend
(one subprocess each, since KERAS_BACKEND is fixed at import) it trains each
method one warm-up epoch (compilation), then times `--epochs` more and
reports the median seconds per epoch and the ratios AO/Q and DO/Q measured
in that same process. All three use the paper's networks and batch size 32.

    python scripts/bench_step.py [--backends tensorflow jax torch]
        [--rows 20000] [--features 20] [--batch-size 32] [--epochs 2]
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time

METHODS = ("Q", "AO", "DO")


def measure(args):
    """Run in a child process: time each method on this backend."""
    import keras
    import numpy as np

    from aos_keras import AdversarialOversampler, Classifier

    if keras.backend.backend() == "torch":
        import torch

        torch.set_num_threads(os.cpu_count() or 1)
    rng = np.random.default_rng(0)
    n_minor = args.rows // 11
    x = rng.normal(size=(args.rows, args.features)).astype("float32")
    y = np.zeros(args.rows, dtype="int64")
    y[:n_minor] = 1
    x[:n_minor] += 0.5
    results = {}
    for method in METHODS:
        keras.utils.set_random_seed(0)
        if method == "Q":
            model = Classifier(2, args.features)
            model.compile(
                keras.optimizers.Adam(2e-4, beta_1=0.5),
                keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            )
        else:
            model = AdversarialOversampler.from_data(
                x, y, mode=method.lower(), seed=0, max_anchors=args.max_anchors
            )
            model.compile()
        fit = dict(batch_size=args.batch_size, verbose=0, shuffle=True)
        start = time.perf_counter()
        model.fit(x, y, epochs=1, **fit)
        first = time.perf_counter() - start
        times = []
        for _ in range(args.epochs):
            start = time.perf_counter()
            model.fit(x, y, epochs=1, **fit)
            times.append(time.perf_counter() - start)
        results[method] = {
            "first_epoch_s": first,
            "epoch_s": float(np.median(times)),
            "steps": int(np.ceil(args.rows / args.batch_size)),
        }
    q = results["Q"]["epoch_s"]
    for method in METHODS:
        results[method]["ratio_to_q"] = results[method]["epoch_s"] / q
    print(json.dumps(results))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--backends", nargs="+", default=["tensorflow", "jax", "torch"]
    )
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--features", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--max-anchors", type=int, default=None)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return measure(args)

    print(
        f"{args.rows} x {args.features} rows (10:1), batch {args.batch_size}, "
        f"median of {args.epochs} timed epochs after a warm-up epoch; "
        f"{platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print()
    print("| backend | method | s/epoch | ms/step | x Q | 1st epoch s |")
    print("|---|---|---|---|---|---|")
    child_args = [a for a in (argv or sys.argv[1:])]
    for backend in args.backends:
        env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="3")
        out = subprocess.run(
            [sys.executable, __file__, "--child", *child_args],
            env=env,
            capture_output=True,
            text=True,
        )
        if out.returncode != 0:
            print(f"| {backend} | failed: {out.stderr.strip()[-300:]} |")
            continue
        results = json.loads(out.stdout.strip().splitlines()[-1])
        for method, r in results.items():
            print(
                f"| {backend} | {method} | {r['epoch_s']:.2f} "
                f"| {1000 * r['epoch_s'] / r['steps']:.2f} "
                f"| {r['ratio_to_q']:.2f} | {r['first_epoch_s']:.2f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
