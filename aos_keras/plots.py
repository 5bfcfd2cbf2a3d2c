"""Plots: training curves and real vs generated rows (matplotlib optional).

Install with `pip install "aos_keras[plots]"`.
"""

import numpy as np

from aos_keras.saving import io

PLAYER_LOSSES = ("loss", "q_loss", "g_loss", "d_loss", "gp")


def _pyplot():
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as err:
        raise ImportError(
            "Plots need matplotlib: pip install 'aos_keras[plots]'."
        ) from err
    return plt


def _save(fig, path):
    plt = _pyplot()
    with io.atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=110, format="png")
    plt.close(fig)
    return path


def plot_history(history, path, best_epoch=None):
    """Training curves: each player's loss, and ACSA/GM per split per epoch.

    Epochs are numbered from 1 on whole-number ticks.

    Args:
        history: dict of lists (`keras.callbacks.History.history`) or a
            pandas DataFrame with one column per logged value.
        path: str. Where to write the PNG.
        best_epoch: int or None. The selected epoch (1-based), marked by a
            vertical line on both panels. Defaults to `None`.

    Returns:
        `path`.

    Example:
    >>> h = model.fit(x, y, validation_data=(xv, yv), epochs=20)
    >>> plot_history(h.history, "curves.png")
    """
    plt = _pyplot()
    history = {k: list(v) for k, v in dict(history).items()}
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for key in (k for k in PLAYER_LOSSES if k in history):
        axes[0].plot(
            np.arange(1, len(history[key]) + 1), history[key], label=key
        )
    axes[0].set_title("losses per player")
    for key in sorted(k for k in history if k.endswith(("acsa", "gm"))):
        values = 100 * np.asarray(history[key], dtype=float)
        style = "--" if key.endswith("gm") else "-"
        axes[1].plot(np.arange(1, len(values) + 1), values, style, label=key)
    axes[1].set_title("ACSA / GM (%)")
    for ax in axes:
        _epoch_axis(ax, best_epoch)
    fig.tight_layout()
    return _save(fig, path)


def _epoch_axis(ax, best_epoch):
    """Whole-number epochs, the selected epoch marked, grid and legend."""
    from matplotlib.ticker import MaxNLocator

    if best_epoch is not None:
        ax.axvline(
            best_epoch,
            color="0.3",
            linestyle=":",
            label=f"selected epoch {best_epoch}",
        )
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(alpha=0.3)
    if ax.lines:
        ax.legend(fontsize=8)


def plot_generated(model, x, y, path, per_class=200, seed=0):
    """Real and generated rows of each class in a 2-D PCA projection.

    The projection is fitted on the real rows. Generated rows are drawn with
    `model.sample` (inference mode), `per_class` of each class.

    Args:
        model: an `AdversarialOversampler`.
        x: array `(n, d)`, real rows (in the model's feature space).
        y: array `(n,)`, their labels (values of `model.classes_`).
        path: str. Where to write the PNG.
        per_class: int. Generated rows per class. Defaults to `200`.
        seed: int. Seed of the generated rows. Defaults to `0`.

    Returns:
        `path`.
    """
    from sklearn.decomposition import PCA

    plt = _pyplot()
    x = np.asarray(x, dtype=np.float32)
    y = np.asarray(y)
    fake_x, fake_y = model.sample(
        {label: per_class for label in model.classes_}, seed=seed
    )
    pca = PCA(n_components=2, random_state=0).fit(x)
    real, fake = pca.transform(x), pca.transform(fake_x)
    fig = _class_panels(plt, model.classes_, real, y, fake, fake_y)
    fig.suptitle(
        "real (o) and generated (x) rows of each class, PCA of the real rows "
        "(PC 1, PC 2)",
        fontsize=9,
    )
    fig.tight_layout()
    return _save(fig, path)


def _class_panels(plt, classes, real, y, fake, fake_y):
    """One small panel per class, all real rows in grey behind.

    Many classes stay readable; shared axes keep the panels comparable.
    """
    k = len(classes)
    cols = min(k, 4)
    rows = -(-k // cols)
    fig, axes = plt.subplots(
        rows, cols, figsize=(3.2 * cols, 2.9 * rows), sharex=True,
        sharey=True, squeeze=False,
    )  # fmt: skip
    for ax, label in zip(axes.flat, classes):
        ax.scatter(*real.T, s=4, color="0.85")
        ax.scatter(
            *real[y == label].T, s=8, color="tab:blue", alpha=0.7,
            label="real",
        )  # fmt: skip
        ax.scatter(
            *fake[fake_y == label].T, s=10, color="tab:orange", marker="x",
            alpha=0.7, label="generated",
        )  # fmt: skip
        ax.set_title(f"class {label}", fontsize=9)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[k:]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7, markerscale=1.5)
    return fig


def plot_compare_scores(comparison, path, metric="acsa"):
    """Per-method scores over splits (dots) and their mean (bar), one table.

    Args:
        comparison: `aos_keras.evaluation.Comparison`.
        path: str. Where to write the PNG.
        metric: str. `"acsa"` or `"gm"`. Defaults to `"acsa"`.

    Returns:
        `path`.
    """
    plt = _pyplot()
    summary = comparison.summary(metric)
    scores = 100 * comparison.scores(metric)
    order = [m for m in summary.index if m in scores.columns]
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(order) + 1.5))
    for i, m in enumerate(order):
        values = scores[m].dropna().to_numpy()
        ax.barh(i, values.mean(), color="#c6dbef")
        ax.plot(values, np.full(len(values), i), "o", color="#08519c", ms=4)
    ax.set_yticks(range(len(order)), order)
    ax.invert_yaxis()
    ax.set_xlabel(f"test {metric.upper()} (%), epoch chosen on validation")
    low = np.nanmin(scores.to_numpy()) if scores.size else 0.0
    ax.set_xlim(max(0.0, low - 5), 100)
    ax.set_title(f"{comparison.name}: best mean rank first")
    fig.tight_layout()
    return _save(fig, path)


def plot_critical_difference(rank_table, path):
    """Critical-difference diagram (Demšar 2006) of mean ranks over tables.

    Methods are placed at their mean rank; a bar joins the methods whose
    mean ranks differ by less than the Nemenyi critical difference.

    Args:
        rank_table: DataFrame from `SuiteComparison.rank_table()` (its
            `attrs` hold `cd`, `tables` and `friedman_p`).
        path: str. Where to write the PNG.

    Returns:
        `path`.
    """
    plt = _pyplot()
    ranks = rank_table["mean_rank"].sort_values()
    cd = rank_table.attrs["cd"]
    k = len(ranks)
    fig, ax = plt.subplots(figsize=(8, 0.28 * k + 2.2))
    _rank_axis(ax, k, cd)
    for i, (m, r) in enumerate(ranks.items()):
        _rank_label(ax, i, m, r, k)
    _cliques(ax, ranks.to_numpy(), cd)
    ax.axis("off")
    ax.set_title(
        f"Mean rank over {rank_table.attrs['tables']} tables (1 = best); "
        f"Friedman p = {rank_table.attrs['friedman_p']:.2g}",
        fontsize=9,
    )
    fig.tight_layout()
    return _save(fig, path)


def _rank_axis(ax, k, cd):
    """The rank axis 1..k and the CD bar above it."""
    ax.set_xlim(0.5, k + 0.5)
    ax.set_ylim(-(k + 1.5), 2.2)
    ax.axhline(0, color="black", lw=1)
    for r in range(1, k + 1):
        ax.plot([r, r], [0, 0.15], color="black", lw=1)
        ax.text(r, 0.3, str(r), ha="center", fontsize=8)
    ax.plot([1, 1 + cd], [1.3, 1.3], color="#b2182b", lw=2)
    ax.text(1 + cd / 2, 1.55, f"CD = {cd:.2f}", ha="center", fontsize=8)


def _rank_label(ax, i, method, rank, k):
    """The `i`-th method's line from its rank to its label on a side."""
    y = -(i + 1)
    ax.plot([rank, rank], [0, y], color="#555555", lw=0.8)
    ax.plot([rank, k + 0.5 if i >= k / 2 else 0.5], [y, y], lw=0.8,
            color="#555555")  # fmt: skip
    left = i < k / 2
    ax.text(
        0.45 if left else k + 0.55,
        y,
        f"{method} ({rank:.2f})",
        ha="right" if left else "left",
        va="center",
        fontsize=8,
    )


def _cliques(ax, values, cd):
    """Bars under maximal runs of methods within CD of each other."""
    level = 0
    for i in range(len(values)):
        j = i
        while j + 1 < len(values) and values[j + 1] - values[i] < cd:
            j += 1
        if j > i and (i == 0 or values[j] - values[i - 1] >= cd):
            level += 1
            y = -0.25 * level
            ax.plot([values[i] - 0.03, values[j] + 0.03], [y, y], lw=3,
                    color="#2166ac")  # fmt: skip
