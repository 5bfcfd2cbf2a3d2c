"""Non-neural references from scikit-learn, behind the benchmark interface.

`"LR"`: `LogisticRegression(class_weight="balanced")`; `"HGB"`:
`HistGradientBoostingClassifier(class_weight="balanced")` with early stopping
on the validation split (`fit(..., X_val=, y_val=)`). Both see the same
encoded rows as the neural methods.

Two-stage methods put an oversampler in front of HGB, as an
imbalanced-learn pipeline does: `"SMOTE+HGB"` (SMOTE, SMOTE-NC or SMOTE-N as
`SMOTE+Q` chooses) and `"DO-T0.1+HGB"` (the decoupled use of the game: train
DO-T0.1, freeze its generator, add generated rows up to full balance, each
nominal block snapped to one category, then fit HGB on real plus generated
rows). Their "logits" are log-probabilities, so
the post-hoc logit adjustment of `aos_keras.compare` applies to them alike.

References:
    Pedregosa et al., "Scikit-learn: Machine Learning in Python", JMLR 2011.
"""

import numpy as np

REFERENCES = ("LR", "HGB", "SMOTE+HGB", "DO-T0.1+HGB")
# The oversampling method in front of HGB, by reference name.
SAMPLERS = {"SMOTE+HGB": "SMOTE+Q", "DO-T0.1+HGB": "DO-T0.1"}


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

    def __init__(self, name, *, num_classes, seed=None, **options):
        if name not in REFERENCES:
            raise ValueError(f"Unknown reference {name!r}; use {REFERENCES}.")
        self.name = name
        self.num_classes = int(num_classes)
        self.seed = seed
        self.options = dict(options)

    def fit(self, x, y, validation_data=None, epochs=100, batch_size=32):
        """Fit on `(x, y)`; HGB stops early on `validation_data`.

        `epochs` and `batch_size` train the game of `"DO-T0.1+HGB"`.

        Raises:
            MethodNotApplicable: the oversampler cannot run on this data.
        """
        from sklearn.ensemble import HistGradientBoostingClassifier
        from sklearn.linear_model import LogisticRegression

        if self.name in SAMPLERS:
            x, y = self._oversample(x, y, epochs, batch_size)

        if self.name == "LR":
            self.model_ = LogisticRegression(
                class_weight="balanced", max_iter=2000
            )
            # OpenBLAS's float32 kernels may raise the "invalid" floating-
            # point flag on finite inputs (numpy then warns "invalid value
            # encountered in matmul"; seen once in CI); a real NaN would
            # show in the coefficients, which are checked instead.
            with np.errstate(invalid="ignore"):
                self.model_.fit(x, y)
            if not np.isfinite(self.model_.coef_).all():
                raise ValueError(
                    "LR: the fit gave non-finite coefficients; check the "
                    "rows for NaN or infinite values."
                )
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

    def _oversample(self, x, y, epochs, batch_size):
        """Real rows plus the sampler's rows (full balance)."""
        from aos_keras.baselines import make_method
        from aos_keras.baselines.resampling import snap_blocks

        method = make_method(
            SAMPLERS[self.name],
            num_classes=self.num_classes,
            num_features=x.shape[1],
            seed=self.seed,
            **self.options,
        )
        self.sampler_ = method
        if self.name == "SMOTE+HGB":
            x_res, y_res = method._resample(x, y)
            self.sampler_name_ = method.sampler_name_
            return x_res, y_res
        method.fit(x, y, epochs=epochs, batch_size=batch_size)
        counts = np.bincount(y, minlength=self.num_classes)
        need = {c: int(counts.max() - n) for c, n in enumerate(counts)}
        new_x, new_y = method.model.sample(need, seed=self.seed)
        blocks = self.options.get("nominal_blocks") or ()
        if blocks:
            new_x = snap_blocks(new_x, blocks)
        x_res = np.concatenate([x, np.asarray(new_x, dtype=x.dtype)])
        y_res = np.concatenate([y, np.asarray(new_y, dtype=y.dtype)])
        return x_res, y_res

    def log_proba(self, x):
        """Log class probabilities `(n, C)`, columns for classes `0..C-1`."""
        proba = np.full((len(x), self.num_classes), 1e-12)
        proba[:, self.model_.classes_] = np.maximum(
            self.model_.predict_proba(x), 1e-12
        )
        return np.log(proba)


__all__ = ["REFERENCES", "SklearnReference"]
