"""Scoring of every epoch's logits, and the selections read from them.

`LogitScorer.add(val_logits, test_logits)` is called once per epoch;
`select` returns the test scores at the epoch (and post-hoc tau) that the
validation rows choose, beside the last-epoch, best-test and per-epoch
views.

References:
    Menon et al., "Long-tail learning via logit adjustment", ICLR 2021.
"""

import numpy as np

from aos_keras.metrics import (
    acsa,
    average_precision,
    brier,
    geometric_mean,
    macro_f1,
    per_class_recall,
)

# The scores of every run beside ACSA and GM, on the test rows at the
# selected epoch (and tau): from the class probabilities, the softmax of
# the (adjusted) logits, and the class they predict.
EXTRA_METRICS = ("ap", "macro_f1", "brier")


def softmax(logits):
    """Row-wise softmax of numpy logits (log-probabilities give them back)."""
    z = np.asarray(logits, dtype=np.float64)
    z = np.exp(z - z.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


def extra_scores(y, logits, num_classes):
    """`{"ap", "macro_f1", "brier"}` of logits `(n, C)` against `y`.

    Args:
        y: int array `(n,)`, the true class indices.
        logits: float array `(n, C)`: logits, or log-probabilities.
        num_classes: int.

    Returns:
        dict of float: macro one-vs-rest average precision and Brier score
        of `softmax(logits)`, macro-F1 of `argmax(logits)`.
    """
    proba = softmax(logits)
    return {
        "ap": average_precision(y, proba, num_classes),
        "macro_f1": macro_f1(y, np.argmax(logits, 1), num_classes),
        "brier": brier(y, proba, num_classes),
    }


def scores(y, pred, num_classes):
    """`(ACSA, GM, per-class recall)` of predicted class indices.

    Args:
        y: int array `(n,)`, the true class indices.
        pred: int array `(n,)`, the predicted class indices.
        num_classes: int.

    Returns:
        `(float, float, float array (C,))`.
    """
    return (
        acsa(y, pred, num_classes),
        geometric_mean(y, pred, num_classes),
        per_class_recall(y, pred, num_classes),
    )


class LogitScorer:
    """Scores every epoch's logits on validation and test, for each tau.

    `add(val_logits, test_logits)` is called once per epoch; `select()`
    returns the selections: `honest` (epoch by validation ACSA), `posthoc`
    (epoch and tau by validation ACSA), `last` (the last epoch), `paper`
    (epoch by test ACSA: the paper's optimistic protocol), and the
    per-epoch `history` at tau 0. Ties go to the earliest epoch (and the
    first tau of the grid). Every selection also holds the test rows'
    `EXTRA_METRICS` at its epoch and tau (`extra_scores` of the adjusted
    logits `logits - tau * log(prior)`); they choose nothing.

    Args:
        y_val: int array, the validation rows' class indices.
        y_test: int array, the test rows' class indices.
        prior: float array `(C,)`, the training prior of the logit
            adjustment `argmax(logits - tau * log(prior))`.
        taus: sequence of float, the post-hoc grid (0 is always added).
        num_classes: int.

    Example:
    >>> scorer = LogitScorer([0, 1], [0, 1], [0.5, 0.5], (0.0,), 2)
    >>> scorer.add(np.eye(2), np.eye(2))
    >>> scorer.select(["a", "b"])["honest"]["acsa"]
    1.0
    """

    def __init__(self, y_val, y_test, prior, taus, num_classes):
        self.y_val, self.y_test = np.asarray(y_val), np.asarray(y_test)
        self.log_prior = np.log(np.maximum(np.asarray(prior, float), 1e-12))
        self.taus = tuple(float(t) for t in taus)
        if 0.0 not in self.taus:
            self.taus = (0.0, *self.taus)
        self.num_classes = int(num_classes)
        self.history = []  # per epoch: {tau: (val scores, test scores)}

    def add(self, val_logits, test_logits):
        """Score one epoch's logits at every tau of the grid."""
        record = {}
        for tau in self.taus:
            shift = tau * self.log_prior
            record[tau] = (
                self._score(self.y_val, val_logits, shift),
                self._score(self.y_test, test_logits, shift),
                extra_scores(
                    self.y_test,
                    np.asarray(test_logits) - shift,
                    self.num_classes,
                ),
            )
        self.history.append(record)

    def validation_acsa(self):
        """The validation ACSA of every epoch so far, at tau 0 (what
        chooses the honest epoch and stops a run early)."""
        return [record[0.0][0][0] for record in self.history]

    def _score(self, y, logits, shift):
        return scores(y, np.argmax(logits - shift, 1), self.num_classes)

    def select(self, classes):
        """The selections (class docstring), recalls keyed by `classes`."""
        if not self.history:
            raise ValueError("No epoch was scored.")
        last = len(self.history) - 1
        best_test = max(
            range(len(self.history)),
            key=lambda e: (self.history[e][0.0][1][0], -e),
        )
        return {
            "honest": self._entry(*self._pick((0.0,)), classes),
            "posthoc": self._entry(*self._pick(self.taus), classes),
            "last": self._entry(last, 0.0, classes),
            "paper": self._entry(best_test, 0.0, classes),
            "history": self._history(),
        }

    def _pick(self, taus):
        """`(epoch, tau)` of the best validation ACSA; earliest on ties."""
        best, best_key = None, None
        for epoch, record in enumerate(self.history):
            for tau in taus:
                key = record[tau][0][0]
                if best_key is None or key > best_key:
                    best, best_key = (epoch, tau), key
        return best

    def _entry(self, epoch, tau, classes):
        (v_acsa, v_gm, _), (acsa_, gm, recall), extra = self.history[epoch][tau]
        return {
            "epoch": epoch + 1,
            "tau": tau,
            "val_acsa": v_acsa,
            "val_gm": v_gm,
            "acsa": acsa_,
            "gm": gm,
            "recall": {
                str(c): (None if np.isnan(r) else float(r))
                for c, r in zip(classes, recall)
            },
            **extra,
        }

    def _history(self):
        return [
            {
                "epoch": e,
                "val_acsa": r[0.0][0][0],
                "val_gm": r[0.0][0][1],
                "test_acsa": r[0.0][1][0],
                "test_gm": r[0.0][1][1],
            }
            for e, r in enumerate(self.history)
        ]
