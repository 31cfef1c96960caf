"""Mask the syntax parso 0.8.7 cannot parse, keeping every position.

parso 0.8.7 has no ``match`` statement, ``except*``, ``type X = ...`` statement, parenthesised
``with`` items, PEP 701 f-strings, t-strings, nor starred items in subscripts, ``*args``
annotations and ``for`` iterables: it produces error nodes and sometimes moves a whole function
body to module level.  :func:`mask_modern_syntax` rewrites those constructs
into older syntax of exactly the same shape, so that the engine can re-parse the masked text
and report positions in it as positions in the original:

* ``len(text) == len(source)``; every ``\\n``/``\\r`` stays where it was and none is added;
  every other character is kept or replaced by one character, so every kept token keeps
  its (line, column);
* every expression that can hold ``await``, ``lambda``, a comprehension or ``yield`` keeps
  its characters and position (match subjects and guards, case bodies, type-parameter
  bounds and defaults, alias values, with-item managers and targets, f-string fields);
* source without any of these constructs comes back unchanged, with no regions.

The rewrites (all column-preserving):

=====================  ===================================  ===================================
construct              source                               masked
=====================  ===================================  ===================================
match statement        ``match a, b:``                      ``with  a, b:``
case clause            ``case [x, y] if await ok():``       ``if             await ok():``
except*                ``except* E:``                       ``except  E:``
type alias             ``type X[T: B = D] = V``             ``(    X,T, B , D) , V``
type alias, no params  ``type X = V``                       ``-    X , V``
parenthesised with     ``with (A() as a, B() as b):``       ``with (A() or a, B() or b):``
f-/t-string group      ``f"a{x!r:>{w}}b" 'c'``              ``(   x,    w,      )``
starred subscript      ``x[*Ts]``                           ``x[ Ts]``
=====================  ===================================  ===================================

A ``match`` subject with a walrus (and no comma) becomes ``if   a := b:``; in a tuple subject
``*`` becomes a blank, ``:=`` becomes ``or`` and a trailing comma a blank.  A case pattern that
spans lines inside brackets becomes ``(`` blanks ``)`` (and its guard keyword ``or``); a
one-line pattern becomes ``0``, or blanks when a guard follows (a guard may be a bare
``lambda``, which cannot follow ``0 or``).  In an f-string group, a field that is a
``yield`` is wrapped as ``(yield x)`` using the ``{`` and ``}`` around it.

Each masked construct is described by a region (frozen dataclasses below) whose spans are
parso positions of the *original* source (line 1-based, column 0-based in code points, ends
exclusive; like parso, a leading BOM is not counted on line 1).

The masker never raises: unterminated strings, unbalanced brackets and half-typed statements
are left as they are.  It tokenises once (:mod:`coro_ls.syntax.modern_tokens`) and never recurses
per nesting level.
"""

from __future__ import annotations

import keyword
import re
from bisect import bisect_right
from dataclasses import dataclass, field

from coro_ls.engine.versions import Version
from coro_ls.syntax.modern_tokens import NAME, OP, Field, Line, StringToken, Tokens, scan
from coro_ls.syntax.with_items import HeaderToken, WithItem, split_with_items

Position = tuple[int, int]


@dataclass(frozen=True)
class Span:
    """A stretch of the original source in parso positions (end exclusive)."""

    start: Position
    end: Position


@dataclass(frozen=True)
class MatchRegion:
    """A ``match`` statement header, masked as ``with`` (or ``if`` for a walrus subject)."""

    span: Span
    """From ``match`` to the colon."""
    subject: Span
    min_version: Version = (3, 10)


@dataclass(frozen=True)
class CaseRegion:
    """A ``case`` clause header, masked as ``if  0:`` or ``if  GUARD:``."""

    span: Span
    """From ``case`` to the colon."""
    pattern: Span
    """The pattern (replaced: patterns cannot contain ``await``)."""
    guard: Span | None
    """The guard expression after ``if``, kept in place."""
    min_version: Version = (3, 10)


@dataclass(frozen=True)
class ExceptStarRegion:
    """An ``except*`` clause; the ``*`` is masked as a space."""

    span: Span
    """From ``except`` to the ``*``."""
    min_version: Version = (3, 11)


@dataclass(frozen=True)
class TypeParam:
    """One type parameter of a ``type`` statement."""

    kind: str
    """``"TypeVar"``, ``"TypeVarTuple"`` (``*Ts``) or ``"ParamSpec"`` (``**P``)."""
    name: Span
    bound: Span | None
    """The bound (or constraints tuple) after ``:``."""
    constraints: bool
    """The bound is a parenthesised tuple, i.e. constraints (``T: (int, str)``)."""
    default: Span | None
    """The default after ``=`` (PEP 696, 3.13)."""


@dataclass(frozen=True)
class TypeAliasRegion:
    """A ``type X[...] = value`` statement, masked as a tuple expression statement."""

    span: Span
    """The whole statement."""
    name: Span
    params: tuple[TypeParam, ...]
    value: Span
    min_version: Version = (3, 12)


@dataclass(frozen=True)
class WithRegion:
    """``with (A() as a, B() as b):``; each top-level ``as`` is masked as ``or``."""

    span: Span
    """From the opening to the closing parenthesis."""
    items: tuple[WithItem[Span], ...]
    min_version: Version = (3, 9)


@dataclass(frozen=True)
class StringGroupRegion:
    """Adjacent string literals holding an f- or t-string, masked as a tuple of their fields."""

    kind: str
    """``"f-string"`` or ``"t-string"`` (any t-string in the group makes it a t-string group)."""
    span: Span
    fields: tuple[Span, ...]
    """Every replacement-field expression, format-spec fields included, in source order."""
    pep701: bool
    """Uses syntax only 3.12+ accepts: the enclosing quote, a backslash or a comment inside a
    field, or a newline inside a field of a single-quoted string."""
    min_version: Version = (3, 6)


@dataclass(frozen=True)
class StarredRegion:
    """A starred item parso rejects; the ``*`` is masked as a space.

    ``x[*Ts]`` and ``def f(*args: *Ts)`` (PEP 646, 3.11) and ``for x in *a, *b:`` (3.9).
    """

    span: Span
    """The ``*``."""
    context: str
    """``"subscript"``, ``"annotation"`` or ``"for"``."""
    min_version: Version = (3, 11)


Region = (
    MatchRegion
    | CaseRegion
    | ExceptStarRegion
    | TypeAliasRegion
    | WithRegion
    | StringGroupRegion
    | StarredRegion
)


@dataclass(frozen=True)
class Masked:
    """The masked source and what was masked."""

    text: str
    """Same length and line breaks as the source; parseable by parso where masking applied."""
    regions: list[Region] = field(default_factory=list)
    """Every masked construct, sorted by start position."""


def mask_modern_syntax(source: str) -> Masked:
    """Mask ``source``'s 3.9+ syntax that parso 0.8.7 cannot parse (see the module docstring)."""
    try:
        return _mask(source)
    except Exception:  # the masker must never take the engine down; unmasked is still usable
        return Masked(source, [])


def _mask(source: str) -> Masked:
    """:func:`mask_modern_syntax` without the safety net (tests call this to see bugs)."""
    masker = _Masker(source, scan(source))
    masker.run()
    if not masker.regions:
        return Masked(source, [])
    regions = sorted(masker.regions, key=lambda r: r.span.start)
    return Masked("".join(masker.out), regions)


_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # parso's line breaks (parso.utils.split_lines)
_COMPOUND = frozenset("if elif else while for try except finally with def class async".split())
_SUBJECT_OPENERS = frozenset(("(", "[", "{", "-", "+", "~", "*", "..."))


class _Masker:
    def __init__(self, source: str, toks: Tokens) -> None:
        self.src = source
        self.toks = toks
        self.out = list(source)
        self.regions: list[Region] = []
        self.case_lines: set[int] = set()
        self.line_starts = [0] + [m.end() for m in _LINE_BREAK.finditer(source)]
        self.bom = source.startswith("\ufeff")

    # -- helpers --------------------------------------------------------------------------

    def pos(self, i: int) -> Position:
        line = bisect_right(self.line_starts, i) - 1
        col = i - self.line_starts[line]
        if line == 0 and self.bom and col > 0:
            col -= 1
        return (line + 1, col)

    def span(self, start: int, end: int) -> Span:
        return Span(self.pos(start), self.pos(end))

    def tok_span(self, first: int, last: int) -> Span:
        """The span of tokens ``first..last`` inclusive."""
        return self.span(self.toks.starts[first], self.toks.ends[last])

    def put(self, i: int, text: str) -> None:
        for k, ch in enumerate(text):
            if self.src[i + k] not in "\r\n" and ch not in "\r\n":
                self.out[i + k] = ch

    def blank(self, start: int, end: int, keep_continuations: bool = False) -> None:
        src, out = self.src, self.out
        for k in range(start, end):
            c = src[k]
            if c in "\r\n":
                continue
            if keep_continuations and c == "\\" and src[k + 1 : k + 2] in ("\n", "\r"):
                continue
            out[k] = " "

    def value(self, t: int) -> str:
        return self.src[self.toks.starts[t] : self.toks.ends[t]]

    def is_op(self, t: int, value: str, depth: int = 0) -> bool:
        toks = self.toks
        return toks.kinds[t] == OP and toks.depths[t] == depth and self.value(t) == value

    def is_name(self, t: int, value: str) -> bool:
        return self.toks.kinds[t] == NAME and self.value(t) == value

    def find_op(self, start: int, stop: int, value: str, depth: int = 0) -> int:
        for t in range(start, stop):
            if self.is_op(t, value, depth):
                return t
        return -1

    def find_header_colon(self, start: int, stop: int) -> int:
        """The colon ending a clause header: the first one at depth 0 that no ``lambda``
        before it claims (``case x if lambda: y:`` ends at its second colon)."""
        lambdas = 0
        for t in range(start, stop):
            if self.toks.depths[t] != 0:
                continue
            if self.is_name(t, "lambda"):
                lambdas += 1
            elif self.is_op(t, ":"):
                if not lambdas:
                    return t
                lambdas -= 1
        return -1

    # -- driver ---------------------------------------------------------------------------

    def run(self) -> None:
        for group in self.toks.groups:
            self.string_group(group)
        lines = self.toks.lines
        for index, line in enumerate(lines):
            first = line.first
            if self.toks.kinds[first] != NAME:
                continue
            word = self.value(first)
            if word == "match":
                self.match(index)
            elif word == "except":
                self.except_star(line)
            elif word == "with":
                self.paren_with(line, first)
            elif word == "async" and line.last - first > 1 and self.is_name(first + 1, "with"):
                self.paren_with(line, first + 1)
        for index, line in enumerate(lines):
            for start, stop in self.simple_statements(index, line):
                if self.is_name(start, "type"):
                    self.type_alias(start, stop)
            first = line.first
            if self.is_name(first, "for"):
                self.starred_for(line, first)
            elif self.is_name(first, "async") and line.last - first > 1:
                if self.is_name(first + 1, "for"):
                    self.starred_for(line, first + 1)
        self.starred_subscripts_and_annotations()

    def simple_statements(self, index: int, line: Line) -> list[tuple[int, int]]:
        """Token ranges of the simple statements of a logical line (after a compound header)."""
        first, last = line.first, line.last
        start = first
        if index in self.case_lines or (
            self.toks.kinds[first] == NAME and self.value(first) in _COMPOUND
        ):
            colon = self.find_op(first, last, ":")
            if colon < 0:
                return []
            start = colon + 1
        result = []
        for t in range(start, last):
            if self.is_op(t, ";"):
                result.append((start, t))
                start = t + 1
        result.append((start, last))
        return [(a, b) for a, b in result if a < b]

    # -- match / case ---------------------------------------------------------------------

    def match(self, index: int) -> None:
        lines = self.toks.lines
        line = lines[index]
        first, last = line.first, line.last
        if last - first < 3 or not self.is_op(last - 1, ":"):
            return
        second = first + 1
        if self.toks.kinds[second] == OP and self.value(second) not in _SUBJECT_OPENERS:
            return
        if index + 1 >= len(lines):
            return
        block = lines[index + 1]
        if block.indent <= line.indent or not self.is_name(block.first, "case"):
            return
        if self.find_header_colon(block.first, block.last) < 0:
            return
        subject_end = last - 1
        walrus = self.find_op(second, subject_end, ":=") >= 0
        tuple_subject = self.find_op(second, subject_end, ",") >= 0
        starts = self.toks.starts
        if walrus and not tuple_subject:
            self.put(starts[first], "if   ")
        else:
            # ``with`` takes a tuple of items, but not ``*a``, ``a := b`` or ``a,`` in them:
            # those operators become blanks (``or`` for the walrus), the operands stay.
            self.put(starts[first], "with ")
            for t in range(second, subject_end):
                if self.is_op(t, "*") and (t == second or self.is_op(t - 1, ",")):
                    self.put(starts[t], " ")
                elif self.is_op(t, ":="):
                    self.put(starts[t], "or")
            if self.is_op(subject_end - 1, ","):
                self.put(starts[subject_end - 1], " ")
        self.regions.append(
            MatchRegion(self.tok_span(first, last - 1), self.tok_span(second, subject_end - 1))
        )
        j = index + 1
        while j < len(lines) and lines[j].indent > line.indent:
            if lines[j].indent == block.indent and self.is_name(lines[j].first, "case"):
                self.case(j)
            j += 1

    def case(self, index: int) -> None:
        line = self.toks.lines[index]
        first, last = line.first, line.last
        colon = self.find_header_colon(first + 1, last)
        if colon < 0:
            return
        guard = -1
        for t in range(first + 1, colon):
            if self.toks.depths[t] == 0 and self.is_name(t, "if"):
                guard = t
                break
        pattern_end = guard if guard >= 0 else colon
        if pattern_end == first + 1:
            return
        starts, ends = self.toks.starts, self.toks.ends
        self.case_lines.add(index)
        self.put(starts[first], "if  ")
        ps, pe = starts[first + 1], ends[pattern_end - 1]
        pattern = self.src[ps:pe]
        lines_in_pattern = pattern.count("\n") + pattern.count("\r") - pattern.count("\r\n")
        continuations = pattern.count("\\\n") + pattern.count("\\\r") if lines_in_pattern else 0
        one_line = lines_in_pattern == continuations
        if one_line and guard >= 0:
            # ``if GUARD:``: the guard is a named expression (it may be a bare ``lambda``,
            # which cannot follow ``0 or``), so pattern and guard keyword become blanks.
            self.blank(ps, pe, keep_continuations=True)
            self.blank(starts[guard], ends[guard], keep_continuations=True)
        elif one_line:
            self.blank(ps, pe, keep_continuations=True)
            self.put(ps, "0")
        else:
            # A pattern spanning lines inside brackets: an empty tuple of the same shape.
            self.blank(ps, pe, keep_continuations=True)
            self.put(ps, "(")
            self.put(pe - 1, ")")
        guard_span = None
        if guard >= 0:
            if not one_line:
                self.put(starts[guard], "or")
            if guard + 1 < colon:
                guard_span = self.tok_span(guard + 1, colon - 1)
        self.regions.append(CaseRegion(self.tok_span(first, colon), self.span(ps, pe), guard_span))

    # -- except* --------------------------------------------------------------------------

    def except_star(self, line: Line) -> None:
        first = line.first
        if line.last - first > 1 and self.is_op(first + 1, "*"):
            self.put(self.toks.starts[first + 1], " ")
            self.regions.append(ExceptStarRegion(self.tok_span(first, first + 1)))

    # -- with ( ... ) ---------------------------------------------------------------------

    def paren_with(self, line: Line, with_tok: int) -> None:
        last = line.last
        opener = with_tok + 1
        if opener >= last or not self.is_op(opener, "("):
            return
        close = -1
        for t in range(opener + 1, last):
            if self.toks.depths[t] == 0:
                close = t
                break
        if close < 0 or self.value(close) != ")" or close + 1 >= last:
            return
        if not self.is_op(close + 1, ":"):
            return
        first = opener + 1
        groups = split_with_items(
            [
                HeaderToken(self.value(t), self.toks.depths[t] - 1, self.toks.kinds[t] == OP)
                for t in range(first, close)
            ]
        )
        with_items: list[WithItem[Span]] = []
        as_tokens = []
        for group in groups:
            if group.empty:
                continue
            a, b = first + group.start, first + group.end
            as_tok = first + group.as_tokens[0] if group.as_tokens else -1
            if as_tok == a or as_tok == b - 1:
                return  # ``(as x)`` / ``(a as)``: half-typed, leave it
            if as_tok < 0:
                with_items.append(WithItem(self.tok_span(a, b - 1), None))
            else:
                as_tokens.append(as_tok)
                with_items.append(
                    WithItem(self.tok_span(a, as_tok - 1), self.tok_span(as_tok + 1, b - 1))
                )
        if not as_tokens:
            return
        for t in as_tokens:
            self.put(self.toks.starts[t], "or")
        self.regions.append(WithRegion(self.tok_span(opener, close), tuple(with_items)))

    # -- type aliases ---------------------------------------------------------------------

    def type_alias(self, start: int, stop: int) -> None:
        toks = self.toks
        name = start + 1
        if stop - start < 4 or toks.kinds[name] != NAME or keyword.iskeyword(self.value(name)):
            return
        params: list[TypeParam] = []
        edits: list[tuple[int, str]] = []
        bracket = name + 1
        if self.is_op(bracket, "["):
            close = -1
            for t in range(bracket + 1, stop):
                if toks.depths[t] == 0:
                    close = t
                    break
            if close < 0 or self.value(close) != "]":
                return
            equals = close + 1
            if not self.parse_params(bracket + 1, close, params, edits):
                return
            edits += [
                (toks.starts[start], "(   "),
                (toks.starts[bracket], ","),
                (toks.starts[close], ")"),
            ]
        else:
            equals = bracket
            edits.append((toks.starts[start], "-   "))
        if equals + 1 >= stop or not self.is_op(equals, "="):
            return
        edits.append((toks.starts[equals], ","))
        for i, text in edits:
            self.put(i, text)
        self.regions.append(
            TypeAliasRegion(
                self.tok_span(start, stop - 1),
                self.tok_span(name, name),
                tuple(params),
                self.tok_span(equals + 1, stop - 1),
            )
        )

    def parse_params(
        self, first: int, close: int, params: list[TypeParam], edits: list[tuple[int, str]]
    ) -> bool:
        """Read ``[T: B = D, *Ts = E, **P = F]``; False if it does not look like type params."""
        toks = self.toks
        pieces: list[tuple[int, int]] = []
        start = first
        for t in range(first, close + 1):
            if t == close or self.is_op(t, ",", 1):
                if t > start:
                    pieces.append((start, t))
                elif t < close:
                    return False  # ``[, T]``
                start = t + 1
        if not pieces:
            return False
        for a, b in pieces:
            kind = "TypeVar"
            name = a
            if self.is_op(a, "*", 1):
                kind, name = "TypeVarTuple", a + 1
            elif self.is_op(a, "**", 1):
                kind, name = "ParamSpec", a + 1
                edits.append((toks.starts[a], "  "))
            if name >= b or toks.kinds[name] != NAME:
                return False
            bound = default = None
            constraints = False
            t = name + 1
            if t < b and self.is_op(t, ":", 1):
                if kind != "TypeVar":
                    return False
                equals = self.find_op(t + 1, b, "=", 1)
                bound_end = equals if equals >= 0 else b
                if bound_end == t + 1:
                    return False
                edits.append((toks.starts[t], ","))
                bound = self.tok_span(t + 1, bound_end - 1)
                constraints = self.is_tuple_display(t + 1, bound_end)
                t = bound_end
            if t < b:
                if not self.is_op(t, "=", 1) or t + 1 >= b:
                    return False
                edits.append((toks.starts[t], ","))
                default = self.tok_span(t + 1, b - 1)
            params.append(TypeParam(kind, self.tok_span(name, name), bound, constraints, default))
        return True

    def is_tuple_display(self, a: int, b: int) -> bool:
        """Tokens ``a..b-1`` are one parenthesised tuple (``()``, ``(x,)``, ``(x, y)``)."""
        if not self.is_op(a, "(", self.toks.depths[a]) or self.value(b - 1) != ")":
            return False
        depth = self.toks.depths[a]
        for t in range(a + 1, b):
            if self.toks.depths[t] == depth:
                if t != b - 1:
                    return False
        return b - a == 2 or self.find_op(a + 1, b - 1, ",", depth + 1) >= 0

    # -- starred items ---------------------------------------------------------------------

    def star(self, t: int, context: str, min_version: Version) -> None:
        self.put(self.toks.starts[t], " ")
        self.regions.append(StarredRegion(self.tok_span(t, t), context, min_version))

    def starred_for(self, line: Line, for_tok: int) -> None:
        """``for x in *a, *b:``: parso only knows the parenthesised form."""
        in_tok = -1
        for t in range(for_tok + 1, line.last):
            if self.toks.depths[t] == 0 and self.is_name(t, "in"):
                in_tok = t
                break
        if in_tok < 0:
            return
        for t in range(in_tok + 1, line.last):
            if self.is_op(t, ":"):
                return
            if self.is_op(t, "*") and (t == in_tok + 1 or self.is_op(t - 1, ",")):
                self.star(t, "for", (3, 9))

    def starred_subscripts_and_annotations(self) -> None:
        """``x[*Ts]``, ``x[a, *Ts]`` (found by the tokenizer) and ``*args: *Ts`` (PEP 646)."""
        for i in self.toks.stars:
            self.put(i, " ")
            self.regions.append(StarredRegion(self.span(i, i + 1), "subscript", (3, 11)))
        toks = self.toks
        kinds, depths = toks.kinds, toks.depths
        for t in range(4, len(kinds)):
            depth = depths[t]
            if kinds[t] != OP:
                continue
            value = self.value(t)
            if (
                value == "*"
                and depth
                and self.is_op(t - 1, ":", depth)
                and kinds[t - 2] == NAME
                and self.is_op(t - 3, "*", depth)
                and depths[t - 4] == depth - 1 + (self.value(t - 4) == ",")
                and self.value(t - 4) in ("(", ",")
            ):
                self.star(t, "annotation", (3, 11))

    # -- f-/t-strings ---------------------------------------------------------------------

    def string_group(self, group: list[StringToken]) -> None:
        if not all(tok.terminated for tok in group):
            return
        fields: list[Field] = [
            f for tok in group if tok.fstring is not None for f in tok.fstring.fields
        ]
        gs, ge = group[0].start, group[-1].end
        src = self.src
        plan: list[tuple[int, str]] = []
        pos = gs
        previous: Field | None = None
        for index in range(len(fields) + 1):
            current = fields[index] if index < len(fields) else None
            seg_end = current.start if current is not None else ge
            if seg_end < pos:
                return  # fields out of order: a malformed string slipped through
            front = ["("] if previous is None else []
            if previous is not None:
                if previous.starts_with_yield:
                    front.append(")")
                if not previous.ends_with_comma:
                    front.append(",")
            back = [")"] if current is None else (["("] if current.starts_with_yield else [])
            slots = [k for k in range(pos, seg_end) if src[k] not in "\r\n"]
            if len(front) + len(back) > len(slots) and "," in front:
                front.remove(",")  # ``{yield}{yield}``: a call is the best we can do
            if len(front) + len(back) > len(slots):
                return
            chosen = front + [" "] * (len(slots) - len(front) - len(back)) + back
            plan.extend(zip(slots, chosen, strict=True))
            if current is not None:
                pos = current.end
                previous = current
        for k, ch in plan:
            self.put(k, ch)
        fstrings = [tok.fstring for tok in group if tok.fstring is not None]
        is_t = any(fs.is_t for fs in fstrings)
        pep701 = any(fs.pep701 for fs in fstrings)
        self.regions.append(
            StringGroupRegion(
                "t-string" if is_t else "f-string",
                self.span(gs, ge),
                tuple(self.span(f.start, f.end) for f in fields),
                pep701,
                (3, 14) if is_t else (3, 12) if pep701 else (3, 6),
            )
        )
