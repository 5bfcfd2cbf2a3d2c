"""Errors of aos_keras that the standard exceptions do not describe.

Bad input raises the standard `ValueError` and `TypeError` (see
`aos_keras.tables.checks`); a method that cannot run on some data raises
`aos_keras.baselines.MethodNotApplicable`. The table of errors, causes and
fixes is in `docs/robustness.md`.
"""


class NonFiniteLossError(FloatingPointError):
    """A player's loss or weights became NaN or infinite during training.

    Raised by `aos_keras.callbacks.NonFiniteGuard` (on by default in
    `AdversarialOversampler.fit`) at the first step whose loss is not
    finite, or at the end of an epoch whose weights are not. By then the
    guard has restored the weights and optimizer state of the start of the
    epoch (the last state known to be finite), so saving the model never
    writes NaN.

    Args:
        message: str. What happened and what to do.
        player: str. `"critic"`, `"generator"`, `"classifier"`, or the
            name of the log entry for other models.
        loss: str or None. The log entry that is not finite (`"d_loss"`,
            `"g_loss"`, `"q_loss"`, ...); None when weights were found
            non-finite.
        step: int. The training step, counted from 1 at epoch 0, that
            produced it: `epoch * steps_per_epoch + batch + 1`.
        epoch: int. The epoch index (0-based, as Keras counts).
        batch: int or None. The batch index in the epoch (0-based).
        value: float or None. The loss value (nan, inf or -inf).

    Example:
    >>> try:
    ...     model.fit(x, y, epochs=10)
    ... except NonFiniteLossError as err:
    ...     print(err.player, err.step)  # the weights are finite again
    """

    def __init__(
        self,
        message,
        *,
        player,
        loss=None,
        step=None,
        epoch=None,
        batch=None,
        value=None,
    ):
        super().__init__(message)
        self.player = player
        self.loss = loss
        self.step = step
        self.epoch = epoch
        self.batch = batch
        self.value = value

    def __reduce__(self):  # keep the attributes through pickling
        return (
            _rebuild,
            (
                str(self),
                self.player,
                self.loss,
                self.step,
                self.epoch,
                self.batch,
                self.value,
            ),
        )


def _rebuild(message, player, loss, step, epoch, batch, value):
    return NonFiniteLossError(
        message,
        player=player,
        loss=loss,
        step=step,
        epoch=epoch,
        batch=batch,
        value=value,
    )
