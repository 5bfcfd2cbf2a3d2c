"""An op-level profile of a compiled JAX step: time, FLOPs and source.

`jax.profiler` records how long each XLA operation of a compiled function
ran (a Perfetto trace, read here with `json`); the compiled module's HLO
text says what each operation is: its output shape, the matrix products
fused into it (whose FLOPs follow from their shapes) and the Python line
that made it (walked up to the first frame in `aos_keras`, which names the
player). Together they say where the time of a step goes and how fast each
part runs against the machine's matmul peak.
"""

import collections
import glob
import gzip
import json
import math
import os
import re
import tempfile

_SHAPE = re.compile(r"^[a-z0-9]+\[([0-9,]*)\]")
_INSTRUCTION = re.compile(
    r"^\s*(?:ROOT )?%(?P<name>[\w.\-]+) = (?P<shape>\S+) (?P<op>[\w\-]+)\("
    r"(?P<args>[^)]*)\)(?P<rest>.*)$"
)
_COMPUTATION = re.compile(r"^(?:ENTRY )?%(?P<name>[\w.\-]+) .*\{$")
_TABLE_ROW = re.compile(r"^(\d+) (.*)$")


def _dims(shape):
    """`[a, b]` of an HLO shape such as `f32[a,b]{1,0}` (tuples: [])."""
    match = _SHAPE.match(shape)
    if not match or not match.group(1):
        return []
    return [int(v) for v in match.group(1).split(",")]


def _tables(text):
    """The stack-frame tables at the top of an HLO module's text."""
    tables, current = {}, None
    for line in text.splitlines():
        if line in (
            "FileNames",
            "FunctionNames",
            "FileLocations",
            "StackFrames",
        ):
            current = tables.setdefault(line, {})
        elif not line.strip():
            current = None
        elif current is not None:
            match = _TABLE_ROW.match(line)
            if match:
                current[int(match.group(1))] = match.group(2)
    return tables


def _frames_of(frame_id, tables, package="aos_keras"):
    """`file.py:function` of each frame inside `package`, innermost first."""
    files = tables.get("FileNames", {})
    functions = tables.get("FunctionNames", {})
    locations = tables.get("FileLocations", {})
    frames = tables.get("StackFrames", {})
    chain, seen = [], set()
    while frame_id in frames and frame_id not in seen:  # innermost first
        seen.add(frame_id)
        frame = dict(re.findall(r"(\w+)=(\d+)", frames[frame_id]))
        where = locations.get(int(frame["file_location_id"]), "")
        location = dict(re.findall(r"(\w+)=(\d+)", where))
        path = files.get(int(location.get("file_name_id", -1)), "")
        path = path.strip('"')
        if f"/{package}/" in path and "/bench/" not in path:
            function = functions.get(int(location["function_name_id"]), "")
            chain.append(f"{os.path.basename(path)}:{function.strip(chr(34))}")
        # The text prints a frame's parent as its id + 1 (0: no parent).
        frame_id = int(frame.get("parent_frame_id", 0)) - 1
    return chain


# Frames that say how, not what: skipped when naming an op's source.
_GENERIC = ("backend.py:call_layer", "schedule.py:_per_replica")
_PHASES = ("critic_update", "generator_update", "classifier_update")


def _source_of(chain):
    """`(phase, function)`: the player's update and the op's own function."""
    phase = next(
        (
            f.split(":")[1]
            for f in reversed(chain)
            if f.startswith("schedule.py:") and f.split(":")[1] in _PHASES
        ),
        "outside the updates",
    )
    own = next((f for f in chain if f not in _GENERIC), "other")
    return phase, own


def hlo_ops(text):
    """Every operation of an HLO module, with its matmul FLOPs and source.

    Args:
        text: str, `compiled.as_text()` of a JAX-compiled function.

    Returns:
        dict: name of each operation (an instruction outside fused
        computations) -> `{"op", "shape", "flops", "phase",
        "source"}`, where `flops` counts the multiply-adds (2 per) of every
        `dot` in the instruction or in the computations it fuses, `phase`
        is the player update of `aos_keras.game.schedule` that made it
        (`critic_update`, `generator_update`, `classifier_update`, or
        `"outside the updates"`) and `source` the innermost `aos_keras`
        function (`"other"` if none).

    Example:
    >>> ops = hlo_ops(jax.jit(f).lower(x).compile().as_text())
    """
    tables = _tables(text)
    computations = collections.defaultdict(list)  # name -> instructions
    current = None
    for line in text.splitlines():
        match = _COMPUTATION.match(line)
        if match:
            current = match.group("name")
            continue
        if line.startswith("}"):
            current = None
            continue
        match = _INSTRUCTION.match(line)
        if match and current is not None:
            computations[current].append(match.groupdict())

    def dot_flops(instr, shapes):
        out = _dims(instr["shape"])
        lhs = instr["args"].split(",")[0].strip().lstrip("%")
        lhs_dims = shapes.get(lhs, [])
        contract = re.search(
            r"lhs_contracting_dims=\{([0-9,]*)\}", instr["rest"]
        )
        k = 1
        if contract and contract.group(1):
            k = math.prod(
                lhs_dims[int(i)] for i in contract.group(1).split(",")
            )
        return 2 * math.prod(out) * k

    flops_of = {}

    def computation_flops(name, stack=()):
        if name in flops_of:
            return flops_of[name]
        if name in stack:
            return 0
        total = 0
        shapes = {i["name"]: _dims(i["shape"]) for i in computations[name]}
        for instr in computations[name]:
            if instr["op"] == "dot":
                total += dot_flops(instr, shapes)
            for called in re.findall(
                r"(?:calls|to_apply)=%([\w.\-]+)", instr["rest"]
            ):
                total += computation_flops(called, (*stack, name))
        flops_of[name] = total
        return total

    # Computations fused into (or applied by) an instruction are counted in
    # that instruction, not as operations of their own.
    inner = {
        called
        for instructions in computations.values()
        for instr in instructions
        for called in re.findall(
            r"(?:calls|to_apply)=%([\w.\-]+)", instr["rest"]
        )
    }
    ops = {}
    for name, instructions in computations.items():
        if name in inner:
            continue
        shapes = {i["name"]: _dims(i["shape"]) for i in instructions}
        for instr in instructions:
            flops = dot_flops(instr, shapes) if instr["op"] == "dot" else 0
            for called in re.findall(r"calls=%([\w.\-]+)", instr["rest"]):
                flops += computation_flops(called)
            frame = re.search(r"stack_frame_id=(\d+)", instr["rest"])
            chain = _frames_of(int(frame.group(1)), tables) if frame else []
            phase, source = _source_of(chain)
            ops[instr["name"]] = {
                "op": instr["op"],
                "shape": instr["shape"].split("{")[0],
                "flops": flops,
                "phase": phase,
                "source": source,
            }
    return ops


def op_times(run, log_dir=None):
    """Microseconds each traced operation ran while `run()` ran.

    Args:
        run: callable; what to profile (block until its results are ready).
        log_dir: str or None. Where `jax.profiler` writes; a temporary
            folder by default.

    Returns:
        dict: event name -> total microseconds (complete events only).
    """
    import jax

    log_dir = log_dir or tempfile.mkdtemp(prefix="aos_keras_trace_")
    with jax.profiler.trace(log_dir, create_perfetto_trace=True):
        run()
    paths = glob.glob(
        os.path.join(log_dir, "**", "perfetto_trace.json.gz"), recursive=True
    )
    if not paths:
        raise RuntimeError(
            f"jax.profiler wrote no Perfetto trace in {log_dir}."
        )
    with gzip.open(
        max(paths, key=os.path.getmtime), "rt", encoding="utf-8"
    ) as f:
        trace = json.load(f)
    events = trace["traceEvents"] if isinstance(trace, dict) else trace
    times = collections.Counter()
    for event in events:
        if event.get("ph") == "X":
            times[event["name"]] += float(event.get("dur", 0.0))
    return dict(times)


__all__ = ["hlo_ops", "op_times"]
