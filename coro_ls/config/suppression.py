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
from collections.abc import Iterable, Sequence

from parso.utils import split_lines

from coro_ls.engine.findings import Finding

MARKER = "coro-ls: top-level-await"

_NOQA = re.compile(
    r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.IGNORECASE
)
_MARKER = re.compile(r"#\s*coro-ls:\s*top-level-await\s*$", re.IGNORECASE)
_CODE = re.compile(r"[A-Z]+[0-9]+", re.IGNORECASE)

ALL = None
"""What a bare ``# noqa`` silences."""


def silenced(line: str, code: str) -> bool:
    """Whether a ``# noqa`` comment on ``line`` (a physical line) silences ``code``.

    Only the line of a finding's start is read, so the cost follows the findings, not the
    file.  The line is tokenized on its own, so ``'# noqa'`` inside a string on it does not
    count; a line that does not tokenize alone (it opens or closes a multi-line string) is
    read from its first ``#``, as flake8 reads physical lines.
    """
    if "noqa" not in line.lower():
        return False
    match = _NOQA.search(_comment(line))
    if match is None:
        return False
    codes = match["codes"]
    return codes is None or code.upper() in {c.upper() for c in _CODE.findall(codes)}


def without_suppressed(findings: Iterable[Finding], source: str | Sequence[str]) -> list[Finding]:
    """The findings no ``# noqa`` on their first line silences; ``source`` is the text or
    its lines."""
    findings = list(findings)
    if not findings:
        return findings
    lines = split_lines(source) if isinstance(source, str) else source
    kept = []
    for finding in findings:
        line = finding.start[0]
        if not (line <= len(lines) and silenced(lines[line - 1], finding.code)):
            kept.append(finding)
    return kept


def has_marker(source: str | Sequence[str]) -> bool:
    """Whether the leading comment lines hold ``# coro-ls: top-level-await``; ``source`` is
    the text or its lines (then only the leading lines are read, however long the file)."""
    lines = io.StringIO(source, newline=None) if isinstance(source, str) else source
    for raw in lines:
        line = raw.strip().lstrip("\ufeff")
        if not line:
            continue
        if not line.startswith("#"):
            return False
        if _MARKER.match(line):
            return True
    return False


def _comment(line: str) -> str:
    """The comment on a physical line ("" if none)."""
    try:
        for token in tokenize.generate_tokens(io.StringIO(line.lstrip()).readline):
            if token.type == tokenize.COMMENT:
                return token.string
        return ""
    except (tokenize.TokenError, SyntaxError):
        at = line.find("#")
        return line[at:] if at >= 0 else ""
