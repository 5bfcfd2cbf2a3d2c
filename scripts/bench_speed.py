"""Per-epoch time, FLOPs and FLOP/s of Q, AO, DO and a GAMO-style loop.

For each Keras backend (one child process each, `aos_bench.backends`:
`KERAS_BACKEND` is fixed at import) and each data shape below, at each
batch size, it times Q, AO, DO, DO with the NaN guard and GAMO's reference
loop (`aos_bench.speed`, `aos_bench.gamo_loop`): a warm-up
epoch (compilation included, reported as "1st epoch"), then `--rounds`
rounds in a rotating order. Reported: the median seconds per epoch and the
ratios of medians. Haberman and Secom are timed on whole epochs (including
the last partial batch); Credit is timed on `--credit-steps` full batches
and scaled to an epoch of `ceil(N / batch)` steps.

Data: synthetic, with the shape and class counts of each training split:

    haberman  214 x 3    (157 : 57)
    secom     1000 x 590 (934 : 66)
    credit    105000 x 10 (97982 : 7018), max_anchors 4096 (as in the
              benchmark's Credit setting; see bench_anchors.py for the cap)

FLOPs per step: the matrix-multiply model of `aos_bench.flops`; on
JAX also XLA's own count of the compiled step (`cost_analysis`) as a check.
Peak: the best float32 matrix multiply FLOP/s of numpy and of the backend
(n x n, `--peak-size`), measured in the same run, on the same machine.

    python scripts/bench_speed.py [--quick | --smoke]
        [--backends jax tensorflow torch]
        [--datasets haberman secom credit] [--batch-sizes 32 256]
        [--rounds 3] [--credit-steps 40] [--out docs/results/speed.md]
"""

import argparse
import json
import os
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHAPES = {
    "haberman": {"counts": (157, 57), "features": 3, "max_anchors": None},
    "secom": {"counts": (934, 66), "features": 590, "max_anchors": None},
    "credit": {"counts": (97982, 7018), "features": 10, "max_anchors": 4096},
}
FULL_EPOCH = ("haberman", "secom")


def parse_args(argv=None):
    """The command line (see the module's notes)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--backends", nargs="+", default=["jax", "tensorflow", "torch"]
    )
    parser.add_argument("--datasets", nargs="+", default=list(SHAPES))
    parser.add_argument("--batch-sizes", nargs="+", type=int, default=[32, 256])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--credit-steps", type=int, default=40)
    parser.add_argument("--peak-size", type=int, default=1024)
    parser.add_argument("--torch-threads", type=int, default=1)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="batch 256 only, 1 round, 10 Credit steps (a smoke run)",
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="tests: Haberman only, batch 256, 1 round, a 64 x 64 peak, "
        "the report in a temporary folder unless --out",
    )
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="measure in this process, on the current backend only",
    )
    parser.add_argument(
        "--out", help="the report (default docs/results/speed.md)"
    )
    parser.add_argument("--json", help="also write the raw results here")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="instead: where the time of a DO step goes, per backend, on "
        "the first of --datasets and --batch-sizes (JSON lines)",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.batch_sizes, args.rounds, args.credit_steps = [256], 1, 10
    if args.smoke:
        args.datasets, args.batch_sizes, args.rounds = ["haberman"], [256], 1
        args.credit_steps, args.peak_size = 2, 64
        if args.out is None:
            args.out = os.path.join(tempfile.mkdtemp(), "speed.md")
    if args.out is None:
        args.out = os.path.join(ROOT, "docs", "results", "speed.md")
    return args


def child(args):
    """Child process: measure (or profile) on this backend; print JSON."""
    import keras

    from aos_bench import profiling, speed, timing
    from aos_bench.data import synthetic

    backend = keras.backend.backend()
    if backend == "torch":
        import torch

        torch.set_num_threads(args.torch_threads)
    if args.profile:
        name, batch = args.datasets[0], args.batch_sizes[0]
        shape = SHAPES[name]
        x, y = synthetic(shape["counts"], shape["features"])
        out = {"backend": backend, "dataset": name, "batch": batch}
        out.update(
            profiling.profile_do(
                x,
                y,
                batch,
                args.credit_steps,
                max_anchors=shape["max_anchors"],
            )
        )
        print(json.dumps(out))
        return
    out = {"backend": backend, "peak": timing.measure_peak(args.peak_size)}
    out["configs"] = []
    for name in args.datasets:
        shape = SHAPES[name]
        x, y = synthetic(shape["counts"], shape["features"])
        for batch in args.batch_sizes:
            out["configs"].append(
                speed.measure_config(
                    name,
                    x,
                    y,
                    batch,
                    max_anchors=shape["max_anchors"],
                    full_epoch=name in FULL_EPOCH,
                    timed_steps=args.credit_steps,
                    rounds=args.rounds,
                    xla_check=backend == "jax"
                    and batch == args.batch_sizes[-1],
                )
            )
            print(json.dumps(out["configs"][-1]), file=sys.stderr, flush=True)
    out["peak_after"] = timing.measure_peak(args.peak_size)
    print(json.dumps(out))


def main(argv=None):
    """Run the children, then write the report (and `--json`)."""
    args = parse_args(argv)
    if args.child:
        return child(args)

    from aos_bench.backends import run_per_backend
    from aos_bench.report import speed_report
    from aos_keras.saving import io

    if args.in_process:
        import keras

        args.backends = [keras.backend.backend()]
    command = " ".join(
        ["python scripts/bench_speed.py", *(argv or sys.argv[1:])]
    )
    load_start, started = os.getloadavg()[0], time.perf_counter()
    child_argv = [
        "--datasets", *args.datasets,
        "--batch-sizes", *map(str, args.batch_sizes),
        "--rounds", str(args.rounds),
        "--credit-steps", str(args.credit_steps),
        "--peak-size", str(args.peak_size),
        "--torch-threads", str(args.torch_threads),
    ] + ["--profile"] * args.profile  # fmt: skip
    results = []
    by_backend = run_per_backend(
        __file__,
        child_argv,
        args.backends,
        log=lambda line: print(line, flush=True),
        main=main,
        in_process=args.in_process,
    )
    for backend, result in by_backend.items():
        if "error" in result:
            result = {"backend": backend, **result}
        results.append(result)
        if args.profile:
            print(json.dumps(result, indent=1), flush=True)
    if args.profile:
        return
    load = (load_start, os.getloadavg()[0])
    text = speed_report(
        results,
        command=command,
        load=load,
        seconds=time.perf_counter() - started,
        rounds=args.rounds,
        credit_steps=args.credit_steps,
        torch_threads=args.torch_threads,
    )
    if args.json:
        io.write_text(
            args.json, json.dumps({"command": command, "results": results})
        )
    io.write_text(args.out, text)
    print(text)


if __name__ == "__main__":
    main()
