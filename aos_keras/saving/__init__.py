"""Files and serving: atomic writes and the TF Serving export.

- `io`: files and folders written whole (atomic replace), JSON.
- `export`: `export_saved_model`, the TF Serving SavedModel of a model.
- `serving_graph`: the served graph's column signature.

The model folder of the command line is `aos_keras.cli.model_folder`;
models saved by earlier versions are read by `aos_keras.game.upgrade`.
"""
