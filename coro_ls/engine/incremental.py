"""A document whose parse and check follow each edit: work per edit grows with the edit,
not with the file.

Every scope CPython knows lies inside one top-level statement, and every scope inside a
class body lies inside one member of it, so a module is kept as a flat sequence of
*blocks*, each with its own parso tree and its own cached findings:

* runs of top-level statements;
* for a class whose body parsed cleanly (every member a statement at one column, no error
  in the header; recursively for classes nested in such a body): a *header block* (comments
  and decorators before it, ``class NAME(...):``) followed by one block per member.  A
  block's ``context`` lists the classes around it, outermost first; its *level* is the
  length of that list.

An edit re-parses only the blocks it touches, as one text region made of whole members of
the shallowest level among them (an edit touching a class header re-parses the whole class at
the level of that header, so a ``class`` turned into a ``def`` and back is re-split by the
parse itself).  A region of members is parsed under synthetic headers: for each enclosing
class a line ``<its indentation>class NAME:`` (the real header's leading whitespace and
text up to the name), then the region's lines.  The tokenizer then enters the region with
the indentation stack, bracket and string state a whole-file parse has there, and the
parser with the same stack of suites, so the region's tokens and trees are those of a
whole-file parse as long as the region *starts and ends* where a whole-file parse would be
between two statements of that body:

* the members parse as members of the innermost class (nothing dedents out of it, no error
  node or stray token in the body, every member at the body's column), otherwise the region
  becomes the whole enclosing class, one level up;
* the previous block does not end in error and the region's first statement is not a
  continuation (``else``, ``except``...); the region's last token is a NEWLINE (the tokenizer
  is neutral: no open bracket, string or backslash continuation), its last block does not end
  in error and the following block does not start with a continuation or an error.

Otherwise the region grows (by a doubling number of blocks); growing past the first or last
member of a class makes it the whole class.  An unclosed ``\"\"\"`` typed mid-file grows it to
the end of the file, which is then the honest amount of work.  The only module-wide fact the
rules need, ``from __future__ import annotations``, is recomputed on each edit and re-checks
everything when it changes.

Members are checked in the scope of their classes (``analyse_statements`` with
``enclosing``); a header block's check walks only the header.  Pointers to an enclosing
class ("in the body of class 'X'") are found in the member's own tree (synthetic header)
and placed on the real header when findings are assembled.

Top-level functions are not split: a function's verdicts depend on function-wide facts
(whether its body has a ``yield`` anywhere makes every ``return VALUE`` of an ``async def``
an error; an ``await`` makes a plain ``def`` a coroutine to CPython's symbol table), and
their size does not call for it.  Measured with ``benchmarks/incremental_blocks.py
--functions`` (Python 3.11.7's standard library, one run on a shared two-core machine under
a load average of about 14, where ``compile()`` of ``_pydecimal.py`` took 261 ms, several
times its unloaded figure): the largest top-level functions are ``re/_parser.py:_parse``
(386 lines, parse and check 580 ms in that run), then ``difflib._mdiff`` (268 lines, 136 ms),
``_strptime._strptime`` (249 lines, 136 ms) and ``dataclasses._process_class`` (233 lines,
103 ms); every other is shorter.  Scaled by the load, all but ``_parse`` re-parse within
the per-keystroke budget (a quarter of ``compile()`` of a 10,000-line file) and ``_parse``
within its maximum (twice that).  Methods are what real files have in the thousands of lines:
in the same run, typing ``await x`` one character per edit at 30 seeded method-body
positions parsed at most 100 lines per keystroke in ``_pydecimal.py`` (p50 27; before this
change p50 2,538 and max 3,329: the class ``Decimal``) and at most 81 in
``asyncio/base_events.py`` (before: 1,565, the class ``BaseEventLoop``).

A lazy open (the default) finds statements with :mod:`coro_ls.engine.statements` and parses
only the blocks that mention ``await`` or ``async``: in that run, 113 of 6,426 lines of
``_pydecimal.py`` (open 645 ms against 4.4 s before) and 919 of 1,948 lines of
``base_events.py``.  Unparsed blocks are parsed when an edit touches them, or when
:meth:`IncrementalDocument.block_at` or :meth:`IncrementalDocument.iter_blocks` reaches them.

Positions are parso's: 1-based lines, 0-based code-point columns.  Block trees keep the
positions of the region they were parsed from; a block's ``shift`` maps them to the
document, so inserting a line moves no tree, only an integer per later block.

Features (code actions, hover, expansions) read a block with
:meth:`IncrementalDocument.block_at` (the block holding a line and its shift; an unparsed
block is parsed then) and :meth:`IncrementalDocument.iter_blocks`; a block's ``context``
names its enclosing classes, and its analysis must be made in their scope
(:meth:`IncrementalDocument.analysis_of`, or ``analyse_block`` with
:func:`enclosing_classes` and :func:`split_classes`).  Blocks, like the nodes they hold, are
replaced by edits.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from parso.python.tree import Module
from parso.tree import BaseNode, NodeOrLeaf
from parso.utils import split_lines

from coro_ls.engine import rules
from coro_ls.engine.checker import analyse_block
from coro_ls.engine.findings import Finding, Position, Related
from coro_ls.engine.scopes import Analysis, has_future_annotations
from coro_ls.engine.statements import Chunk, split_statements
from coro_ls.engine.versions import Version, grammar_for, running_version

log = logging.getLogger(__name__)

#: Without one of these words no rule can fire (CORO106 needs ``async def``), so such a
#: block is never walked.  Strings and comments only make the test conservative.
_RELEVANT = re.compile(r"\b(?:await|async)\b")
_CONTINUATIONS = frozenset({"else", "elif", "except", "finally"})
_ERRORS = ("error_node", "error_leaf")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")

Pointer = tuple[Position, Position]


@dataclass(eq=False)
class ClassHeader:
    """A class whose body is kept as member blocks."""

    name: str
    header: str
    """Its header line up to the end of the name (``    class  Name``): the synthetic
    header a region of its members is parsed under, ``header + ":"``."""
    body_column: int
    block: Block
    """The header block."""
    pointer: Pointer
    """``class NAME`` in the header block's tree."""
    node: NodeOrLeaf | None = None
    """The ``classdef`` in the header block's tree; None while that block is unparsed."""


@dataclass(eq=False)
class Block:
    statements: list[NodeOrLeaf]
    """The nodes of this block, in the coordinates of the tree they came from: top-level
    statements, or one member of a class body."""
    tree_line: int
    """The tree line (1-based) on which this block's first document line was parsed."""
    count: int
    """How many document lines the block spans (its last line may lack a line ending only
    at the end of the document)."""
    relevant: bool
    ends_in_error: bool
    context: tuple[ClassHeader, ...] = ()
    """The classes whose body this block is (part of), outermost first."""
    opens: ClassHeader | None = None
    """Set on a class's header block: the class, whose members are the following blocks."""
    findings: list[Finding] | None = field(default=None)
    """Cached findings in tree coordinates; None until computed."""
    analysis: Analysis | None = field(default=None)
    """Cached scope analysis in tree coordinates; None until asked for."""
    lazy: bool = False
    """Not parsed yet (``statements`` is empty): the lines hold whole statements of the
    block's body found by :mod:`coro_ls.engine.statements`, none mentioning await/async."""


class IncrementalDocument:
    """The text of one document, its blocks and their findings."""

    def __init__(
        self,
        text: str,
        *,
        target: Version | None = None,
        top_level_await: bool = False,
        lazy: bool = True,
    ) -> None:
        """Open ``text``.  ``lazy`` (the default) parses only the statements that mention
        ``await`` or ``async`` (and the leading docstring and future imports) when
        :mod:`coro_ls.engine.statements` can tell where statements start; the others are
        parsed when an edit touches them or a view is asked for.  Findings are the same
        either way."""
        self.target = target or running_version()
        self.top_level_await = top_level_await
        self.lines: list[str] = split_lines(text, keepends=True)
        self.blocks: list[Block] = []
        self.stats = {"edits": 0, "parsed_lines": 0, "regrowths": 0}
        chunks = split_statements(text, self.lines) if lazy else None
        if chunks is None:
            self.blocks = self._parse_region(0, len(self.lines), ()) or []
        else:
            self.blocks = self._lazy_blocks(chunks, ())
            self._parse_needed()
        self._leading_blocks = 0
        self.future_annotations = self._future_annotations()

    def _lazy_blocks(self, chunks: list[Chunk], context: tuple[ClassHeader, ...]) -> list[Block]:
        blocks: list[Block] = []
        for chunk in chunks:
            shape = chunk.shape
            if shape is not None and not _relevant(self.lines, chunk.first, shape.members_start):
                header = ClassHeader(
                    shape.name,
                    shape.header,
                    shape.body_column,
                    None,  # type: ignore[arg-type]  # set below, with the header block
                    shape.pointer,
                )
                block = Block(
                    [],
                    chunk.first + 1,
                    shape.members_start - chunk.first,
                    relevant=False,
                    ends_in_error=False,
                    context=context,
                    opens=header,
                    lazy=True,
                )
                header.block = block
                blocks.append(block)
                blocks.extend(self._lazy_blocks(shape.members, (*context, header)))
                continue
            relevant = _relevant(self.lines, chunk.first, chunk.stop)
            blocks.append(
                Block(
                    [],
                    chunk.first + 1,
                    chunk.stop - chunk.first,
                    relevant=relevant or chunk.leading,
                    ends_in_error=False,
                    context=context,
                    lazy=True,
                )
            )
        return blocks

    def _parse_needed(self) -> None:
        """Parse the lazy blocks that can hold a finding (and the leading ones), from the
        last to the first so that earlier blocks keep their indices."""
        starts = self._starts()
        index = len(self.blocks) - 1
        while index >= 0:
            block = self.blocks[index]
            if block.lazy and block.relevant:
                regrowths = self.stats["regrowths"]
                self._reparse(index, index + 1, starts[index], starts[index] + block.count)
                if self.stats["regrowths"] != regrowths:
                    starts = self._starts()
                    index = min(index, len(self.blocks))
            index -= 1

    def _materialize(self, index: int) -> int:
        """Parse lazy block ``index``; the index of the block now holding its first line."""
        starts = self._starts()
        line = starts[index]
        self._reparse(index, index + 1, line, line + self.blocks[index].count)
        return _block_index(self._starts(), line)

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
            self._forget_checks()

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
        blocks = self.blocks
        step = 1
        while True:
            # Whole members of the shallowest level among the blocks.
            level = min(len(block.context) for block in blocks[low:high])
            while low > 0 and len(blocks[low].context) > level:
                low -= 1
                first -= blocks[low].count
            while high < len(blocks) and len(blocks[high].context) > level:
                stop += blocks[high].count
                high += 1
            context = blocks[low].context[:level]
            new_blocks = self._parse_region(first, stop, context)
            if new_blocks is None:
                # Not members of that class (a dedent out of it, a stray token): the region
                # becomes the whole class, one level up.
                self.stats["regrowths"] += 1
                while len(blocks[low].context) >= level:
                    low -= 1
                    first -= blocks[low].count
                while high < len(blocks) and len(blocks[high].context) >= level:
                    stop += blocks[high].count
                    high += 1
                continue
            grow_back = low > 0 and (
                blocks[low - 1].ends_in_error or not _starts_fresh(new_blocks, level)
            )
            grow_forward = high < len(blocks) and (
                blocks[high - 1].ends_in_error or not _ends_fresh(new_blocks, blocks[high])
            )
            if not grow_back and not grow_forward:
                blocks[low:high] = new_blocks
                return
            self.stats["regrowths"] += 1
            # A doubling step: an unclosed string grows the region to the end of the file
            # in a logarithmic number of parses, not one per block.
            if grow_back:
                for _ in range(step):
                    if low == 0:
                        break
                    low -= 1
                    first -= blocks[low].count
            if grow_forward:
                for _ in range(step):
                    if high == len(blocks):
                        break
                    stop += blocks[high].count
                    high += 1
            step *= 2

    def _parse_region(
        self, first: int, stop: int, context: tuple[ClassHeader, ...]
    ) -> list[Block] | None:
        """Parse document lines ``first:stop`` as top-level statements, or as members of the
        innermost class of ``context``; None when they are not members of that class."""
        lines = self.lines[first:stop]
        headers = "".join(header.header + ":\n" for header in context)
        self.stats["parsed_lines"] += len(lines)
        try:
            module = grammar_for(self.target).parse(headers + "".join(lines), error_recovery=True)
            if context:
                blocks = _member_blocks(module, context, lines)
                if blocks is None:
                    return None
            else:
                blocks = _blocks_of(module, lines)
            last = module.children[-1].get_previous_leaf()
        except RecursionError:
            if context:
                return None
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

    def _future_annotations(self) -> bool:
        """Whether the document's leading statements import ``annotations`` from
        ``__future__``; also notes how many blocks hold those leading statements, since an
        edit after them cannot change the answer."""
        statements: list[NodeOrLeaf] = []
        self._leading_blocks = 0
        for index, block in enumerate(self.blocks):
            self._leading_blocks = index + 1
            if block.lazy:
                break
            statements.extend(block.statements)
            if block.context or not all(_is_leading(s) for s in block.statements):
                break
        return has_future_annotations(statements)

    def set_top_level_await(self, value: bool) -> None:
        if value != self.top_level_await:
            self.top_level_await = value
            self._forget_checks()

    def _forget_checks(self) -> None:
        for block in self.blocks:
            block.findings = None
            block.analysis = None

    # -- findings --------------------------------------------------------------------------

    def findings(self) -> list[Finding]:
        """Every finding of the document, in document coordinates, sorted."""
        result: list[Finding] = []
        # Where each split class's ``class NAME`` is, for pointers from its members (a
        # header block comes before its members).
        headers: dict[int, Pointer] = {}
        line = 0
        for block in self.blocks:
            if block.opens is not None:
                headers[id(block.opens)] = _moved(block.opens.pointer, line + 1 - block.tree_line)
            if block.relevant:
                result.extend(self._block_findings(block, line, headers))
            line += block.count
        result.sort(key=lambda f: (f.start, f.end, f.code))
        return result

    def _block_findings(
        self, block: Block, start: int, headers: dict[int, Pointer]
    ) -> list[Finding]:
        found = block.findings
        if found is None:
            found = block.findings = self._check(block, start)
        if not found:
            return []
        shift = start + 1 - block.tree_line
        if not block.context:
            return [finding.shifted(shift) for finding in found]
        # Pointers to an enclosing class point at its header in this block's tree.
        real = {
            _pointer(node): headers[id(header)]
            for node, header in zip(_enclosing(block), block.context, strict=False)
        }
        return [_placed(finding, shift, real) for finding in found]

    def _check(self, block: Block, start: int) -> list[Finding]:
        if not block.relevant:
            return []
        return rules.run(self._analysis(block, start))

    def _analysis(self, block: Block, start: int) -> Analysis:
        if block.analysis is None:
            block.analysis = analyse_block(
                block.statements,
                _BlockLines(self.lines[start : start + block.count], block.tree_line),
                target=self.target,
                top_level_await=self.top_level_await,
                future_annotations=self.future_annotations,
                enclosing=_enclosing(block),
                split=[block.opens.node] if block.opens is not None and block.opens.node else (),
            )
        return block.analysis

    # -- blocks for features ---------------------------------------------------------------

    def block_at(self, line: int) -> tuple[Block, int]:
        """The block holding document line ``line`` (1-based) and its shift (tree line +
        shift = document line); an unparsed block is parsed first."""
        starts = self._starts()
        index = _block_index(starts, line - 1)
        if self.blocks[index].lazy:
            self._materialize(index)
            starts = self._starts()
            index = _block_index(starts, line - 1)
        block = self.blocks[index]
        return block, starts[index] + 1 - block.tree_line

    def iter_blocks(self) -> Iterator[tuple[Block, int]]:
        """Every block with its shift, in document order; unparsed blocks are parsed as the
        iteration reaches them (so a caller that stops early parses no further)."""
        index = 0
        line = 0
        while index < len(self.blocks):
            if self.blocks[index].lazy:
                index = self._materialize(index)
                line = self._starts()[index]
            block = self.blocks[index]
            yield block, line + 1 - block.tree_line
            line += block.count
            index += 1

    def analysis_of(self, block: Block, shift: int) -> Analysis:
        """The scope analysis of ``block`` (tree coordinates; ``shift`` as from
        :meth:`block_at`), in the scope of its enclosing classes, cached until the block is
        replaced.  Its ``lines`` hold the block's own lines only."""
        return self._analysis(block, shift + block.tree_line - 1)


def enclosing_classes(block: Block) -> list[NodeOrLeaf]:
    """The ``classdef`` nodes around a member block in its own tree, outermost first (for
    a member parsed on its own, synthetic ``class NAME:`` headers on other lines)."""
    return _enclosing(block)


def split_classes(block: Block) -> list[NodeOrLeaf]:
    """The class whose header ``block`` is and whose members are blocks of their own: an
    analysis of the block must walk only its header (``analyse_block(split=...)``)."""
    return [block.opens.node] if block.opens is not None and block.opens.node else []


class _BlockLines(Sequence[str]):
    """A block's own lines (without line endings) as its tree numbers them; other lines of
    the tree (synthetic headers, other blocks) read as empty."""

    def __init__(self, lines: list[str], tree_line: int) -> None:
        self.lines = lines
        self.offset = tree_line - 1

    def __getitem__(self, index: int) -> str:  # type: ignore[override]
        index -= self.offset
        if 0 <= index < len(self.lines):
            return self.lines[index].rstrip("\r\n")
        return ""

    def __len__(self) -> int:
        return len(self.lines) + self.offset


def _block_index(starts: list[int], line: int) -> int:
    return max(0, bisect_right(starts, line) - 1)


def _blocks_of(module: Module, lines: list[str]) -> list[Block]:
    """Group a region's top-level nodes into blocks, each starting at column 0 of a line;
    a block that is one cleanly parsed class becomes its header and members."""
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
        statements = [c for c in group if c.type != "endmarker"]
        if len(statements) == 1 and statements[0].start_pos[1] == 0:
            blocks.extend(_split(statements[0], first_line, stop_line, (), lines, 1))
            continue
        blocks.append(
            Block(
                statements=statements,
                tree_line=first_line,
                count=stop_line - first_line,
                relevant=_relevant(lines, first_line - 1, stop_line - 1),
                ends_in_error=_ends_in_error(statements),
            )
        )
    # A region of empty text still occupies its (at most one) line.
    if not blocks:
        blocks.append(Block([], 1, total, False, False))
    return blocks


def _member_blocks(
    module: Module, context: tuple[ClassHeader, ...], lines: list[str]
) -> list[Block] | None:
    """The blocks of a region parsed under the synthetic headers of ``context``; None when
    the region is not a clean run of members of the innermost class."""
    body: list[NodeOrLeaf] = list(module.children)
    for _ in context:
        statements = [c for c in body if c.type != "endmarker"]
        if len(statements) != 1 or statements[0].type != "classdef":
            return None
        suite = statements[0].children[-1]  # type: ignore[attr-defined]
        if suite.type != "suite" or suite.children[0].type != "newline":
            return None
        body = list(suite.children[1:])
    base = len(context) + 1  # the tree line of the region's first line
    members = _clean_members(body, context[-1].body_column, base)
    if members is None:
        return None
    blocks: list[Block] = []
    first = base
    for index, member in enumerate(members):
        stop = member.end_pos[0] if index + 1 < len(members) else base + len(lines)
        blocks.extend(_split(member, first, stop, context, lines, base))
        first = stop
    return blocks


def _clean_members(
    body: list[NodeOrLeaf], column: int, first_line: int
) -> list[NodeOrLeaf] | None:
    """``body`` (a suite's children after its NEWLINE) if it is a run of statements at
    ``column``, each alone at the start of its line and starting where the previous ends (at
    column 0 of a line, from ``first_line`` on); else None."""
    if not body:
        return None
    previous_end = (first_line, 0)
    for member in body:
        if member.type in ("newline", "endmarker", *_ERRORS):
            return None
        if member.start_pos[1] != column or previous_end[1] != 0:
            return None
        prefix = member.get_first_leaf().prefix
        # A backslash joins lines and a form feed resets CPython's indentation count: leave
        # such bodies whole.
        if "\\" in prefix or "\x0c" in prefix:
            return None
        if member.get_first_leaf().value in _CONTINUATIONS:
            return None
        previous_end = member.end_pos
    return body


def _split(
    statement: NodeOrLeaf,
    first: int,
    stop: int,
    context: tuple[ClassHeader, ...],
    lines: list[str],
    base: int,
) -> list[Block]:
    """The blocks of one statement spanning tree lines ``first:stop`` of a region whose
    first line is tree line ``base``: itself, or its header and members if it is a class
    with a clean body."""
    classdef = statement
    if statement.type == "decorated":
        classdef = statement.children[-1]  # type: ignore[attr-defined]
    header: ClassHeader | None = None
    members: list[NodeOrLeaf] | None = None
    if classdef.type == "classdef":
        header, members = _class_header(classdef, statement)
    if header is None or members is None:
        return [
            Block(
                statements=[statement],
                tree_line=first,
                count=stop - first,
                relevant=_relevant(lines, first - base, stop - base),
                ends_in_error=_ends_in_error([statement]),
                context=context,
            )
        ]
    header_stop = classdef.children[-1].children[0].end_pos[0]  # type: ignore[attr-defined]
    block = Block(
        statements=[statement],
        tree_line=first,
        count=header_stop - first,
        relevant=_relevant(lines, first - base, header_stop - base),
        ends_in_error=False,
        context=context,
        opens=header,
    )
    header.block = block
    inner = (*context, header)
    blocks = [block]
    member_first = header_stop
    for index, member in enumerate(members):
        member_stop = member.end_pos[0] if index + 1 < len(members) else stop
        blocks.extend(_split(member, member_first, member_stop, inner, lines, base))
        member_first = member_stop
    return blocks


def _class_header(
    classdef: NodeOrLeaf, statement: NodeOrLeaf
) -> tuple[ClassHeader | None, list[NodeOrLeaf] | None]:
    """The header of a class whose body can be kept as member blocks, and its members."""
    children = classdef.children  # type: ignore[attr-defined]
    suite = children[-1]
    if suite.type != "suite" or suite.children[0].type != "newline":
        return None, None
    keyword, name = children[0], children[1]
    if name.type != "name" or name.start_pos[0] != keyword.start_pos[0]:
        return None, None
    leading = _LINE_BREAK.split(keyword.prefix)[-1]
    if "\\" in keyword.prefix or leading.strip(" \t") or len(leading) != keyword.start_pos[1]:
        return None, None
    # An error in the header (or its decorators) would make the checker re-parse the
    # statement with modern syntax masked: the whole class again.
    if statement is not classdef and _has_error(statement.children[:-1]):  # type: ignore[attr-defined]
        return None, None
    if _has_error(children[:-1]):
        return None, None
    body = list(suite.children[1:])
    if not body:
        return None, None
    column = body[0].start_pos[1]
    if column <= keyword.start_pos[1]:
        return None, None
    members = _clean_members(body, column, suite.children[0].end_pos[0])
    if members is None:
        return None, None
    header = ClassHeader(
        name=name.value,
        header=f"{leading}class{name.prefix}{name.value}",
        body_column=column,
        block=None,  # type: ignore[arg-type]  # set by the caller with the header block
        pointer=_pointer(classdef),
        node=classdef,
    )
    return header, members


def _has_error(nodes: Sequence[NodeOrLeaf]) -> bool:
    stack = list(nodes)
    while stack:
        node = stack.pop()
        if node.type in _ERRORS:
            return True
        if isinstance(node, BaseNode):
            stack.extend(node.children)
    return False


def _relevant(lines: list[str], first: int, stop: int) -> bool:
    return any(_RELEVANT.search(line) for line in lines[max(first, 0) : stop])


def _ends_in_error(statements: list[NodeOrLeaf]) -> bool:
    if not statements:
        return False
    last = statements[-1]
    if last.type in _ERRORS:
        return True
    leaf = last.get_last_leaf()
    return leaf.type == "error_leaf" or (
        leaf.parent is not None and leaf.parent.type == "error_node"
    )


def _starts_fresh(blocks: list[Block], level: int) -> bool:
    """Whether the region's first statement starts a new statement of its body on its own
    (at column 0 for the top level; members were checked by :func:`_member_blocks`)."""
    if not blocks or not blocks[0].statements:
        return True
    first = blocks[0].statements[0]
    if first.type in _ERRORS or (not level and first.start_pos[1] != 0):
        return False
    return first.get_first_leaf().value not in _CONTINUATIONS


def _ends_fresh(new_blocks: list[Block], following: Block) -> bool:
    """Whether the region's parse ends where a whole-file parse would start a new statement
    with ``following``."""
    if new_blocks and new_blocks[-1].ends_in_error:
        return False
    if not following.statements:
        return True
    leaf = following.statements[0].get_first_leaf()
    return leaf.type == "endmarker" or (
        leaf.value not in _CONTINUATIONS and leaf.type != "error_leaf"
    )


def _enclosing(block: Block) -> list[NodeOrLeaf]:
    """The ``classdef`` nodes around a member block in its own tree, outermost first."""
    if not block.context or not block.statements:
        return []
    nodes: list[NodeOrLeaf] = []
    node = block.statements[0].parent
    while node is not None and node.type != "file_input":
        if node.type == "classdef":
            nodes.append(node)
        node = node.parent
    nodes.reverse()
    return nodes


def _pointer(classdef: NodeOrLeaf) -> Pointer:
    name = classdef.children[1]  # type: ignore[attr-defined]
    return classdef.start_pos, name.end_pos


def _moved(pointer: Pointer, shift: int) -> Pointer:
    (start_line, start_col), (end_line, end_col) = pointer
    return (start_line + shift, start_col), (end_line + shift, end_col)


def _placed(finding: Finding, shift: int, real: dict[Pointer, Pointer]) -> Finding:
    """``finding`` moved by ``shift`` lines, its pointers to enclosing classes put on the
    classes' real headers."""
    moved = finding.shifted(shift)
    if not any((r.start, r.end) in real for r in finding.related):
        return moved
    related = tuple(
        Related(*real[(r.start, r.end)], r.message) if (r.start, r.end) in real else m
        for r, m in zip(finding.related, moved.related, strict=True)
    )
    return Finding(moved.code, moved.message, moved.start, moved.end, related)


def _is_leading(statement: NodeOrLeaf) -> bool:
    return statement.type == "simple_stmt"


def check_text_lazily(
    text: str, target: Version | None = None, top_level_await: bool = False
) -> list[Finding]:
    """Every finding of ``text`` (as :func:`coro_ls.engine.checker.check_source`), parsing
    only the statements that mention ``await`` or ``async`` where that is exact (see
    :mod:`coro_ls.engine.statements`): the work grows with them, not with the file."""
    return IncrementalDocument(text, target=target, top_level_await=top_level_await).findings()
