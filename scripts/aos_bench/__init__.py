"""Support code of the benchmark scripts in `scripts/`.

One concept a module; the scripts parse their arguments, call these and
write the results. Nothing here assumes the repository's layout: every
path comes from the caller.

- `backends`: the one per-backend child-process driver.
- `data`: synthetic imbalanced data.
- `environment`: a description of the machine and the packages.
- `flops`: the matrix-multiply FLOP model of a training step.
- `gamo_loop`: GAMO's reference training loop (train_on_batch per player).
- `memory`: resident memory of this process.
- `profiling`: where the time of a DO step goes, per backend.
- `report`: the Markdown report of `scripts/bench_speed.py`.
- `speed`: per-epoch times of Q, AO, DO and the GAMO loop.
- `timing`: timers, a median helper and the peak matmul FLOP/s.
"""
