"""Text edits in parso coordinates, shared by the quick fixes and the expansions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from parso.utils import split_lines

from coro_ls.engine.findings import Position


@dataclass(frozen=True)
class Edit:
    """Replace ``start``..``end`` (parso positions, end exclusive) with ``new_text``."""

    start: Position
    end: Position
    new_text: str


def apply_edits(source: str, edits: Iterable[Edit]) -> str:
    """``source`` with non-overlapping ``edits`` applied."""
    starts = [0]
    for line in split_lines(source, keepends=True):
        starts.append(starts[-1] + len(line))
    out, cursor = [], 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        start = starts[edit.start[0] - 1] + edit.start[1]
        out.append(source[cursor:start])
        out.append(edit.new_text)
        cursor = starts[edit.end[0] - 1] + edit.end[1]
    out.append(source[cursor:])
    return "".join(out)
