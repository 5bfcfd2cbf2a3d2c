"""The report files of `compare` in an output folder.

A report is a set of files with fixed names (`table_files`, `suite_files`)
written by one compare: each file atomically, the set under the folder's
lock (`claim`), and a file of the set that this compare does not write
(the figure, with `plot=False` or without matplotlib) is removed, so no
file of an earlier report is left beside the new one. Only files that
compare wrote are replaced or removed: a file of the same name that it
did not write (a user's `report.md`) stops the write with a message, and
so does a model folder. The run cache (`runs/` by default) is kept: it
makes a second compare cheap.
"""

import contextlib
import os

from aos_keras.saving import io

# The lock file is `.compare.lock` inside the folder (`io.exclusive`), so a
# folder whose parent cannot be written (`-o .`) can still hold one.
LOCK_NAME = "compare"
# Entries that mark the folders of other commands (a model folder of
# `aos-keras train`, a SavedModel of `aos-keras export`).
OTHER_OUTPUTS = ("model.keras", "preprocessing.json", "saved_model.pb")
# How compare's files begin: a report's Markdown, its tidy runs table, and
# a figure drawn by matplotlib (PNG text chunk `Software`).
MARKDOWN_HEAD = b"# Compare: "
CSV_HEAD = b"table,method,split,"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_SOFTWARE = b"tEXtSoftware\x00Matplotlib"


def table_files():
    """The report files of one table: `runs.csv`, `report.md`, the figure."""
    return ("runs.csv", "report.md", "scores.png")


def suite_files(stem="suite"):
    """The report files of a suite: `{stem}.csv`, `{stem}.md`, the figure."""
    return (f"{stem}.csv", f"{stem}.md", f"{stem}_cd.png")


def written_by_compare(path):
    """Whether the file at `path` looks like one compare wrote.

    A `.md` file is compare's when it starts with `# Compare: `, a `.csv`
    file when its header starts with `table,method,split,`, a `.png` when
    matplotlib drew it (every figure of compare is; a user's own figure
    drawn by matplotlib under the same name is taken for compare's).

    Args:
        path: str. An existing file.

    Returns:
        bool. False for a folder, a link or any other file.
    """
    if os.path.islink(path) or not os.path.isfile(path):
        return False
    with open(path, "rb") as f:
        head = f.read(512)
    if path.endswith(".png"):
        return head.startswith(PNG_SIGNATURE) and PNG_SOFTWARE in head
    if path.endswith(".md"):
        return head.startswith(MARKDOWN_HEAD)
    return path.endswith(".csv") and head.startswith(CSV_HEAD)


def check_folder(out_dir, names):
    """Refuse a folder that a report of `names` must not be written into.

    Args:
        out_dir: str. The output folder (it may not exist yet).
        names: the report's file names.

    Raises:
        FileExistsError: `out_dir` is a file, the folder of another
            command (a model folder), or holds an entry named like a
            report file that compare did not write; the message says
            what to do.
    """
    if not os.path.lexists(out_dir):
        return
    if not os.path.isdir(out_dir):
        raise FileExistsError(f"{out_dir} is a file, not a folder.")
    entries = set(os.listdir(out_dir))
    other = [e for e in OTHER_OUTPUTS if e in entries]
    if other:
        raise FileExistsError(
            f"{out_dir} is the output folder of another command (it holds "
            f"{other[0]}); give compare a folder of its own."
        )
    foreign = [
        n for n in names
        if n in entries and not written_by_compare(os.path.join(out_dir, n))
    ]  # fmt: skip
    if foreign:
        raise FileExistsError(
            f"{out_dir} holds {', '.join(foreign)}, which compare did not "
            f"write; its report ({', '.join(names)}) would replace "
            f"{'them' if len(foreign) > 1 else 'it'}. Choose another output "
            "folder, or move those files away."
        )


@contextlib.contextmanager
def claim(out_dir):
    """Hold `out_dir`'s lock: one compare writes a folder at a time.

    The folder is created if missing, and removed again if it is still
    empty at the end (a compare that failed before writing anything).
    Re-entrant in a process (the command line holds it for the whole
    compare, `write_report` again around the writes).

    Raises:
        aos_keras.saving.io.FolderInUseError: another process holds it; the
            message names `out_dir` and that process's ID.
    """
    created = not os.path.isdir(out_dir)
    try:
        with contextlib.ExitStack() as stack:
            try:
                stack.enter_context(io.exclusive(_lock(out_dir)))
            except io.FolderInUseError as err:
                raise io.FolderInUseError(out_dir, err.holder) from None
            yield
    finally:
        if created:
            with contextlib.suppress(OSError):
                os.rmdir(out_dir)  # only if empty


def _lock(out_dir):
    return os.path.join(out_dir, LOCK_NAME)


def write_report(out_dir, names, texts, figure=None):
    """Write one report: its texts and figure; remove its stale files.

    Under the folder's lock, the folder is checked (`check_folder`), each
    text is written atomically, then the figure; a file of `names` not
    written this time is removed when compare wrote it (an earlier
    report's figure), so every file of the set comes from this report.

    Args:
        out_dir: str. The output folder (created if missing).
        names: every file name of the report (`table_files()`, ...).
        texts: dict mapping a file name to its text, in writing order.
        figure: `(name, draw)` or None: `draw(path)` writes the PNG and
            returns the path, or None when it could not (no matplotlib).

    Returns:
        list of the paths written.

    Raises:
        FileExistsError: see `check_folder`; `io.FolderInUseError`.
    """
    os.makedirs(out_dir, exist_ok=True)
    with claim(out_dir):
        check_folder(out_dir, names)
        paths = []
        for name, text in texts.items():
            paths.append(os.path.join(out_dir, name))
            io.write_text(paths[-1], text)
        if figure is not None:
            drawn = figure[1](os.path.join(out_dir, figure[0]))
            paths += [drawn] if drawn else []
        _remove_stale(out_dir, names, paths)
    return paths


def _remove_stale(out_dir, names, written):
    """Remove the report files compare wrote before and did not now."""
    kept = {os.path.basename(p) for p in written}
    for name in names:
        path = os.path.join(out_dir, name)
        if name not in kept and written_by_compare(path):
            os.remove(path)
