"""A document whose parse and check follow each edit: work per edit grows with the edit,
not with the file.

Every scope CPython knows lies inside one top-level statement, so a module is kept as a
sequence of *blocks* — runs of top-level statements, each with its own parso tree and its own
cached findings.  An edit re-parses only the blocks it touches, as one text region; the
region's parse is accepted when it provably starts and ends where a parse of the whole file
would start and end a top-level statement (fresh tokenizer and parser state on both sides).
Otherwise the region grows block by block — an unclosed ``\"\"\"`` typed mid-file grows it to
the end of the file, which is then the honest amount of work.  The only module-wide fact the
rules need, ``from __future__ import annotations``, is recomputed on each edit and re-checks
everything when it changes.

Positions are parso's: 1-based lines, 0-based code-point columns.  Block trees keep the
positions of the region they were parsed from; a block's ``shift`` maps them to the
document, so inserting a line moves no tree, only an integer per later block.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from parso.python.tree import Module
from parso.tree import NodeOrLeaf
from parso.utils import split_lines

from coro_ls.engine import rules
from coro_ls.engine.checker import analyse_block
from coro_ls.engine.findings import Finding, Position
from coro_ls.engine.scopes import has_future_annotations
from coro_ls.engine.versions import Version, grammar_for, running_version

log = logging.getLogger(__name__)

#: Without one of these words no rule can fire (CORO106 needs ``async def``), so such a
#: block is never walked.  Strings and comments only make the test conservative.
_RELEVANT = re.compile(r"\b(?:await|async)\b")
_CONTINUATIONS = frozenset({"else", "elif", "except", "finally"})


@dataclass(eq=False)
class Block:
    statements: list[NodeOrLeaf]
    """The top-level nodes of this block, in the coordinates of the tree they came from."""
    tree_line: int
    """The tree line (1-based) on which this block's first document line was parsed."""
    count: int
    """How many document lines the block spans (its last line may lack a line ending only
    at the end of the document)."""
    relevant: bool
    ends_in_error: bool
    findings: list[Finding] | None = field(default=None)
    """Cached findings in tree coordinates; None until computed."""


class IncrementalDocument:
    """The text of one document, its blocks and their findings."""

    def __init__(
        self, text: str, *, target: Version | None = None, top_level_await: bool = False
    ) -> None:
        self.target = target or running_version()
        self.top_level_await = top_level_await
        self.lines: list[str] = split_lines(text, keepends=True)
        self.blocks: list[Block] = []
        self.stats = {"edits": 0, "parsed_lines": 0, "regrowths": 0}
        self.blocks = self._parse_region(0, len(self.lines))
        self._leading_blocks = 0
        self.future_annotations = self._future_annotations()

    # -- text ------------------------------------------------------------------------------

    @property
    def text(self) -> str:
        return "".join(self.lines)

    def replace(self, start: Position, end: Position, new_text: str) -> None:
        """Replace the text from ``start`` to ``end`` (parso positions, end exclusive)."""
        (start_line, start_col), (end_line, end_col) = start, end
        first, last = start_line - 1, end_line - 1
        head = self.lines[first][:start_col]
        tail = self.lines[last][end_col:]
        # A "\r" ending the previous line and a "\n" starting the new text are one line
        # break (and likewise at the far end), so such neighbours are re-split too.
        if start_col == 0 and first > 0 and self.lines[first - 1].endswith("\r"):
            first -= 1
            head = self.lines[first]
        combined = head + new_text + tail
        if combined.endswith("\r") and last + 1 < len(self.lines):
            last += 1
            combined += self.lines[last]
        replacement = split_lines(combined, keepends=True)
        if last + 1 < len(self.lines):
            # The replaced lines end with a line break, after which split_lines yields "".
            replacement.pop()
        self._splice(first, last + 1, replacement)

    def _splice(self, first: int, stop: int, replacement: list[str]) -> None:
        """Lines ``first:stop`` become ``replacement``; re-parse the blocks they touch."""
        self.stats["edits"] += 1
        starts = self._starts()
        # Blocks overlapping [first, stop); an edit at the very end touches the last block.
        low = _block_index(starts, first)
        high = _block_index(starts, max(first, stop - 1))
        region_first = starts[low]
        region_stop = starts[high] + self.blocks[high].count
        delta = len(replacement) - (stop - first)
        self.lines[first:stop] = replacement
        region_stop += delta
        old_future = self.future_annotations
        self._reparse(low, high + 1, region_first, region_stop)
        if low <= self._leading_blocks:
            self.future_annotations = self._future_annotations()
        if self.future_annotations != old_future:
            for block in self.blocks:
                block.findings = None

    def _starts(self) -> list[int]:
        starts = []
        line = 0
        for block in self.blocks:
            starts.append(line)
            line += block.count
        return starts

    # -- parsing ---------------------------------------------------------------------------

    def _reparse(self, low: int, high: int, first: int, stop: int) -> None:
        """Re-parse blocks ``low:high`` (now document lines ``first:stop``), growing the region
        until its parse agrees with what a parse of the whole document would give."""
        while True:
            new_blocks = self._parse_region(first, stop)
            grow_back = low > 0 and (
                self.blocks[low - 1].ends_in_error or not _starts_fresh(new_blocks)
            )
            grow_forward = high < len(self.blocks) and (
                self.blocks[high - 1].ends_in_error
                or not self._ends_fresh(new_blocks, stop, self.blocks[high])
            )
            if not grow_back and not grow_forward:
                self.blocks[low:high] = new_blocks
                return
            self.stats["regrowths"] += 1
            if grow_back:
                low -= 1
                first -= self.blocks[low].count
            if grow_forward:
                stop += self.blocks[high].count
                high += 1

    def _parse_region(self, first: int, stop: int) -> list[Block]:
        lines = self.lines[first:stop]
        text = "".join(lines)
        self.stats["parsed_lines"] += len(lines)
        try:
            module = grammar_for(self.target).parse(text, error_recovery=True)
            blocks = _blocks_of(module, lines)
            last = module.children[-1].get_previous_leaf()
        except RecursionError:
            # Nesting deeper than the stack allows: no findings for this region rather than
            # a crash (or a guess).  The region stays one block, re-parsed on each edit.
            log.warning("lines %d-%d nest too deeply to parse; no findings there", first + 1, stop)
            return [Block([], 1, len(lines), relevant=False, ends_in_error=True)]
        # The tokenizer emits a NEWLINE token only outside brackets and strings, so a
        # region whose last token is a NEWLINE ends with the tokenizer in its neutral state
        # (an unclosed bracket turns the remaining line breaks into prefixes instead).
        if last is not None and last.type != "newline":
            blocks[-1].ends_in_error = True
        return blocks

    def _ends_fresh(self, new_blocks: list[Block], stop: int, following: Block) -> bool:
        """Whether the region's parse ends where a whole-file parse would start a new
        top-level statement with ``following``."""
        if new_blocks and new_blocks[-1].ends_in_error:
            return False
        first = following.statements[0] if following.statements else None
        if first is None:
            return True
        leaf = first.get_first_leaf()
        return leaf.type == "endmarker" or (
            leaf.value not in _CONTINUATIONS and leaf.type != "error_leaf"
        )

    def _future_annotations(self) -> bool:
        """Whether the document's leading statements import ``annotations`` from
        ``__future__``; also notes how many blocks hold those leading statements, since an
        edit after them cannot change the answer."""
        statements: list[NodeOrLeaf] = []
        self._leading_blocks = 0
        for index, block in enumerate(self.blocks):
            self._leading_blocks = index + 1
            statements.extend(block.statements)
            if not all(_is_leading(s) for s in block.statements):
                break
        return has_future_annotations(statements)

    def set_top_level_await(self, value: bool) -> None:
        if value != self.top_level_await:
            self.top_level_await = value
            for block in self.blocks:
                block.findings = None

    # -- findings --------------------------------------------------------------------------

    def findings(self) -> list[Finding]:
        """Every finding of the document, in document coordinates, sorted."""
        result: list[Finding] = []
        line = 0
        for block in self.blocks:
            found = block.findings
            if found is None:
                found = block.findings = self._check(block, line)
            if found:
                shift = line + 1 - block.tree_line
                result.extend([finding.shifted(shift) for finding in found])
            line += block.count
        result.sort(key=lambda f: (f.start, f.end, f.code))
        return result

    def _check(self, block: Block, start: int) -> list[Finding]:
        if not block.relevant:
            return []
        analysis = analyse_block(
            block.statements,
            _TreeLines(self.lines, start + 1 - block.tree_line),
            target=self.target,
            top_level_await=self.top_level_await,
            future_annotations=self.future_annotations,
        )
        return rules.run(analysis)

    def block_at(self, line: int) -> tuple[Block, int]:
        """The block holding document line ``line`` (1-based) and its shift (tree line +
        shift = document line)."""
        starts = self._starts()
        index = _block_index(starts, line - 1)
        block = self.blocks[index]
        return block, starts[index] + 1 - block.tree_line

    def iter_blocks(self) -> Iterator[tuple[Block, int]]:
        line = 0
        for block in self.blocks:
            yield block, line + 1 - block.tree_line
            line += block.count


class _TreeLines(Sequence[str]):
    """The document's lines (without line endings) as a block's tree numbers them."""

    def __init__(self, lines: list[str], offset: int) -> None:
        self.offset = offset
        self.lines = lines

    def __getitem__(self, index: int) -> str:  # type: ignore[override]
        return self.lines[index + self.offset].rstrip("\r\n")

    def __len__(self) -> int:
        return len(self.lines) - self.offset


def _block_index(starts: list[int], line: int) -> int:
    return max(0, bisect_right(starts, line) - 1)


def _blocks_of(module: Module, lines: list[str]) -> list[Block]:
    """Group a region's top-level nodes into blocks, each starting at column 0 of a line."""
    groups: list[list[NodeOrLeaf]] = []
    prefix_starts: list[tuple[int, int]] = []
    previous_end = (1, 0)
    for child in module.children:
        # Where the child's prefix starts is where the previous child ends (parso's own
        # get_start_pos_of_prefix searches the parent's list: quadratic over a module).
        prefix_start, previous_end = previous_end, child.end_pos
        boundary = child.type != "endmarker" and child.start_pos[1] == 0 and prefix_start[1] == 0
        if boundary or not groups:
            groups.append([child])
            prefix_starts.append(prefix_start)
        else:
            groups[-1].append(child)
    blocks: list[Block] = []
    total = len(lines)
    for index, group in enumerate(groups):
        first_line = prefix_starts[index][0] if index else 1
        if index + 1 < len(groups):
            stop_line = prefix_starts[index + 1][0]
        else:
            stop_line = total + 1
        count = stop_line - first_line
        text = "".join(lines[first_line - 1 : stop_line - 1])
        blocks.append(
            Block(
                statements=[c for c in group if c.type != "endmarker"],
                tree_line=first_line,
                count=count,
                relevant=_RELEVANT.search(text) is not None,
                ends_in_error=_ends_in_error(group),
            )
        )
    # A region of empty text still occupies its (at most one) line.
    if not blocks:
        blocks.append(Block([], 1, total, False, False))
    return blocks


def _ends_in_error(group: list[NodeOrLeaf]) -> bool:
    statements = [c for c in group if c.type != "endmarker"]
    if not statements:
        return False
    last = statements[-1]
    if last.type in ("error_node", "error_leaf"):
        return True
    leaf = last.get_last_leaf()
    return leaf.type == "error_leaf" or (
        leaf.parent is not None and leaf.parent.type == "error_node"
    )


def _starts_fresh(blocks: list[Block]) -> bool:
    """Whether the region's first statement starts a new top-level statement on its own."""
    if not blocks or not blocks[0].statements:
        return True
    first = blocks[0].statements[0]
    if first.start_pos[1] != 0 or first.type in ("error_node", "error_leaf"):
        return False
    return first.get_first_leaf().value not in _CONTINUATIONS


def _is_leading(statement: NodeOrLeaf) -> bool:
    return statement.type == "simple_stmt"
