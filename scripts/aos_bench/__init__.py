"""Support code of the benchmark and study scripts in `scripts/`.

Not installed: the scripts run as `python scripts/<name>.py`, which puts
`scripts/` on `sys.path`, and the tests get it from `pythonpath = scripts`
in setup.cfg.

One concept a module; the scripts parse their arguments, call these and
write the results. Nothing here assumes the repository's layout: every
path comes from the caller.

- `backends`: the one per-backend child-process driver.
- `data`: synthetic imbalanced data.
- `datasets`: the paper's six datasets (SECOM, Wafer and Credit read from
  a data folder; Haberman, Pima and Yeast from the package).
- `environment`: a description of the machine and the packages.
- `flops`: the matrix-multiply FLOP model of a training step.
- `gamo_loop`: GAMO's reference training loop (train_on_batch per player).
- `memory`: resident memory of this process.
- `preprocess`: a Table 2 split's preprocessing (KNN imputation,
  constant columns dropped, standardisation), fitted on training rows.
- `profiling`: where the time of a DO step goes, per backend.
- `report`: the Markdown report of `scripts/bench_speed.py`.
- `speed`: per-epoch times of Q, AO, DO and the GAMO loop.
- `splits`: the Table 2 splits (honest or paper protocol).
- `table2`: the Table 2 grid as run specs for `aos_keras.evaluation`'s
  runner, the paper's reference numbers; `table2_report`: its tables.
- `timing`: timers, a median helper and the peak matmul FLOP/s.
- `variants`: the study-only AO/DO variants, registered on import.
"""
