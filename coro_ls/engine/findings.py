"""What the engine reports: a rule code, CPython's message and where, in parso coordinates.

Positions follow parso: lines are 1-based, columns are 0-based and count code points
(Python ``str`` indices).  Ends are exclusive.  Conversion to anything else (1-based CLI
columns, LSP UTF-16/UTF-8 units) happens at the edges.
"""

from __future__ import annotations

from dataclasses import dataclass

Position = tuple[int, int]


@dataclass(frozen=True)
class Related:
    """A pointer to the construct that causes a finding (the plain ``def``, the ``yield``)."""

    start: Position
    end: Position
    message: str


@dataclass(frozen=True)
class Finding:
    code: str
    """The rule code, e.g. ``"CORO101"``."""
    message: str
    """CPython's own wording for the target version."""
    start: Position
    """Where CPython reports the error (line 1-based, column 0-based in code points)."""
    end: Position
    """A tight, exclusive end: the ``await`` expression, the ``async for`` keywords, ..."""
    related: tuple[Related, ...] = ()

    def shifted(self, lines: int) -> Finding:
        """The same finding ``lines`` lines further down (used when a region moves)."""
        if not lines:
            return self
        return Finding(
            self.code,
            self.message,
            (self.start[0] + lines, self.start[1]),
            (self.end[0] + lines, self.end[1]),
            tuple(
                Related((r.start[0] + lines, r.start[1]), (r.end[0] + lines, r.end[1]), r.message)
                for r in self.related
            ),
        )
