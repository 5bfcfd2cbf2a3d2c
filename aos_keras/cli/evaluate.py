"""`aos-keras evaluate`: ACSA, GM and per-class recall of a model folder on
a table, as JSON on stdout (and in `--output`)."""

import json

from aos_keras.cli.common import LOG, check_out_path, read_table, split_label


def check(args):
    """The output path and the table, checked before Keras is imported."""
    if args.output:
        check_out_path(
            args.output,
            "--output",
            example="scores.json",
            inputs=(args.data, args.model),
        )
    return read_table(args)


def run(args):
    """Score the folder's model on `args.data`; print the scores."""
    from aos_keras.cli import model_folder

    model, prep = model_folder.load_folder(args.model)
    features, labels = split_label(args.checked, prep["label"])
    x = model_folder.transform(features, prep)
    scores = model_folder.scores(model, x, labels)
    if args.output:
        from aos_keras.saving import io

        io.write_json(args.output, scores)
        LOG.info("wrote the scores to %s", args.output)
    print(json.dumps(scores, indent=1))
