"""ONNX export of the classifier (`export_onnx`, `model.export(format=
"onnx")`), run with ONNX Runtime against `model.predict`, on each backend:
tf2onnx on TensorFlow, torch.onnx on torch, a TensorFlow rebuild on JAX."""

import json
import sys

import keras
import numpy as np
import pandas as pd
import pytest
from conftest import BACKEND, TINY, make_imbalanced

from aos_keras import AdversarialOversampler, export_onnx
from aos_keras.saving import export

ort = pytest.importorskip("onnxruntime")
onnx = pytest.importorskip("onnx")
if BACKEND != "torch":  # TensorFlow exports with tf2onnx; JAX rebuilds there
    pytest.importorskip("tf2onnx")

COLUMNS = ["age", "dose", "weight"]


def fitted(frame, y):
    keras.utils.set_random_seed(0)
    model = AdversarialOversampler.from_data(frame, y, seed=0, **TINY)
    model.compile()
    model.fit(frame, y, epochs=1, batch_size=16, verbose=0)
    return model


@pytest.fixture(scope="module")
def numeric():
    """A model of a numeric table (raw units, one missing cell) and its
    ONNX file: imputation and standardisation in the graph."""
    x, y = make_imbalanced()
    raw = x * np.array([10.0, 0.5, 3.0], "float32") + np.array([50, -2, 70])
    frame = pd.DataFrame(raw.astype("float32"), columns=COLUMNS)
    frame.iloc[3, 1] = np.nan
    labels = np.where(y == 1, "relapse", "ok")
    model = fitted(frame, labels)
    path = model.export(_tmp("numeric.onnx"), format="onnx")
    return model, frame, path


def _tmp(name):
    import tempfile

    return f"{tempfile.mkdtemp(prefix='aos_onnx_')}/{name}"


def run(path, rows):
    session = ort.InferenceSession(path)
    (proba,) = session.run(None, {"features": np.asarray(rows, "float32")})
    return proba


@pytest.mark.parametrize("n", [1, 5, 48])
def test_onnx_matches_predict_on_raw_rows(numeric, n):
    model, frame, path = numeric
    rows = frame.iloc[:n]
    expected = model.predict(rows, verbose=0)
    got = run(path, rows.to_numpy())
    assert got.shape == (n, 2) and got.dtype == np.float32
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-5)


def test_onnx_imputes_a_missing_number_as_in_training(numeric):
    model, frame, path = numeric
    row = frame.iloc[[3]]
    assert np.isnan(row.to_numpy()).any()
    got = run(path, row.to_numpy())
    assert np.isfinite(got).all()
    np.testing.assert_allclose(got, model.predict(row, verbose=0), atol=1e-5)


def test_onnx_signature_and_metadata(numeric):
    _, _, path = numeric
    session = ort.InferenceSession(path)
    (inp,) = session.get_inputs()
    (out,) = session.get_outputs()
    assert (inp.name, inp.type, inp.shape[1]) == (
        "features",
        "tensor(float)",
        3,
    )
    assert isinstance(inp.shape[0], str)  # a dynamic batch
    assert (out.name, out.shape[1]) == ("probabilities", 2)
    props = {p.key: p.value for p in onnx.load(path).metadata_props}
    assert json.loads(props["classes"]) == ["ok", "relapse"]
    assert json.loads(props["feature_names"]) == COLUMNS
    assert props["num_features"] == "3"


def test_nominal_table_needs_model_space_rows(tmp_path):
    x, y = make_imbalanced()
    frame = pd.DataFrame(x, columns=COLUMNS)
    frame["site"] = np.where(np.arange(len(x)) % 3 == 0, "north", "south")
    model = fitted(frame, y)
    with pytest.raises(ValueError, match="nominal columns \\(site\\)"):
        export_onnx(model, tmp_path / "q.onnx")
    path = export_onnx(model, tmp_path / "q.onnx", preprocessing=False)
    rows = model.preprocessor.transform(frame)
    assert rows.shape == (48, 5)
    expected = model.predict(frame, verbose=0)
    np.testing.assert_allclose(run(path, rows), expected, atol=1e-5)
    props = {p.key: p.value for p in onnx.load(path).metadata_props}
    assert json.loads(props["feature_names"]) is None


def test_existing_file_is_kept_without_overwrite(numeric, tmp_path):
    model, _, _ = numeric
    target = tmp_path / "q.onnx"
    target.write_text("keep")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        export_onnx(model, target)
    assert target.read_text() == "keep"


def test_other_formats_say_what_is_offered(numeric, tmp_path):
    model, _, _ = numeric
    with pytest.raises(ValueError, match="'tf_saved_model' or 'onnx'"):
        model.export(tmp_path / "m", format="openvino")


def test_missing_package_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)  # import onnx fails
    with pytest.raises(ImportError, match=r"needs onnx.*aos_keras\[onnx\]"):
        export._check_onnx_packages(export._onnx_method("auto"))


@pytest.mark.backend("jax")
def test_jax_native_export_names_its_packages_and_the_default(monkeypatch):
    monkeypatch.setitem(sys.modules, "flax", None)  # as without flax
    with pytest.raises(ImportError, match="method='rebuild'"):
        export._check_onnx_packages("native")
    assert export._onnx_method("auto") == "rebuild"


@pytest.mark.filterwarnings(
    "ignore:overflow encountered in cast:RuntimeWarning"
)
def test_mixed_precision_model_exports_in_float32(tmp_path):
    x, y = make_imbalanced()
    previous = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        model = fitted(x, y)
        path = export_onnx(model, tmp_path / "q.onnx")
    finally:
        keras.mixed_precision.set_global_policy(previous)
    q32 = export._float32_copy(model.classifier, 3)
    assert {layer.dtype_policy.name for layer in [q32, *q32.layers]} == {
        "float32"
    }
    expected = keras.ops.convert_to_numpy(keras.ops.softmax(q32(x), axis=-1))
    got = run(path, x)
    np.testing.assert_allclose(got, expected, atol=1e-5)
    # and float16's predict, to float16's precision
    np.testing.assert_allclose(got, model.predict(x, verbose=0), atol=5e-3)


def test_fitted_aosclassifier_exports_its_standardisation(tmp_path):
    from aos_keras import AOSClassifier

    x, y = make_imbalanced()
    raw = x * np.array([10.0, 0.5, 3.0], "float32") + np.array([50, -2, 70])
    raw = raw.astype("float32")
    clf = AOSClassifier(
        epochs=1,
        batch_size=64,
        max_anchors=4,
        model_kwargs=TINY,
        random_state=0,
    ).fit(raw, y)
    path = export_onnx(clf, tmp_path / "clf.onnx")
    expected = clf.predict_proba(raw)
    np.testing.assert_allclose(run(path, raw), expected, atol=1e-5)
