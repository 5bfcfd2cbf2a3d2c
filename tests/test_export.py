"""TF Serving export of the classifier: one SavedModel per backend."""

import json
import os
import shutil
import subprocess
import sys

import keras
import numpy as np
import pytest
from conftest import BACKEND, TINY, make_imbalanced
from sklearn.preprocessing import StandardScaler

from aos_keras import AdversarialOversampler, Classifier, export_saved_model
from aos_keras.saving.export import METADATA, _standardisation

tf = pytest.importorskip("tensorflow")


def graph_ops(path):
    """Names of the ops in a SavedModel's graph and its functions."""
    from tensorflow.core.protobuf import saved_model_pb2

    saved = saved_model_pb2.SavedModel()
    with open(os.path.join(path, "saved_model.pb"), "rb") as f:
        saved.ParseFromString(f.read())
    graph = saved.meta_graphs[0].graph_def
    ops = {node.op for node in graph.node}
    for function in graph.library.function:
        ops |= {node.op for node in function.node_def}
    return ops


@pytest.fixture(scope="module")
def trained():
    """A tiny model trained on standardised rows; raw rows and scaler."""
    x, y = make_imbalanced()
    raw = x * np.array([2.0, 0.5, 10.0], "float32") + np.array([1, -3, 50])
    raw = raw.astype("float32")
    scaler = StandardScaler().fit(raw)
    x = scaler.transform(raw).astype("float32")
    y = np.where(y == 1, "minority", "majority")
    keras.utils.set_random_seed(0)
    model = AdversarialOversampler.from_data(x, y, seed=0, **TINY)
    model.compile(run_eagerly=BACKEND == "tensorflow")  # faster than tracing
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    return model, raw, x, scaler


@pytest.fixture(scope="module")
def exported(trained, tmp_path_factory):
    """The one export of this backend (a subprocess on jax and torch)."""
    model, _, _, scaler = trained
    path = tmp_path_factory.mktemp("serving") / "aos" / "1"
    assert export_saved_model(model, path, scaler=scaler) == str(path)
    return path


def test_serving_default_matches_keras(trained, exported):
    model, raw, x, _ = trained
    serve = tf.saved_model.load(str(exported)).signatures["serving_default"]
    out = serve(features=tf.constant(raw))
    expected = model.predict(x, verbose=0)
    assert out["probabilities"].dtype == tf.float32
    assert out["class_ids"].dtype == tf.int64
    np.testing.assert_allclose(out["probabilities"], expected, atol=1e-5)
    np.testing.assert_array_equal(out["class_ids"], expected.argmax(axis=1))


def test_signatures_and_class_labels(exported):
    loaded = tf.saved_model.load(str(exported))
    serve = loaded.signatures["serving_default"]
    (spec,) = serve.structured_input_signature[1].values()
    assert spec.name == "features"
    assert spec.dtype == tf.float32 and spec.shape.as_list() == [None, 3]
    assert set(serve.structured_outputs) == {"probabilities", "class_ids"}
    labels = loaded.signatures["classes"]()["classes"].numpy()
    assert [b.decode() for b in labels] == ["majority", "minority"]
    with open(os.path.join(exported, METADATA)) as f:
        meta = json.load(f)
    assert meta["classes"] == ["majority", "minority"]
    assert meta["num_features"] == 3
    siblings = os.listdir(os.path.dirname(exported))
    assert siblings == ["1"]  # no temporary folder left behind
    assert "XlaCallModule" not in graph_ops(exported)  # plain TF ops


@pytest.mark.backend("tensorflow")
def test_saved_model_cli_lists_the_signature(exported):
    cli = os.path.join(os.path.dirname(sys.executable), "saved_model_cli")
    if not os.path.exists(cli):
        cli = shutil.which("saved_model_cli")
    if cli is None:
        pytest.skip("saved_model_cli is not installed")
    shown = subprocess.run(
        [cli, "show", "--all", "--dir", str(exported)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for text in (
        "signature_def['serving_default']",
        "inputs['features']",
        "outputs['probabilities']",
        "outputs['class_ids']",
        "DT_INT64",
        "signature_def['classes']",
    ):
        assert text in shown


def test_existing_folder_needs_overwrite(trained, exported):
    with pytest.raises(FileExistsError, match="overwrite=True"):
        export_saved_model(trained[0], exported)


@pytest.mark.backend("tensorflow")
def test_bare_classifier_and_overwrite(tmp_path):
    keras.utils.set_random_seed(1)
    q = Classifier(num_classes=3, num_features=2, hidden_units=(4,))
    x = np.random.default_rng(0).normal(size=(5, 2)).astype("float32")
    path = tmp_path / "q"
    export_saved_model(q, path, feature_mean=[1.0, 2.0])
    export_saved_model(q, path, feature_mean=[1.0, 2.0], overwrite=True)
    loaded = tf.saved_model.load(str(path))
    out = loaded.signatures["serving_default"](features=tf.constant(x))
    expected = keras.ops.softmax(q(x - np.array([1.0, 2.0], "float32")))
    np.testing.assert_allclose(out["probabilities"], expected, atol=1e-5)
    labels = loaded.signatures["classes"]()["classes"].numpy()
    assert labels.tolist() == [b"0", b"1", b"2"]
    assert sorted(os.listdir(tmp_path)) == ["q"]


@pytest.mark.backend("jax")
def test_native_jax2tf_export(trained, tmp_path):
    model, raw, x, scaler = trained
    path = export_saved_model(
        model, tmp_path / "m", scaler=scaler, method="native"
    )
    loaded = tf.saved_model.load(path)
    assert "logits" in loaded.signatures
    assert "XlaCallModule" in graph_ops(path)  # jax2tf
    out = loaded.signatures["serving_default"](features=tf.constant(raw))
    np.testing.assert_allclose(
        out["probabilities"], model.predict(x, verbose=0), atol=1e-5
    )


def test_argument_checks(trained, tmp_path):
    model, _, _, scaler = trained
    with pytest.raises(ValueError, match="either"):
        export_saved_model(
            model, tmp_path / "a", scaler=scaler, feature_mean=[0]
        )
    with pytest.raises(ValueError, match="3 values"):
        export_saved_model(model, tmp_path / "a", feature_scale=[1.0, 2.0])
    with pytest.raises(ValueError, match="zeros"):
        export_saved_model(model, tmp_path / "a", feature_scale=[1, 0, 1])
    with pytest.raises(ValueError, match="method"):
        export_saved_model(model, tmp_path / "a", method="onnx")
    with pytest.raises(TypeError, match="Keras model"):
        export_saved_model(object(), tmp_path / "a")
    if BACKEND == "torch":
        with pytest.raises(ValueError, match="rebuild"):
            export_saved_model(model, tmp_path / "a", method="native")
    assert not os.listdir(tmp_path)


def test_standardisation_defaults_and_scaler():
    mean, scale = _standardisation(2, None, None, None)
    np.testing.assert_array_equal(mean, [0, 0])
    np.testing.assert_array_equal(scale, [1, 1])
    s = StandardScaler(with_mean=False).fit([[1.0, 2.0], [3.0, 6.0]])
    mean, scale = _standardisation(2, None, None, s)
    np.testing.assert_array_equal(mean, [0, 0])
    np.testing.assert_allclose(scale, s.scale_)


@pytest.mark.backend("tensorflow")
def test_keras_model_export_delegates_to_the_saved_model_export(tmp_path):
    """Issue 24 item 18: Keras' own `model.export(path)` works on a trained
    model and its SavedModel gives the model's outputs; a model built from
    a numeric table takes its raw rows (imputed, standardised in the
    graph)."""
    import pandas as pd

    x, y = make_imbalanced()
    frame = pd.DataFrame(x * [2.0, 0.5, 10.0], columns=["a", "b", "c"])
    frame.loc[3, "b"] = np.nan  # a missing cell: encoded (imputed) inside
    keras.utils.set_random_seed(0)
    model = AdversarialOversampler.from_data(frame, y, seed=0, **TINY)
    model.compile(run_eagerly=True)
    model.fit(frame, y, epochs=1, batch_size=16, verbose=0)
    path = str(tmp_path / "1")
    assert model.export(path, verbose=False) == path
    serve = tf.saved_model.load(path).signatures["serving_default"]
    raw = tf.constant(frame.to_numpy("float32"))
    out = serve(features=raw)["probabilities"].numpy()
    np.testing.assert_allclose(out, model.predict(frame, verbose=0), atol=1e-5)
    with pytest.raises(ValueError, match="'tf_saved_model' or 'onnx'"):
        model.export(path, format="openvino")
    # An ONNX file is never written over a folder (here the SavedModel).
    with pytest.raises(IsADirectoryError, match="is a folder"):
        model.export(path, format="onnx")
    assert tf.saved_model.load(path) is not None
