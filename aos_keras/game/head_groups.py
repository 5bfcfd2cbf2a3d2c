"""How the generator's class heads are laid out: groups of similar width.

The heads of classes with similar anchor counts are computed together, as
one batched product padded to the group's widest head, so a step's
operations do not grow with the number of classes.
"""

import numpy as np
from keras import ops

# A head is computed in a group padded to the group's largest anchor count,
# at most MAX_PADDING times its own count or SMALL_HEAD anchors: padding a
# small head costs less than the fixed cost of one more group.
MAX_PADDING = 2.0
SMALL_HEAD = 64


def group_heads(anchor_counts, max_padding=MAX_PADDING, small=SMALL_HEAD):
    """The classes with a head, cut into groups of similar anchor counts.

    Classes are taken from the most anchors to the fewest; a class joins the
    current group while the group's width (its first, largest count) is at
    most `max(max_padding * m_c, small)`. A row of class c then costs at
    most `max(max_padding * m_c, small)` in its head, and a long tail takes
    a few groups: 4 for the 26 classes of `letter-lt100` (100:1); a large
    and a small class (Credit's 4096 and 143 anchors) stay apart.

    Args:
        anchor_counts: list of int, `m_c` per class (0: no head).
        max_padding: float >= 1.
        small: int. Width to which any head may be padded.

    Returns:
        list of lists of class indices, each sorted; groups by falling size.

    Example:
    >>> group_heads([1000, 600, 0, 10, 8])
    [[0, 1], [3, 4]]
    """
    order = sorted(
        (c for c, m in enumerate(anchor_counts) if m > 0),
        key=lambda c: (-anchor_counts[c], c),
    )
    groups = []
    for c in order:
        m = anchor_counts[c]
        if groups and anchor_counts[groups[-1][0]] <= max(
            max_padding * m, small
        ):
            groups[-1].append(c)
        else:
            groups.append([c])
    return [sorted(g) for g in groups]


def check_groups(groups, class_ids):
    """`groups` as lists of int, checked to cover each class once."""
    out = [[int(c) for c in g] for g in groups]
    flat = sorted(c for g in out for c in g)
    if flat != sorted(class_ids) or any(not g for g in out):
        raise ValueError(
            f"`head_groups` must hold each class with a head "
            f"{list(class_ids)} exactly once; got {out}."
        )
    return out


def take_slots(x, index, size):
    """`x[index]` along axis 0; `x` itself when `index` is `0..size-1`."""
    if list(index) == list(range(size)):
        return x
    return ops.take(x, np.asarray(index, dtype="int32"), axis=0)
