"""Engine-level work per keystroke inside classes, and at open (no server, no protocol).

Usage::

    python benchmarks/incremental_blocks.py [FILE ...] [--positions N] [--seed S]
    python benchmarks/incremental_blocks.py --functions [--top N]

The first form opens each file in an :class:`~coro_ls.engine.incremental.IncrementalDocument`
(timed), then at N seeded positions drawn uniformly over the body lines of every method
(functions directly in a class body, at any depth of nested classes) opens a new line after
the position and types ``await x`` one character per edit, timing ``replace`` +
``findings()`` per keystroke; the line is then deleted again.  Every 50th keystroke the
findings are compared with a fresh check.  It prints p50 / p95 / max per keystroke and the
file's ``compile()`` time as the yardstick.  Defaults: ``_pydecimal.py`` and
``asyncio/base_events.py`` of the running interpreter.

``--functions`` lists the largest top-level functions (by lines) of the running
interpreter's standard library with the time to parse and check each on its own: the
figure that decides whether function bodies need splitting like class bodies.

Figures are from one run on a shared machine: say so when quoting them.
"""

from __future__ import annotations

import argparse
import ast
import gc
import random
import statistics
import sys
import sysconfig
import time
from pathlib import Path

from coro_ls.engine.checker import check_source
from coro_ls.engine.incremental import IncrementalDocument

STDLIB = Path(sysconfig.get_paths()["stdlib"])
DEFAULT_FILES = [STDLIB / "_pydecimal.py", STDLIB / "asyncio" / "base_events.py"]


def method_body_lines(source: str) -> list[tuple[int, int]]:
    """(line, indentation) of every body line of a method, at any class depth."""
    tree = ast.parse(source)
    found: list[tuple[int, int]] = []

    def visit_class(node: ast.ClassDef) -> None:
        for member in node.body:
            if isinstance(member, ast.ClassDef):
                visit_class(member)
            elif isinstance(member, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for statement in member.body:
                    start, stop = statement.lineno, statement.end_lineno or statement.lineno
                    # Only lines that end a simple statement: a new line after them is a
                    # new statement of the body.
                    if not hasattr(statement, "body"):
                        found.append((stop, statement.col_offset))
                    del start

    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            visit_class(node)
    return found


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def type_in_methods(path: Path, positions: int, seed: int) -> None:
    source = path.read_text(encoding="utf-8")
    started = time.perf_counter()
    compile(source, str(path), "exec", dont_inherit=True)
    compile_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    document = IncrementalDocument(source)
    document.findings()
    open_ms = (time.perf_counter() - started) * 1000
    opened = document.stats["parsed_lines"]
    # As the server does after an open (server/documents.py): trees hold no garbage, so
    # they are kept out of the collector's full passes.
    gc.collect()
    gc.freeze()
    rng = random.Random(seed)
    candidates = method_body_lines(source)
    timings: list[float] = []
    parsed: list[int] = []
    keystrokes = 0
    for line, column in rng.sample(candidates, min(positions, len(candidates))):
        end = len(document.lines[line - 1].rstrip("\r\n"))
        typed = "\n" + " " * column + "await x"
        position = (line, end)
        for char in typed:
            before = document.stats["parsed_lines"]
            started = time.perf_counter()
            document.replace(position, position, char)
            document.findings()
            timings.append((time.perf_counter() - started) * 1000)
            parsed.append(document.stats["parsed_lines"] - before)
            keystrokes += 1
            position = (position[0] + 1, 0) if char == "\n" else (position[0], position[1] + 1)
            if keystrokes % 50 == 0:
                assert document.findings() == check_source(document.text), (path, line)
        document.replace((line, end), (line + 1, len(typed) - 1), "")
    assert document.text == source
    gc.unfreeze()
    print(
        f"{path.name}: {len(document.lines)} lines, {len(candidates)} method lines, "
        f"{keystrokes} keystrokes at {positions} positions; "
        f"keystroke p50 {statistics.median(timings):.1f} / p95 {percentile(timings, 0.95):.1f} "
        f"/ max {max(timings):.1f} ms; lines parsed per keystroke p50 "
        f"{statistics.median(parsed):.0f} / max {max(parsed)}; open {open_ms:.0f} ms "
        f"({opened} lines parsed); compile() {compile_ms:.1f} ms"
    )


def largest_functions(top: int) -> None:
    sizes: list[tuple[int, Path, ast.FunctionDef | ast.AsyncFunctionDef, str]] = []
    for path in STDLIB.rglob("*.py"):
        if "test" in path.parts or "site-packages" in path.parts:
            continue
        try:
            source = path.read_text(encoding="utf-8")
            tree = ast.parse(source)
        except (SyntaxError, UnicodeDecodeError, ValueError):
            continue
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                sizes.append((length, path, node, source))
    sizes.sort(key=lambda item: -item[0])
    check_source("async def warm_up():\n    await x\n")  # imports and caches, not timed
    for length, path, node, source in sizes[:top]:
        lines = source.splitlines(keepends=True)
        text = "".join(lines[node.lineno - 1 : node.end_lineno])
        started = time.perf_counter()
        check_source(text)
        ms = (time.perf_counter() - started) * 1000
        print(f"{length:5d} lines  {ms:6.1f} ms  {path.relative_to(STDLIB)}:{node.name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--positions", type=int, default=40)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--functions", action="store_true")
    parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args()
    print(f"Python {sys.version.split()[0]}")
    if args.functions:
        largest_functions(args.top)
        return
    for path in args.files or DEFAULT_FILES:
        type_in_methods(path, args.positions, args.seed)


if __name__ == "__main__":
    main()
