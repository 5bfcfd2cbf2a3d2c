"""Snapshots of a model's variables, shared by the guard and the backup.

A snapshot is a list of `(variable, numpy value)` pairs covering the model's
variables and its optimizer's, each once.
"""

import keras
import numpy as np


def state_variables(model):
    """Every variable of `model` and its optimizer, each once.

    Args:
        model: a `keras.Model`, compiled or not.

    Returns:
        list of `keras.Variable`, the model's first.
    """
    variables = list(model.variables)
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None:
        variables += list(optimizer.variables)
    seen, unique = set(), []
    for v in variables:
        if id(v) not in seen:
            seen.add(id(v))
            unique.append(v)
    return unique


def capture(variables):
    """Copy the current values of `variables`.

    Args:
        variables: list of `keras.Variable`.

    Returns:
        list of `(variable, numpy array)` pairs, a snapshot.
    """
    return [
        (v, np.array(keras.ops.convert_to_numpy(v.value))) for v in variables
    ]


def assign(snapshot, model):
    """Set the variables of `snapshot` to its values.

    On JAX the trainer's state is first written to the variables
    (`model.jax_state_sync()`), so that Keras's own final sync does not
    overwrite the assigned values.

    Args:
        snapshot: list of `(variable, value)` pairs from `capture`.
        model: the `keras.Model` that owns the variables.
    """
    sync = getattr(model, "jax_state_sync", None)
    if sync is not None:
        sync()
    for variable, value in snapshot:
        variable.assign(value)
