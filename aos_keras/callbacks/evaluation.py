"""Per-epoch evaluation of the classifier on named splits.

`EvaluationCallback` computes ACSA, GM and per-class recall on each split
after every epoch, keeps the history, selects the best epoch by one split
and can restore the classifier's weights of that epoch.
"""

import keras
import numpy as np

from aos_keras.metrics import acsa, geometric_mean, per_class_recall
from aos_keras.stopping import check_patience, should_stop

METRICS = ("acsa", "gm")


class EvaluationCallback(keras.callbacks.Callback):
    """Score the classifier on named splits at the end of every epoch.

    For each split it computes ACSA, GM and per-class recall, adds
    `{split}_acsa` and `{split}_gm` to the epoch's `logs` (so they show in
    the progress bar and `History`), keeps a `history` of every epoch,
    tracks the best epoch by `monitor` and can restore the classifier's
    weights of that epoch when training ends.

    Both evaluation protocols run through it: the honest protocol selects
    the epoch on a validation split (`monitor="val"`); the paper's protocol
    reports the best epoch on the test split (`monitor="test"`, optimistic).
    Since the whole history is kept, `best_scores("val")` and
    `best_scores("test")` read both from one run.

    Args:
        splits: dict mapping a split name to `(x, y)`. `y` holds labels the
            model knows: values of `model.classes_` when the model has
            `encode_labels`, else class indices `0..C-1`.
        monitor: str. The split that selects the best epoch. Defaults to the
            first split.
        metric: str. `"acsa"` (default) or `"gm"`.
        restore_best_weights: bool. At the end of training, set the
            classifier's weights to those of the best epoch. Defaults to
            `False`.
        batch_size: int. Rows scored at once. Defaults to `4096`.
        patience: int or None. Stop training (`model.stop_training`) once
            `patience` epochs have passed without a better `monitor` score
            than the best so far (ties do not count: the earliest best
            epoch is kept). None: every epoch runs. Defaults to `None`.

    Attributes:
        stopped_epoch: int or None. The 0-based epoch after which training
            was stopped early; None when every epoch ran.

    Example:
    >>> cb = EvaluationCallback({"val": (x_val, y_val)}, monitor="val")
    >>> model.fit(x, y, epochs=100, callbacks=[cb])
    >>> cb.best_epoch, cb.best_scores()["acsa"]
    """

    def __init__(
        self,
        splits,
        monitor=None,
        metric="acsa",
        restore_best_weights=False,
        batch_size=4096,
        patience=None,
    ):
        super().__init__()
        if not splits:
            raise ValueError("`splits` must name at least one split.")
        if metric not in METRICS:
            raise ValueError(f"`metric` must be one of {METRICS}.")
        self.splits = dict(splits)
        self.monitor = monitor or next(iter(self.splits))
        if self.monitor not in self.splits:
            raise ValueError(
                f"`monitor` {self.monitor!r} is not one of the splits "
                f"{list(self.splits)}."
            )
        self.metric = metric
        self.restore_best_weights = bool(restore_best_weights)
        self.batch_size = int(batch_size)
        self.patience = check_patience(patience)
        self.stopped_epoch = None
        self.history = []
        self.best_epoch = None
        self.best_value = None
        self._best_weights = None
        self._encoded = None

    @property
    def classifier(self):
        """The network scored: `model.classifier` if any, else the model."""
        return getattr(self.model, "classifier", self.model)

    def on_train_begin(self, logs=None):
        self.history = []
        self.best_epoch = None
        self.best_value = None
        self.stopped_epoch = None
        self._best_weights = None
        encode = getattr(self.model, "encode_labels", None)
        self._encoded = {}
        for name, (x, y) in self.splits.items():
            y = np.asarray(y).reshape(-1)
            codes = encode(y) if encode else y.astype(np.int64)
            self._encoded[name] = (np.asarray(x, dtype="float32"), codes)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        record = {"epoch": epoch}
        for name, (x, y) in self._encoded.items():
            scores = self.score(x, y)
            record[name] = scores
            for metric in METRICS:
                logs[f"{name}_{metric}"] = scores[metric]
        self.history.append(record)
        value = record[self.monitor][self.metric]
        if self.best_epoch is None or value > self.best_value:
            self.best_epoch, self.best_value = epoch, value
            if self.restore_best_weights:
                self._best_weights = self.classifier.get_weights()
        if should_stop(epoch, self.best_epoch, self.patience):
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.restore_best_weights and self._best_weights is not None:
            self.classifier.set_weights(self._best_weights)

    def get_backup_state(self):
        """What `ResumableBackup(track=[self])` backs up: the history, the
        best epoch and its classifier weights (JSON-able, exact)."""
        weights = self._best_weights
        return {
            "history": _plain(self.history),
            "best_epoch": self.best_epoch,
            "best_value": _plain(self.best_value),
            "best_weights": None
            if weights is None
            else [
                {"dtype": str(w.dtype), "value": w.tolist()} for w in weights
            ],
        }

    def set_backup_state(self, state):
        """Restore `get_backup_state()` (after `on_train_begin`)."""
        self.history = state["history"]
        self.best_epoch = state["best_epoch"]
        self.best_value = state["best_value"]
        weights = state["best_weights"]
        self._best_weights = None
        if weights is not None:
            self._best_weights = [
                np.asarray(w["value"], dtype=w["dtype"]) for w in weights
            ]

    def score(self, x, y):
        """ACSA, GM and per-class recall of the classifier on `(x, y)`."""
        net = self.classifier
        num_classes = self._num_classes()
        chunks = [
            keras.ops.convert_to_numpy(net(x[i : i + self.batch_size]))
            for i in range(0, len(x), self.batch_size)
        ]
        pred = np.concatenate(chunks).argmax(axis=-1)
        return {
            "acsa": acsa(y, pred, num_classes),
            "gm": geometric_mean(y, pred, num_classes),
            "recall": per_class_recall(y, pred, num_classes).tolist(),
        }

    def best_scores(self, split=None, by=None, metric=None):
        """Scores on `split` at the epoch with the best `metric` on `by`.

        Args:
            split: str. The split to report. Defaults to `monitor`.
            by: str. The split that selects the epoch. Defaults to `monitor`.
            metric: str. Selection metric. Defaults to `metric`.

        Returns:
            dict with `epoch` and the split's `acsa`, `gm`, `recall`. Ties
            go to the earliest epoch.
        """
        if not self.history:
            raise ValueError("No epoch has been scored yet.")
        by = by or self.monitor
        metric = metric or self.metric
        values = [r[by][metric] for r in self.history]
        best = int(np.argmax(values))
        record = self.history[best]
        return {"epoch": record["epoch"], **record[split or self.monitor]}

    def last_scores(self, split=None):
        """Scores on `split` (default `monitor`) at the last epoch."""
        if not self.history:
            raise ValueError("No epoch has been scored yet.")
        record = self.history[-1]
        return {"epoch": record["epoch"], **record[split or self.monitor]}

    def _num_classes(self):
        classes = getattr(self.model, "num_classes", None)
        if classes is None:
            classes = self.classifier.output_shape[-1]
        return int(classes)


def _plain(obj):
    """`obj` with numpy scalars as Python scalars (JSON-able)."""
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    return obj.item() if isinstance(obj, np.generic) else obj
