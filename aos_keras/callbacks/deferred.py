"""`DeferredOversampling`: the step from which Q sees generated rows.

A model with `oversampling_start > 0` (a fraction of the epochs of a `fit`
call) carries a variable `oversampling_start_step`; the step reads it and
leaves Q's generated-row term out before that step. This callback sets it
at the start of each `fit` from the run's own numbers (Keras's `epochs` and
`steps` per epoch, the first epoch, the optimizer's step count), so the
model's `fit` does no arithmetic on its arguments.
"""

import keras


class DeferredOversampling(keras.callbacks.Callback):
    """Set the model's `oversampling_start_step` for this `fit` call.

    The switch comes after `round(oversampling_start * epochs_run)` whole
    epochs of this call (`epochs_run`: `epochs - initial_epoch`), counted in
    optimizer steps from the step count at the start of the call.
    `AdversarialOversampler.fit` adds it when the model defers.

    Example:
    >>> model.fit(x, y, epochs=10, callbacks=[DeferredOversampling()])
    """

    def __init__(self):
        super().__init__()
        self._first_epoch = True

    def on_train_begin(self, logs=None):
        self._first_epoch = True
        if self.params.get("steps") is None:
            raise ValueError(
                "oversampling_start needs the number of steps per epoch: "
                "pass steps_per_epoch to fit for a dataset without a length."
            )

    def on_epoch_begin(self, epoch, logs=None):
        if not self._first_epoch:
            return
        self._first_epoch = False
        model = self.model
        epochs = int(self.params["epochs"]) - int(epoch)
        start = round(model.oversampling_start * epochs) * int(
            self.params["steps"]
        )
        now = int(keras.ops.convert_to_numpy(model.optimizer.iterations))
        model.oversampling_start_step.assign(float(now + start))


__all__ = ["DeferredOversampling"]
