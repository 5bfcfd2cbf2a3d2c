"""Which training rows become a generator's anchors: one rule for all."""

import numpy as np

# The default cap on anchors per class of every entry point: a class of
# more training rows keeps a seeded subset of this many (below it, every
# row). The time and accuracy it was chosen by: docs/results/anchors.md.
MAX_ANCHORS = 4096


def select_anchors(
    x, codes, num_classes, *, max_anchors=None, seed=None, classes=None
):
    """The anchors of each class: its rows, or a seeded subset of them.

    A class with more than `max_anchors` rows keeps `max_anchors` of them,
    drawn without replacement by one `numpy.random.default_rng(seed)` in
    class order and kept in their original order. The model, GAMO, the
    samplers and the benchmark scripts all call this function, so a seed
    means the same anchors everywhere.

    Args:
        x: float array `(N, d)`, rows in model space.
        codes: int array `(N,)`, class indices `0..num_classes-1`.
        num_classes: int. Number of classes `C`.
        max_anchors: int or None. Cap on anchors per class. Defaults to
            `None` (every row).
        seed: int or None. Seed of the subset. Defaults to `None`.
        classes: iterable of int or None. Classes that get anchors (GAMO:
            the minority classes); the others get none and draw nothing.
            Defaults to `None` (every class).

    Returns:
        A list of `C` arrays `(m_c, d)`.

    Example:
    >>> anchors = select_anchors(x, codes, 2, max_anchors=4096, seed=0)
    >>> [len(a) for a in anchors]
    """
    codes = np.asarray(codes).reshape(-1)
    keep_classes = None if classes is None else {int(c) for c in classes}
    rng = np.random.default_rng(seed)
    anchors = []
    for c in range(int(num_classes)):
        if keep_classes is not None and c not in keep_classes:
            anchors.append(x[:0])
            continue
        index = np.flatnonzero(codes == c)  # copy only the kept rows
        if max_anchors is not None and len(index) > max_anchors:
            keep = rng.choice(len(index), int(max_anchors), replace=False)
            index = index[np.sort(keep)]
        anchors.append(x[index])
    return anchors
