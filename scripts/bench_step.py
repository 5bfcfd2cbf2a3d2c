"""Per-epoch time of plain Q, AO and DO on each Keras backend.

Synthetic data: 20,000 rows x 20 features, 10:1 imbalance. For each backend
(one subprocess each, since KERAS_BACKEND is fixed at import) it trains each
method one warm-up epoch (compilation), then times `--epochs` more and
reports the median seconds per epoch and the ratios AO/Q and DO/Q measured
in that same process. All three use the paper's networks and batch size 32.

    python scripts/bench_step.py [--backends tensorflow jax torch]
        [--rows 20000] [--features 20] [--batch-size 32] [--epochs 2]
        [--out table.md] [--smoke]
"""

import argparse
import json
import os
import platform
import tempfile
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
    """Time each backend in a child process; print (and `--out`) the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--backends", nargs="+", default=["tensorflow", "jax", "torch"]
    )
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--features", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--max-anchors", type=int, default=None)
    parser.add_argument("--out", help="also write the table here")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="tests: 440 x 4 rows, batch 64, 1 timed epoch, the table in a "
        "temporary folder unless --out",
    )
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="measure in this process, on the current backend only",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return measure(args)
    if args.smoke:
        args.rows, args.features, args.batch_size, args.epochs = 440, 4, 64, 1
        if args.out is None:
            args.out = os.path.join(tempfile.mkdtemp(), "bench_step.md")
    if args.in_process:
        import keras

        args.backends = [keras.backend.backend()]

    from aos_bench.backends import child_argv, run_child

    lines = [
        f"{args.rows} x {args.features} rows (10:1), batch {args.batch_size}, "
        f"median of {args.epochs} timed epochs after a warm-up epoch; "
        f"{platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}",
        "",
        "| backend | method | s/epoch | ms/step | x Q | 1st epoch s |",
        "|---|---|---|---|---|---|",
    ]
    print("\n".join(lines), flush=True)
    options = dict(
        rows=args.rows,
        features=args.features,
        batch_size=args.batch_size,
        epochs=args.epochs,
    )
    if args.max_anchors is not None:
        options["max_anchors"] = args.max_anchors
    for backend in args.backends:
        results = run_child(
            __file__,
            child_argv(options),
            backend,
            main=main,
            in_process=args.in_process,
        )
        if "error" in results:
            rows = [f"| {backend} | failed: {results['error']} |"]
        else:
            rows = [
                f"| {backend} | {method} | {r['epoch_s']:.2f} "
                f"| {1000 * r['epoch_s'] / r['steps']:.2f} "
                f"| {r['ratio_to_q']:.2f} | {r['first_epoch_s']:.2f} |"
                for method, r in results.items()
            ]
        print("\n".join(rows), flush=True)
        lines += rows
    if args.out:
        from aos_keras.saving import io

        io.write_text(args.out, "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
