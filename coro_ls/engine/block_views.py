"""What a request needs of an incremental document at one position: the block holding it,
where that block's tree sits in the document, and the block's scope analysis, cached.

Requests (code actions, hover, ``coro-ls expand``) work on this instead of a tree of the
whole file: the block's tree is the one the incremental document keeps for its findings, so
a request parses nothing, and its analysis is computed once per block and kept until an
edit replaces the block.

Positions in a view are its tree's: ``document line = tree line + shift``.
"""

from __future__ import annotations

import itertools
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from parso.tree import NodeOrLeaf

from coro_ls.engine import rules
from coro_ls.engine.findings import Finding
from coro_ls.engine.incremental import (
    Block,
    IncrementalDocument,
    enclosing_classes,
)
from coro_ls.engine.scopes import Analysis


class TreeLines(Sequence[str]):
    """The document's lines (without line endings) as a block's tree numbers them."""

    def __init__(self, lines: list[str], shift: int) -> None:
        self._lines = lines
        self._shift = shift

    def __getitem__(self, index: int) -> str:  # type: ignore[override]
        return self._lines[index + self._shift].rstrip("\r\n")

    def __len__(self) -> int:
        return len(self._lines) - self._shift


@dataclass(frozen=True)
class BlockView:
    """One block of a document, valid until the document's next edit."""

    document: IncrementalDocument
    block: Block
    shift: int
    """Document line = tree line + shift."""
    index: int
    """The block's index in the document."""

    @property
    def statements(self) -> Sequence[NodeOrLeaf]:
        return self.block.statements

    @property
    def first_line(self) -> int:
        """The tree line of the block's first line."""
        return self.block.tree_line

    @property
    def stop_line(self) -> int:
        """The tree line just after the block."""
        return self.block.tree_line + self.block.count

    @property
    def document_lines(self) -> range:
        """The document lines (1-based) the block spans."""
        return range(self.block.tree_line + self.shift, self.stop_line + self.shift)

    @property
    def text(self) -> str:
        first = self.block.tree_line + self.shift - 1
        return "".join(self.document.lines[first : first + self.block.count])

    @property
    def lines(self) -> TreeLines:
        return TreeLines(self.document.lines, self.shift)

    def analysis(self) -> Analysis:
        """The engine's analysis of the block (tree coordinates), computed once per block."""
        return self._analysed()[0]

    def findings(self) -> list[Finding]:
        """Every finding of the engine in the block, in tree coordinates."""
        return self._analysed()[1]

    def _analysed(self) -> tuple[Analysis, list[Finding]]:
        block = self.block
        # The engine's own caches: what a request analyses, the next check reuses, and the
        # other way round (both are dropped when the block is replaced or options change).
        analysis = self.document.analysis_of(block, self.shift)
        found = block.findings
        if found is None:
            found = block.findings = rules.run(analysis) if block.relevant else []
        return analysis, found


def view_at(document: IncrementalDocument, line: int) -> BlockView:
    """The block holding document line ``line`` (1-based; clamped into the document)."""
    line = min(max(line, 1), max(len(document.lines), 1))
    block, shift = document.block_at(line)
    return BlockView(document, block, shift, document.blocks.index(block))


def views(
    document: IncrementalDocument, first: int = 1, last: int | None = None
) -> Iterator[BlockView]:
    """The blocks overlapping document lines ``first..last`` (1-based, inclusive), in order.

    Blocks before ``first`` are not visited (an unparsed one would be parsed)."""
    last = len(document.lines) if last is None else last
    line = max(first, 1)
    while True:
        view = view_at(document, line)
        yield view
        stop = view.document_lines.stop
        if stop > last or view.index == len(document.blocks) - 1 or stop <= line:
            return
        line = stop


def block_starts(document: IncrementalDocument) -> list[int]:
    """The first document line (1-based) of every block, parsed or not (nothing is parsed)."""
    return list(itertools.accumulate((b.count for b in document.blocks), initial=1))[:-1]


def block_index(starts: list[int], line: int) -> int:
    return max(0, bisect_right(starts, line) - 1)


def class_headers(view: BlockView) -> list[str]:
    """The lines the block's tree was parsed under (``class NAME:`` for each enclosing class,
    outermost first): a member parses alone under them as it does in its class."""
    headers = []
    for node in enclosing_classes(view.block):
        keyword, name = node.children[0], node.children[1]  # type: ignore[attr-defined]
        leading = keyword.prefix.rsplit("\n", 1)[-1].rsplit("\r", 1)[-1]
        headers.append(f"{leading}class{name.prefix}{name.value}:\n")
    return headers
