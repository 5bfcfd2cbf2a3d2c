"""The runs of a compare on a Dask or Ray cluster named by its address.

`compare(..., cluster=ADDRESS)` and `aos-keras compare --cluster ADDRESS`
send every run to the cluster directly (no joblib): each table once
(Dask's `Client.scatter`, Ray's `ray.put`), each run as a small pickled
`RunSpec` without its table, and the records come back as the runs end.

The address (`parse_address`):

- Dask: the scheduler's address as Dask writes it, `tcp://host:port`
  (also `tls://`, `inproc://`, `ucx://`, `ws://`, `wss://`), or
  `dask://host:port` for `tcp://host:port`;
- Ray: `ray://host:port` (Ray Client, the head's client server, port
  10001 by default) or `ray:auto` (the cluster this machine belongs to,
  `ray.init(address="auto")`; `RAY_ADDRESS` when set). A Python session
  where Ray is initialised already uses that connection.

Dask and Ray are imported only here, and only when asked for (`pip
install "aos_keras[distributed]"`); `parse_address` imports neither, nor
Keras (the command line checks the address before Keras starts).
"""

import contextlib
import dataclasses
import os
import pickle

from aos_keras.evaluation.worker import run_in_worker

DASK_SCHEMES = ("tcp", "tls", "inproc", "ucx", "ws", "wss")
EXAMPLES = (
    "tcp://scheduler:8786, dask://scheduler:8786, ray://head:10001 or ray:auto"
)


@dataclasses.dataclass(frozen=True)
class Address:
    """A parsed `--cluster` address.

    Attributes:
        kind: `"dask"` or `"ray"`.
        target: str. What the kind's client connects to: a Dask scheduler
            address, `ray://host:port`, or `"auto"`.
    """

    kind: str
    target: str


def parse_address(text):
    """The cluster that `text` names.

    Args:
        text: str. `tcp://host:port` (or another Dask scheme),
            `dask://host:port`, `ray://host:port` or `ray:auto`.

    Returns:
        An `Address`.

    Raises:
        ValueError: `text` names no Dask or Ray cluster; the message shows
            the forms accepted.

    Example:
    >>> parse_address("dask://10.0.0.5:8786")
    Address(kind='dask', target='tcp://10.0.0.5:8786')
    """
    scheme, sep, rest = str(text).partition("://")
    if sep and rest:
        if scheme in DASK_SCHEMES:
            return Address("dask", text)
        if scheme == "dask":
            return Address("dask", f"tcp://{rest}")
        if scheme == "ray":
            return Address("ray", text)
    if text == "ray:auto":
        return Address("ray", "auto")
    raise ValueError(
        f"cluster address {text!r} names no Dask scheduler or Ray cluster; "
        f"give one of the forms {EXAMPLES}"
    )


def split_payloads(runs):
    """Each run pickled without its table; the tables, once each.

    Args:
        runs: list of `RunSpec`.

    Returns:
        `(payloads, tables, which)`: `payloads[i]` the bytes of run `i`
        without its `data`, `tables` the distinct `data` tuples, and
        `which[i]` the index in `tables` of run `i`'s.
    """
    tables, index, payloads, which = [], {}, [], []
    for run in runs:
        if id(run.data) not in index:
            index[id(run.data)] = len(tables)
            tables.append(run.data)
        which.append(index[id(run.data)])
        payloads.append(pickle.dumps(_absolute(run.without_data())))
    return payloads, tables, which


def _absolute(run):
    """The run with an absolute cache path: a worker's folder differs."""
    if run.path is None:
        return run
    return dataclasses.replace(run, path=os.path.abspath(run.path))


def each_record(runs, address, jax_cache=None):
    """Run `runs` on the cluster at `address`; yield `(tag, record)` as
    each ends.

    Args:
        runs: list of `RunSpec`.
        address: str or `Address`.
        jax_cache: str or None. The workers' JAX compile cache folder.

    Raises:
        ValueError: a bad address.
        ImportError: Dask's `distributed` (or Ray) is not installed; the
            message says what to install.
    """
    import keras  # here: `parse_address` serves checks made before Keras

    if not isinstance(address, Address):
        address = parse_address(address)
    payloads, tables, which = split_payloads(runs)
    common = (keras.backend.backend(), jax_cache, os.getpid())
    submit = _on_dask if address.kind == "dask" else _on_ray
    yield from submit(address.target, payloads, tables, which, common)


def _import(name, what):
    try:
        return __import__(name)
    except ImportError as err:
        raise ImportError(
            f"--cluster {what} needs {name}: pip install "
            '"aos_keras[distributed]"'
        ) from err


def _on_dask(target, payloads, tables, which, common):
    distributed = _import("distributed", "on Dask")
    with distributed.Client(target) as client:
        refs = [client.scatter([table])[0] for table in tables]
        futures = [
            client.submit(run_in_worker, payload, *common, refs[t], pure=False)
            for payload, t in zip(payloads, which)
        ]
        try:
            for future in distributed.as_completed(futures):
                yield future.result()
        finally:  # stopped early: the runs under way are abandoned
            client.cancel(futures)


def _on_ray(target, payloads, tables, which, common):
    ray = _import("ray", "on Ray")
    with _ray_connected(ray, target):
        refs = [ray.put(table) for table in tables]
        remote = ray.remote(num_cpus=1)(run_in_worker)
        pending = [
            remote.remote(payload, *common, refs[t])
            for payload, t in zip(payloads, which)
        ]
        try:
            while pending:
                done, pending = ray.wait(pending, num_returns=1)
                yield ray.get(done[0])
        finally:
            for ref in pending:
                with contextlib.suppress(Exception):
                    ray.cancel(ref, force=True)


@contextlib.contextmanager
def _ray_connected(ray, target):
    """Within: connected to Ray at `target` (or to the session's own
    connection, left open); a connection made here is closed after."""
    if ray.is_initialized():
        yield
        return
    ray.init(address=target, log_to_driver=False)
    try:
        yield
    finally:
        ray.shutdown()
