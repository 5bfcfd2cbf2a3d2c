"""`aos-keras generate`: N synthetic rows per class in the table's own
columns, as CSV (a file, or stdout for `-`)."""

from aos_keras.cli.common import CLIError, check_out_path, write_csv


def run(args):
    """Draw `args.n` rows per class from the folder's generator."""
    from aos_keras.cli import model_folder

    check_out_path(
        args.output, "--output", example="synthetic.csv", inputs=(args.model,)
    )
    if args.n < 1:
        raise CLIError(f"--n must be at least 1; got {args.n}")
    model, prep = model_folder.load_folder(args.model)
    classes = args.classes or [str(c) for c in prep["classes"]]
    by_name = {str(c): c for c in prep["classes"]}
    unknown = [c for c in classes if c not in by_name]
    if unknown:
        raise CLIError(f"unknown classes {unknown}; known: {list(by_name)}")
    counts = {by_name[c]: args.n for c in classes}
    x, y = model.sample(counts, seed=args.seed, as_frame=False)
    # Rows of the user's schema: numbers unscaled (integers rounded,
    # booleans by vote), each nominal cell the anchors' largest vote.
    frame = prep["_encoder"].inverse_transform(x)
    frame[prep["label"]] = y
    write_csv(frame, args.output, "rows")
