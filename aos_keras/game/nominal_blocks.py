"""Nominal blocks of a generated row: the one-hot columns of a category.

A generated row is a convex combination of real rows, so each block of a
nominal column holds the anchors' weighted vote (a distribution over the
categories); `harden_blocks` turns it into the one-hot of the largest vote.
"""

from keras import ops


def check_blocks(blocks, num_features):
    """`blocks` as a list of `(start, stop)` int pairs, checked."""
    out = [(int(a), int(b)) for a, b in (blocks or ())]
    end = 0
    for a, b in out:
        if not end <= a < b <= num_features:
            raise ValueError(
                "`nominal_blocks` must be sorted, disjoint `(start, stop)` "
                f"ranges inside [0, {num_features}); got {out}."
            )
        end = b
    return out


def harden_blocks(rows, blocks):
    """Each one-hot block of `rows` (`(..., d)`) as the one-hot of its argmax.

    The forward value is the hard one-hot; the gradient is the soft
    block's (straight-through estimator, Bengio et al. 2013).
    """
    pieces, start = [], 0
    d = rows.shape[-1]
    for a, b in blocks:
        if a > start:
            pieces.append(rows[..., start:a])
        soft = rows[..., a:b]
        hard = ops.one_hot(ops.argmax(soft, axis=-1), b - a, dtype=soft.dtype)
        pieces.append(soft + ops.stop_gradient(hard - soft))
        start = b
    if start < d:
        pieces.append(rows[..., start:])
    return ops.concatenate(pieces, axis=-1)
