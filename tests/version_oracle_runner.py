"""Run the compile() oracle (tests/oracle.py) under whichever interpreter runs this script.

Used by tests/test_versions_oracle.py, once per installed CPython 3.8-3.13: reads a JSON list
of ``[source, top_level_await]`` on stdin and writes one JSON object per case on stdout:
``{"findings": [[line, column, code, message], ...]}``, or ``{"skip": reason}`` when this
interpreter cannot judge the case (its parser rejects it, or it has a SyntaxError that is not a
coroutine-placement error), or ``{"error": reason}`` when the oracle failed (a bug there).

3.8 and 3.9 report asynchronous-comprehension errors at line 0 (reference §5), so the line
does not say which comprehension is meant.  Here each candidate comprehension is tried alone,
with every other list/set/dict comprehension turned into a generator expression (a dict
comprehension ``{k: v for ...}`` into ``({k: v} for ...)``): a generator expression is never
this error, and it is asynchronous exactly when the comprehension was, which matters because
in 3.8-3.10 a comprehension nested in an asynchronous one is allowed.  So a line-0 error in that
variant can only be the candidate's.  Those comprehensions are reported at their own start,
where coro-ls reports them.

Must stay importable by Python 3.8.
"""

from __future__ import annotations

import ast
import json
import re
import sys
import types
from pathlib import Path

AC = "CORO104"
# The first ``for`` clause of a dict comprehension, after its value's closing brackets.
_FOR_CLAUSE = re.compile(r"(?:\basync\b[\s\\]*)?\bfor\b")
_ROUNDS = 2000


def _load_oracle() -> types.ModuleType:
    # tests/oracle.py spells its alias ``tuple[...]``, which Python 3.8 cannot evaluate; this
    # script loads it with that one line made 3.8-compatible (the rest runs unchanged).
    path = Path(__file__).with_name("oracle.py")
    text = path.read_text(encoding="utf-8")
    try:
        tuple[int]  # noqa: B018 - probing the interpreter
    except TypeError:  # Python 3.8
        text = text.replace(
            "OracleFinding = tuple[int, int, str, str]",
            "import typing\nOracleFinding = typing.Tuple[int, int, str, str]",
            1,
        )
    module = types.ModuleType("oracle")
    module.__file__ = str(path)
    sys.modules["oracle"] = module
    exec(compile(text, str(path), "exec"), module.__dict__)
    return module


oracle = _load_oracle()


def judge(source: str, top_level_await: bool) -> dict[str, object]:
    try:
        ast.parse(source)
    except SyntaxError as error:
        return {"skip": f"parser: {error.msg}"}
    flags = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT if top_level_await else 0
    try:
        return {"findings": _findings(source, flags)}
    except oracle.ForeignSyntaxError as error:
        return {"skip": f"foreign: {error}"}
    except (oracle.NeutraliseError, RecursionError) as error:
        return {"error": f"{type(error).__name__}: {error}"}


def _findings(source: str, flags: int) -> list[list[object]]:
    found: list[list[object]] = []
    current = source
    for _ in range(_ROUNDS):
        error = oracle._first_error(current, flags)
        if error is None:
            return found
        code = oracle.code_for(error.msg)
        if code is None:
            raise oracle.ForeignSyntaxError(f"{error.msg} at {error.lineno}:{error.offset}")
        text = oracle.SourceLines(current)
        if code == AC and not error.lineno:
            comprehensions = _line_zero_comprehensions(current, flags)
            if not comprehensions:
                raise oracle.NeutraliseError("a line-0 error no comprehension explains")
            for node in comprehensions:
                column = text.char_column(node.lineno, node.col_offset)
                found.append([node.lineno, column, code, error.msg])
            current = _apply_unique(current, _synchronise(current, text, comprehensions))
            continue
        column = text.char_column(error.lineno, error.offset - 1)
        found.append([error.lineno, column, code, error.msg])
        current = oracle._neutralise(current, text, code, error.lineno, error.offset - 1)
    raise oracle.NeutraliseError(f"still failing after {_ROUNDS} rewrites")


def _comprehensions(tree: ast.AST) -> list[ast.expr]:
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp))
    ]


def _line_zero_comprehensions(source: str, flags: int) -> list[ast.expr]:
    """The comprehensions 3.8/3.9 reject in ``source`` (each tried with the others made sync)."""
    text = oracle.SourceLines(source)
    candidates = _comprehensions(ast.parse(source))
    rejected = []
    for candidate in candidates:
        others = [node for node in candidates if node is not candidate]
        variant = _as_generator_expressions(source, text, others)
        if _rejects_a_comprehension(variant, flags):
            rejected.append(candidate)
    return rejected


def _rejects_a_comprehension(source: str, flags: int) -> bool:
    current = source
    for _ in range(_ROUNDS):
        error = oracle._first_error(current, flags)
        if error is None:
            return False
        code = oracle.code_for(error.msg)
        if code is None:
            raise oracle.ForeignSyntaxError(error.msg)
        if code == AC:
            return True
        text = oracle.SourceLines(current)
        current = oracle._neutralise(current, text, code, error.lineno, error.offset - 1)
    raise oracle.NeutraliseError("variant still failing")


def _as_generator_expressions(source: str, text: object, nodes: list[ast.expr]) -> str:
    """``source`` with each comprehension a generator expression (columns may move: only
    whether the result has a line-0 error matters)."""
    inserts: list[tuple[int, int, str]] = []  # (start, length replaced, new text)
    for node in nodes:
        start = text.index(node.lineno, node.col_offset)  # type: ignore[attr-defined]
        end = text.index(node.end_lineno, node.end_col_offset) - 1  # type: ignore[attr-defined]
        if isinstance(node, ast.DictComp):
            first = node.generators[0].target
            target = text.index(first.lineno, first.col_offset)  # type: ignore[attr-defined]
            value_end = text.index(node.value.end_lineno, node.value.end_col_offset)  # type: ignore[attr-defined]
            clause = _FOR_CLAUSE.search(source, value_end, target)
            if clause is None:
                raise oracle.NeutraliseError(f"no for clause after the value at {value_end}")
            inserts += [(start, 1, "({"), (clause.start(), 0, "} "), (end, 1, ")")]
        else:
            inserts += [(start, 1, "("), (end, 1, ")")]
    for at, length, new in sorted(inserts, reverse=True):
        source = source[:at] + new + source[at + length :]
    return source


def _synchronise(source: str, text: object, nodes: list[ast.expr]) -> list[object]:
    """Column-keeping edits making each comprehension synchronous: list/set comprehensions
    become generator expressions, dict comprehensions lose their asynchrony (and the
    comprehensions nested in them, see oracle._drop_asyncness)."""
    edits: list[object] = []
    for node in nodes:
        if isinstance(node, ast.DictComp):
            edits += oracle._drop_asyncness(source, text, node)
        else:
            edits += oracle._to_generator_expression(source, text, node)
    return edits


def _apply_unique(source: str, edits: list[object]) -> str:
    unique = {edit.start: edit for edit in edits}  # type: ignore[attr-defined]
    return oracle._apply(source, list(unique.values()))


def main() -> None:
    cases = json.load(sys.stdin)
    json.dump([judge(source, bool(tla)) for source, tla in cases], sys.stdout)


if __name__ == "__main__":
    main()
