"""The `aos-keras` console script, quick to start.

`import aos_keras` imports Keras and its backend (2 to 5 s), so that every
Keras-serialisable class of the package is registered. The command line
needs none of it to parse its arguments: `main` imports `aos_keras.cli`
with the package's public names deferred to their first use, parses, sets
the backend asked for, and only then imports the rest (`aos_keras.cli.main`
does). `--help` and argument errors answer without Keras.

This module lives outside the package: importing anything inside it would
run `aos_keras/__init__.py` first.
"""

import os
import sys

# Read by `aos_keras/__init__.py` (`_DEFER_FLAG`); set only while
# `aos_keras.cli` is imported, so no child process inherits it.
_DEFER_FLAG = "_AOS_KERAS_DEFER_IMPORTS"


def main(argv=None):
    """Run `aos-keras` on `argv` (default `sys.argv[1:]`); the exit status."""
    previous = os.environ.get(_DEFER_FLAG)
    os.environ[_DEFER_FLAG] = "1"
    try:
        from aos_keras import cli
    finally:
        if previous is None:
            del os.environ[_DEFER_FLAG]
        else:
            os.environ[_DEFER_FLAG] = previous
    return cli.main(argv)


if __name__ == "__main__":
    sys.exit(main())
