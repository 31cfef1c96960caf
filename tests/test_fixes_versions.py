"""Quick fixes for each target version, judged by that version's own CPython.

For every target 3.8-3.13 the fixes are computed with ``target=`` that version and the fixed
text is compiled by that interpreter: a fix that removes every finding of a file must leave a
file it accepts, and where "Make async" is not offered, making the def async by hand must leave
one it rejects (3.8-3.10 judge nested asynchronous comprehensions differently from 3.11+).
"""

from __future__ import annotations

import json
import subprocess
from functools import cache
from glob import glob

import pytest
from corpus import generate
from oracle import code_for

from coro_ls.editing.fixes import MAKE_ASYNC_CODES, Edit, apply_edits, quick_fixes
from coro_ls.engine import checker as engine
from coro_ls.engine.finding_scopes import FindingScopes
from coro_ls.engine.scopes import Kind
from coro_ls.engine.versions import Version

VERSIONS = [(3, minor) for minor in range(8, 14)]

# Reads [[source, top_level_await], ...]; prints, for each, None or the SyntaxError message.
# Reads [[source, top_level_await], ...]; prints, for each, [parse error, compile error]
# (each None or the SyntaxError's message).
RUNNER = """
import ast, json, sys, warnings
warnings.simplefilter("ignore")
out = []
for source, tla in json.load(sys.stdin):
    flags = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT if tla else 0
    verdict = []
    for mode in (ast.PyCF_ONLY_AST, 0):
        try:
            compile(source, "<case>", "exec", dont_inherit=True, flags=flags | mode)
            verdict.append(None)
        except SyntaxError as error:
            verdict.append(error.msg)
    out.append(verdict)
print(json.dumps(out))
"""

HAND_WRITTEN = [
    "def f():\n    return [[y async for y in x] for x in z]\n",
    "def f():\n    return [[await y for y in x] for x in z]\n",
    "def f():\n    return [(await y for y in x) for x in z]\n",
    "def f():\n    return {k: [v async for v in w] async for k in z}\n",
    "class A:\n    @property\n    def p(self):\n        async with self.l:\n            pass\n",
    "async def f(g):\n    yield from g\n",
    "async def f():\n    yield 1\n    return None\n",
    "def f():\n    yield 1\n    await x\n    return 2\n",
]


def _interpreter(version: Version) -> str | None:
    found = sorted(glob(f"/root/.pyenv/versions/{version[0]}.{version[1]}.*/bin/python*.*"))
    exact = [path for path in found if path.endswith(f"python{version[0]}.{version[1]}")]
    return exact[0] if exact else None


def _compile_all(python: str, sources: list[tuple[str, bool]]) -> list[list[str | None]]:
    result = subprocess.run(
        [python, "-c", RUNNER],
        input=json.dumps(sources),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    verdicts: list[list[str | None]] = json.loads(result.stdout)
    return verdicts


@cache
def _sources() -> list[tuple[str, bool]]:
    sample = generate()[::10]
    return [(source, False) for source in HAND_WRITTEN] + [
        (case.source, case.top_level_await) for case in sample
    ]


Check = tuple[str, str, bool, bool, str]


def _checks(version: Version) -> list[Check]:
    """(original, candidate, top-level await, must compile, what) for every fix that removes
    every finding of its file, and for every def that gets no "Make async" although all the
    findings are judged in it."""
    checks = []
    for source, tla in _sources():
        module = engine.parse(source, version)
        analysis = engine.analyse_tree(module, source, target=version, top_level_await=tla)
        findings = engine.check_tree(module, source, target=version, top_level_await=tla)
        if not findings:
            continue
        offered = quick_fixes(source, analysis, findings, all_findings=findings)
        for fix in offered:
            if len(fix.fixes) == len(findings):
                checks.append((source, apply_edits(source, fix.edits), tla, True, fix.title))
        index = FindingScopes(analysis)
        judged = {
            located.judged
            for finding in findings
            if (located := index.locate(finding)) is not None
        }
        if not offered and len(judged) == 1 and all(f.code in MAKE_ASYNC_CODES for f in findings):
            (scope,) = judged
            # A comprehension judged in a comprehension (3.8-3.10): its def would not help.
            while scope.kind is Kind.COMPREHENSION and scope.parent is not None:
                scope = scope.parent
            if scope.kind is Kind.FUNCTION:
                keyword = scope.node.children[0]  # type: ignore[union-attr]
                at = keyword.start_pos
                by_hand = apply_edits(source, [Edit(at, at, "async ")])
                checks.append((source, by_hand, tla, False, "async def by hand"))
    return checks


@pytest.mark.parametrize("version", VERSIONS, ids=lambda v: f"{v[0]}.{v[1]}")
def test_fixes_leave_a_file_that_version_accepts(version: Version) -> None:
    python = _interpreter(version)
    if python is None:
        pytest.fail(f"no CPython {version} interpreter (pyenv ships 3.8-3.13 here)")
    checks = _checks(version)
    verdicts = _compile_all(
        python, [(c[0], c[2]) for c in checks] + [(c[1], c[2]) for c in checks]
    )
    originals, candidates = verdicts[: len(checks)], verdicts[len(checks) :]
    counted = {True: 0, False: 0}
    for (_, candidate, _, must_compile, what), before, after in zip(
        checks, originals, candidates, strict=True
    ):
        if before[1] is None or code_for(before[1]) is None:
            continue  # syntax that version lacks, or an engine disagreement judged elsewhere
        if must_compile:
            # Parsed, and no coroutine error left.  (A compiler error of another kind, such
            # as a return in an except* block, was already there behind the one fixed.)
            assert after[0] is None, (version, what, candidate, after)
            assert after[1] is None or code_for(after[1]) is None, (version, what, candidate)
        else:
            assert after[1] is not None, (version, what, candidate)
        counted[must_compile] += 1
    assert counted[True] >= 100 and counted[False] >= 1, counted
