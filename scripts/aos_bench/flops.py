"""Matrix-multiply FLOPs of one training step, from the layer shapes.

FLOPs per step are matrix-multiply FLOPs (2 per multiply-add) computed from
the layer shapes; elementwise work, optimizers and batch norm are not
counted. A pass over a network with layers of forward cost `f_l`
(rows x in x out x 2) costs:

    forward only                        sum f
    train (grads of its weights)        3 sum f - f_1   (no grad of inputs)
    through (grad of its inputs only)   2 sum f         (G's loss via D, Q)
    gradient penalty                    4 sum f - f_L

The penalty pass is the forward pass, the input-gradient backward pass
(`sum f`) and the backward of that backward with respect to the weights
(two products per backward matmul, one for the top layer whose incoming
gradient is constant). The generator's mix `w (r x m_c) @ tau_c (m_c x d)`
counts 1 unit forward and 1 backward (`tau_c` is constant). `xla_flops`
reads XLA's own count of a compiled JAX step, a check of this model.
"""

from aos_keras.game import generated_rows
from aos_keras.game.players import CLASSIFIER_UNITS


def dense_flops(rows, dims):
    """Forward FLOPs of each dense layer of an MLP.

    Args:
        rows: int. Rows of the batch.
        dims: tuple of int. Widths, input first.

    Returns:
        list of int, one per layer.
    """
    return [2 * rows * a * b for a, b in zip(dims[:-1], dims[1:])]


def pass_flops(kind, layers):
    """FLOPs of one pass over a network (see the module notes).

    Args:
        kind: "forward", "train", "through" or "gp".
        layers: list of int. Forward FLOPs of each layer (`dense_flops`).

    Returns:
        int.
    """
    total = sum(layers)
    if kind == "forward":
        return total
    if kind == "train":
        return 3 * total - layers[0]
    if kind == "through":
        return 2 * total
    if kind == "gp":
        return 4 * total - layers[-1]
    raise ValueError(kind)


def generator_flops(kind, nets, classes, rows):
    """G on `rows` rows of each class: trunk, heads and convex mix.

    Args:
        kind: "forward" or "train".
        nets: dict from `network_shapes`.
        classes: list of int. The classes generated.
        rows: int. Rows per class.

    Returns:
        int.
    """
    units = nets["g_units"]
    trunk = dense_flops(len(classes) * rows, (nets["g_in"], *units))
    # A head is computed at its group's padded width (`CWIGenerator`).
    widths = nets.get("widths") or nets["anchors"]
    heads = sum(2 * rows * units[-1] * widths[c] for c in classes)
    mix = sum(2 * rows * widths[c] * nets["d"] for c in classes)
    if kind == "forward":
        return sum(trunk) + heads + mix
    return pass_flops("train", trunk) + 3 * heads + 2 * mix


def network_shapes(model=None, num_features=None, num_classes=None):
    """Layer widths of the three players (the model's, or the defaults).

    Args:
        model: an `AdversarialOversampler`, a `GAMOLoop`'s `shapes()`, or
            None for the default classifier alone.
        num_features: int. Features, without a model.
        num_classes: int. Classes, without a model.

    Returns:
        dict: `d` and `q` (classifier widths); with a model also `critic`,
        `g_in`, `g_units` and `anchors` (anchors per class).
    """
    if model is None:
        return {
            "d": num_features,
            "q": (num_features, *CLASSIFIER_UNITS, num_classes),
        }
    c, d = model.num_classes, model.num_features
    return {
        "d": d,
        "q": (d, *model.classifier_units, c),
        "critic": (d + c, *model.critic_units, 1),
        "g_in": model.latent_dim + c,
        "g_units": model.generator_units,
        "anchors": model.anchor_counts,
        "widths": _head_widths(model),
    }


def _head_widths(model):
    """Each class's head width as computed: its group's largest count."""
    generator = getattr(model, "generator", None)
    if generator is None:
        return None
    widths = list(model.anchor_counts)
    for group in generator.head_groups:
        for c in group:
            widths[c] = max(model.anchor_counts[k] for k in group)
    return widths


def flops_per_step(method, batch, nets, model=None):
    """Matrix-multiply FLOPs of one training step (see the module notes).

    Args:
        method: "Q", "AO", "DO" or "GAMO-loop".
        batch: int. Real rows per step.
        nets: dict from `network_shapes`.
        model: the `AdversarialOversampler` (AO/DO: supports, alpha and
            rows per class come from it) or a `GAMOLoop`.

    Returns:
        int.
    """
    q = lambda n: dense_flops(n, nets["q"])  # noqa: E731
    if method == "Q":
        return pass_flops("train", q(batch))
    d = lambda n: dense_flops(n, nets["critic"])  # noqa: E731
    if method == "GAMO-loop":
        k, r = model.classes, model.rows
        fake = len(k) * r
        return (
            generator_flops("forward", nets, k, r)  # predict
            + pass_flops("train", q(batch + fake))
            + pass_flops("train", d(batch))
            + pass_flops("train", d(fake))
            + generator_flops("train", nets, k, r)
            + pass_flops("through", d(fake))
            + pass_flops("through", q(fake))
        )
    total = 0
    classes = model.generator.class_ids
    r = generated_rows.rows_per_class(
        model.fake_rows_per_class, batch, len(classes)
    )
    critic = generator_flops("forward", nets, classes, r) + pass_flops(
        "train", d(batch + len(classes) * r)
    )
    if model.gan_loss == "wgan-gp":
        critic += pass_flops("gp", d(batch))
    total += model.critic_steps * critic
    classes = model.support["generator"]
    r = generated_rows.rows_per_class(
        model.fake_rows_per_class, batch, len(classes)
    )
    total += (
        generator_flops("train", nets, classes, r)
        + pass_flops("through", d(len(classes) * r))
        + pass_flops("through", q(len(classes) * r))
    )
    classes = model.support["classifier"]
    if model.alpha > 0 and classes:
        shared = getattr(model, "q_generated_rows", "fresh") == "critic"
        heads = model.generator.class_ids if shared else classes
        r = generated_rows.rows_per_class(
            model.fake_rows_per_class, batch, len(heads)
        )
        if not shared:  # else Q reuses the critic's rows
            total += generator_flops("forward", nets, classes, r)
        total += pass_flops("train", q(batch + len(classes) * r))
    else:
        total += pass_flops("train", q(batch))
    return total


def train_state(model):
    """The state tuple a Keras model's JAX `train_step` takes.

    Args:
        model: a compiled Keras model (JAX backend).

    Returns:
        tuple of four lists: trainable, non-trainable, optimizer and
        metrics variables' values.
    """
    return (
        [v.value for v in model.trainable_variables],
        [v.value for v in model.non_trainable_variables],
        [v.value for v in model.optimizer.variables],
        [v.value for v in model.metrics_variables],
    )


def xla_flops(model, x, y):
    """XLA's FLOP count of one compiled train step (JAX only).

    Args:
        model: a compiled Keras model.
        x, y: one batch.

    Returns:
        float: all ops' FLOPs (elementwise included), NaN if XLA has none.
    """
    import jax

    compiled = (
        jax.jit(model.train_step).lower(train_state(model), (x, y)).compile()
    )
    cost = compiled.cost_analysis()
    cost = cost[0] if isinstance(cost, list) else cost
    return float(cost.get("flops", float("nan")))
