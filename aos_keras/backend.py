"""The only backend-specific code of aos_keras.

The AO/DO schedule is written once, in stateful style with `keras.ops`; the
rest of the package asks this module wherever the backends differ:

- `BACKEND`: the name of the Keras backend (`keras.backend.backend()`, read
  once at import); the rest of the package reads the backend from here.
- `value_and_grad(loss_fn, variables)`: the loss and its gradients with
  respect to some Keras variables (one player's weights).
- `input_gradient(fn, x)`: the gradient of `sum(fn(x))` with respect to an
  input tensor, differentiable again (for the gradient penalty).
- `train_step(model, step_fn, args)` and `test_step(model, step_fn, args)`:
  run a stateful step under Keras's `train_step`/`test_step` protocol. On
  TensorFlow and torch they call `step_fn(data)`; on JAX, whose trainer
  calls `train_step(state, data)`, they run it through
  `stateless_step(step_fn, data, groups, state)`, which binds the model's
  variable groups to `state` and returns `(logs, new_state)`.
- `replica_context()` and `replica_scale()`: where a TensorFlow
  `tf.distribute` strategy runs the step once per replica (see
  `docs/distributed.md`).
- `rng_state()` and `set_rng_state(state)`: the global random state that
  `fit` shuffles with (numpy's, and torch's on torch), JSON-ready, for
  `aos_keras.callbacks.ResumableBackup`.
- `enable_compile_cache(folder)`: JAX's persistent compilation cache (a
  no-op on the other backends); `default_compile_cache()` turns it on in a
  user cache folder when a game is compiled (`AOS_KERAS_COMPILE_CACHE`).
- `call_layer(layer, ...)`: a built layer's `call` on torch (no per-call
  Keras overhead in the eager step), `layer(...)` elsewhere.
- `check_jit_compile(value, loading=False)`: the `jit_compile` a game can
  compile with (torch cannot compile the gradient penalty's double
  backward).

References:
    Keras 3 trainers, `keras/src/backend/{tensorflow,jax,torch}/trainer.py`.
"""

import os

import keras
import numpy as np

BACKEND = keras.backend.backend()


def value_and_grad(loss_fn, variables):
    """Evaluate `loss_fn()` and its gradients with respect to `variables`.

    `loss_fn` returns `(loss, aux)`: a scalar and any nest of tensors to carry
    out (logs, logits); `aux` is not differentiated. Side effects of
    `loss_fn` on other variables (batch-norm statistics) are kept on every
    backend. Gradients of variables the loss does not depend on
    are zeros, never `None`.

    Args:
        loss_fn: callable with no arguments returning `(loss, aux)`.
        variables: list of `keras.Variable` to differentiate.

    Returns:
        `(loss, aux, grads)`, `grads` in the order of `variables`.
    """
    return _VALUE_AND_GRAD[BACKEND](loss_fn, list(variables))


def input_gradient(fn, x):
    """Gradient of `sum(fn(x))` with respect to `x`, itself differentiable.

    Args:
        fn: callable mapping a tensor `x` of shape `(n, d)` to `(n, ...)`.
        x: tensor of shape `(n, d)`.

    Returns:
        Tensor of the shape of `x`.
    """
    return _INPUT_GRADIENT[BACKEND](fn, x)


def replica_context():
    """`(replicas in sync, index of this replica)` of the running step.

    Keras's TensorFlow trainer runs `train_step` once per replica inside
    `strategy.run` under a `tf.distribute` strategy (`MirroredStrategy`,
    `MultiWorkerMirroredStrategy`); each replica sees its own slice of the
    batch. Everywhere else (no strategy, cross-replica context, JAX, whose
    `keras.distribution` runs one global program, torch) this is `(1, 0)`.

    Returns:
        `(num_replicas, replica_id)`: a Python int and an int or a scalar
        int tensor.
    """
    if BACKEND != "tensorflow":
        return 1, 0
    import tensorflow as tf

    context = tf.distribute.get_replica_context()
    if context is None or context.num_replicas_in_sync == 1:
        return 1, 0
    return context.num_replicas_in_sync, context.replica_id_in_sync_group


def replica_scale():
    """Factor applied to each player's loss before differentiation.

    Under a TensorFlow `tf.distribute` strategy the Keras optimizers
    all-reduce the replicas' gradients by SUM in `apply`, and each replica's
    loss is a mean over its own slice of the batch. Scaling every loss by
    `1 / num_replicas_in_sync` (what Keras's own compiled losses do) makes
    the summed gradient the gradient of the global-batch mean, as on one
    device. `1.0` outside a replicated step.

    Returns:
        Python float.
    """
    return 1.0 / replica_context()[0]


def enable_compile_cache(folder, min_compile_seconds=1.0):
    """Keep compiled programs in `folder` to reuse them across runs (JAX).

    Sets JAX's persistent compilation cache to `folder`, for every program
    that took at least `min_compile_seconds` to compile. On the other
    backends it does nothing.

    Args:
        folder: str. The cache folder.
        min_compile_seconds: float. Programs that compiled faster are not
            kept. Defaults to `1.0` (a model's training step); `compare`'s
            workers pass `0`: they build the same small networks again and
            again (one per split), and a classifier's step, some 0.25 s to
            compile, is then most of a short run's time.

    Returns:
        bool: whether a cache was set (True on JAX).
    """
    if BACKEND != "jax":
        return False
    import jax

    jax.config.update("jax_compilation_cache_dir", folder)
    jax.config.update(
        "jax_persistent_cache_min_compile_time_secs", float(min_compile_seconds)
    )
    return True


def call_layer(layer, *args, **kwargs):
    """`layer(*args, **kwargs)`, without Keras's per-call work on torch.

    On torch every step runs eagerly, and `Layer.__call__` (input
    conversion, autocasting, name scopes, tracking) costs about 250 us per
    call on this machine against about 125 us for `layer.call` on a Dense
    layer, for the same result. A step calls some 50 layers, so the players
    call their built layers' `call` directly there; on JAX and TensorFlow the
    step is traced once and `__call__` is kept. Layers not yet built, or
    with a mixed-precision policy (whose autocasting `__call__` does), and
    calls with `training=None` (which `__call__` resolves from its context)
    go through `__call__` on every backend.

    Args:
        layer: a `keras.layers.Layer`.
        *args, **kwargs: its call arguments (tensors, `training=`).

    Returns:
        What the layer returns.
    """
    policy = layer.dtype_policy
    if (
        BACKEND == "torch"
        and layer.built
        and policy.compute_dtype == policy.variable_dtype
        and kwargs.get("training", False) is not None
    ):
        return layer.call(*args, **kwargs)
    return layer(*args, **kwargs)


# Environment variable: a folder for JAX's compilation cache, or "off".
COMPILE_CACHE_ENV = "AOS_KERAS_COMPILE_CACHE"
_default_cache = {"done": False}


def default_compile_cache(min_compile_seconds=1.0):
    """Turn on JAX's persistent compilation cache, once, unless told not to.

    Called when a game model is compiled. On JAX, compiled steps are kept
    in `$AOS_KERAS_COMPILE_CACHE`, else `$XDG_CACHE_HOME/aos_keras/jax`
    (`~/.cache/aos_keras/jax`), so a second run of the same model shape
    skips compilation. Nothing changes when `AOS_KERAS_COMPILE_CACHE` is
    `off` (or `0`, `false`, `no`), when JAX's `jax_compilation_cache_dir`
    is already set (yours wins), or on the other backends.

    Args:
        min_compile_seconds: float. As `enable_compile_cache`'s.

    Returns:
        str or None: the folder set, or None.
    """
    if BACKEND != "jax" or _default_cache["done"]:
        return None
    _default_cache["done"] = True
    import jax

    choice = os.environ.get(COMPILE_CACHE_ENV, "").strip()
    if choice.lower() in ("off", "0", "false", "no"):
        return None
    if jax.config.jax_compilation_cache_dir:
        return None
    folder = choice or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"),
        "aos_keras",
        "jax",
    )
    enable_compile_cache(folder, min_compile_seconds)
    return folder


def rng_state():
    """The global random state that `fit` shuffles with, JSON-ready.

    Keras's `fit` shuffles each epoch with numpy's global generator on JAX
    and with torch's on torch; TensorFlow's `fit` shuffles the same way
    every epoch once `keras.utils.set_random_seed` was called, so it needs
    none. numpy's state is included on every backend, torch's on torch.

    Returns:
        dict with `"numpy"` (numpy's legacy state as lists) and, on torch,
        `"torch"` (`torch.get_rng_state()` as a list of bytes).
    """
    name, keys, pos, has_gauss, gauss = np.random.get_state(legacy=True)
    state = {"numpy": [name, keys.tolist(), pos, has_gauss, gauss]}
    if BACKEND == "torch":
        import torch

        state["torch"] = torch.get_rng_state().tolist()
    return state


def set_rng_state(state):
    """Set the global random state to one returned by `rng_state()`.

    The torch entry is applied only on torch (a state saved on another
    backend has none).

    Args:
        state: dict from `rng_state()`, possibly read back from JSON.
    """
    name, keys, pos, has_gauss, gauss = state["numpy"]
    np.random.set_state(
        (name, np.asarray(keys, dtype=np.uint32), pos, has_gauss, gauss)
    )
    if "torch" in state and BACKEND == "torch":
        import torch

        torch.set_rng_state(torch.tensor(state["torch"], dtype=torch.uint8))


# --------------------------------------------------------------- TensorFlow
def check_jit_compile(value, loading=False):
    """The `jit_compile` argument a game model can compile with.

    torch's compiler lacks the double backward the gradient penalty needs.

    Args:
        value: the `jit_compile` argument (`True`, `False`, `"auto"` or
            None).
        loading: bool. The value comes from a model saved on another
            backend: on torch, `True` becomes `"auto"` instead of an error.

    Returns:
        The value to pass to `keras.Model.compile`.

    Raises:
        ValueError: `jit_compile=True` on torch when not `loading`.
    """
    if BACKEND != "torch" or value is not True:
        return value
    if loading:
        return "auto"  # saved on another backend
    raise ValueError(
        "jit_compile=True is not supported on the torch backend: the "
        "gradient penalty needs double backward, which torch.compile "
        "lacks. Leave jit_compile unset."
    )


def _tf_value_and_grad(loss_fn, variables):
    import tensorflow as tf

    with tf.GradientTape() as tape:
        loss, aux = loss_fn()
    grads = tape.gradient(
        loss, variables, unconnected_gradients=tf.UnconnectedGradients.ZERO
    )
    return loss, aux, grads


def _tf_input_gradient(fn, x):
    import tensorflow as tf

    with tf.GradientTape() as tape:
        tape.watch(x)
        out = fn(x)
    return tape.gradient(out, x)


# --------------------------------------------------------------------- torch
def _torch_value_and_grad(loss_fn, variables):
    import torch

    with torch.enable_grad():
        loss, aux = loss_fn()
        values = [v.value for v in variables]
        grads = torch.autograd.grad(loss, values, allow_unused=True)
    grads = [
        torch.zeros_like(v) if g is None else g for g, v in zip(grads, values)
    ]
    aux = keras.tree.map_structure(lambda t: t.detach(), aux)
    return loss.detach(), aux, grads


def _torch_input_gradient(fn, x):
    import torch

    with torch.enable_grad():
        x = x.detach().requires_grad_(True)
        out = fn(x)
        (grad,) = torch.autograd.grad(out.sum(), x, create_graph=True)
    return grad


# ----------------------------------------------------------------------- JAX
class _RecordingScope(keras.StatelessScope):
    """A stateless scope seeded with another's mapping that records writes."""

    def __init__(self, mapping):
        super().__init__()
        self.state_mapping = mapping
        self.written = {}

    def add_update(self, update):
        variable, _ = update
        self.written[id(variable)] = variable
        super().add_update(update)


def _jax_value_and_grad(loss_fn, variables):
    import jax

    outer = keras.src.backend.common.stateless_scope.get_stateless_scope()
    base = dict(outer.state_mapping) if outer is not None else {}
    written = []  # variables `loss_fn` assigns, found while tracing

    def pure(values):
        mapping = dict(base)
        for v, value in zip(variables, values):
            mapping[id(v)] = value
        with _RecordingScope(mapping) as scope:
            loss, aux = loss_fn()
        written[:] = scope.written.values()
        return loss, (aux, [scope.get_current_value(v) for v in written])

    values = [v.value for v in variables]
    (loss, (aux, updates)), grads = jax.value_and_grad(pure, has_aux=True)(
        values
    )
    for v, value in zip(written, updates):
        v.assign(value)
    return loss, aux, grads


def _jax_input_gradient(fn, x):
    import jax
    import jax.numpy as jnp

    return jax.grad(lambda x_: jnp.sum(fn(x_)))(x)


def stateless_step(step_fn, data, groups, state):
    """Run the stateful `step_fn(data)` as a pure function of `state` (JAX).

    Args:
        step_fn: callable returning a dict of logs; it may read and assign
            any variable in `groups`.
        data: the batch, passed to `step_fn`.
        groups: list of lists of variables, in the order of `state`.
        state: tuple of lists of values, one per group.

    Returns:
        `(logs, new_state)` with `new_state` shaped like `state`.
    """
    mapping = [
        (v, value)
        for variables, values in zip(groups, state)
        for v, value in zip(variables, values)
    ]
    with keras.StatelessScope(state_mapping=mapping) as scope:
        logs = step_fn(data)
    new_state = tuple(
        [_current(scope, v, value) for v, value in zip(variables, values)]
        for variables, values in zip(groups, state)
    )
    return logs, new_state


def train_step(model, step_fn, args):
    """Run `step_fn(data)` under Keras's `train_step` protocol on any backend.

    TensorFlow and torch call `train_step(data)` (stateful); JAX calls
    `train_step(state, data)` and expects `(logs, new_state)`, with `state`
    the model's trainable, non-trainable, optimizer and metric variables.

    Args:
        model: the `keras.Model` whose `train_step` this is.
        step_fn: callable `(data) -> logs`, stateful.
        args: the arguments the trainer passed to `train_step`.
    """
    return _dispatch(model, step_fn, args, with_optimizer=True)


def test_step(model, step_fn, args):
    """Like `train_step`, for `test_step` (no optimizer variables)."""
    return _dispatch(model, step_fn, args, with_optimizer=False)


def _dispatch(model, step_fn, args, with_optimizer):
    if BACKEND != "jax":
        return step_fn(*args)
    state, data = args
    groups = [model.trainable_variables, model.non_trainable_variables]
    if with_optimizer:
        groups.append(model.optimizer.variables)
    groups.append(model.metrics_variables)
    return stateless_step(step_fn, data, groups, state)


def _current(scope, variable, default):
    value = scope.get_current_value(variable)
    return default if value is None else value


_VALUE_AND_GRAD = {
    "tensorflow": _tf_value_and_grad,
    "torch": _torch_value_and_grad,
    "jax": _jax_value_and_grad,
}
_INPUT_GRADIENT = {
    "tensorflow": _tf_input_gradient,
    "torch": _torch_input_gradient,
    "jax": _jax_input_gradient,
}
