"""Load a model folder written by `aos-keras train` in Python.

`aos-keras train data.csv --label y -o run` writes `run/model.keras`
(the model, with its `TablePreprocessor` inside: columns, encoding,
classes) and `run/preprocessing.json` (the same spec as JSON, for other
tools). This example writes a small table with a nominal column and a
missing cell, trains a folder with the command line (in-process here:
`aos_keras.cli.main` is what `aos-keras` runs), then loads it two ways:

- `keras.saving.load_model("run/model.keras")`: the model takes your
  DataFrame directly (columns matched by name, any order);
- `aos_keras.cli.model_folder.load_folder("run")`: `(model, prep)`, with the
  folder's `TablePreprocessor` as `prep["_encoder"]` (also for folders
  of earlier versions, whose model does not hold the encoding).

Set `AOS_KERAS_EXAMPLE_FAST=1` for a smoke run.
"""

import os
import tempfile

import keras
import numpy as np
import pandas as pd

import aos_keras  # noqa: F401  (registers the model's Keras classes)
from aos_keras.cli import main
from aos_keras.cli.model_folder import load_folder

FAST = os.environ.get("AOS_KERAS_EXAMPLE_FAST") == "1"
EPOCHS = 1 if FAST else 50

rng = np.random.default_rng(0)
n = 120
table = pd.DataFrame(
    {
        "age": rng.integers(20, 80, n),
        "dose": rng.normal(5.0, 2.0, n).round(2),
        "site": rng.choice(["north", "south", "east"], n),
        "y": np.where(rng.random(n) < 0.2, "rare", "common"),
    }
)
table.loc[3, "dose"] = np.nan  # an empty cell: imputed by the preprocessor

with tempfile.TemporaryDirectory() as tmp:
    data, run = os.path.join(tmp, "data.csv"), os.path.join(tmp, "run")
    table.to_csv(data, index=False)
    # The same as: aos-keras -q train data.csv --label y --epochs 1 -o run
    status = main(["-q", "train", data, "--label", "y",
                   "--epochs", str(EPOCHS), "-o", run])  # fmt: skip
    assert status == 0, status

    # 1. The Keras file alone: the preprocessor is inside model.keras.
    model = keras.saving.load_model(os.path.join(run, "model.keras"))
    new = table.drop(columns="y").iloc[:, ::-1]  # columns in another order
    print("classes:", model.classes_.tolist())
    print("labels:", model.predict_labels(new, verbose=0)[:5].tolist())

    # A wider file (the label, an ID): keep the model's feature columns.
    wide = table.assign(id=np.arange(n))
    proba = model.predict(model.preprocessor.select(wide), verbose=0)
    print("columns:", model.preprocessor.columns_, proba.shape)

    # 2. The folder: the model and preprocessing.json, with its preprocessor.
    model, prep = load_folder(run)
    encoder = prep["_encoder"]  # an aos_keras.TablePreprocessor
    rows = encoder.transform(encoder.select(wide))  # model-space rows
    print("label column:", prep["label"], "model space:", rows.shape)
