"""In-file switches: ``# noqa`` comments and the ``# coro-ls: top-level-await`` marker.

``# noqa`` follows ruff and flake8: on the line where a finding starts, a bare ``# noqa``
silences every finding, ``# noqa: CORO101, CORO104`` (codes separated by commas and/or
spaces, case-insensitive) only those codes.  As in ruff, codes are matched exactly; text
after ``# noqa`` without a colon is ignored, so ``# noqa CORO101`` is a bare ``# noqa``.

The marker is a comment among the file's leading comment lines (before any code: only
blank lines and comments, such as a shebang or a coding declaration, may come before it).
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterable, Iterator

from coro_ls.findings import Finding

MARKER = "coro-ls: top-level-await"

_NOQA = re.compile(
    r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.IGNORECASE
)
_MARKER = re.compile(r"#\s*coro-ls:\s*top-level-await\s*$", re.IGNORECASE)
_CODE = re.compile(r"[A-Z]+[0-9]+", re.IGNORECASE)

ALL = None
"""What a bare ``# noqa`` silences."""


def noqa_lines(source: str) -> dict[int, frozenset[str] | None]:
    """Line (1-based) -> codes its ``# noqa`` silences (``None``: every code)."""
    found: dict[int, frozenset[str] | None] = {}
    for line, comment in _comments(source):
        match = _NOQA.search(comment)
        if match is None:
            continue
        codes = match["codes"]
        if codes is None:
            found[line] = ALL
        elif found.get(line, frozenset()) is not ALL:
            previous = found.get(line) or frozenset()
            found[line] = previous | {code.upper() for code in _CODE.findall(codes)}
    return found


def without_suppressed(findings: Iterable[Finding], source: str) -> list[Finding]:
    """The findings no ``# noqa`` on their first line silences."""
    findings = list(findings)
    if not findings or "noqa" not in source.lower():
        return findings
    lines = noqa_lines(source)
    kept = []
    for finding in findings:
        line = finding.start[0]
        if line in lines and (lines[line] is ALL or finding.code in lines[line]):  # type: ignore[operator]
            continue
        kept.append(finding)
    return kept


def has_marker(source: str) -> bool:
    """Whether the leading comment lines hold ``# coro-ls: top-level-await``."""
    # Lazily, line by line: only the leading comments are read, however long the file.
    for raw in io.StringIO(source, newline=None):
        line = raw.strip().lstrip("\ufeff")
        if not line:
            continue
        if not line.startswith("#"):
            return False
        if _MARKER.match(line):
            return True
    return False


def _comments(source: str) -> Iterator[tuple[int, str]]:
    """(line, text) of every comment; lines that do not tokenize are read naively, so a
    ``# noqa`` still works in a file with a syntax error."""
    try:
        comments = [
            (token.start[0], token.string)
            for token in tokenize.generate_tokens(io.StringIO(source).readline)
            if token.type == tokenize.COMMENT
        ]
    except (tokenize.TokenError, SyntaxError):
        comments = []
        for number, line in enumerate(source.splitlines(), 1):
            at = line.find("#")
            if at >= 0:
                comments.append((number, line[at:]))
    return iter(comments)
