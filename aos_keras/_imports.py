"""Import hooks: run code around, or after, the first import of a module.

Two users: `aos_keras/__init__.py` registers the package's Keras classes
as soon as Keras is imported (so `import aos_keras` stays cheap, and
`keras.saving.load_model` still finds the classes), and the command line
hides what TensorFlow writes to stderr while it is imported.

A `LoaderHook` is a `sys.meta_path` finder: it finds the modules it
watches as usual and wraps their loader for the one import; the original
loader is put back on the module afterwards.
"""

import contextlib
import importlib.abc
import importlib.util
import sys


class LoaderHook(importlib.abc.MetaPathFinder):
    """Watch the first import of some modules.

    Args:
        watches: callable `name -> bool`, the modules to watch.
        around: callable `name -> context manager` entered around the
            module's execution, or None.
        after: callable `() -> None` run after a watched module was
            imported, when no other watched import is still running (the
            outermost one ended), or None.

    Example:
    >>> hook = LoaderHook(lambda name: name == "noisy", around=quiet)
    >>> hook.install()
    """

    def __init__(self, watches, around=None, after=None):
        self.watches = watches
        self.around = around
        self.after = after
        self.depth = 0
        self._searching = False

    def install(self):
        """Put the hook first in `sys.meta_path`; returns it."""
        sys.meta_path.insert(0, self)
        return self

    def remove(self):
        """Take the hook out of `sys.meta_path` (no error if absent)."""
        if self in sys.meta_path:
            sys.meta_path.remove(self)

    def find_spec(self, name, path, target=None):
        if self._searching or not self.watches(name):
            return None
        self._searching = True  # the search below must not find us again
        try:
            spec = importlib.util.find_spec(name)
        finally:
            self._searching = False
        if spec is not None and spec.loader is not None:
            spec.loader = _Loader(spec.loader, self)
        return spec


class _Loader(importlib.abc.Loader):
    """A module's own loader, run inside its hook."""

    def __init__(self, loader, hook):
        self.loader = loader
        self.hook = hook

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        hook = self.hook
        around = hook.around or (lambda name: contextlib.nullcontext())
        hook.depth += 1
        try:
            module.__spec__.loader = module.__loader__ = self.loader
            with around(module.__name__):
                self.loader.exec_module(module)
        finally:
            hook.depth -= 1
        if hook.after is not None and hook.depth == 0:
            hook.after()

    def __getattr__(self, name):  # get_code, get_source, is_package, ...
        return getattr(self.loader, name)


class ModuleAliases(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Earlier paths of moved modules, answered with the modules themselves.

    `import aos_keras.model` (or a pickle naming `aos_keras.model`) gets the
    module `aos_keras.game.model`: the same object, so its classes are the
    same classes. Looked up first (so that no stale file of an earlier
    install answers instead), only for the paths in `aliases`.

    Args:
        aliases: mapping, earlier module path -> module path now.

    Example:
    >>> ModuleAliases({"pkg.old": "pkg.room.new"}).install()
    """

    def __init__(self, aliases):
        self.aliases = dict(aliases)
        self._specs = {}

    def install(self):
        """Put the finder first in `sys.meta_path`; returns it."""
        sys.meta_path.insert(0, self)
        return self

    def find_spec(self, name, path, target=None):
        if name not in self.aliases:
            return None
        return importlib.util.spec_from_loader(name, self)

    def create_module(self, spec):
        module = importlib.import_module(self.aliases[spec.name])
        self._specs[spec.name] = module.__spec__
        return module

    def exec_module(self, module):
        # The import system has set the alias's spec on the module: put the
        # module's own spec and loader back.
        for name, spec in list(self._specs.items()):
            if spec.name == module.__name__:
                module.__spec__ = self._specs.pop(name)
                module.__loader__ = spec.loader
