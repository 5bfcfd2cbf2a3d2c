"""Plots: training curves and real vs generated rows (matplotlib optional).

Install with `pip install "aos_keras[plots]"`.
"""

import numpy as np

from aos_keras import io

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


def plot_history(history, path):
    """Training curves: each player's loss, and ACSA/GM per split per epoch.

    Args:
        history: dict of lists (`keras.callbacks.History.history`) or a
            pandas DataFrame with one column per logged value.
        path: str. Where to write the PNG.

    Returns:
        `path`.

    Example:
    >>> h = model.fit(x, y, validation_data=(xv, yv), epochs=20)
    >>> plot_history(h.history, "curves.png")
    """
    plt = _pyplot()
    history = {k: list(v) for k, v in dict(history).items()}
    losses = [k for k in PLAYER_LOSSES if k in history]
    scores = sorted(
        k for k in history if k.endswith("acsa") or k.endswith("gm")
    )
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for key in losses:
        axes[0].plot(
            np.arange(1, len(history[key]) + 1), history[key], label=key
        )
    axes[0].set_title("losses per player")
    for key in scores:
        values = 100 * np.asarray(history[key], dtype=float)
        style = "--" if key.endswith("gm") else "-"
        axes[1].plot(np.arange(1, len(values) + 1), values, style, label=key)
    axes[1].set_title("ACSA / GM (%)")
    for ax in axes:
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
        if ax.lines:
            ax.legend(fontsize=8)
    fig.tight_layout()
    return _save(fig, path)


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
    fig, ax = plt.subplots(figsize=(6, 5))
    colors = plt.get_cmap("tab10")
    for i, label in enumerate(model.classes_):
        color = colors(i % 10)
        mask = y == label
        ax.scatter(
            *real[mask].T, s=10, color=color, alpha=0.6, label=f"{label} real"
        )
        mask = fake_y == label
        ax.scatter(
            *fake[mask].T,
            s=14,
            color=color,
            marker="x",
            alpha=0.6,
            label=f"{label} generated",
        )
    ax.set_xlabel("PC 1")
    ax.set_ylabel("PC 2")
    ax.set_title("real (o) and generated (x) rows, PCA of the real rows")
    ax.legend(fontsize=7, markerscale=1.5)
    fig.tight_layout()
    return _save(fig, path)
