"""A description of the machine and the packages, for report headers."""

import importlib.metadata
import os
import platform


def machine():
    """A one-line description of this machine.

    Returns:
        str: CPU model, CPU count, memory and Python version.
    """
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            kib = int(f.readline().split()[1])
        mem = f", {kib / 2**20:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{cpu}, {os.cpu_count()} CPUs{mem}, Python " + (
        platform.python_version()
    )


def versions(names=("keras", "tensorflow-cpu", "jax", "torch", "numpy")):
    """Versions of the installed packages among `names`.

    Args:
        names: tuple of str. Distribution names; missing ones are skipped.

    Returns:
        str: "name version, ..." of those installed.
    """
    found = []
    for name in names:
        try:
            found.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            pass
    return ", ".join(found)
