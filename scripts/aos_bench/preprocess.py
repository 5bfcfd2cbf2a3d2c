"""The preprocessing of a Table 2 split, fitted on its training rows only.

KNN imputation (on a seeded sample of the rows for a large table), then
dropping the columns constant on those rows, then standardisation: one
scikit-learn `Pipeline` that then transforms every split.
"""

import numpy as np
from sklearn.feature_selection import VarianceThreshold
from sklearn.impute import KNNImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler


def fit_preprocessor(x_fit, *, has_missing, knn_neighbors, max_knn_rows, seed):
    """Fit impute -> drop constant columns -> scale on `x_fit` only.

    Returns `(pipeline, transformed x_fit, info)`.
    """
    info = {
        "imputer": None,
        "imputer_fit_rows": None,
        "imputer_fit_sample": None,
    }
    imputer, x = "passthrough", x_fit
    if has_missing:
        imputer = KNNImputer(
            n_neighbors=knn_neighbors, keep_empty_features=True
        )
        donors, info["imputer_fit_sample"] = imputer_rows(
            x_fit, max_knn_rows, seed
        )
        imputer.fit(x_fit[donors])
        info["imputer"] = f"KNNImputer(n_neighbors={knn_neighbors})"
        info["imputer_fit_rows"] = len(donors)
        x = imputer.transform(x_fit)
    selector = VarianceThreshold(threshold=0.0).fit(x)
    x = selector.transform(x)
    scaler = StandardScaler().fit(x)
    pipeline = Pipeline(
        [("impute", imputer), ("drop_constant", selector), ("scale", scaler)]
    )
    # The fitting rows, transformed: equal to pipeline.transform(x_fit),
    # without imputing them a second time.
    return pipeline, scaler.transform(x), info


def imputer_rows(x_fit, max_knn_rows, seed):
    """The rows the KNN imputer is fitted on, and how they were chosen.

    All fitting rows, or with more than `max_knn_rows` of them a seeded
    random sample of `max_knn_rows` of the complete ones (of all when
    fewer are complete).
    """
    n = x_fit.shape[0]
    if max_knn_rows is None or n <= max_knn_rows:
        return np.arange(n), "all fitting rows"
    complete = np.flatnonzero(~np.isnan(x_fit).any(axis=1))
    pool = complete if len(complete) >= max_knn_rows else np.arange(n)
    rng = np.random.default_rng(seed)
    donors = np.sort(rng.choice(pool, size=max_knn_rows, replace=False))
    how = (
        f"seeded random sample of {max_knn_rows} of the {len(pool)} "
        + ("complete " if pool is complete else "")
        + "fitting rows"
    )
    return donors, how
