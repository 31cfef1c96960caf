"""The rule engine against CPython: every generated case, the running interpreter's version.

Expected findings are never written by hand: tests/oracle.py asks ``compile()`` for them, one at
a time, on the corpus of tests/corpus.py.  For 3.11 the reference documents no case where
CPython's start column differs from where coro-ls reports, so positions are compared exactly
(CPython's UTF-8 byte offsets converted to code points by the oracle).

Run with ``-s`` to see the corpus size by rule.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest
from corpus import Judged, corpus, summary
from oracle import OracleFinding

from coro_ls.engine.checker import check_source
from coro_ls.engine.versions import format_version, running_version

CORPUS = corpus()
RULES = ("CORO101", "CORO102", "CORO103", "CORO104", "CORO105", "CORO106", "CORO107")


def _describe(item: Judged, got: Iterable[OracleFinding]) -> str:
    expected = sorted(item.expected)
    got = sorted(got)
    missing = [f for f in expected if f not in got]
    extra = [f for f in got if f not in expected]
    return (
        f"{item.case.name} (top_level_await={item.case.top_level_await})\n"
        f"source:\n{item.case.source}\n"
        f"CPython:  {expected}\nmissing: {missing}\nextra:   {extra}"
    )


def _engine(item: Judged) -> list[OracleFinding]:
    findings = check_source(
        item.case.source, target=running_version(), top_level_await=item.case.top_level_await
    )
    return [(f.start[0], f.start[1], f.code, f.message) for f in findings]


def test_corpus_covers_every_rule() -> None:
    counts = summary(CORPUS)
    line = ", ".join(f"{code}: {count}" for code, count in counts.items())
    print(f"\nrule-oracle corpus: {len(CORPUS)} cases; expected findings by rule: {line}")
    assert len(CORPUS) >= 3000, line
    # CORO107 needs `from __future__ import annotations` before 3.12, hence the smaller floor.
    for code in RULES:
        assert counts.get(code, 0) >= (50 if code == "CORO107" else 100), line
    assert counts["clean"] >= 500, line


def test_oracle_findings_compose_over_concatenated_cases() -> None:
    """A check of tests/oracle.py itself: its rewrites leave every other error where it was.

    A multi-error file is several cases one after the other, so CPython's findings for it are
    theirs, lines shifted; the oracle found each set separately.
    """
    judged = {(item.case.source, item.case.top_level_await): item.expected for item in CORPUS}
    multi = [item for item in CORPUS if item.case.parts]
    assert len(multi) >= 100
    for item in multi:
        composed = []
        offset = 0
        for part in item.case.parts:
            for line, column, code, message in judged[(part.source, part.top_level_await)]:
                composed.append((line + offset, column, code, message))
            offset += len(re.findall(r"\r\n|\r|\n", part.source))
        assert sorted(composed) == sorted(item.expected), _describe(item, composed)


def _group(name: str) -> str:
    """Cases that differ only in their construct (or a batch of random ones) share a test."""
    numbered = re.match(r"(random|multi)-(\d+):", name)
    if numbered:
        return f"{numbered.group(1)}-{int(numbered.group(2)) // 50 * 50}"
    parts = name.split("/")
    return "/".join(parts[:-1][:3]) or parts[0]


GROUPS: dict[str, list[Judged]] = {}
for _item in CORPUS:
    GROUPS.setdefault(_group(_item.case.name), []).append(_item)


@pytest.mark.parametrize("group", GROUPS)
def test_engine_agrees_with_cpython(group: str) -> None:
    wrong = []
    for item in GROUPS[group]:
        got = _engine(item)
        lines_and_codes = {(line, code) for line, _, code, _ in got}
        if lines_and_codes != {(line, code) for line, _, code, _ in item.expected}:
            wrong.append("same (line, code) set expected: " + _describe(item, got))
        elif sorted(got) != sorted(item.expected):
            # Same lines and codes: CPython's wording and start column for each finding.
            wrong.append("same messages and columns expected: " + _describe(item, got))
    assert not wrong, f"{len(wrong)} of {len(GROUPS[group])} cases disagree:\n" + "\n\n".join(
        wrong
    )


def _cli_findings(directory: Path, top_level_await: bool) -> dict[str, list[OracleFinding]]:
    # The target is explicit so that no configuration file above tmp_path can change it.
    target = format_version(running_version())
    command = [sys.executable, "-m", "coro_ls", "check", "--output-format", "json"]
    command += ["--target-version", target]
    if top_level_await:
        command.append("--top-level-await")
    result = subprocess.run(
        [*command, str(directory)], capture_output=True, text=True, encoding="utf-8", timeout=600
    )
    assert result.returncode in (0, 1), result.stderr
    by_file: dict[str, list[OracleFinding]] = {}
    for finding in json.loads(result.stdout):
        by_file.setdefault(Path(finding["filename"]).name, []).append(
            # The CLI's columns are 1-based characters.
            (finding["line"], finding["column"] - 1, finding["code"], finding["message"])
        )
    return by_file


def test_cli_json_agrees_with_cpython(tmp_path: Path) -> None:
    """The whole corpus through ``coro-ls check --output-format json``: two processes."""
    names: dict[str, Judged] = {}
    for top_level_await in (False, True):
        directory = tmp_path / ("tla" if top_level_await else "plain")
        directory.mkdir()
        for item in CORPUS:
            if item.case.top_level_await == top_level_await:
                name = f"case_{len(names):05d}.py"
                names[name] = item
                # Bytes, so that CRLF cases keep their line endings.
                (directory / name).write_bytes(item.case.source.encode("utf-8"))
    reported = {
        **_cli_findings(tmp_path / "plain", False),
        **_cli_findings(tmp_path / "tla", True),
    }
    wrong = [
        _describe(item, reported.get(name, []))
        for name, item in names.items()
        if sorted(reported.get(name, [])) != sorted(item.expected)
    ]
    assert not wrong, f"{len(wrong)} of {len(names)} files disagree; first:\n" + "\n\n".join(
        wrong[:5]
    )
