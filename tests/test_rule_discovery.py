"""A new rule is added by writing its module: nothing else in the package changes.

A throwaway family module (CORO199) is written into the rules package of a copy of the source
tree; with that copy first on ``PYTHONPATH``, ``coro-ls check`` reports its findings, hover
explains them and the README generator lists the rule.
"""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import coro_ls

PACKAGE = Path(coro_ls.__file__).resolve().parent

THROWAWAY = '''\
"""CORO199: a rule that exists only in this test."""

from coro_ls.engine.findings import Finding
from coro_ls.engine.rules import MAKE_ASYNC, Message, Rule, node_range, register, trusted
from coro_ls.engine.scopes import Kind


@register
class EveryAwaitInADef(Rule):
    code = "CORO199"
    name = "throwaway-await-in-def"
    summary = "any `await` in a plain `def` body"
    messages = (Message("throwaway: await in a def"),)
    explanation = "This rule was written by tests/test_rule_discovery.py and reports every await."
    points_at = "await"
    quick_fixes = (MAKE_ASYNC,)
    example = "`def f(): await g()`"
    how_to_fix = "delete this rule's module"
    documentation = "Every `await` directly in a plain `def` body (a throwaway rule).\\n"

    def check(self, analysis):
        for scope in analysis.scopes():
            if scope.kind is Kind.FUNCTION:
                for event in trusted(scope.awaits):
                    start, end = node_range(event.node)
                    yield Finding(self.code, self.messages[0].text, start, end)
'''

# CPython rejects it too: CORO1xx rules report only what compile() rejects, and `coro-ls check`
# skips the engine on sources the running interpreter compiles.
SAMPLE = "def f():\n    return await g()\n"

HOVER = """\
import sys
from coro_ls.editing.hover import hover_at
from coro_ls.engine import checker
source = sys.stdin.read()
module = checker.parse(source)
analysis = checker.analyse_tree(module, source)
findings = checker.check_tree(module, source)
finding = next(f for f in findings if f.code == "CORO199")
inside = (finding.start[0], finding.start[1] + len("await "))  # past the keyword's own hover
print(hover_at(source, module, analysis, inside, findings, markdown=True).text)
"""


def _run(arguments: list[str], copy: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(copy)}
    return subprocess.run(
        [sys.executable, *arguments],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=copy,
        env=environment,
        timeout=120,
    )


def _differences(left: Path, right: Path) -> list[str]:
    """Files added, removed or changed from ``left`` to ``right``, caches aside."""
    found: list[str] = []

    def walk(comparison: filecmp.dircmp[str], prefix: str) -> None:
        found.extend(prefix + name for name in comparison.left_only + comparison.right_only)
        found.extend(prefix + name for name in comparison.diff_files)
        for name, sub in comparison.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(filecmp.dircmp(left, right, ignore=["__pycache__"]), "")
    return sorted(found)


def test_a_rule_module_is_all_a_new_rule_needs(tmp_path: Path) -> None:
    copy = tmp_path / "tree"
    shutil.copytree(PACKAGE, copy / "coro_ls", ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "coro_ls" / "engine" / "rules" / "throwaway.py").write_text(THROWAWAY, "utf-8")
    (copy / "sample.py").write_text(SAMPLE, "utf-8")
    assert _differences(PACKAGE, copy / "coro_ls") == ["engine/rules/throwaway.py"]

    where = _run(["-c", "import coro_ls; print(coro_ls.__file__)"], copy)
    assert Path(where.stdout.strip()).is_relative_to(copy), where

    checked = _run(["-m", "coro_ls", "check", "--output-format", "json", "sample.py"], copy)
    assert checked.returncode == 1, checked.stderr
    reported = [
        (f["code"], f["line"], f["column"], f["message"]) for f in json.loads(checked.stdout)
    ]
    assert reported == [
        ("CORO101", 2, 12, "'await' outside async function"),
        ("CORO199", 2, 12, "throwaway: await in a def"),
    ]
    selected = _run(["-m", "coro_ls", "check", "--select", "CORO199", "sample.py"], copy)
    assert "CORO199" in selected.stdout and "CORO101" not in selected.stdout, selected.stderr

    hovered = _run(["-c", HOVER], copy, stdin=SAMPLE)
    assert hovered.returncode == 0, hovered.stderr
    assert "**CORO199**: `throwaway: await in a def`" in hovered.stdout
    assert "Reports any `await` in a plain `def` body." in hovered.stdout
    assert "written by tests/test_rule_discovery.py" in hovered.stdout
    assert "Here it is judged in function `f` (`def`)." in hovered.stdout

    listed = _run(["-m", "coro_ls.cli.rules_docs", "--print"], copy)
    assert listed.returncode == 0, listed.stderr
    assert (
        "| [CORO199](#coro199) | `throwaway-await-in-def` | "
        "`throwaway: await in a def` | `def f(): await g()` | "
        "delete this rule's module |"
    ) in listed.stdout
    assert "### CORO199\n\nEvery `await` directly in a plain `def` body" in listed.stdout
    assert _differences(PACKAGE, copy / "coro_ls") == ["engine/rules/throwaway.py"]
