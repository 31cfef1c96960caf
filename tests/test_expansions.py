"""The expansions' engine: golden files, which statement a range means, hygiene, text fidelity.

Golden pairs live in ``tests/expansions/golden``: ``NAME.before`` marks the statement to expand
with ``# expand`` on one of its lines; ``NAME.after`` is the whole file after the expansion.
``CORO_LS_UPDATE_GOLDEN=1`` rewrites the ``.after`` files (review the diff before committing).
"""

from __future__ import annotations

import ast
import builtins
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from expansions.harness import names_of

from coro_ls.editing.expansions import (
    TITLES,
    Statement,
    apply_edits,
    expand,
    find_expandable,
    iter_statements,
)
from coro_ls.editing.expansions.locate import line_statement_at
from coro_ls.engine.versions import grammar_for, running_version

GOLDEN = Path(__file__).parent / "expansions" / "golden"
CASES = sorted(path.stem for path in GOLDEN.glob("*.before"))
TOP_LEVEL_AWAIT = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT


def _read(path: Path) -> str:
    with open(path, encoding="utf-8", newline="") as file:
        return file.read()


def _expand_marked(source: str) -> str:
    line = next(i for i, text in enumerate(source.splitlines(), 1) if "# expand" in text)
    module = grammar_for(running_version()).parse(source)
    statement = line_statement_at(source, module, line)
    assert statement is not None
    return apply_edits(source, expand(source, module, statement))


def _compiles(source: str, flags: int = 0) -> bool:
    try:
        compile(source, "<golden>", "exec", flags=flags)
    except SyntaxError:
        return False
    return True


@pytest.mark.parametrize("case", CASES)
def test_golden_expansion(case: str) -> None:
    before = _read(GOLDEN / f"{case}.before")
    after = _expand_marked(before)
    expected_path = GOLDEN / f"{case}.after"
    if os.environ.get("CORO_LS_UPDATE_GOLDEN"):
        with open(expected_path, "w", encoding="utf-8", newline="") as file:
            file.write(after)
    assert after == _read(expected_path)


@pytest.mark.parametrize("case", CASES)
def test_golden_expansion_compiles_where_the_original_does(case: str) -> None:
    before = _read(GOLDEN / f"{case}.before")
    after = _expand_marked(before)
    for flags in (0, TOP_LEVEL_AWAIT):
        if _compiles(before, flags):
            assert _compiles(after, flags), f"compiles before, not after (flags={flags})"


@pytest.mark.parametrize("case", CASES)
def test_golden_helpers_are_fresh_and_shadow_no_builtin(case: str) -> None:
    before = _read(GOLDEN / f"{case}.before")
    after = _expand_marked(before)
    introduced = names_of(after) - names_of(before)
    used_builtins = {"type", "StopAsyncIteration", "True", "False", "None"}
    assert not (introduced & set(dir(builtins))) - used_builtins
    # Every name the expansion assigns or deletes is one the original never mentions.
    bound = set(re.findall(r"^\s*(?:del )?(\w+)(?: =|,)", after, re.MULTILINE))
    assert not (bound - names_of(before)) & names_of(before)
    for name in bound & introduced:
        assert name not in names_of(before)


@pytest.mark.parametrize("case", CASES)
def test_golden_text_outside_the_statement_is_kept(case: str) -> None:
    """Apart from one inserted import block, the lines before and after the statement stay."""
    before = _read(GOLDEN / f"{case}.before")
    module = grammar_for(running_version()).parse(before)
    line = next(i for i, text in enumerate(before.splitlines(), 1) if "# expand" in text)
    statement = line_statement_at(before, module, line)
    assert statement is not None
    edits = expand(before, module, statement)
    replacement = [edit for edit in edits if edit.end == statement.end]
    assert len(replacement) == 1 and replacement[0].start == statement.start
    for edit in edits:
        if edit is not replacement[0]:
            assert edit.start == edit.end, "only an insertion besides the statement"
            assert re.fullmatch(r"((\r?\n)?import (sys|builtins)( as \w+)?\r?\n)+", edit.new_text)


def test_multi_line_string_values_survive_reindenting() -> None:
    before = _read(GOLDEN / "for_string_body.before")
    after = _expand_marked(before)

    def strings(source: str) -> list[str]:
        tree = ast.parse(source)
        return sorted(
            node.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
        )

    assert strings(after) == strings(before)


def test_line_endings_and_indentation_follow_the_document() -> None:
    before = _read(GOLDEN / "tabs_crlf.before")
    after = _expand_marked(before)
    assert "\n" not in after.replace("\r\n", "")
    indents = {re.match(r"[ \t]*", line).group() for line in after.split("\r\n")}  # type: ignore[union-attr]
    assert all(set(indent) <= {"\t"} for indent in indents)


# --- which statement a range means ----------------------------------------------------------

SOURCE = """\
async def f(a, b):
    async with a as x:
        async for y in b:
            pass
        print(x)
    print(a)
"""


def _find(start: tuple[int, int], end: tuple[int, int] | None = None) -> Statement | None:
    module = grammar_for(running_version()).parse(SOURCE)
    return find_expandable(SOURCE, module, start, end)


@pytest.mark.parametrize("column", [4, 9, 15, 21, 22])
def test_a_position_on_the_header_selects_the_statement(column: int) -> None:
    statement = _find((2, column))
    assert statement is not None and statement.kind == "with" and statement.start == (2, 4)
    assert statement.title == "Inline expansion of 'async with'"


def test_the_innermost_header_wins() -> None:
    statement = _find((3, 12))
    assert statement is not None and statement.kind == "for"
    assert statement.title == "Inline expansion of 'async for'"


@pytest.mark.parametrize("position", [(1, 3), (4, 12), (5, 10), (6, 4), (2, 0), (2, 23)])
def test_positions_off_the_headers_select_nothing(position: tuple[int, int]) -> None:
    assert _find(position) is None


def test_a_range_covering_a_statement_selects_it() -> None:
    outer = _find((2, 4), (6, 0))
    assert outer is not None and outer.kind == "with"
    whole_lines = _find((2, 0), (6, 0))
    assert whole_lines is not None and whole_lines.kind == "with"
    inner = _find((3, 8), (4, 16))
    assert inner is not None and inner.kind == "for"


def test_a_range_past_the_statement_selects_nothing() -> None:
    assert _find((2, 4), (6, 5)) is None
    assert _find((1, 0), (6, 0)) is None


def test_titles_are_the_issues_wording() -> None:
    assert TITLES == {
        "for": "Inline expansion of 'async for'",
        "with": "Inline expansion of 'async with'",
    }


def test_parenthesised_items_are_found_where_parso_fails() -> None:
    source = "async def f():\n    async with (A() as a,\n                B()):\n        pass\n"
    module = grammar_for(running_version()).parse(source)
    statement = find_expandable(source, module, (3, 16))
    assert statement is not None
    assert [(item.manager, item.target) for item in statement.items] == [
        ("A()", "a"),
        ("B()", None),
    ]
    assert statement.header_end == (3, 21)


def test_a_parenthesised_tuple_is_two_managers_from_python_3_9() -> None:
    source = "async def f():\n    async with (A(), B()):\n        pass\n"
    module = grammar_for((3, 11)).parse(source)
    (statement,) = iter_statements(source, module, version=(3, 11))
    assert [item.manager for item in statement.items] == ["A()", "B()"]
    module = grammar_for((3, 8)).parse(source)
    (statement,) = iter_statements(source, module, version=(3, 8))
    assert [item.manager for item in statement.items] == ["(A(), B())"]


# --- hygiene -----------------------------------------------------------------------------------


def _expanded(source: str, line: int) -> str:
    module = grammar_for(running_version()).parse(source)
    statement = line_statement_at(source, module, line)
    assert statement is not None
    return apply_edits(source, expand(source, module, statement))


def test_an_existing_import_sys_is_reused() -> None:
    source = "import sys\n\n\nasync def f(m):\n    async with m:\n        pass\n"
    after = _expanded(source, 5)
    assert after.count("import sys") == 1 and "*sys.exc_info()" in after


def test_sys_rebound_in_the_enclosing_function_gets_a_fresh_alias() -> None:
    source = (
        "import sys\n\n\nasync def f(m, sys_2):\n    sys = 1\n    async with m:\n        pass\n"
    )
    after = _expanded(source, 6)
    assert "import sys as sys_3\n" in after and "*sys_3.exc_info()" in after


def test_sys_used_but_never_imported_is_left_alone() -> None:
    source = "async def f(m):\n    async with m:\n        sys.exit()\n"
    after = _expanded(source, 2)
    assert after.startswith("import sys as sys_2\n")


def test_a_rebound_type_is_reached_through_builtins() -> None:
    source = "async def f(xs, type):\n    async for x in xs:\n        pass\n"
    after = _expanded(source, 2)
    assert after.startswith("import builtins\n")
    assert "builtins.type(iterator).__aiter__" in after
    assert "except builtins.StopAsyncIteration:" in after


def test_nested_expansions_never_reuse_a_live_helper() -> None:
    source = "async def f(a, b):\n    async with a, b:\n        pass\n"
    after = _expanded(source, 2)
    assert "manager = a" in after and "manager_2 = b" in after


def test_readme_examples_are_what_the_engine_produces() -> None:
    readme = _read(Path(__file__).parent.parent / "README.md")
    section = readme.split("## Code actions", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.DOTALL)
    assert len(blocks) == 4
    for before, after in zip(blocks[::2], blocks[1::2], strict=True):
        line = next(i for i, text in enumerate(before.splitlines(), 1) if "async " in text[4:])
        assert _expanded(before, line) == after


@pytest.mark.skipif(sys.version_info < (3, 11), reason="older references give the bpo-30707 form")
def test_async_with_is_the_running_pythons_reference_form() -> None:
    """Apart from deleting its helpers, the expansion is the reference's own equivalent code."""
    from pydoc_data.topics import topics

    text = topics["async"]
    section = text[text.index("async with EXPRESSION as TARGET:") :]
    block = section.split("is semantically equivalent to:", 1)[1].split("See also", 1)[0]
    reference = [
        line.replace("(EXPRESSION)", "EXPRESSION")
        for line in textwrap.dedent(block).splitlines()
        if line.strip()
    ]
    source = "async with EXPRESSION as TARGET:\n    SUITE\n"
    ours = [
        line
        for line in _expanded(source, 1).splitlines()
        if line.strip() and line != "import sys" and not line.strip().startswith("del ")
    ]
    assert ours == reference


def test_the_engine_imports_nothing_of_the_lsp_side() -> None:
    code = (
        "import sys, coro_ls.editing.expansions\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pygls', 'lsprotocol')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
