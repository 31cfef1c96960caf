"""CORO107: ``await`` in an annotation scope or a PEP 695 type-parameter scope.

Annotations are annotation scopes under ``from __future__ import annotations`` (3.10–3.13;
3.8 and 3.9 have no such check) and always from 3.14 (PEP 649/749).  Type-parameter bounds,
constraints and defaults, type alias values and the definition of a generic (its bases and
annotations) are scopes that can never be asynchronous (3.12+).
"""

from __future__ import annotations

from collections.abc import Iterator

from coro_ls.engine.findings import Finding
from coro_ls.engine.rules import Message, Rule, node_range, register, trusted
from coro_ls.engine.scopes import ANNOTATION_LIKE, Analysis, Kind

_DEFAULTS_SINCE_313 = (Kind.TYPEVAR_DEFAULT, Kind.TYPEVARTUPLE_DEFAULT, Kind.PARAMSPEC_DEFAULT)

# 3.8 and 3.9 have no such check; before 3.12 (3.13 for defaults) the syntax does not exist.
ANNOTATION_MESSAGES = (
    Message("'await expression' can not be used within an annotation", (3, 10), (3, 11)),
    Message("await expression cannot be used within an annotation", (3, 12)),
)
TYPE_PARAMETER_MESSAGES = {
    kind: Message(
        f"await expression cannot be used within {kind.value}",
        (3, 13) if kind in _DEFAULTS_SINCE_313 else (3, 12),
    )
    for kind in Kind
    if kind in ANNOTATION_LIKE and kind is not Kind.ANNOTATION
}


def message_for(kind: Kind, version: tuple[int, int]) -> str | None:
    if kind is Kind.ANNOTATION:
        candidates: tuple[Message, ...] = ANNOTATION_MESSAGES
    else:
        candidates = (TYPE_PARAMETER_MESSAGES[kind],)
    return next((m.text for m in candidates if m.used_in(version)), None)


@register
class AwaitInAnnotationScope(Rule):
    code = "CORO107"
    name = "await-in-annotation-scope"
    summary = "`await` in an annotation or type-parameter scope"
    messages = ANNOTATION_MESSAGES + tuple(TYPE_PARAMETER_MESSAGES.values())
    explanation = (
        "Annotations and type parameters are evaluated in scopes of their own that can never "
        "be asynchronous."
    )
    points_at = "await"
    example = "`type A = await g()`"
    how_to_fix = "compute the value outside the annotation or type-parameter scope"
    documentation = """\
`await` inside an annotation scope (under `from __future__ import annotations` on 3.10–3.13,
every annotation on 3.14) or a PEP 695 type-parameter scope (3.12+: type-variable bounds,
constraints and defaults, `type` alias values, the bases of a generic class and the annotations
of a generic function).
"""

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
