"""The public names and the module paths users and pickles know."""

import importlib
import pickle
import warnings

import pytest

import aos_keras

pytestmark = pytest.mark.backend_independent

# `aos_keras.__all__` of 0.5.0, the flat layout.
NAMES_050 = (
    "ACSA DATASETS AOSClassifier AOSSampler AdversarialOverSampler "
    "AdversarialOversampler CWIGenerator Classifier ComplementCrossEntropy "
    "Critic GameConfig EvaluationCallback GeometricMean NonFiniteGuard "
    "NonFiniteLossError ResumableBackup TableEncoder TablePreprocessor acsa "
    "class_distribution class_targets compare compare_suite "
    "complement_cross_entropy complement_entropy cross_entropy "
    "export_saved_model geometric_mean gradient_penalty least_squares "
    "load_dataset per_class_recall split_table"
).split()
# Module path of the flat layout -> (module now, a name it holds).
MOVED = {
    "model": ("game.model", "AdversarialOversampler"),
    "model_entry": ("game.model", "model_rows"),
    "model_compile": ("game.model", "OPTIMIZERS"),
    "config": ("game.config", "GameConfig"),
    "settings": ("game.config", "setting"),
    "sampling": ("game.sampling", "class_targets"),
    "upgrade": ("game.upgrade", "upgrade_saved_model"),
    "schedule": ("game.schedule", "train_step"),
    "preprocessing": ("tables.preprocessing", "TablePreprocessor"),
    "spec_encoder": ("tables.spec_encoder", "SpecEncoder"),
    "reader": ("tables.reader", "read_table"),
    "validation": ("tables.checks", "check_features"),
    "labels": ("tables.labels", "check_target"),
    "io": ("saving.io", "atomic_path"),
    "export": ("saving.export", "export_saved_model"),
    "model_folder": ("cli.model_folder", "load_folder"),
    "sampler": ("sklearn.sampler", "AOSSampler"),
}


@pytest.mark.parametrize("name", NAMES_050)
def test_every_public_name_of_the_flat_layout_imports(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        assert getattr(aos_keras, name) is not None


@pytest.mark.parametrize("old", sorted(MOVED))
def test_an_earlier_module_path_is_the_module_now(old):
    new, name = MOVED[old]
    module = importlib.import_module(f"aos_keras.{old}")
    assert module is importlib.import_module(f"aos_keras.{new}")
    assert module.__name__ == module.__spec__.name == f"aos_keras.{new}"
    assert hasattr(module, name)


def test_a_pickle_naming_an_earlier_path_loads():
    from aos_keras.sklearn.sampler import AOSSampler
    from aos_keras.tables.preprocessing import TablePreprocessor

    for old, cls in (
        ("preprocessing", TablePreprocessor),
        ("sampler", AOSSampler),
        ("sklearn", aos_keras.AOSClassifier),
    ):
        stream = f"caos_keras.{old}\n{cls.__name__}\n.".encode()
        assert pickle.loads(stream) is cls


def test_the_misspelt_alias_is_deprecated_and_not_public():
    assert "AdversarialOverSampler" not in aos_keras.__all__
    assert "AOSSampler" in aos_keras.__all__
    with pytest.warns(DeprecationWarning, match="AOSSampler"):
        alias = aos_keras.AdversarialOverSampler
    assert issubclass(alias, aos_keras.AOSSampler)
