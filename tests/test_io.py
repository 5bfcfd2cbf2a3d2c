import os
import stat

import pytest

from aos_keras.saving import io

pytestmark = pytest.mark.backend_independent


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_atomic_files_and_folders_get_ordinary_permissions(tmp_path):
    umask = os.umask(0o022)
    try:
        io.write_text(tmp_path / "a.txt", "x")
        assert _mode(tmp_path / "a.txt") == 0o644  # not mkstemp's 0600
        with io.atomic_dir(tmp_path / "model") as tmp:
            open(os.path.join(tmp, "f"), "w").close()
        assert _mode(tmp_path / "model") == 0o755  # readable by a server
    finally:
        os.umask(umask)


def test_atomic_dir_replaces_only_with_overwrite(tmp_path):
    target = tmp_path / "out"
    with io.atomic_dir(target) as tmp:
        open(os.path.join(tmp, "old"), "w").close()
    with pytest.raises(FileExistsError, match="overwrite=True"):
        with io.atomic_dir(target):
            pass
    with pytest.raises(RuntimeError):
        with io.atomic_dir(target, overwrite=True, own={"old"}) as tmp:
            open(os.path.join(tmp, "new"), "w").close()
            raise RuntimeError("killed mid-write")
    assert os.listdir(target) == ["old"]  # untouched by the failed write
    with io.atomic_dir(target, overwrite=True, own={"old"}) as tmp:
        open(os.path.join(tmp, "new"), "w").close()
    assert os.listdir(target) == ["new"]
    assert sorted(os.listdir(tmp_path)) == ["out"]  # no temp folder left
