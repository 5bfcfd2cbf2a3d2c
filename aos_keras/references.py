"""Non-neural references from scikit-learn, behind the benchmark interface.

`"LR"`: `LogisticRegression(class_weight="balanced")`; `"HGB"`:
`HistGradientBoostingClassifier(class_weight="balanced")` with early stopping
on the validation split (`fit(..., X_val=, y_val=)`). Both see the same
encoded rows as the neural methods. Their "logits" are log-probabilities, so
the post-hoc logit adjustment of `aos_keras.compare` applies to them alike.

References:
    Pedregosa et al., "Scikit-learn: Machine Learning in Python", JMLR 2011.
"""

import numpy as np

REFERENCES = ("LR", "HGB")


class SklearnReference:
    """A scikit-learn classifier with `fit` and `log_proba`, by name.

    Args:
        name: str. `"LR"` or `"HGB"`.
        num_classes: int. Number of classes; labels are `0..C-1`.
        seed: int or None. `random_state`.

    Example:
    >>> ref = SklearnReference("HGB", num_classes=2, seed=0)
    >>> ref.fit(x_train, y_train, validation_data=(x_val, y_val))
    >>> ref.log_proba(x_test).shape
    (n, 2)
    """

    def __init__(self, name, *, num_classes, seed=None):
        if name not in REFERENCES:
            raise ValueError(f"Unknown reference {name!r}; use {REFERENCES}.")
        self.name = name
        self.num_classes = int(num_classes)
        self.seed = seed

    def fit(self, x, y, validation_data=None):
        """Fit on `(x, y)`; HGB stops early on `validation_data`."""
        from sklearn.ensemble import HistGradientBoostingClassifier
        from sklearn.linear_model import LogisticRegression

        if self.name == "LR":
            self.model_ = LogisticRegression(
                class_weight="balanced", max_iter=2000
            )
            self.model_.fit(x, y)
        else:
            self.model_ = HistGradientBoostingClassifier(
                class_weight="balanced",
                early_stopping=validation_data is not None,
                random_state=self.seed,
            )
            if validation_data is None:
                self.model_.fit(x, y)
            else:
                x_val, y_val = validation_data
                self.model_.fit(x, y, X_val=x_val, y_val=y_val)
        return self

    def log_proba(self, x):
        """Log class probabilities `(n, C)`, columns for classes `0..C-1`."""
        proba = np.full((len(x), self.num_classes), 1e-12)
        proba[:, self.model_.classes_] = np.maximum(
            self.model_.predict_proba(x), 1e-12
        )
        return np.log(proba)


__all__ = ["REFERENCES", "SklearnReference"]
