"""Where the time of a Credit-shaped AO step goes on JAX: an op-level profile.

Run from the repository root with `PYTHONPATH=scripts` (for `aos_bench`);
`$STUDY` below is `scripts/studies/credit_profile`.

The AO model is built as `bench_time_to_model.py --credit-bound` builds it:
split 0 of the real Credit table ("Give Me Some Credit", `make_splits`),
the encoder fitted on its training rows, batch 512, 4096 anchors per class,
`mode="ao"`, seed 0. Its training step is compiled once (`jax.jit` of the
Keras `train_step`) and then:

- timed: the median of `--rounds` rounds of `--steps` steps, from which a
  100-epoch run's steps give the run's minutes (training only);
- profiled: `jax.profiler` records `--steps` steps; each XLA operation's
  time is joined with what the compiled module says of it
  (`aos_bench.xla_profile`): its matmul FLOPs and the `aos_keras`
  function that made it (the player);
- set against the machine's float32 matmul peak (`measure_peak`, 1024^3).

The report says how the step's time divides between matrix products and
everything else, per source function, and the ten costliest operations with
their FLOP rate: what a run would need to take under 10 minutes.

    python $STUDY/profile_credit.py [--q-generated-rows critic]
        [--steps 20] [--rounds 3] [--out docs/results/credit_profile.md]
"""

import argparse
import os
import statistics
import sys
import time

from aos_bench.datasets import data_home

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

STUDY = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(STUDY)))
DATA = data_home()
BATCH, ANCHORS, EPOCHS = 512, 4096, 100


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--q-generated-rows", choices=("critic", "fresh"), default="critic"
    )
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--out",
        default=os.path.join(ROOT, "docs", "results", "credit_profile.md"),
    )
    return parser.parse_args(argv)


def build(rows):
    """The Credit AO model, split 0's training rows and its steps per run."""
    import pandas as pd

    from aos_bench.datasets import load_dataset
    from aos_keras.evaluation import make_splits, prepare_table
    from aos_keras.tables.encoder import TableEncoder
    from aos_keras.training import build_game

    data = load_dataset("credit", data_home=DATA)
    frame = pd.DataFrame(data.X, columns=data.feature_names)
    X, y, _ = prepare_table(frame, data.y)
    fit = make_splits(y, repeats=1, seed=0)[0]["fit"]
    x_fit = TableEncoder().fit_transform(X.iloc[fit]).astype("float32")
    model = build_game(
        x_fit,
        y[fit],
        settings={"mode": "ao", "q_generated_rows": rows},
        max_anchors=ANCHORS,
        seed=0,
    )
    steps = EPOCHS * -(-len(fit) // BATCH)
    return model, x_fit, y[fit], steps


def main(argv=None):
    args = parse_args(argv)
    import jax
    import numpy as np

    from aos_bench.environment import machine, versions
    from aos_bench.flops import (
        flops_per_step,
        network_shapes,
        train_state,
    )
    from aos_bench.timing import measure_peak
    from aos_bench.xla_profile import hlo_ops, op_times
    from aos_keras.saving import io

    load_start = os.getloadavg()[0]
    model, x, y, run_steps = build(args.q_generated_rows)
    rng = np.random.default_rng(0)
    pick = rng.choice(len(x), BATCH, replace=False)
    data = (jax.numpy.asarray(x[pick]), jax.numpy.asarray(y[pick]))
    state = train_state(model)
    start = time.perf_counter()
    compiled = jax.jit(model.train_step).lower(state, data).compile()
    compile_s = time.perf_counter() - start
    cost = compiled.cost_analysis()
    cost = cost[0] if isinstance(cost, list) else cost
    xla_flops = float(cost.get("flops", float("nan")))
    model_flops = flops_per_step("AO", BATCH, network_shapes(model), model)

    def run(n):
        nonlocal state
        for _ in range(n):
            _, state = compiled(state, data)
        jax.block_until_ready(state)

    run(3)  # warm-up
    rounds = []
    for _ in range(args.rounds):
        start = time.perf_counter()
        run(args.steps)
        rounds.append(1000 * (time.perf_counter() - start) / args.steps)
    step_ms = statistics.median(rounds)
    times = op_times(lambda: run(args.steps))
    ops = hlo_ops(compiled.as_text())
    peak = measure_peak(1024)
    load_end = os.getloadavg()[0]

    # Join: per-op milliseconds per step (events that are XLA operations).
    rows = []
    for name, us in times.items():
        if name in ops:
            rows.append(
                {"name": name, "ms": us / 1000 / args.steps, **ops[name]}
            )
    op_ms = sum(r["ms"] for r in rows)

    def rate(flops, ms):
        return flops / (ms / 1000) / 1e9 if ms > 0 else float("nan")

    matmul = "matrix products (ops with a dot)"
    by_kind, by_phase, by_source = {}, {}, {}
    for r in rows:
        for table, key in (
            (by_kind, matmul if r["flops"] else "the rest"),
            (by_phase, r["phase"]),
            (by_source, f"{r['phase']} / `{r['source']}`"),
        ):
            ms, flops, n = table.get(key, (0.0, 0, 0))
            table[key] = (ms + r["ms"], flops + r["flops"], n + 1)

    def breakdown(title, table, limit=None):
        out = [
            "",
            f"## {title}",
            "",
            "| part | ops | ms per step | share of op time | MFLOP | GFLOP/s |",
            "|---|---|---|---|---|---|",
        ]
        items = sorted(table.items(), key=lambda t: -t[1][0])
        for key, (ms, flops, n) in items[:limit]:
            out.append(
                f"| {key} | {n} | {ms:.2f} | {100 * ms / op_ms:.0f}% "
                f"| {flops / 1e6:.0f} | {rate(flops, ms):.1f} |"
            )
        return out

    minutes = step_ms * run_steps / 60000
    budget_ms = 10 * 60000 / run_steps
    backend_peak = peak.get("jax", float("nan"))
    lines = [
        "# Where a Credit AO step's time goes (JAX, op-level profile)",
        "",
        "Made by `python scripts/studies/credit_profile/profile_credit.py "
        + " ".join(sys.argv[1:] if argv is None else argv)
        + "` (see its docstring for the method).",
        "",
        f"Machine: {machine()}; {versions()}. One-minute load average "
        f"{load_start:.2f} at the start, {load_end:.2f} at the end (it lags "
        "by about a minute; on 2 cores, a value that stays above 2 means "
        "other jobs shared the machine).",
        "",
        f"Setting: the real Credit table, split 0, {len(x)} training rows, "
        f"batch {BATCH}, {ANCHORS} anchors, AO, "
        f"`q_generated_rows={args.q_generated_rows!r}`; a 100-epoch run is "
        f"{run_steps} steps.",
        "",
        "| measure | value |",
        "|---|---|",
        f"| compile (s) | {compile_s:.1f} |",
        f"| step (ms, median of {args.rounds} x {args.steps}) | {step_ms:.1f} "
        f"({', '.join(f'{t:.1f}' for t in rounds)}) |",
        "| 100-epoch run at this step time (min, training only) "
        f"| {minutes:.1f} |",
        f"| step time a 10-minute run allows (ms) | {budget_ms:.1f} |",
        f"| FLOPs per step: FLOP model / XLA cost analysis (MFLOP) "
        f"| {model_flops / 1e6:.0f} / {xla_flops / 1e6:.0f} |",
        f"| rate of the whole step (GFLOP/s, FLOP model) "
        f"| {rate(model_flops, step_ms):.1f} |",
        f"| float32 matmul peak, 1024^3 (GFLOP/s): jax / numpy "
        f"| {backend_peak / 1e9:.1f} / {peak['numpy'] / 1e9:.1f} |",
        f"| XLA operations' time in the trace (ms per step; sum over ops) "
        f"| {op_ms:.1f} |",
    ]
    lines += breakdown("Matrix products against the rest", by_kind)
    lines += breakdown("By player update (`aos_keras.game.schedule`)", by_phase)
    lines += breakdown(
        "By player update and the aos_keras function that made the ops "
        "(the 12 costliest)",
        by_source,
        limit=12,
    )
    lines += [
        "",
        "## The ten costliest operations",
        "",
        "| operation | output | update / source | ms per step | MFLOP "
        "| GFLOP/s |",
        "|---|---|---|---|---|---|",
    ]
    for r in sorted(rows, key=lambda r: -r["ms"])[:10]:
        lines.append(
            f"| `{r['name']}` | `{r['shape']}` | {r['phase']} / "
            f"`{r['source']}` "
            f"| {r['ms']:.2f} | {r['flops'] / 1e6:.0f} "
            f"| {rate(r['flops'], r['ms']):.1f} |"
        )
    matmul_ms, matmul_flops, _ = by_kind.get(matmul, (0, 0, 0))
    lines += [
        "",
        "## Reading",
        "",
        f"- A 10-minute run allows {budget_ms:.1f} ms a step; this step took "
        f"{step_ms:.1f} ms ({step_ms / budget_ms:.1f}x).",
        f"- Matrix products hold {matmul_flops / 1e6:.0f} MFLOP a step and "
        f"ran at {rate(matmul_flops, matmul_ms):.1f} GFLOP/s; at the "
        f"1024^3 peak ({backend_peak / 1e9:.1f} GFLOP/s) they would take "
        f"{matmul_flops / backend_peak * 1000:.1f} ms, so the step's FLOPs "
        f"alone need {matmul_flops / backend_peak * 1000 / budget_ms:.2f}x "
        "the 10-minute budget at peak.",
    ]
    text = "\n".join(lines) + "\n"
    io.write_text(args.out, text)
    print(text)


if __name__ == "__main__":
    main()
