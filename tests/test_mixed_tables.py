"""Mixed tables (numbers, categories, missing cells) through the CLI."""

import json

import keras
import numpy as np
import pandas as pd
import pytest
from conftest import TINY_ARGS

from aos_keras import cli
from aos_keras.cli import model_folder


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    rng = np.random.default_rng(1)
    n = 60
    label = np.array(["good"] * 46 + ["bad"] * 14)
    frame = pd.DataFrame(
        {
            "amount": np.round(rng.gamma(2.0, 900.0, n), 2),
            "months": rng.integers(6, 60, n),
            "purpose": np.where(
                label == "bad",
                rng.choice(["car", "tv"], n),
                rng.choice(["car", "tv", "repairs", "business"], n),
            ),
            "housing": rng.choice(["own", "rent"], n),
            "label": label,
        }
    )
    frame.loc[[2, 7], "amount"] = np.nan
    frame.loc[[4], "housing"] = np.nan
    folder = tmp_path_factory.mktemp("mixed")
    path = folder / "credit.csv"
    frame.to_csv(path, index=False)
    out = folder / "run"
    argv = ["train", str(path), "--label", "label", "--output", str(out)]
    assert cli.main(argv + TINY_ARGS) == 0
    return folder, path, pd.read_csv(path), out


def test_train_saves_the_encoder_fitted_on_training_rows(mixed):
    _, _, frame, out = mixed
    prep = json.loads((out / "preprocessing.json").read_text())
    kinds = {c["name"]: c["kind"] for c in prep["encoder"]["columns"]}
    assert kinds == {
        "amount": "numeric", "months": "numeric", "purpose": "nominal",
        "housing": "nominal",
    }  # fmt: skip
    assert not (out / model_folder.ENCODER).exists()  # no pickle
    from aos_keras.training import validation_split

    rows, _ = validation_split(frame["label"].to_numpy(), 0.2, 0)
    amount = {c["name"]: c for c in prep["encoder"]["columns"]}["amount"]
    # The training rows (80%) fitted it, not the validation rows.
    train = frame["amount"].iloc[rows]
    imputed = train.fillna(train.median())
    assert amount["mean"] == pytest.approx(imputed.mean())
    every = frame["amount"].fillna(frame["amount"].median())
    assert amount["mean"] != pytest.approx(every.mean())
    model, loaded = model_folder.load_folder(str(out))
    assert loaded["_encoder"] is model.preprocessor  # one object
    assert model.preprocessor.serving_spec() == prep["encoder"]


def test_folder_without_the_pickle_and_old_folders_with_it(mixed, tmp_path):
    """Folders are read from JSON: without encoder.joblib (item 7), and a
    0.3 folder whose model holds no preprocessor (its encoder.joblib is
    ignored, never unpickled)."""
    import shutil

    _, path, frame, out = mixed
    expected = None
    for case in ("new", "old"):
        folder = tmp_path / case
        shutil.copytree(out, folder)
        if case == "old":  # a 0.3 folder: pickle present, model bare
            (folder / model_folder.ENCODER).write_bytes(b"not a pickle")
            model, prep = model_folder.load_folder(str(folder))
            bare = type(model).from_config(
                {**model.get_config(), "preprocessor": None}
            )
            bare.set_weights(model.get_weights())
            bare.save(folder / "model.keras")
        model, prep = model_folder.load_folder(str(folder))
        features = frame.drop(columns=["label"])
        x = model_folder.transform(features[features.columns[::-1]], prep)
        proba = keras.ops.convert_to_numpy(model.classifier(x))
        if expected is None:
            expected = proba
        np.testing.assert_allclose(proba, expected, atol=1e-6)
        for argv in (
            ["evaluate", str(folder), str(path)],
            [
                "predict",
                str(folder),
                str(path),
                "--output",
                str(folder / "p.csv"),
            ],
            [
                "generate",
                str(folder),
                "--n",
                "3",
                "--output",
                str(folder / "g.csv"),
            ],
        ):
            assert cli.main(argv) == 0, argv


def test_a_03_folder_says_its_unknown_category_policy_is_lost(mixed, tmp_path):
    """A 0.3 folder kept its policy for unknown categories only in the
    pickle, which is no longer read: loading it says so instead of
    silently ignoring unknown categories."""
    import json
    import shutil

    out = mixed[3]
    folder = tmp_path / "old"
    shutil.copytree(out, folder)
    with open(folder / "preprocessing.json") as f:
        prep = json.load(f)
    prep["encoder"].pop("unknown", None)
    with open(folder / "preprocessing.json", "w") as f:
        json.dump(prep, f)
    model_folder.load_folder(str(folder))  # no pickle: nothing to say
    (folder / model_folder.ENCODER).write_bytes(b"not a pickle")
    with pytest.warns(UserWarning, match="unknown categories.*no longer"):
        model_folder.load_folder(str(folder))


def test_evaluate_and_generate_valid_rows(mixed, tmp_path, capsys):
    _, path, frame, out = mixed
    capsys.readouterr()
    assert cli.main(["evaluate", str(out), str(path)]) == 0
    assert json.loads(capsys.readouterr().out)["rows"] == 60
    synthetic = tmp_path / "synthetic.csv"
    argv = ["generate", str(out), "--n", "20", "--output", str(synthetic)]
    assert cli.main(argv) == 0
    rows = pd.read_csv(synthetic)
    assert list(rows.columns) == list(frame.columns)
    assert rows.dtypes.equals(frame.dtypes)
    assert rows["amount"].notna().all() and rows["housing"].notna().all()
    for label, group in rows.groupby("label"):
        real = frame[frame["label"] == label]
        # A convex combination votes among its class's anchors only.
        assert set(group["purpose"]) <= set(real["purpose"])
        assert set(group["housing"]) <= set(real["housing"].dropna())
    assert set(rows.loc[rows["label"] == "bad", "purpose"]) <= {"car", "tv"}


@pytest.mark.backend("tensorflow")
def test_served_graph_takes_raw_columns(mixed, tmp_path):
    import tensorflow as tf

    _, _, frame, out = mixed
    path = tmp_path / "serving" / "1"
    assert cli.main(["export", str(out), "-o", str(path)]) == 0
    model, prep = model_folder.load_folder(str(out))
    features = frame.drop(columns=["label"])
    serve = tf.saved_model.load(str(path)).signatures["serving_default"]
    inputs = {
        "amount": tf.constant(features["amount"], tf.float32),
        "months": tf.constant(features["months"], tf.float32),
        "purpose": tf.constant(features["purpose"].astype(str)),
        "housing": tf.constant(features["housing"].fillna("").astype(str)),
    }
    proba = serve(**inputs)["probabilities"].numpy()
    expected = keras.ops.convert_to_numpy(
        model(model_folder.transform(features, prep))
    )
    np.testing.assert_allclose(proba, expected, atol=1e-5)
    assert set(serve.structured_input_signature[1]) == set(inputs)


def test_wrappers_take_a_mixed_dataframe(mixed):
    from aos_keras import AOSClassifier
    from aos_keras.sklearn.sampler import AOSSampler
    from tests.conftest import TINY

    _, _, frame, _ = mixed
    X, y = frame.drop(columns=["label"]), frame["label"]
    model_kwargs = {k: v for k, v in TINY.items()}
    clf = AOSClassifier(
        epochs=1, batch_size=16, model_kwargs=model_kwargs, random_state=0
    ).fit(X, y)
    assert clf.preprocessor_.encoder.nominal_ == ["purpose", "housing"]
    assert clf.model_.preprocessor is clf.preprocessor_  # one object
    proba = clf.predict_proba(X)
    assert proba.shape == (60, 2)
    assert set(clf.predict(X)) <= {"good", "bad"}
    # Columns matched by name (issue 24, item 12): reordered, same numbers.
    np.testing.assert_array_equal(clf.predict_proba(X[X.columns[::-1]]), proba)
    with pytest.raises(ValueError, match=r"columns \['label'\] the model"):
        clf.predict_proba(frame)
    sampler = AOSSampler(
        epochs=1, batch_size=16, model_kwargs=model_kwargs, random_state=0
    )
    X_res, y_res = sampler.fit_resample(X, y)
    assert isinstance(X_res, pd.DataFrame) and X_res.dtypes.equals(X.dtypes)
    assert y_res.value_counts().to_dict() == {"good": 46, "bad": 46}
    new = X_res.iloc[len(X) :]
    pd.testing.assert_frame_equal(
        X_res.iloc[: len(X)].reset_index(drop=True), X.reset_index(drop=True)
    )
    assert new.notna().all().all()
    assert set(new["purpose"]) <= {"car", "tv"}  # the bad rows' categories


@pytest.mark.backend("tensorflow")
def test_aosclassifier_on_a_mixed_table_exports_named_columns(mixed, tmp_path):
    import tensorflow as tf

    from aos_keras import AOSClassifier, export_saved_model
    from tests.conftest import TINY

    _, _, frame, _ = mixed
    X, y = frame.drop(columns=["label"]), frame["label"]
    clf = AOSClassifier(epochs=1, model_kwargs=dict(TINY), random_state=0)
    clf.fit(X, y)
    export_saved_model(clf, tmp_path / "1")
    serve = tf.saved_model.load(str(tmp_path / "1")).signatures[
        "serving_default"
    ]
    proba = serve(
        amount=tf.constant(X["amount"], tf.float32),
        months=tf.constant(X["months"], tf.float32),
        purpose=tf.constant(X["purpose"].astype(str)),
        housing=tf.constant(X["housing"].fillna("").astype(str)),
    )["probabilities"].numpy()
    np.testing.assert_allclose(proba, clf.predict_proba(X), atol=1e-5)


def test_model_from_a_mixed_dataframe_takes_and_gives_tables(mixed, tmp_path):
    from aos_keras import AdversarialOversampler
    from tests.conftest import TINY

    _, _, frame, _ = mixed
    X, y = frame.drop(columns=["label"]), frame["label"].to_numpy()
    model = AdversarialOversampler.from_data(X, y, seed=0, **TINY)
    assert model.encoder.nominal_ == ["purpose", "housing"]
    assert model.generator.nominal_blocks == model.encoder.nominal_blocks_
    model.compile()
    model.fit(X, y, epochs=1, batch_size=16, validation_data=(X, y), verbose=0)
    proba = model.predict(X, verbose=0)
    assert proba.shape == (60, 2)
    rows, labels = model.sample({"bad": 6}, seed=0)
    assert list(rows.columns) == list(X.columns)
    assert rows.dtypes.equals(X.dtypes) and (labels == "bad").all()
    assert set(rows["purpose"]) <= {"car", "tv"}
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    np.testing.assert_allclose(loaded.predict(X, verbose=0), proba, atol=1e-6)
    assert loaded.encoder.spec == model.encoder.spec


def test_spec_encoder_equals_the_fitted_encoder(mixed):
    from aos_keras.tables.encoder import SpecEncoder, TableEncoder

    _, _, frame, _ = mixed
    X = frame.drop(columns=["label"])
    fitted = TableEncoder().fit(X)
    rebuilt = SpecEncoder(fitted.serving_spec())
    z = fitted.transform(X)
    np.testing.assert_allclose(rebuilt.transform(X), z, atol=1e-5)
    assert rebuilt.nominal_blocks_ == fitted.nominal_blocks_
    back = rebuilt.inverse_transform(z)
    pd.testing.assert_frame_equal(back, fitted.inverse_transform(z))


def test_cli_predict_writes_labels_and_probabilities(mixed, tmp_path):
    _, path, frame, out = mixed
    new = frame.drop(columns=["label"]).assign(row_id=range(60))
    new_path = tmp_path / "new.csv"
    new.to_csv(new_path, index=False)
    preds = tmp_path / "preds.csv"
    argv = ["predict", str(out), str(new_path), "--output", str(preds)]
    assert cli.main(argv + ["--keep", "row_id"]) == 0
    table = pd.read_csv(preds)
    assert list(table.columns) == ["row_id", "prediction", "p[bad]", "p[good]"]
    assert table["row_id"].tolist() == list(range(60))  # input order
    np.testing.assert_allclose(table[["p[bad]", "p[good]"]].sum(1), 1, 1e-5)
    best = np.where(table["p[bad]"] > table["p[good]"], "bad", "good")
    assert (table["prediction"] == best).all()


def test_cli_impute_and_strict_categories(mixed, tmp_path, capsys):
    _, path, frame, _ = mixed
    out = tmp_path / "strict"
    argv = ["train", str(path), "--label", "label", "--output", str(out)]
    argv += ["--impute", "mean", "--unknown-categories", "error"]
    assert cli.main(argv + TINY_ARGS) == 0
    prep = json.loads((out / "preprocessing.json").read_text())
    assert prep["encoder"]["unknown"] == "error"  # in the JSON spec
    assert not (out / model_folder.ENCODER).exists()
    amount = prep["encoder"]["columns"][0]
    assert amount["fill"] == pytest.approx(amount["mean"])  # mean imputed
    new = frame.assign(purpose="boat")  # a category training never saw
    new_path = tmp_path / "boat.csv"
    new.to_csv(new_path, index=False)
    capsys.readouterr()
    assert cli.main(["evaluate", str(out), str(new_path)]) == 2
    err = capsys.readouterr().err
    assert "unknown" in err.lower() and "Traceback" not in err


def test_cli_dates_are_named_and_max_categories_is_an_option(tmp_path, capsys):
    """Issue 24 item 11 through the command line."""
    n = 40
    frame = pd.DataFrame(
        {
            "x": np.arange(n) * 0.1,
            "when": pd.date_range("2021-01-01", periods=n).astype(str),
            "label": ["a", "b"] * (n // 2),
        }
    )
    path = tmp_path / "dates.csv"
    frame.to_csv(path, index=False)
    argv = ["train", str(path), "--label", "label", *TINY_ARGS]
    argv += ["--max-categories", "10", "--output", str(tmp_path / "run")]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert "date column" in err and "--max-categories" in err
    assert "Traceback" not in err
    argv[argv.index("10")] = "50"
    assert cli.main(argv) == 0
