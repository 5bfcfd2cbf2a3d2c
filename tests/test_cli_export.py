"""`aos-keras export`: a TF Serving SavedModel of the raw columns."""

import numpy as np
import pytest

from aos_keras import cli
from aos_keras.cli import model_folder


@pytest.mark.backend("tensorflow")
def test_export_serves_raw_features(trained, table, tmp_path):
    import tensorflow as tf

    _, _, frame = table
    path = tmp_path / "serving" / "1"
    assert cli.main(["export", str(trained), "-o", str(path)]) == 0
    model, prep = model_folder.load_folder(str(trained))
    raw = frame[prep["features"]].to_numpy(dtype="float32")
    served = tf.saved_model.load(str(path)).signatures["serving_default"]
    proba = served(features=tf.constant(raw))["probabilities"].numpy()
    x = model_folder.transform(frame[prep["features"]], prep)
    expected = model.predict(x)
    np.testing.assert_allclose(proba, expected, atol=1e-5)
