"""Module sizes and function-body lengths of a package.

A function's body is counted from its first statement after the docstring
to its last line. The goal is a p90 of at most 20 lines; a module holds one
concept, whatever its length (`tests/scripts/test_layout.py`).

Usage:
    python scripts/code_metrics.py [PACKAGE_DIR] [N_LONGEST]
"""

import ast
import pathlib
import statistics
import sys


def body_lines(node):
    """Lines of a function's body, without its docstring."""
    body = node.body
    first = body[0] if body else None
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
        if isinstance(first.value.value, str):
            body = body[1:]
    return body[-1].end_lineno - body[0].lineno + 1 if body else 0


def measure(root):
    """`(sizes, functions)`: `(lines, path)` per module and per function."""
    sizes, functions = [], []
    for path in sorted(pathlib.Path(root).rglob("*.py")):
        text = path.read_text()
        sizes.append((len(text.splitlines()), str(path)))
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                where = f"{path}:{node.lineno} {node.name}"
                functions.append((body_lines(node), where))
    return sizes, functions


def main(argv):
    root = argv[0] if argv else "aos_keras"
    longest = int(argv[1]) if len(argv) > 1 else 15
    sizes, functions = measure(root)
    lengths = sorted(n for n, _ in functions)
    p90 = statistics.quantiles(lengths, n=10)[-1]
    total = sum(n for n, _ in sizes)
    print(f"modules {len(sizes)} lines {total} largest {max(sizes)}")
    print(
        f"functions {len(lengths)} median {statistics.median(lengths)} "
        f"p90 {p90}"
    )
    for n, where in sorted(functions, reverse=True)[:longest]:
        print(n, where)


if __name__ == "__main__":
    main(sys.argv[1:])
