"""The op-level JAX profile: FLOPs from HLO shapes, sources, trace times."""

import numpy as np
import pytest

from aos_keras.game import losses

pytestmark = pytest.mark.backend("jax")


def _compiled(fn, *args):
    import jax

    return jax.jit(fn).lower(*args).compile()


def test_dot_flops_follow_from_the_shapes():
    import jax.numpy as jnp

    from aos_bench.xla_profile import hlo_ops

    a, b = jnp.ones((8, 5)), jnp.ones((5, 12))
    w = jnp.ones((3, 12, 7))  # a batched product after the first

    def fn(a, b, w):
        return jnp.matmul(jnp.exp(a @ b)[None], w)

    ops = hlo_ops(_compiled(fn, a, b, w).as_text())
    total = sum(op["flops"] for op in ops.values())
    assert total == 2 * 8 * 5 * 12 + 2 * 3 * 8 * 12 * 7
    assert {op["phase"] for op in ops.values()} == {"outside the updates"}


def test_an_op_is_named_after_the_aos_keras_function_that_made_it():
    import jax.numpy as jnp

    from aos_bench.xla_profile import hlo_ops

    labels = jnp.asarray(np.array([0, 1, 1]))
    logits = jnp.asarray(np.zeros((3, 2), "float32"))
    ops = hlo_ops(_compiled(losses.cross_entropy, labels, logits).as_text())
    sources = {op["source"] for op in ops.values()}
    assert "losses.py:cross_entropy" in sources
    assert all(s.startswith("losses.py:") or s == "other" for s in sources)


def test_trace_times_name_the_compiled_ops(tmp_path):
    import jax
    import jax.numpy as jnp

    from aos_bench.xla_profile import hlo_ops, op_times

    a = jnp.ones((64, 64))
    step = _compiled(lambda a: jnp.tanh(a @ a), a)
    times = op_times(
        lambda: jax.block_until_ready(step(a)), log_dir=str(tmp_path)
    )
    ops = hlo_ops(step.as_text())
    timed = [name for name in times if name in ops]
    assert timed and all(times[name] >= 0 for name in timed)
