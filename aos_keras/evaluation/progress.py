"""compare's progress on a terminal: a bar; elsewhere, plain lines.

compare reports through one callable, its `log`: the estimate line before
the first run ("... N to run." and `costs.estimate_line`), then one line
per finished run (`executor.progress_line`, "[i/n] ... ETA ..."). Within
`progress_log`, on a terminal, those lines drive a `rich` bar (runs done
of the total, elapsed, ETA; it stops at the last run) and every other line
is logged above it; not
on a terminal (a pipe, CI, a log file) the lines are logged as they come.

Example:
>>> with progress_log() as log:
...     result = aos_keras.compare(X, y, log=log)
"""

import contextlib
import logging
import re
import sys

LOGGER = logging.getLogger("aos_keras.evaluation")
RUN_LINE = re.compile(r"^\[(\d+)/(\d+)\] ")
TO_RUN = re.compile(r"; (\d+) to run\b")


@contextlib.contextmanager
def progress_log(log=None, *, stream=None, bar=None):
    """Within: the `log` callable to give compare.

    Args:
        log: callable or None. Where the lines go (`LOGGER.info` by
            default, the logger `"aos_keras.evaluation"`).
        stream: file or None. The terminal of the bar. Defaults to
            `sys.stderr`.
        bar: bool or None. None: a bar when `stream` is a terminal;
            False: plain lines (`-q`, a pipe); True: a bar.

    Yields:
        callable taking one line.
    """
    log = log or LOGGER.info
    stream = stream or sys.stderr
    if bar is None:
        bar = bool(getattr(stream, "isatty", lambda: False)())
    if not bar:
        yield log
        return
    with _Bar(log, stream) as display:
        yield display


class _Bar:
    """A rich progress bar fed by compare's log lines."""

    def __init__(self, log, stream):
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.log = log
        self.progress = Progress(
            TextColumn("compare"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("runs"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=Console(file=stream),
            transient=False,
        )
        self.task = self.progress.add_task("compare", total=None)
        self.handlers, self.running = [], False

    def __enter__(self):
        terminal = sys.stderr
        self.progress.start()
        self.running = True
        # Log lines go above the bar: the handlers writing to stderr write
        # to rich's proxy of it (rich's redirection) while the bar shows.
        proxy = sys.stderr
        if proxy is not terminal:
            for handler in _stream_handlers():
                if handler.stream is terminal:
                    self.handlers.append((handler, handler.setStream(proxy)))
        return self

    def __exit__(self, *exc):
        self.finish()
        return False

    def finish(self):
        """Stop the bar (it stays on screen) and give the terminal back:
        what follows the last run (the summary, the files written) is
        written as usual."""
        if not self.running:
            return
        self.running = False
        self.progress.stop()
        for handler, stream in self.handlers:
            handler.setStream(stream)

    def __call__(self, line):
        run = RUN_LINE.match(line)
        if run is None:
            total = TO_RUN.search(line)
            if total is not None:
                self.progress.update(self.task, total=int(total.group(1)))
            self.log(line)
            return
        done, total = int(run.group(1)), int(run.group(2))
        self.progress.update(self.task, completed=done, total=total)
        if done == total:
            self.finish()


def _stream_handlers():
    """The stream handlers of the package's loggers and of the root."""
    loggers = (logging.getLogger("aos_keras"), logging.getLogger())
    return [
        h
        for logger in loggers
        for h in logger.handlers
        if isinstance(h, logging.StreamHandler)
        and not isinstance(h, logging.FileHandler)
    ]
