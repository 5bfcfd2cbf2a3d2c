"""Any scikit-learn classifier or imbalanced-learn pipeline in `compare`.

`compare(..., estimators={"name": obj})` runs each object through the same
splits, cache and report as the registered methods, behind the one
wrapper `aos_keras.baselines.trees.EstimatorMethod`. Its runs are cached
under a key made from its name and `estimator_key(obj)`: the object's
class and a hash of its parameters (`get_params(deep=True)`, every value
written as its `repr`, an estimator as its class, a function as its
module and name; an object without `get_params`: its `repr`). A change of
any parameter, or a new class under the same name, runs again; a new
version of the library behind the class does not (clear the cache).
"""

import functools
import hashlib
import json
import re

from aos_keras.baselines import available_methods
from aos_keras.baselines.registry import MethodSpec
from aos_keras.baselines.trees import EstimatorMethod

NAME = re.compile(r"^[A-Za-z0-9_.+-]+$")


def estimator_specs(estimators):
    """One `MethodSpec` per `{name: estimator}` item, checked.

    Args:
        estimators: dict mapping a name to an unfitted object with
            `fit(X, y)` and `predict_proba` or `decision_function`, or
            None.

    Returns:
        list of `MethodSpec`.

    Raises:
        ValueError: a name that is a registered method's, or not made of
            letters, digits and `_.+-`; an object that cannot fit or
            score.

    Example:
    >>> from sklearn.linear_model import LogisticRegression
    >>> [s.name for s in estimator_specs({"my-LR": LogisticRegression()})]
    ['my-LR']
    """
    specs = []
    for name, estimator in (estimators or {}).items():
        _check(name, estimator)
        factory = functools.partial(
            EstimatorMethod, name=name, estimator=estimator
        )
        specs.append(MethodSpec(name, factory))
    return specs


def _check(name, estimator):
    if not isinstance(name, str) or not NAME.match(name):
        raise ValueError(
            f"Estimator name {name!r}: use letters, digits and _.+- only."
        )
    if name in available_methods():
        raise ValueError(
            f"Estimator name {name!r} is a registered method's; choose "
            "another name."
        )
    scores = hasattr(estimator, "predict_proba") or hasattr(
        estimator, "decision_function"
    )
    if not (hasattr(estimator, "fit") and scores):
        raise ValueError(
            f"Estimator {name!r} ({type(estimator).__name__}) needs fit and "
            "predict_proba or decision_function: pass a classifier (or an "
            "imbalanced-learn Pipeline ending in one)."
        )


def estimator_of(spec):
    """The estimator object behind a spec of `estimator_specs`, or None."""
    return getattr(spec.factory, "keywords", {}).get("estimator")


def estimator_key(estimator):
    """`"<module>.<class>:<hash of its parameters>"` (see the module).

    Example:
    >>> from sklearn.linear_model import LogisticRegression
    >>> key = estimator_key(LogisticRegression(C=2.0))
    >>> key.split(":")[0], key == estimator_key(LogisticRegression(C=2.0))
    ('sklearn.linear_model._logistic.LogisticRegression', True)
    """
    if hasattr(estimator, "get_params"):
        params = estimator.get_params(deep=True)
        text = json.dumps({k: _stable(v) for k, v in params.items()},
                          sort_keys=True)  # fmt: skip
    else:
        text = repr(estimator)
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    return f"{_qualname(type(estimator))}:{digest}"


def _qualname(obj):
    return (
        f"{getattr(obj, '__module__', '')}.{getattr(obj, '__qualname__', obj)}"
    )


def _stable(value):
    """A parameter as text that is the same in every process."""
    if hasattr(value, "get_params"):
        return _qualname(type(value))
    if isinstance(value, (list, tuple)):
        return [_stable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _stable(v) for k, v in value.items()}
    if callable(value):
        return _qualname(value)
    return repr(value)
