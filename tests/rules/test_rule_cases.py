"""Each rule's own cases (``tests/rules/coro101.py``...) against every CPython installed here.

A case file holds the cases of one rule, each starting at a ``# case: NAME`` line and running
to the next one; ``# python: 3.12+`` right below the name limits it to the versions whose
parser reads it, ``# top-level-await`` checks it in top-level-await mode.  A ``# error: CODE``
comment (``# error: CODE (3.10+)`` when only some versions report it) marks a line where
CPython reports an error.

For each case and each interpreter (the running one, and /root/.pyenv's 3.8-3.13 when
present) the test asks that CPython's ``compile()`` for every error (tests/oracle.py, through
tests/version_oracle_runner.py) and checks that the markers say where they are, that coro-ls
with that version as its target reports exactly those (position, code, wording), and that
hover explains each finding with its rule's text.  ``pytest -k CORO105`` runs one rule's
cases; tests/test_rules_oracle.py and tests/test_versions_oracle.py run the generated corpus.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import tokenize
from dataclasses import dataclass
from functools import cache
from glob import glob
from pathlib import Path

import pytest

from coro_ls.editing.hover import hover_at
from coro_ls.engine import checker as engine
from coro_ls.engine import rules
from coro_ls.engine.versions import Version, format_version, running_version

HERE = Path(__file__).parent
RUNNER = HERE.parent / "version_oracle_runner.py"
_MARKER = re.compile(r"error: (CORO\d+(?:, CORO\d+)*)(?: \((3\.\d+)(\+|-3\.\d+)?\))?")
_VERSION = re.compile(r"(3\.\d+)(\+|-3\.\d+)?")


def _version(text: str) -> Version:
    major, minor = text.split(".")
    return int(major), int(minor)


def _within(spec: re.Match[str] | None, version: Version, first: int = 1) -> bool:
    """Whether ``version`` is in ``3.10+`` / ``3.8-3.10`` / ``3.11`` (None: every version)."""
    if spec is None or spec.group(first) is None:
        return True
    low, rest = _version(spec.group(first)), spec.group(first + 1)
    if rest == "+":
        return version >= low
    if rest:
        return low <= version <= _version(rest[1:])
    return version == low


@dataclass(frozen=True)
class Case:
    code: str
    name: str
    first_line: int
    source: str
    """The case's lines, preceded by blank ones: positions are the case file's."""
    top_level_await: bool
    python: re.Match[str] | None
    markers: tuple[tuple[int, str, re.Match[str]], ...]
    """(line, code, marker match)."""

    def runs_on(self, version: Version) -> bool:
        return _within(self.python, version)

    def expected_lines(self, version: Version) -> set[tuple[int, str]]:
        return {(line, code) for line, code, match in self.markers if _within(match, version, 2)}


def _comments(source: str) -> list[tuple[int, str]]:
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return [(t.start[0], t.string) for t in tokens if t.type == tokenize.COMMENT]


def cases_of(path: Path) -> list[Case]:
    code = path.stem.upper()
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if line.startswith("# case: ")]
    found = []
    for number, start in enumerate(starts):
        stop = starts[number + 1] if number + 1 < len(starts) else len(lines)
        body = lines[start:stop]
        options = [line.strip() for line in body[1:3] if line.startswith("# ")]
        python = next(
            (_VERSION.fullmatch(o[len("# python: ") :]) for o in options if "python:" in o), None
        )
        source = "\n" * start + "".join(body)
        markers = []
        for line, comment in _comments(source):
            for match in _MARKER.finditer(comment):
                for marked in match.group(1).split(", "):
                    markers.append((line, marked, match))
        found.append(
            Case(
                code,
                body[0][len("# case: ") :].strip(),
                start + 1,
                source,
                "# top-level-await" in options,
                python,
                tuple(markers),
            )
        )
    return found


def _interpreters() -> dict[Version, str]:
    found = {running_version(): sys.executable}
    for minor in range(8, 14):
        paths = sorted(glob(f"/root/.pyenv/versions/3.{minor}.*/bin/python3.{minor}"))
        if paths:
            found.setdefault((3, minor), paths[0])
    return dict(sorted(found.items()))


INTERPRETERS = _interpreters()
CASES = [case for path in sorted(HERE.glob("coro*.py")) for case in cases_of(path)]


@cache
def verdicts(version: Version) -> dict[Case, dict[str, object]]:
    """CPython ``version``'s findings for every case that runs on it (one subprocess)."""
    chosen = [case for case in CASES if case.runs_on(version)]
    result = subprocess.run(
        [INTERPRETERS[version], str(RUNNER)],
        input=json.dumps([[case.source, case.top_level_await] for case in chosen]),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return dict(zip(chosen, json.loads(result.stdout), strict=True))


PARAMETERS = [
    pytest.param(case, version, id=f"{case.code}:{case.name}@{format_version(version)}")
    for case in CASES
    for version in INTERPRETERS
    if case.runs_on(version)
]


@pytest.mark.parametrize(("case", "version"), PARAMETERS)
def test_rule_case(case: Case, version: Version) -> None:
    verdict = verdicts(version)[case]
    where = f"tests/rules/{case.code.lower()}.py:{case.first_line} ({case.name})"
    assert "findings" in verdict, f"{where}: CPython {format_version(version)}: {verdict}"
    expected = sorted(tuple(finding) for finding in verdict["findings"])  # type: ignore[attr-defined]
    assert {(line, code) for line, _, code, _ in expected} == case.expected_lines(version), (
        f"{where}: the markers do not say where CPython {format_version(version)} reports "
        f"errors: {expected}"
    )
    findings = engine.check_source(
        case.source, target=version, top_level_await=case.top_level_await
    )
    got = sorted((f.start[0], f.start[1], f.code, f.message) for f in findings)
    assert got == expected, f"{where}: coro-ls with target {format_version(version)}"
    module = engine.parse(case.source, target=version)
    analysis = engine.analyse_tree(
        module, case.source, target=version, top_level_await=case.top_level_await
    )
    for finding in findings:
        hover = hover_at(case.source, module, analysis, finding.start, findings)
        assert hover is not None, f"{where}: no hover on {finding}"
        assert finding.code in hover.text and f"`{finding.message}`" in hover.text
        assert rules.load()[finding.code].explanation in hover.text


def test_every_rule_has_its_case_file_and_each_file_its_rule() -> None:
    files = {path.stem.upper(): path for path in HERE.glob("coro*.py")}
    assert sorted(files) == sorted(rules.load())
    for code in files:
        marked = {marked for case in CASES if case.code == code for _, marked, _ in case.markers}
        assert code in marked, f"no case of {code} in tests/rules/{code.lower()}.py has an error"
        assert len([case for case in CASES if case.code == code]) >= 4
