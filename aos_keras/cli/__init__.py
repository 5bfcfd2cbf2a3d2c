"""The `aos-keras` command line: train, evaluate, predict, generate,
export, compare.

One module per command (`run(args)`, and for `train` a `check(args)` run
before Keras is imported), `parser` (the argument parser), `startup`
(logging, the backend, quiet imports), `app` (`main`: one command, every
user error as one line). The work is in `aos_keras` functions:
`aos_keras.training.train_table` trains, `aos_keras.cli.model_folder` writes
and reads the model folder, `aos_keras.tables.reader` reads tables,
`aos_keras.compare` compares. Every file written goes through
`aos_keras.saving.io` (atomic).

Example:
    aos-keras train data.csv --label target --mode do --epochs 100 -o run1
    aos-keras evaluate run1 test.csv
    aos-keras predict run1 new_rows.csv -o predictions.csv
    aos-keras generate run1 --n 100 > synthetic.csv
    aos-keras export run1 -o serving/aos/1
"""

from aos_keras.cli.app import main
from aos_keras.cli.common import CLIError
from aos_keras.cli.parser import build_parser

__all__ = ["CLIError", "build_parser", "main"]
