"""The game: the three players, their settings, one step, the model class.

- `config`: `GameConfig`, every setting of the game once, and `setting()`,
  what a setting is (its checks, its command-line option, its scikit-learn
  constraint).
- `model`: `AdversarialOversampler`, the Keras model holding the three
  players, its `GameConfig` and its `TablePreprocessor`.
- `players`: `MultiPlayerModel`, the classifier Q and `update_player`, the
  one place a player's loss is differentiated and applied.
- `generator`, `critic`, `classifier`, `generated_rows`, `head_groups`,
  `nominal_blocks`: the networks and what they are built from.
- `schedule`: one AO/DO step; `batching`: whole batches; `losses`,
  `anchors`, `sampling`: the maths (per-row losses, anchor selection, class
  targets).
- `upgrade`: models saved in an earlier layout or with earlier defaults.
"""
