"""One run: one method on one split of a table, trained, scored, cached.

`run_one` encodes the split's rows (a `TableEncoder` fitted on the fitting
rows only) and calls `fit_and_score`, the one place a compare run trains
and is scored. `run_key` names the run's cache file.
"""

import dataclasses
import hashlib
import json
import os
import time

import keras
import numpy as np
import pandas as pd

from aos_keras.baselines import MethodNotApplicable, make_method, method_spec
from aos_keras.evaluation.protocol import POSTHOC_TAUS
from aos_keras.evaluation.scoring import LogitScorer
from aos_keras.saving import io
from aos_keras.stopping import check_patience, should_stop
from aos_keras.tables.encoder import TableEncoder


def run_one(X, y, classes, method, split, protocol, options=None, callbacks=()):
    """Train and score one method on one split; return its record.

    Args:
        X: DataFrame, the whole table's features (raw columns).
        y: int array `(N,)`, class indices `0..C-1`.
        classes: array `(C,)`, the labels of the class indices.
        method: str (a registered method's name) or a `MethodSpec`.
        split: dict from `make_splits`.
        protocol: `Protocol`.
        options: dict or None. Method options (`make_method`'s).
        callbacks: sequence of Keras callbacks added to a Keras method's
            `fit` (timers, progress); ignored by the scikit-learn ones.

    Returns:
        dict: status `"ok"` with `honest` and `posthoc` selections and
        `seconds`, or status `"na"` with the reason.
    """
    options = dict(options or {})
    record = _record(method, split, protocol, options)
    encoder, rows = encode_split(X, y, split)
    record.update(
        fit_and_score(
            method,
            *rows,
            classes=classes,
            seed=int(split["seed"]),
            epochs=protocol.epochs,
            batch_size=record["batch_size"],
            taus=protocol.posthoc_taus,
            options=dict(
                options,
                max_anchors=protocol.max_anchors,
                nominal_blocks=encoder.nominal_blocks_,
                patience=protocol.patience,
            ),
            callbacks=callbacks,
            patience=protocol.patience,
        )
    )
    return record


def _record(method, split, protocol, options):
    """A run's record before its scores: what it ran, on what."""
    fit, val, test = split["fit"], split["val"], split["test"]
    return {
        "method": method_spec(method).name,
        "repeat_seed": int(split["seed"]),
        "options": options,
        "protocol": jsonable(dataclasses.asdict(protocol)),
        "rows": {"fit": len(fit), "val": len(val), "test": len(test)},
        "status": "ok",
        "batch_size": protocol.batch_for(len(fit)),
    }


def encode_split(X, y, split):
    """A `TableEncoder` fitted on the fitting rows; the encoded parts.

    Returns:
        `(encoder, [(x_fit, y_fit), (x_val, y_val), (x_test, y_test)])`.
    """
    parts = (split["fit"], split["val"], split["test"])
    encoder = TableEncoder().fit(X.iloc[parts[0]])
    return encoder, [(encoder.transform(X.iloc[p]), y[p]) for p in parts]


def fit_and_score(
    method,
    fit,
    val,
    test,
    *,
    classes,
    seed,
    epochs,
    batch_size,
    taus=POSTHOC_TAUS,
    options=None,
    callbacks=(),
    patience=None,
):
    """Train one method on encoded rows; score every epoch; select.

    The one place where a compare run trains and is scored.

    Args:
        method: str (a registered method's name) or a `MethodSpec`.
        fit: `(x, y)`, model-space rows and class indices `0..C-1` that
            the method trains on.
        val: `(x, y)`, the validation rows (they choose the epoch).
        test: `(x, y)`, the test rows (scored, never used to choose).
        classes: sequence. The labels of the class indices.
        seed: int. Seed of the method.
        epochs: int. Training epochs.
        batch_size: int. Real rows per step.
        taus: tuple of float. The post-hoc logit-adjustment grid.
        options: dict or None. Options of `make_method`.
        callbacks: sequence of Keras callbacks added to a Keras method's
            `fit`; ignored by the scikit-learn methods.
        patience: int or None. A Keras method stops once this many epochs
            passed without a better validation ACSA (`aos_keras.stopping`);
            None: every epoch runs. (A blend reads it from `options`.)

    Returns:
        dict: `status` `"ok"` with `seconds`, `epochs_run` and the
        selections of
        `LogitScorer.select` (and `sampler` for resampling methods), or
        `status` `"na"` with the `reason`.
    """
    (x_fit, y_fit), (_, y_val), (_, y_test) = fit, val, test
    prior = np.bincount(y_fit, minlength=len(classes)) / len(y_fit)
    scorer = LogitScorer(y_val, y_test, prior, taus, len(classes))
    estimator = make_method(
        method,
        num_classes=len(classes),
        num_features=x_fit.shape[1],
        seed=seed,
        **(options or {}),
    )
    start = time.perf_counter()
    try:
        _fit_scored(estimator, scorer, fit, val, test, epochs, batch_size,
                    [*callbacks, ScorerStop(scorer, patience)])  # fmt: skip
    except MethodNotApplicable as err:
        return {"status": "na", "reason": str(err)}
    out = {"status": "ok"}
    if getattr(estimator, "sampler_name_", None):
        out["sampler"] = estimator.sampler_name_
    out["seconds"] = time.perf_counter() - start
    out["epochs_run"] = len(scorer.history)
    out.update(scorer.select(classes))
    return out


def _fit_scored(estimator, scorer, fit, val, test, epochs, batch_size, calls):
    """Train; after every epoch score the logits on validation and test.

    While a Keras `fit` runs in this process, `STOP.in_fit` is set: a stop
    asked for then (`STOP.received`) is raised at the end of the running
    batch (`StopPoint`), a point safe on every backend.
    """
    (x_val, _), (x_test, _) = val, test
    STOP.in_fit = True
    try:
        estimator.fit_scored(
            *fit,
            on_epoch=lambda m: scorer.add(m.logits(x_val), m.logits(x_test)),
            validation_data=val,
            epochs=epochs,
            batch_size=batch_size,
            callbacks=[*calls, StopPoint()],
        )
    finally:
        STOP.in_fit = False
    if STOP.received is not None:  # asked for after the last batch
        raise KeyboardInterrupt(STOP.received)


class ScorerStop(keras.callbacks.Callback):
    """Stops a run's `fit` once `patience` epochs have passed without a
    better validation ACSA in `scorer` (`aos_keras.stopping.should_stop`).

    It comes after the hook that scores the epoch (`fit_scored`'s).
    """

    def __init__(self, scorer, patience):
        super().__init__()
        self.scorer = scorer
        self.patience = check_patience(patience)

    def on_epoch_end(self, epoch, logs=None):
        values = self.scorer.validation_acsa()
        if values and should_stop(
            len(values) - 1, int(np.argmax(values)), self.patience
        ):
            self.model.stop_training = True


class _Stop:
    """A stop asked for by a signal handler (`received`: the signal's
    name), and whether a Keras `fit` of a run is under way here."""

    received = None
    in_fit = False


# The stop of this process's runs: `aos-keras compare`'s signal handler
# sets `received`; a handler raising at an arbitrary point inside a
# backend's step can leave the backend unusable (a TensorFlow iterator
# that never returns), so within a `fit` the batch's end raises instead.
STOP = _Stop()


class StopPoint(keras.callbacks.Callback):
    """Raises `KeyboardInterrupt` at the end of a batch once a stop was
    asked for (`STOP.received`)."""

    def on_train_batch_end(self, batch, logs=None):
        if STOP.received is not None:
            raise KeyboardInterrupt(STOP.received)


def jsonable(value):
    """`value` as JSON would give it back (tuples as lists, objects str)."""
    return json.loads(json.dumps(value, default=str))


def table_fingerprint(X, y):
    """A short hash of a table's values and labels (names the cache)."""
    h = hashlib.sha256()
    h.update(pd.util.hash_pandas_object(X, index=False).values.tobytes())
    h.update(np.asarray(y).astype(np.int64).tobytes())
    h.update(",".join(map(str, X.columns)).encode())
    return h.hexdigest()[:16]


def run_key(
    fingerprint,
    method,
    options,
    protocol,
    split,
    revision=0,
    *,
    backend=None,
    version=None,
):
    """The cache key of one run.

    Args:
        fingerprint: str. `table_fingerprint` of the table.
        method: str. The method's name.
        options: dict or None. The method's options.
        protocol: `Protocol`.
        split: dict from `make_splits`.
        revision: int. The method's (`aos_keras.baselines.method_revision`):
            a method whose behaviour changed under the same name gets new
            keys.
        backend: str or None. The Keras backend (`compare` passes it, so a
            JAX run is never reused on torch).
        version: str or None. The package's version (`compare` passes it).

    Returns:
        str, 16 hex digits. Revision 0 without backend and version gives
        the keys of version 0.3.0.
    """
    parts = [
        fingerprint,
        method,
        jsonable(options or {}),
        jsonable(protocol.key_fields()),
        int(split["seed"]),
        split["fit"].tolist()[:50],
    ]
    if revision:
        parts.append({"revision": int(revision)})
    context = {"backend": backend, "version": version}
    if any(v is not None for v in context.values()):
        parts.append({k: v for k, v in context.items() if v is not None})
    text = json.dumps(parts, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# ------------------------------------------------------------ run specs
@dataclasses.dataclass(frozen=True)
class RunSpec:
    """One planned run: what `run_one` needs, its tag and its cache file.

    Attributes:
        table: str. The table's name.
        method: `MethodSpec` (sent to the worker whole, so a method
            registered in the parent runs where it is not registered).
        split: dict from `make_splits`.
        protocol: `Protocol`.
        options: dict. The method's options.
        data: `(frame, codes, classes)` of the table (`prepare_table`).
        key: str. `run_key`.
        path: str or None. The cache file (None: no cache).
    """

    table: str
    method: object
    split: dict
    protocol: object
    options: dict
    data: tuple
    key: str
    path: object = None

    def without_data(self):
        """This spec without its table (`data` None): what is sent to a
        cluster, which receives each table once (`worker.run_in_worker`'s
        `data`)."""
        return dataclasses.replace(self, data=None)

    @property
    def tag(self):
        """`(table, method name, split seed)`: the run's identity."""
        return (self.table, self.method.name, self.split["seed"])

    def skipped(self):
        """The NA record of a run its method skips on this table (COT on
        two classes: `MethodSpec.skip_reason`), or None."""
        reason = self.method.skip_reason(len(self.data[2]))
        if reason is None:
            return None
        return {
            "method": self.method.name,
            "repeat_seed": int(self.split["seed"]),
            "status": "na",
            "reason": reason,
        }

    def run(self, callbacks=()):
        """`run_one` of this spec: the run's record."""
        frame, codes, classes = self.data
        return run_one(
            frame, codes, classes, self.method, self.split, self.protocol,
            self.options, callbacks,
        )  # fmt: skip

    def cached(self):
        """The cached record, or None (no cache, or not run yet)."""
        if self.path is None or not os.path.exists(self.path):
            return None
        with open(self.path, encoding="utf-8") as f:
            return json.load(f)

    def run_and_cache(self):
        """Run, write the record atomically where cached; return it."""
        record = self.run()
        if self.path is not None:
            io.write_json(self.path, record, strict=False)
        return record


def cache_path(cache_dir, table, method, key):
    """`<cache_dir>/<table>/<method>__<key>.json` (None without a cache)."""
    if cache_dir is None:
        return None
    safe = method.replace("+", "plus").replace("/", "_")
    return os.path.join(cache_dir, str(table), f"{safe}__{key}.json")
