"""Non-neural methods from scikit-learn, registered like every other.

`"LR"`: `LogisticRegression(class_weight="balanced")`; `"HGB"`:
`HistGradientBoostingClassifier(class_weight="balanced")` with early stopping
on the validation rows (`fit(..., X_val=, y_val=)`); `"HGB-plain"`: the same
without class weights. All see the same encoded rows as the neural methods.

Two-stage methods put an oversampler in front of HGB, as an
imbalanced-learn pipeline does: `"SMOTE+HGB"` (SMOTE, SMOTE-NC or SMOTE-N as
`SMOTE+Q` chooses) and `"DO-T0.1+HGB"` (the decoupled use of the game: train
DO-T0.1, freeze its generator, add generated rows up to full balance, each
nominal block snapped to one category, then fit HGB on real plus generated
rows). Their "logits" are log-probabilities, so the post-hoc logit
adjustment of `aos_keras.compare` applies to them alike. They have no
epochs: `fit_scored` calls `on_epoch` once, after the fit.

References:
    Elor and Averbuch-Elor, "To SMOTE, or not to SMOTE?", arXiv:2201.08528,
    2022.
    Pedregosa et al., "Scikit-learn: Machine Learning in Python", JMLR 2011.
"""

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression

from aos_keras.baselines.base import Method, fit_until_stopped
from aos_keras.baselines.resampling import ResampledMethod, snap_blocks


class SklearnMethod(Method):
    """A scikit-learn classifier behind the `Method` interface.

    `model` and `classifier` are the fitted scikit-learn estimator;
    `logits` are its log-probabilities (`1e-12` for a class it never saw).
    Q's settings (`classifier_units`, `learning_rate`, `beta_1`) are not
    used, except by the game of a two-stage method.
    """

    def fit_scored(self, x, y, *, on_epoch, validation_data=None, **fit_kwargs):
        """`fit` (HGB stops early on `validation_data`), then `on_epoch`."""
        fit_kwargs.pop("callbacks", None)
        self.fit(x, y, validation_data=validation_data, **fit_kwargs)
        on_epoch(self)
        return self

    def logits(self, x, batch_size=None):
        """Log class probabilities `(n, C)`, columns for classes `0..C-1`."""
        proba = np.full((len(x), self.num_classes), 1e-12)
        proba[:, self.model.classes_] = np.maximum(
            self.model.predict_proba(x), 1e-12
        )
        return np.log(proba)

    def predict_proba(self, x, batch_size=None):
        """Class probabilities `(n, C)` (0 for a class never seen)."""
        return np.exp(self.logits(x)).astype(np.float32)


class LogisticRegressionMethod(SklearnMethod):
    """LR: `LogisticRegression(class_weight="balanced", max_iter=2000)`."""

    name = "LR"

    def _fit(self, x, y, counts, validation_data, **fit_kwargs):
        self._model = LogisticRegression(class_weight="balanced", max_iter=2000)
        # OpenBLAS's float32 kernels may raise the "invalid" floating-point
        # flag on finite inputs (numpy then warns "invalid value
        # encountered in matmul"; seen once in CI); a real NaN would show
        # in the coefficients, which are checked instead.
        with np.errstate(invalid="ignore"):
            self._model.fit(x, y)
        if not np.isfinite(self._model.coef_).all():
            raise ValueError(
                "LR: the fit gave non-finite coefficients; check the rows "
                "for NaN or infinite values."
            )


class HistGradientBoostingMethod(SklearnMethod):
    """HGB: `HistGradientBoostingClassifier(class_weight="balanced")`.

    With `validation_data`, it stops early on those rows.
    """

    name = "HGB"
    class_weight = "balanced"

    def _fit(self, x, y, counts, validation_data, **fit_kwargs):
        self._model = HistGradientBoostingClassifier(
            class_weight=self.class_weight,
            early_stopping=validation_data is not None,
            random_state=self.seed,
        )
        if validation_data is None:
            self._model.fit(x, y)
        else:
            x_val, y_val = validation_data
            self._model.fit(x, y, X_val=x_val, y_val=y_val)


class UnweightedHGBMethod(HistGradientBoostingMethod):
    """HGB-plain: HGB without class weights (early stopping as `"HGB"`).

    The control of Elor and Averbuch-Elor (2022): balancing (here, class
    weights) helps weak learners, not a strong gradient-boosting one.
    """

    name = "HGB-plain"
    class_weight = None


class OversampledHGBMethod(HistGradientBoostingMethod):
    """An oversampling method's rows, to full balance, then HGB.

    Args:
        name: str. The method's name (`"SMOTE+HGB"`, `"DO-T0.1+HGB"`).
        sampler: `aos_keras.baselines.MethodSpec` of the oversampler: an
            imbalanced-learn method (its `_resample`) or a game (trained
            for `epochs`, or until its classifier's validation ACSA stops
            improving with the option `patience`: `fit_until_stopped`;
            then sampled).
        **kwargs: see `Method`; every option goes to the sampler.
    """

    def __init__(self, *, name, sampler, **kwargs):
        super().__init__(**kwargs)
        self.name, self.sampler = name, sampler

    def _fit(self, x, y, counts, validation_data, **fit_kwargs):
        x, y = self._oversample(
            x,
            y,
            fit_kwargs["epochs"],
            fit_kwargs["batch_size"],
            validation_data,
        )
        super()._fit(x, y, counts, validation_data)

    def _oversample(self, x, y, epochs, batch_size, validation_data=None):
        """Real rows plus the sampler's rows (full balance)."""
        method = self.sampler.build(
            num_classes=self.num_classes,
            num_features=x.shape[1],
            seed=self.seed,
            classifier_units=self.classifier_units,
            learning_rate=self.learning_rate,
            beta_1=self.beta_1,
            **self.options,
        )
        self.sampler_ = method
        if isinstance(method, ResampledMethod):
            x_res, y_res = method._resample(x, y)
            self.sampler_name_ = method.sampler_name_
            return x_res, y_res
        fit_until_stopped(
            method,
            x,
            y,
            validation_data,
            self.options.get("patience"),
            epochs=epochs,
            batch_size=batch_size,
        )
        return self._generated(method, x, y)

    def _generated(self, method, x, y):
        counts = np.bincount(y, minlength=self.num_classes)
        need = {c: int(counts.max() - n) for c, n in enumerate(counts)}
        new_x, new_y = method.model.sample(need, seed=self.seed)
        blocks = self.options.get("nominal_blocks") or ()
        if blocks:
            new_x = snap_blocks(new_x, blocks)
        x_res = np.concatenate([x, np.asarray(new_x, dtype=x.dtype)])
        y_res = np.concatenate([y, np.asarray(new_y, dtype=y.dtype)])
        return x_res, y_res


class EstimatorMethod(SklearnMethod):
    """Any scikit-learn classifier (or imbalanced-learn pipeline) by object.

    The one wrapper of `compare(..., estimators={name: obj})`: each run
    fits a clone of `estimator` (`sklearn.base.clone`, a deep copy for an
    object that is not an estimator) on the fitting rows, with every
    `random_state` left at None set to the run's seed; its logits are the
    log-probabilities of `predict_proba`, or, without it, the scores of
    `decision_function` (on two classes, `[0, score]`: their softmax is
    the score's sigmoid). It has no epochs.

    Args:
        name: str. The method's name in the results.
        estimator: an unfitted object with `fit(X, y)` and `predict_proba`
            or `decision_function`.
        **kwargs: see `Method`.
    """

    def __init__(self, *, name, estimator, **kwargs):
        super().__init__(**kwargs)
        self.name, self.estimator = name, estimator

    def _fit(self, x, y, counts, validation_data, **fit_kwargs):
        from sklearn.base import clone

        model = clone(self.estimator, safe=False)
        if hasattr(model, "get_params") and self.seed is not None:
            unset = {
                key: self.seed
                for key, value in model.get_params(deep=True).items()
                if key.split("__")[-1] == "random_state" and value is None
            }
            model.set_params(**unset)
        model.fit(x, y)
        self._model = model

    def logits(self, x, batch_size=None):
        """Log-probabilities, or decision scores, `(n, C)` (see the class)."""
        if hasattr(self.model, "predict_proba"):
            return super().logits(x)
        scores = np.asarray(self.model.decision_function(x), dtype=float)
        if scores.ndim == 1:
            scores = np.stack([np.zeros_like(scores), scores], axis=1)
        out = np.full((len(x), self.num_classes), np.log(1e-12))
        out[:, self.model.classes_] = scores
        return out
