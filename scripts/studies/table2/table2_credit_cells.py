"""Run named Credit cells of Table 2 (METHOD:SEED ...), one after another.

How the last Credit runs were made (GAMO seeds 3-4, AO and DO seed 4): from
a worktree of the frozen commit (the settings of seed 0), two processes,
each pinned to one core with `taskset`:

    git worktree add $WORKTREE 666acb8 && cd $WORKTREE
    KERAS_BACKEND=jax PYTHONPATH=. python run_cells.py GAMO:3 DO:4
    KERAS_BACKEND=jax PYTHONPATH=. python run_cells.py GAMO:4 AO:4

Each cell is `aos_keras.benchmark.run_grid` on one (method, seed), with the
defaults of `scripts/reproduce_table2.py` (100 epochs; Credit's batch 512
and 4096 anchors come from `RunConfig.for_dataset`); the run files go to
the worktree's `runs/table2/` (that commit's layout) and were copied to
this repository's.
"""

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
from aos_keras import benchmark  # noqa: E402

ROOT = os.path.dirname(os.path.abspath(__file__))
benchmark.enable_jax_cache(os.path.join(ROOT, ".cache", "jax"))
config = benchmark.RunConfig(epochs=100, batch_size=32)
for cell in sys.argv[1:]:
    method, seed = cell.split(":")
    benchmark.run_grid(
        ["credit"],
        [method],
        [int(seed)],
        config,
        os.path.join(ROOT, "runs", "table2"),
        data_home=os.environ["AOS_KERAS_DATA"],
    )
