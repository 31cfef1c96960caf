"""``coro-ls expand FILE:LINE[:COL]``: the inline expansion of an ``async for``/``async with``.

Prints the expansion of the innermost statement at that position as a unified diff, or writes
it into the file with ``--write``.  Only the top-level block holding the position is looked
at (the file is kept as the incremental engine's blocks, as the server keeps it).

Exit status: 0 done, 1 no such statement there, 2 the file or the position could not be used.
"""

from __future__ import annotations

import argparse
import difflib
import io
import os
import re
import sys
import tokenize

from coro_ls.config.sources import decode_source
from coro_ls.editing.edits import Edit
from coro_ls.editing.excerpts import excerpt_of
from coro_ls.editing.expansions import apply_edits, expand_in
from coro_ls.editing.expansions.locate import line_statement_at_in, statement_at_in
from coro_ls.engine.block_views import view_at
from coro_ls.engine.incremental import IncrementalDocument
from coro_ls.engine.versions import (
    accepted,
    format_version,
    running_version,
    version_argument,
)

EPILOG = """\
Examples:

    Show the expansion of the statement on line 12 : coro-ls expand app.py:12
    ... at line 12, column 9 (1-based)             : coro-ls expand app.py:12:9
    Rewrite the file in place                      : coro-ls expand --write app.py:12
"""

_LOCATION = re.compile(r"^(?P<path>.+?):(?P<line>\d+)(?::(?P<column>\d+))?$")


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "expand",
        help="show (or apply) the inline expansion of an async for / async with statement",
        description="Print the inline expansion of the innermost 'async for' or 'async with' "
        "statement at FILE:LINE[:COL] (1-based, as 'coro-ls check' prints them) as a unified "
        "diff.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("location", metavar="FILE:LINE[:COL]", help="where the statement is")
    parser.add_argument("--write", action="store_true", help="apply the expansion to the file")
    parser.add_argument(
        "--target-version",
        type=version_argument,
        default=None,
        metavar="3.X",
        help=f"the Python version to read the file as: {accepted()} "
        f"(default: the running interpreter's, {format_version(running_version())})",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    match = _LOCATION.match(args.location)
    if match is None:
        print(f"coro-ls expand: expected FILE:LINE[:COL], got {args.location!r}", file=sys.stderr)
        return 2
    path, line = match["path"], int(match["line"])
    column = int(match["column"]) if match["column"] else None
    try:
        with open(path, "rb") as file:
            data = file.read()
        text = decode_source(data)
    except (OSError, SyntaxError, UnicodeDecodeError) as error:
        print(f"coro-ls expand: {path}: {error}", file=sys.stderr)
        return 2
    version = args.target_version or running_version()
    document = IncrementalDocument(text, target=version)
    excerpt = excerpt_of(document, view_at(document, line))
    tree_line = line - excerpt.shift
    if column is None:
        statement = line_statement_at_in(excerpt, tree_line)
    else:
        statement = statement_at_in(excerpt, (tree_line, max(column - 1, 0)))
    if statement is None:
        where = f"{path}:{line}" + (f":{column}" if column is not None else "")
        print(f"{where}: no 'async for' or 'async with' statement here", file=sys.stderr)
        return 1
    edits = [
        Edit(excerpt.to_document(edit.start), excerpt.to_document(edit.end), edit.new_text)
        for edit in expand_in(excerpt, statement)
    ]
    expanded = apply_edits(text, edits)
    if args.write:
        _write(path, data, expanded)
        start_line = excerpt.to_document(statement.start)[0]
        print(f"{path}: {statement.title.lower()} at line {start_line}", file=sys.stderr)
        return 0
    diff = difflib.unified_diff(
        text.splitlines(keepends=True),
        expanded.splitlines(keepends=True),
        fromfile=path if os.path.isabs(path) else f"a/{path}",
        tofile=path if os.path.isabs(path) else f"b/{path}",
    )
    sys.stdout.writelines(_terminated(diff))
    return 0


def _terminated(lines: object) -> list[str]:
    out = []
    for line in lines:  # type: ignore[attr-defined]
        ended = line.endswith(("\n", "\r"))
        out.append(line if ended else line + "\n\\ No newline at end of file\n")
    return out


def _write(path: str, original: bytes, text: str) -> None:
    """Write back in the file's own encoding (coding declaration, BOM) and line endings."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(original).readline)
    with open(path, "w", encoding=encoding, newline="") as file:
        file.write(text)
