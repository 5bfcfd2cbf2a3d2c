import numpy as np
import pytest

pytest.importorskip("matplotlib")

from aos_keras import plots  # noqa: E402

pytestmark = pytest.mark.backend_independent

PNG = b"\x89PNG\r\n\x1a\n"


def test_plot_history_writes_a_png(tmp_path):
    history = {
        "loss": [0.7, 0.6], "q_loss": [1.2, 1.0], "g_loss": [0.5, 0.4],
        "d_loss": [2.0, 1.5], "gp": [0.2, 0.1], "acsa": [0.5, 0.6],
        "gm": [0.3, 0.5], "val_acsa": [0.55, 0.6], "val_gm": [0.4, 0.5],
    }  # fmt: skip
    path = plots.plot_history(history, str(tmp_path / "curves.png"))
    with open(path, "rb") as f:
        assert f.read(8) == PNG


def test_plot_generated_writes_a_png(tiny_data, tiny_model, tmp_path):
    x, y = tiny_data
    model = tiny_model(x, y)
    path = plots.plot_generated(
        model, x, y, str(tmp_path / "generated.png"), per_class=5
    )
    with open(path, "rb") as f:
        assert f.read(8) == PNG
    assert sorted(p.name for p in tmp_path.iterdir()) == ["generated.png"]


def test_missing_matplotlib_is_a_clear_error(monkeypatch, tmp_path):
    import builtins

    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError("no matplotlib")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    with pytest.raises(ImportError, match="aos_keras\\[plots\\]"):
        plots.plot_history({"loss": np.ones(2)}, str(tmp_path / "x.png"))


def test_curves_mark_the_selected_epoch(monkeypatch, tmp_path):
    figures = []
    monkeypatch.setattr(plots, "_save", lambda fig, path: figures.append(fig))
    history = {"loss": [0.7, 0.6, 0.5], "val_acsa": [0.5, 0.7, 0.6]}
    plots.plot_history(history, str(tmp_path / "c.png"), best_epoch=2)
    for ax in figures[0].axes:
        marks = [
            line for line in ax.lines if line.get_label().startswith("selected")
        ]
        assert len(marks) == 1 and list(marks[0].get_xdata()) == [2, 2]
        ticks = [t for t in ax.get_xticks() if 1 <= t <= 3]
        assert all(float(t).is_integer() for t in ticks)


def test_generated_rows_get_one_panel_per_class(monkeypatch, tmp_path):
    from conftest import TINY

    from aos_keras import AdversarialOversampler

    figures = []
    monkeypatch.setattr(plots, "_save", lambda fig, path: figures.append(fig))
    rng = np.random.default_rng(0)
    counts = [20, 10, 8, 6, 5]
    x = rng.normal(size=(sum(counts), 3)).astype("float32")
    y = np.repeat(np.arange(5), counts)
    model = AdversarialOversampler.from_data(x, y, **TINY)
    plots.plot_generated(model, x, y, str(tmp_path / "g.png"), per_class=3)
    visible = [ax for ax in figures[0].axes if ax.axison]
    assert [ax.get_title() for ax in visible] == [
        f"class {c}" for c in range(5)
    ]
