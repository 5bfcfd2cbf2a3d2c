"""Resident memory of this process (Linux)."""

import os
import resource


def peak_rss_mib():
    """Peak resident memory of this process so far, in MiB.

    Returns:
        float: `ru_maxrss` (KiB on Linux) in MiB. A child process starts
        with its parent's peak (it survives fork and exec).
    """
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mib():
    """Current resident memory of this process, in MiB.

    Returns:
        float: from `/proc/self/statm`, NaN where it cannot be read.
    """
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError):
        return float("nan")
