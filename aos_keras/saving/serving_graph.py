"""The TensorFlow graph of a served classifier: `ExportArchive` endpoints.

`write_archive` writes the SavedModel of `aos_keras.saving.export`: the
`serving_default` signature (raw rows `features`, or one named input per
column of a table, encoded in the graph) and `classes`. Runs under the
TensorFlow backend (or JAX, through jax2tf).
"""

import unicodedata

import keras
import numpy as np

from aos_keras.backend import BACKEND


def write_archive(classifier, folder, spec):
    """Write the SavedModel with `ExportArchive` in this process."""
    import tensorflow as tf

    archive = keras.export.ExportArchive()
    logits_fn = _logits_endpoint(archive, classifier, spec["num_features"])
    if spec.get("columns"):
        serve = _column_signature(spec["columns"], logits_fn, _outputs)
    else:
        serve = _feature_signature(spec, logits_fn)
    labels = list(spec["classes"])

    @tf.function(input_signature=[], autograph=False)
    def classes():
        return {"classes": tf.constant(labels, dtype=tf.string)}

    for name, fn in (("serving_default", serve), ("classes", classes)):
        fn.get_concrete_function()  # traced: ExportArchive's fast path
        archive.add_endpoint(name, fn)
    archive.write_out(folder, verbose=spec["verbose"])


def _logits_endpoint(archive, classifier, d):
    """The classifier tracked by `archive`: itself on TensorFlow, a jax2tf
    function of standardised rows (endpoint `logits`) on JAX."""
    if BACKEND == "tensorflow":
        archive.track(classifier)
        return classifier
    return archive.track_and_add_endpoint(
        "logits",
        classifier,
        input_signature=[keras.InputSpec(shape=(None, d), dtype="float32")],
    )


def _outputs(logits):
    """`probabilities` (softmax) and `class_ids` (argmax) of logits."""
    import tensorflow as tf

    proba = tf.nn.softmax(tf.cast(logits, tf.float32), axis=-1)
    ids = tf.argmax(proba, axis=-1, output_type=tf.int64)
    return {"probabilities": proba, "class_ids": ids}


def _feature_signature(spec, logits_fn):
    """`serving_default` taking raw rows `features` `[None, d]`: missing
    numbers imputed (when the spec has a fill), then standardised."""
    import tensorflow as tf

    mean = np.asarray(spec["feature_mean"], dtype=np.float32)
    scale = np.asarray(spec["feature_scale"], dtype=np.float32)
    fill = spec.get("feature_fill")
    fill = None if fill is None else np.asarray(fill, dtype=np.float32)
    signature = [
        tf.TensorSpec([None, spec["num_features"]], tf.float32, name="features")
    ]

    @tf.function(input_signature=signature, autograph=False)
    def serve(features):
        if fill is not None:  # a missing number: the training fill
            features = tf.where(tf.math.is_nan(features), fill, features)
        return _outputs(logits_fn((features - mean) / scale))

    return serve


def _column_signature(table, logits_fn, outputs):
    """`serving_default` taking one named input per column of a table.

    Numbers: float32 `[None]`, NaN replaced by the training fill, then
    standardised. Nominal columns: string `[None]`, an empty string
    replaced by the training fill, then one-hot against the training
    categories (an unseen category: all zeros, as `TableEncoder`).
    """
    import tensorflow as tf

    specs = _column_specs(table)
    names = [c["name"] for c in table["columns"]]
    by_name = {c["name"]: c for c in table["columns"]}

    @tf.function(input_signature=specs, autograph=False)
    def serve(*values):
        parts = dict(zip(names, values))
        rows = [_encode(by_name[n], parts[n]) for n in table["order"]]
        return outputs(logits_fn(tf.concat(rows, 1)))

    return serve


def _column_specs(table):
    """One `TensorSpec` `[None]` per column (float32 numbers, strings),
    named by `input_names`."""
    import tensorflow as tf

    names = input_names(c["name"] for c in table["columns"])
    return [
        tf.TensorSpec(
            [None],
            tf.float32 if column["kind"] == "numeric" else tf.string,
            name=names[str(column["name"])],
        )
        for column in table["columns"]
    ]


def _encode(column, values):
    """One column in model space, in the graph (as `SpecEncoder`)."""
    import tensorflow as tf

    if column["kind"] == "numeric":
        v = tf.where(tf.math.is_nan(values), column["fill"], values)
        return ((v - column["mean"]) / column["scale"])[:, None]
    v = tf.where(tf.equal(values, ""), column["fill"], values)
    cats = tf.constant(column["categories"], dtype=tf.string)
    return tf.cast(tf.equal(v[:, None], cats[None, :]), tf.float32)


def input_names(columns):
    """Each column's signature input name: valid in TensorFlow, unique.

    A name keeps ASCII letters, digits, `_` and `.`; an accented letter
    loses its accent (`é` to `e`); any other character becomes `_`; a name
    that does not start with a letter gets the prefix `c_`. A column whose
    name is valid as it is keeps it; a name that would clash with an
    earlier one gets `_2`, `_3`, ... Names are unique regardless of case
    (TensorFlow's graph names are: `A` and `a` clash).

    Args:
        columns: the column names, in input order.

    Returns:
        dict: column name (str) to input name, in input order.

    Example:
    >>> input_names(["größe", "a b", "1st", "x-y"])
    {'größe': 'gro_e', 'a b': 'a_b', '1st': 'c_1st', 'x-y': 'x_y'}
    """
    columns = [str(c) for c in columns]
    wanted = {c: _input_name(c) for c in columns}
    names, taken = {}, set()
    for column in columns:  # valid names first: they keep themselves
        if wanted[column] == column and column.lower() not in taken:
            names[column] = column
            taken.add(column.lower())
    for column in columns:  # then the others, in order
        if column not in names:
            names[column] = _free(wanted[column], taken)
            taken.add(names[column].lower())
    return {c: names[c] for c in columns}


def _input_name(column):
    """A column's input name before clashes (see `input_names`)."""
    plain = unicodedata.normalize("NFKD", column)
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    name = "".join(
        ch if ch.isascii() and (ch.isalnum() or ch in "_.") else "_"
        for ch in plain
    )
    return name if name[:1].isascii() and name[:1].isalpha() else f"c_{name}"


def _free(name, taken):
    """`name`, or `name_2`, `name_3`, ...: the first whose lower case is
    not in `taken`."""
    candidate, k = name, 1
    while candidate.lower() in taken:
        k += 1
        candidate = f"{name}_{k}"
    return candidate


__all__ = ["input_names", "write_archive"]
