"""Models saved by earlier versions of aos_keras: detection and conversion.

Before version 0.2 the generator had one `Dense` head layer and one anchor
weight per class; it now computes its heads in groups (`CWIGenerator`'s
`head_groups`), with one padded kernel, bias and anchor weight per group.
A `.keras` file of the earlier layout is refused with a message that names
`upgrade_saved_model`, which rewrites it in the current layout with the same
weights (so the same predictions). `aos_keras.cli.model_folder.load_folder`
(the CLI) converts such files on the fly.

A setting whose default changed keeps, in a model saved before the change,
the value it was trained with: `saved_settings` fills a saved config that
lacks such a setting with its earlier default (`EARLIER_DEFAULTS`).
"""

import json
import os
import tempfile
import zipfile

import numpy as np

from aos_keras.game.config import PAPER_SETTINGS
from aos_keras.game.head_groups import group_heads
from aos_keras.saving import io

# Config key written since the grouped layout; its absence marks the old one.
LAYOUT_KEY = "head_groups"
# Settings whose default changed, with their earlier default, the paper's: a
# saved config that lacks one was trained with it (DO's temperature,
# `sampling_strategy` and `q_logit_adjustment` were the paper's before they
# became `config.DO_SETTINGS`).
EARLIER_DEFAULTS = dict(PAPER_SETTINGS)


class LegacyLayoutError(ValueError):
    """A saved model of the per-class head layout (before 0.2)."""


def check_saved_layout(config, class_name):
    """Raise `LegacyLayoutError` for a config of the per-class head layout.

    Args:
        config: dict, a model's `get_config()` as saved.
        class_name: str, the model's class, for the message.
    """
    if "anchor_counts" in config and LAYOUT_KEY not in config:
        raise LegacyLayoutError(
            f"This {class_name} was saved by aos_keras < 0.2, whose "
            "generator had one head layer per class. Convert the file once "
            "with `aos_keras.game.upgrade.upgrade_saved_model(path)` (same "
            "weights, same predictions; the optimizer state is not kept); "
            "`aos-keras "
            "evaluate/predict/export` convert model folders on the fly."
        )


def saved_settings(config):
    """A saved model's config with its changed-default settings filled in.

    Every version writes its resolved settings, so a saved config normally
    holds them all; one that lacks a setting whose default changed since
    (`EARLIER_DEFAULTS`) gets the earlier default, the value the model was
    trained with, not today's.

    Args:
        config: dict, a model's `get_config()` as saved.

    Returns:
        A new dict.

    Example:
    >>> saved_settings({"mode": "do"})["generator_temperature"]
    1.0
    >>> saved = saved_settings({"mode": "do", "q_logit_adjustment": 1.0})
    >>> saved["sampling_strategy"], saved["q_logit_adjustment"]
    ('auto', 1.0)
    """
    return {**EARLIER_DEFAULTS, **config}


def is_legacy_file(path):
    """Whether the `.keras` file at `path` holds the per-class head layout."""
    if not zipfile.is_zipfile(path):
        return False
    try:
        with zipfile.ZipFile(path) as archive:
            config = json.loads(archive.read("config.json"))
    except (KeyError, ValueError, zipfile.BadZipFile):
        return False
    return _needs_layout(config)


def upgrade_saved_model(path, out=None):
    """Rewrite a `.keras` file of the per-class head layout in the current one.

    The generator's per-class head kernels, biases and anchors are copied
    into the grouped, zero-padded weights; every other weight is copied as
    it is. The optimizer state is dropped (its slots had the old shapes):
    the converted model predicts exactly as before, and further training
    starts with fresh optimizer moments.

    Args:
        path: str, a `.keras` file saved by aos_keras < 0.2.
        out: str or None. Where to write the converted file; None replaces
            `path` (atomically).

    Returns:
        str, the path written.

    Raises:
        ValueError: `path` is not of the old layout.

    Example:
    >>> upgrade_saved_model("model.keras")  # doctest: +SKIP
    'model.keras'
    """
    out = path if out is None else out
    with zipfile.ZipFile(path) as archive:
        config = json.loads(archive.read("config.json"))
        if not _needs_layout(config):
            raise ValueError(
                f"{path} is not a model of the per-class head layout; "
                "nothing to convert."
            )
        members = {n: archive.read(n) for n in archive.namelist()}
    weights, groups = _converted_weights(members["model.weights.h5"])
    _add_layout(config, groups)
    config.pop("compile_config", None)
    members["config.json"] = json.dumps(config).encode()
    members["model.weights.h5"] = weights
    with io.atomic_path(out) as staged:
        with zipfile.ZipFile(staged, "w") as archive:
            for name, data in members.items():
                archive.writestr(name, data)
    return out


def _converted_weights(weights):
    """`(bytes of the regrouped weights file, the head groups)`."""
    import h5py

    with tempfile.TemporaryDirectory() as tmp:
        old = os.path.join(tmp, "old.h5")
        new = os.path.join(tmp, "new.h5")
        with open(old, "wb") as f:
            f.write(weights)
        with h5py.File(old, "r") as src, h5py.File(new, "w") as dst:
            groups = _convert_weights(src, dst)
        with open(new, "rb") as f:
            return f.read(), groups


def _needs_layout(config):
    inner = config.get("config", {})
    return "anchor_counts" in inner and LAYOUT_KEY not in inner


def _convert_weights(src, dst):
    """Copy `src` into `dst`, regrouping every generator; returns the groups."""
    generator = _generator_group(src)
    for key, value in src.attrs.items():
        dst.attrs[key] = value
    for name in src:
        if name != "optimizer":
            src.copy(src[name], dst, name=name)
    return _regroup_heads(dst[generator])


def _regroup_heads(g):
    """Replace the per-class heads of the generator group `g` by padded
    groups; returns the groups (over head positions)."""
    heads = g["heads"]
    names = sorted(heads, key=_head_order)
    kernels = [np.asarray(heads[n]["vars"]["0"]) for n in names]
    biases = [np.asarray(heads[n]["vars"]["1"]) for n in names]
    anchors = [np.asarray(g["vars"][str(i)]) for i in range(len(names))]
    # Groups over head positions; the class ids are mapped by the caller.
    groups = group_heads([k.shape[1] for k in kernels])
    del g["heads"], g["vars"]
    variables = g.create_group("vars")
    trainable, fixed = [], []
    for group in groups:
        kernel, bias, rows = _stack_heads(group, kernels, biases, anchors)
        trainable += [kernel, bias]
        fixed.append(rows)
    for i, array in enumerate(trainable + fixed):
        variables.create_dataset(str(i), data=array)
    return groups


def _generator_group(src):
    """The name of the one group of `src` holding per-class heads."""
    import h5py

    found = []

    def visit(name, obj):
        if isinstance(obj, h5py.Group) and "heads" in obj and "vars" in obj:
            found.append(name)

    src.visititems(visit)
    if len(found) != 1:
        raise ValueError(
            f"Expected one generator with per-class heads; found {found}."
        )
    return found[0]


def _stack_heads(group, kernels, biases, anchors):
    """One group's kernels, biases and anchors, zero-padded to its widest."""
    counts = [k.shape[1] for k in kernels]
    width = max(counts[i] for i in group)
    kernel = np.zeros((len(group), kernels[0].shape[0], width), "float32")
    bias = np.zeros((len(group), width), "float32")
    rows = np.zeros((len(group), width, anchors[0].shape[1]), "float32")
    for slot, i in enumerate(group):
        kernel[slot, :, : counts[i]] = kernels[i]
        bias[slot, : counts[i]] = biases[i]
        rows[slot, : counts[i]] = anchors[i]
    return kernel, bias, rows


def _head_order(name):
    """`dense`, `dense_1`, `dense_2`, ...: the heads in class order."""
    tail = name.rsplit("_", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def _add_layout(config, position_groups):
    inner = config["config"]
    counts = inner["anchor_counts"]
    class_ids = [c for c, m in enumerate(counts) if m > 0]
    inner[LAYOUT_KEY] = [
        sorted(class_ids[i] for i in group) for group in position_groups
    ]


__all__ = [
    "LegacyLayoutError",
    "check_saved_layout",
    "is_legacy_file",
    "saved_settings",
    "upgrade_saved_model",
]
