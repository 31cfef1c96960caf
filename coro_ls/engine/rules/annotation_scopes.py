"""CORO107: ``await`` in an annotation scope or a PEP 695 type-parameter scope.

Annotations are annotation scopes under ``from __future__ import annotations`` (3.10–3.13;
3.8 and 3.9 have no such check) and always from 3.14 (PEP 649/749).  Type-parameter bounds,
constraints and defaults, type alias values and the definition of a generic (its bases and
annotations) are scopes that can never be asynchronous (3.12+).
"""

from __future__ import annotations

from collections.abc import Iterator

from coro_ls.engine.findings import Finding
from coro_ls.engine.rules import Rule, node_range, register, trusted
from coro_ls.engine.scopes import ANNOTATION_LIKE, Analysis, Kind

_DEFAULTS_SINCE_313 = (Kind.TYPEVAR_DEFAULT, Kind.TYPEVARTUPLE_DEFAULT, Kind.PARAMSPEC_DEFAULT)


def message_for(kind: Kind, version: tuple[int, int]) -> str | None:
    if kind is Kind.ANNOTATION:
        if version < (3, 10):
            return None
        if version < (3, 12):
            return "'await expression' can not be used within an annotation"
        return "await expression cannot be used within an annotation"
    if version < (3, 12) or (kind in _DEFAULTS_SINCE_313 and version < (3, 13)):
        return None  # the syntax itself does not exist in that version
    return f"await expression cannot be used within {kind.value}"


@register
class AwaitInAnnotationScope(Rule):
    code = "CORO107"
    summary = "`await` in an annotation or type-parameter scope"

    def check(self, analysis: Analysis) -> Iterator[Finding]:
        for scope in analysis.scopes():
            if scope.kind not in ANNOTATION_LIKE or not scope.awaits:
                continue
            message = message_for(scope.kind, analysis.version)
            if message is None:
                continue
            for event in trusted(scope.awaits):
                start, end = node_range(event.node)
                yield Finding(self.code, message, start, end)
