"""Early stopping: the rule every entry point applies, and its defaults.

A run keeps the epoch with the best validation ACSA (the earliest on
ties) and stops once `PATIENCE` epochs have passed without a better one;
`EPOCHS` is then a ceiling, not a count. `AOSClassifier`, `AOSSampler`,
`aos-keras train`, `compare` (each neural method) and the Keras model's
`EvaluationCallback` share it, so what a user trains is what `compare`
measures. The numbers behind the defaults are in `docs/results/
early_stopping.md`.

This module imports neither Keras nor NumPy: the command line's parser
reads its defaults.
"""

# Most epochs a run trains (it stops before, `PATIENCE` epochs after its
# best one).
EPOCHS = 100
# Epochs without a better validation score before a run stops (the
# `n_iter_no_change` of scikit-learn's gradient boosting, which stops
# after 10). 30, not 10: on the development suite, 10 moved the neural
# methods' mean ranks by up to 0.86 against running every epoch, 30 by at
# most 0.28, at 2.56x less time than every epoch
# (docs/research/early_stopping.md).
PATIENCE = 30
# The share of the training rows held out to choose the epoch when no
# validation rows are given (`compare`'s `val_size`).
VALIDATION_FRACTION = 0.2


def check_patience(patience, name="patience"):
    """`patience` as an int >= 1, or None (no early stopping).

    Raises:
        ValueError: anything else, naming `name`.
    """
    if patience is None:
        return None
    if (
        isinstance(patience, bool)
        or not hasattr(patience, "__index__")
        or (patience < 1)
    ):
        raise ValueError(
            f"`{name}` must be an int >= 1 or None; got {patience!r}."
        )
    return int(patience)


def should_stop(epoch, best_epoch, patience):
    """Whether a run stops after `epoch` (0-based) whose best was `best_epoch`.

    Args:
        epoch: int. The epoch just scored.
        best_epoch: int. The epoch with the best score so far (earliest
            on ties).
        patience: int or None. None: never.

    Returns:
        bool: `patience` epochs have passed without a better score.

    Example:
    >>> should_stop(12, 2, 10), should_stop(11, 2, 10)
    (True, False)
    """
    return patience is not None and epoch - best_epoch >= patience


__all__ = [
    "EPOCHS",
    "PATIENCE",
    "VALIDATION_FRACTION",
    "check_patience",
    "should_stop",
]
