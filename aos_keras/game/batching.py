"""Full batches: pad a table to a whole number of batches with rows of weight 0.

JAX compiles a step once per input shape, so a last, partial batch costs a
second compilation of the whole three-player step (and of the scoring step
for validation data). `pad_to_batches` appends `batch - N % batch` copies of
the first rows with sample weight 0: every batch then has the same shape,
every real row keeps its weight, and the padding rows weigh nothing in any
player's loss or in the metrics (each real-row term of the step is a mean
weighted by the sample weights). Keras shuffles the padded rows with the
others, so a batch may hold a few of them; the number of steps per epoch is
unchanged (`ceil(N / batch)`).

A batch size larger than the table is clipped to the table
(`batch_size_for`): the table is never padded to a batch it cannot fill.
"""

import math

import numpy as np

# The batch sizes of `"auto"` (`auto_batch_size`), smallest first.
BATCH_SIZES = (32, 64, 128, 256)
# At most this many steps per epoch under `"auto"`, where a size allows.
AUTO_STEPS = 50


def pad_to_batches(x, y, sample_weight, batch_size):
    """`(x, y, sample_weight)` padded to a multiple of `batch_size` rows.

    Args:
        x: array `(N, d)`.
        y: array `(N,)`.
        sample_weight: array `(N,)` or None (weight 1 for every row).
        batch_size: int > 0.

    Returns:
        `(x, y, sample_weight)` with `ceil(N / batch_size) * batch_size`
        rows; `sample_weight` is a float32 array (0 on the padding). When
        `N` is already a multiple, the inputs come back unchanged (and
        `sample_weight` stays None if it was).

    Example:
    >>> x, y, w = pad_to_batches(np.zeros((5, 2)), np.arange(5), None, 4)
    >>> x.shape, w.tolist()
    ((8, 2), [1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0])
    """
    n = len(x)
    pad = -n % int(batch_size)
    if pad == 0 or n == 0:
        return x, y, sample_weight
    weight = (
        np.ones(n, "float32")
        if sample_weight is None
        else np.asarray(sample_weight, "float32").reshape(-1)
    )
    rows = np.arange(pad) % n
    x = np.asarray(x)
    y = np.asarray(y)
    return (
        np.concatenate([x, x[rows]]),
        np.concatenate([y, y[rows]]),
        np.concatenate([weight, np.zeros(pad, "float32")]),
    )


def auto_batch_size(rows):
    """The batch size `"auto"` gives a table of `rows` training rows.

    The smallest of `BATCH_SIZES` (32, 64, 128, 256) that gives at most
    `AUTO_STEPS` (50) steps per epoch, else 256: small tables keep the
    paper's batch of 32 (a table of up to 1,600 rows), large ones get
    fewer, larger steps. The one rule of every entry point (the wrappers,
    `aos-keras train`, `compare`, and `AdversarialOversampler.fit` called
    without `batch_size`).

    Args:
        rows: int. Training rows.

    Returns:
        int.

    Example:
    >>> auto_batch_size(1000), auto_batch_size(5000), auto_batch_size(10**5)
    (32, 128, 256)
    """
    for size in BATCH_SIZES:
        if math.ceil(int(rows) / size) <= AUTO_STEPS:
            return size
    return BATCH_SIZES[-1]


def resolve_batch_size(batch_size, rows):
    """`batch_size` as an int: `"auto"` (or None) through `auto_batch_size`.

    Raises:
        ValueError: neither `"auto"`, None nor an int >= 1.
    """
    if batch_size is None or (
        isinstance(batch_size, str) and batch_size == "auto"
    ):
        return auto_batch_size(rows)
    if (
        isinstance(batch_size, bool)
        or not isinstance(batch_size, (int, np.integer))
        or batch_size < 1
    ):
        raise ValueError(
            f"`batch_size` must be an int >= 1 or 'auto'; got {batch_size!r}."
        )
    return int(batch_size)


def batch_size_for(batch_size, rows):
    """The batch size `fit` uses: `batch_size`, at most `rows`.

    A batch larger than the table would be padded to the batch size with
    rows of weight 0, each step costing as many rows as the batch size.

    Example:
    >>> batch_size_for(100_000, 240), batch_size_for(32, 240)
    (240, 32)
    """
    return max(1, min(int(batch_size), int(rows)))


__all__ = [
    "BATCH_SIZES",
    "auto_batch_size",
    "batch_size_for",
    "pad_to_batches",
    "resolve_batch_size",
]
