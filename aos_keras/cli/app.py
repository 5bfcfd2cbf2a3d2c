"""`main`: parse, check, start the backend, run one command, and turn
every user error into one line and an exit status."""

import importlib
import sys

from aos_keras._backends import BackendMissingError
from aos_keras.cli import startup
from aos_keras.cli.common import LOG, CLIError, as_options
from aos_keras.cli.parser import build_parser, resolve_old_spellings

# Errors of a command that are the user's input (a bad cell, a missing
# file, a failed write: the atomic writes left nothing half-written).
USER_ERRORS = (CLIError, ValueError, TypeError, OSError)


def main(argv=None, model_class=None):
    """Run the command line on `argv`; returns the exit status.

    The arguments are parsed, and `train`'s settings, run options and table
    checked, before Keras is imported: `--help` and a wrong argument answer
    at once. `--backend` sets `KERAS_BACKEND` for the import that follows.
    The backend starts and runs with its own log lines hidden (TensorFlow's
    C++ and Python logs) unless `--backend-logs`; Python warnings are log
    lines (`aos-keras: warning: ...`, hidden by `-qq`). Exit status: 0, 1
    (a failure that is not the input's: a missing package, an internal
    error, shown in one line, its traceback with `-v`), 2 (a usage or
    input error), 130/143 (Ctrl-C, SIGTERM).

    Args:
        argv: list of str or None (`sys.argv[1:]`).
        model_class: a subclass of `AdversarialOversampler` that `train`
            builds (its `config_class` gives `train` its options), or None.

    Example:
    >>> main(["evaluate", "run1", "test.csv"])
    0
    """
    try:
        return _main(argv, model_class)
    except KeyboardInterrupt:
        sys.stderr.write("\naos-keras: interrupted (Ctrl-C)\n")
        return 130


def _main(argv, model_class):
    argv = startup.global_first(list(sys.argv[1:] if argv is None else argv))
    args = build_parser(model_class).parse_args(argv)
    startup.setup_logging(args.verbose, args.quiet)
    command = importlib.import_module(f"aos_keras.cli.{args.command}")
    try:
        with startup.warnings_to_log():
            return _checked_run(command, args)
    except USER_ERRORS as err:
        return _fail(args, as_options(str(err)), 2)
    except BackendMissingError as err:  # its message says what to install
        return _fail(args, str(err), 1)
    except ImportError as err:
        missing = getattr(err, "name", None) or "a package"
        return _fail(
            args, f"{err} (install {missing}: pip install {missing})", 1
        )
    except Exception as err:  # a bug: one line, the traceback with -v
        text = f"{type(err).__name__}: {err} (an internal error; -v shows "
        return _fail(args, text + "the traceback, please report it)", 1)


def _checked_run(command, args):
    for line in resolve_old_spellings(args):  # `--out`: one line each
        LOG.warning(line)
    if args.threads is not None and args.threads < 1:
        raise CLIError("--threads must be at least 1")
    if args.backend:
        startup.use_backend(args.backend)
    check = getattr(command, "check", None)
    if check is not None:  # before the backend is imported
        args.checked = check(args)
    return _run(command, args) or 0


def _fail(args, message, status):
    """One line on stderr (the traceback too with -v); the exit status."""
    LOG.debug("the error's traceback:", exc_info=True)
    print(f"aos-keras {args.command}: error: {message}", file=sys.stderr)
    return status


def _run(command, args):
    """Import Keras (quietly), then run the command."""
    names = startup.quiet_backend(show_logs=args.backend_logs)
    with startup.quiet_imports(names):
        startup.load_package(quiet=not args.backend_logs)
        startup.set_torch_threads(args.threads)
        return command.run(args)
