"""Engine findings -> LSP diagnostics, with a link to each rule's section of the documentation."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from functools import cache
from importlib import metadata

from lsprotocol import types

from coro_ls.engine.findings import Finding
from coro_ls.server import positions

logger = logging.getLogger(__name__)

SOURCE = "coro-ls"
DISTRIBUTION = "coro-ls"
FALLBACK_DOCUMENTATION = "https://github.com/coro-ls/coro-ls"


@cache
def documentation_url() -> str:
    """``[project.urls].Documentation`` from the installed metadata, without its fragment."""
    try:
        entries = metadata.metadata(DISTRIBUTION).get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        entries = []
    for entry in entries:
        label, _, url = entry.partition(",")
        if label.strip().lower() == "documentation" and url.strip():
            return url.strip().partition("#")[0]
    return FALLBACK_DOCUMENTATION


def rule_href(code: str) -> str:
    """The README section of a rule: ``### CORO101`` has the anchor ``#coro101``."""
    return f"{documentation_url()}#{code.lower()}"


def to_diagnostic(
    finding: Finding, uri: str, lines: Sequence[str], encoding: str
) -> types.Diagnostic:
    return types.Diagnostic(
        range=positions.range_to_lsp(lines, finding.start, finding.end, encoding),
        message=finding.message,
        severity=types.DiagnosticSeverity.Error,
        code=finding.code,
        code_description=types.CodeDescription(href=rule_href(finding.code)),
        source=SOURCE,
        related_information=[
            types.DiagnosticRelatedInformation(
                location=types.Location(
                    uri=uri,
                    range=positions.range_to_lsp(lines, related.start, related.end, encoding),
                ),
                message=related.message,
            )
            for related in finding.related
        ]
        or None,
    )


def to_diagnostics(
    findings: Iterable[Finding], uri: str, lines: Sequence[str], encoding: str
) -> list[types.Diagnostic]:
    return [to_diagnostic(finding, uri, lines, encoding) for finding in findings]
