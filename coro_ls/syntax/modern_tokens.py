"""A forgiving one-pass Python tokenizer for :mod:`coro_ls.syntax.modern_syntax`.

It knows just enough to find the constructs parso 0.8.7 cannot parse: top-level tokens with
their bracket depth, logical lines with their indentation, and the structure of f-/t-strings
as PEP 701 defines it (replacement fields nest arbitrarily, may hold strings with the same
quote, comments, backslashes and newlines).

Nothing here recurses: nesting (f-string -> field -> string -> field ...) lives on an explicit
stack, so 5,000 nested brackets or f-strings cost memory, not the interpreter's stack.  It never
raises on bad input: unterminated or malformed strings are recorded as such and the caller
leaves them alone.  Indices are ``str`` offsets into the source.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, field

NAME, NUMBER, OP, STRING = range(4)

# Flags describing what a stretch of source contains; a replacement field's flags decide
# whether its f-string needs PEP 701 (Python 3.12+).
_BACKSLASH, _NEWLINE, _COMMENT = 1, 2, 4
_QUOTE_BIT = {"'": 8, '"': 16, "'''": 32, '"""': 64}

_STRING_PREFIXES = frozenset(("", "r", "u", "b", "br", "rb", "f", "fr", "rf", "t", "tr", "rt"))
_WHITESPACE = re.compile(r"[ \t\x0c\x0b\x00]+")
_WORD = re.compile(r"\w+")
_NUMBER = re.compile(r"(?:\d|\.\d)(?:[\w.]|(?<=[eE])[-+])*")
_OPERATOR = re.compile(r"\*\*=?|//=?|>>=?|<<=?|\.\.\.|->|[-+*/%&|^@<>=!:]=|[^\s\w]")
_LINE_REST = re.compile(r"[^\r\n]*")
_PLAIN_STOP = {"'": re.compile(r"['\\\r\n]"), '"': re.compile(r'["\\\r\n]')}
_LITERAL_STOP = re.compile(r"[{}\\\r\n'\"]")

# parso's tokenizer gives up on open brackets when one of these appears (they cannot occur
# inside an expression); doing the same keeps half-typed code from swallowing the rest of
# the file into one logical line.
_ALWAYS_BREAK = frozenset(
    "import class def try except finally while with return continue break del pass global "
    "assert nonlocal".split()
)


@dataclass
class Field:
    """A replacement field's expression ``[start, end)``: up to ``!``, ``:``, ``=`` or ``}``."""

    start: int
    end: int
    starts_with_yield: bool
    """The expression is a ``yield``: it must be parenthesised to sit inside a tuple."""
    ends_with_comma: bool
    """The expression already ends with a top-level comma (``{a, b,}``)."""


@dataclass
class FString:
    """One f- or t-string token while and after it is scanned."""

    start: int
    quote: str
    raw: bool
    is_t: bool
    end: int = -1
    terminated: bool = False
    malformed: bool = False
    pep701: bool = False
    """Uses syntax only Python 3.12+ accepts (same quote, backslash, comment or, in a
    single-quoted string, a newline inside a replacement field)."""
    flags: int = 0
    fields: list[Field] = field(default_factory=list)


@dataclass
class StringToken:
    """A string token of a code stretch; ``fstring`` is set for f-/t-strings."""

    start: int
    end: int
    terminated: bool
    fstring: FString | None = None


@dataclass
class Line:
    """A logical line of top-level code: ``tokens[first:last]`` and its indentation column."""

    indent: int
    first: int
    last: int


@dataclass
class Tokens:
    """Top-level tokens (parallel lists), logical lines and string groups found by :func:`scan`."""

    kinds: list[int] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    depths: list[int] = field(default_factory=list)
    """Bracket depth outside the token: an opening bracket and its closer share it."""
    lines: list[Line] = field(default_factory=list)
    groups: list[list[StringToken]] = field(default_factory=list)
    """Maximal runs of adjacent string tokens holding an f-/t-string, innermost first."""
    stars: list[int] = field(default_factory=list)
    """Offsets of ``*`` items in subscripts (``x[*Ts]``, PEP 646), f-string fields included."""


class _Code:
    """Code: the module, or a replacement field's expression (``owner`` is its f-string)."""

    __slots__ = (
        "owner", "brackets", "group", "flags", "expr_start", "tail", "first", "last",
        "prev", "prev2", "prev_kind", "prev_line_start",
    )  # fmt: skip

    def __init__(self, owner: FString | None, expr_start: int) -> None:
        self.owner = owner
        self.brackets: list[str] = []
        self.group: list[StringToken] = []
        self.flags = 0
        self.expr_start = expr_start
        self.tail = False  # past the expression: in ``!r`` / after the debugging ``=``
        self.first = ""  # first word of the field's expression
        self.last = ""  # last depth-0 operator or token kind marker
        self.prev = self.prev2 = ""  # the last two tokens (strings as '"')
        self.prev_kind = -1
        self.prev_line_start = False  # the last token started a logical line


class _Literal:
    """The literal text of an f-string, or of a format spec (``spec``) inside a field."""

    __slots__ = ("fs", "spec", "flags")

    def __init__(self, fs: FString, spec: bool) -> None:
        self.fs = fs
        self.spec = spec
        self.flags = 0


_Frame = _Code | _Literal


class _Restart(Exception):
    """Raised internally to re-scan in strict mode (see :func:`scan`)."""


def scan(source: str) -> Tokens:
    """Tokenise ``source`` once (twice at most, see below); never raises on bad input.

    Python 3.12 allows newlines inside the fields of single-quoted f-strings, so a
    half-typed ``f"{x`` would swallow the rest of the file.  When a single-quoted f-string is
    still open at the end, or turns out malformed after running over lines, the source is
    scanned again treating such newlines as ending the string, as Python before 3.12 did.
    """
    try:
        return _Scanner(source, strict=False).run()
    except _Restart:
        return _Scanner(source, strict=True).run()


class _Scanner:
    def __init__(self, source: str, strict: bool) -> None:
        self.src = source
        self.n = len(source)
        self.strict = strict
        self.out = Tokens()
        self.top = _Code(None, 0)
        self.stack: list[_Frame] = [self.top]
        self.line_first = 0  # first token index of the current logical line
        self.line_indent = 0
        self.phys_start = 1 if source.startswith("\ufeff") else 0

    # -- driver ---------------------------------------------------------------------------

    def run(self) -> Tokens:
        i = self.phys_start
        while i < self.n:
            frame = self.stack[-1]
            if isinstance(frame, _Literal):
                i = self._literal(frame, i)
            else:
                i = self._code(frame, i)
        if len(self.stack) > 1:
            if not self.strict and any(
                isinstance(f, _Literal) and len(f.fs.quote) == 1 for f in self.stack
            ):
                raise _Restart
            while len(self.stack) > 1:
                self._abort_innermost(self.n, terminated=False)
        self._end_group(self.top)
        self._end_line()
        return self.out

    # -- code -----------------------------------------------------------------------------

    def _code(self, fr: _Code, i: int) -> int:
        src = self.src
        m = _WHITESPACE.match(src, i)
        if m:
            i = m.end()
            if i >= self.n:
                return i
        c = src[i]
        if c == "\n" or c == "\r":
            return self._newline_in_code(fr, i)
        if c == "#":
            fr.flags |= _COMMENT
            return _LINE_REST.match(src, i).end()  # type: ignore[union-attr]
        if c == "\\":
            nxt = src[i + 1 : i + 2]
            if nxt == "\n" or nxt == "\r":
                fr.flags |= _BACKSLASH | _NEWLINE
                end = i + 2 + (src[i + 1 : i + 3] == "\r\n")
                if fr.owner is None:
                    self.phys_start = end
                return end
            fr.flags |= _BACKSLASH
            self._token(fr, OP, i, i + 1)
            return i + 1
        if fr.owner is not None and not fr.brackets:
            stop = self._field_stop(fr, i, c)
            if stop >= 0:
                return stop
        if fr.tail:
            return i + 1
        if c.isdigit() or (c == "." and src[i + 1 : i + 2].isdigit()):
            m = _NUMBER.match(src, i)
            end = m.end() if m else i + 1
            self._token(fr, NUMBER, i, end)
            return end
        if c == "'" or c == '"':
            return self._string(fr, i, i, "")
        m = _WORD.match(src, i)
        if m:
            end = m.end()
            word = src[i:end]
            if end < self.n and src[end] in "'\"" and word.lower() in _STRING_PREFIXES:
                return self._string(fr, i, end, word.lower())
            if fr.owner is None and fr.brackets and word in _ALWAYS_BREAK:
                self._break_brackets(fr, i)
            self._token(fr, NAME, i, end)
            return end
        m = _OPERATOR.match(src, i)
        end = m.end() if m else i + 1
        op = src[i:end]
        if op in "([{":
            subscript = op == "[" and self._opens_subscript(fr)
            self._token(fr, OP, i, end)
            fr.brackets.append("s" if subscript else op)
        elif op in ")]}":
            if fr.brackets:
                fr.brackets.pop()
            self._token(fr, OP, i, end)
        elif op == "*" and fr.brackets and fr.brackets[-1] == "s" and fr.prev in ("[", ","):
            self.out.stars.append(i)
            self._token(fr, OP, i, end)
        elif op == ";" and fr.owner is None and fr.brackets:
            self._break_brackets(fr, i)
            self._token(fr, OP, i, end)
        else:
            self._token(fr, OP, i, end)
        return end

    def _opens_subscript(self, fr: _Code) -> bool:
        """Is a ``[`` after the frame's last token a subscript (not a list display)?"""
        prev = fr.prev
        if fr.prev_kind == NAME:
            if keyword.iskeyword(prev) or (fr.prev_line_start and prev in ("match", "case")):
                return False
            # ``def f[*Ts]``, ``class C[*Ts]``, ``type A[*Ts]``: type parameters.
            return fr.prev2 not in ("def", "class", "type")
        return fr.prev_kind == STRING or prev in (")", "]")

    def _field_stop(self, fr: _Code, i: int, c: str) -> int:
        """Handle a character that ends (part of) a replacement field; -1 if ``c`` does not."""
        fs = fr.owner
        assert fs is not None
        src = self.src
        nxt = src[i + 1 : i + 2]
        if c == "}":
            self._expression_done(fr, i)
            self._pop_code(fr)
            return i + 1
        if c == ":":
            self._expression_done(fr, i)
            self.stack.append(_Literal(fs, spec=True))
            return i + 1
        if (c == "!" and nxt != "=") or (c == "=" and nxt != "="):
            self._expression_done(fr, i)
            return i + 1
        if fr.tail and src.startswith(fs.quote, i):
            # ``f"{x!r"``: the string's own quote ends it, malformed.
            self._abort_to(fs, i + len(fs.quote), terminated=True)
            return i + len(fs.quote)
        return -1

    def _expression_done(self, fr: _Code, i: int) -> None:
        if fr.tail:
            return
        fr.tail = True
        fs = fr.owner
        assert fs is not None
        self._end_group(fr)
        if fr.first:  # a field holding only blanks or a comment is no expression
            fs.fields.append(Field(fr.expr_start, i, fr.first == "yield", fr.last == ","))
        flags = fr.flags
        single = len(fs.quote) == 1
        if (
            flags & (_BACKSLASH | _COMMENT)
            or flags & _QUOTE_BIT[fs.quote]
            or (single and flags & (_NEWLINE | _QUOTE_BIT[fs.quote * 3]))
        ):
            fs.pep701 = True
        fs.flags |= flags
        fr.flags = 0

    def _pop_code(self, fr: _Code) -> None:
        self._end_group(fr)
        self.stack.pop()
        self.stack[-1].flags |= fr.flags

    def _newline_in_code(self, fr: _Code, i: int) -> int:
        end = i + 1 + (self.src[i : i + 2] == "\r\n")
        if fr.owner is not None:
            if self.strict and len(fr.owner.quote) == 1:
                self._abort_to(fr.owner, i, terminated=False)
                return i
            fr.flags |= _NEWLINE
            return end
        if not fr.brackets:
            self._end_group(fr)
            self._end_line()
        self.phys_start = end
        return end

    def _break_brackets(self, fr: _Code, i: int) -> None:
        fr.brackets.clear()
        ends = self.out.ends
        if not ends or ends[-1] <= self.phys_start:  # first token of its physical line
            self._end_group(fr)
            self._end_line()

    def _note(self, fr: _Code, kind: int, value: str) -> None:
        fr.prev2, fr.prev, fr.prev_kind = fr.prev, value, kind
        fr.prev_line_start = fr.owner is None and len(self.out.kinds) == self.line_first

    def _token(self, fr: _Code, kind: int, start: int, end: int) -> None:
        if fr.group:
            self._end_group(fr)
        self._note(fr, kind, '"' if kind == STRING else self.src[start:end])
        if fr.owner is not None:
            if not fr.first:
                fr.first = self.src[start:end] if kind == NAME else "?"
            fr.last = self.src[start:end] if kind == OP and not fr.brackets else "?"
            return
        out = self.out
        if len(out.kinds) == self.line_first:
            self.line_indent = _indent_width(self.src, self.phys_start, start)
        out.kinds.append(kind)
        out.starts.append(start)
        out.ends.append(end)
        # Openers are recorded before the push and closers after the pop: both get the
        # depth outside the pair.
        out.depths.append(len(fr.brackets))

    def _end_line(self) -> None:
        self.top.prev = self.top.prev2 = ""
        self.top.prev_kind = -1
        last = len(self.out.kinds)
        if last > self.line_first:
            self.out.lines.append(Line(self.line_indent, self.line_first, last))
        self.line_first = last

    # -- strings --------------------------------------------------------------------------

    def _string(self, fr: _Code, start: int, qpos: int, prefix: str) -> int:
        src = self.src
        q = src[qpos]
        quote = q * 3 if src.startswith(q * 3, qpos) else q
        body = qpos + len(quote)
        if "f" in prefix or "t" in prefix:
            fs = FString(start, quote, "r" in prefix, "t" in prefix)
            self._add_string_token(fr, StringToken(start, -1, False, fs))
            self.stack.append(_Literal(fs, spec=False))
            return body
        end, terminated = self._plain_string_end(body, quote)
        self._add_string_token(fr, StringToken(start, end, terminated))
        if fr.owner is not None:
            text = src[start:end]
            flags = _QUOTE_BIT[quote]
            flags |= _BACKSLASH if "\\" in text else 0
            flags |= _NEWLINE if "\n" in text or "\r" in text else 0
            flags |= _QUOTE_BIT["'"] if "'" in text else 0
            flags |= _QUOTE_BIT['"'] if '"' in text else 0
            fr.flags |= flags
        return end

    def _plain_string_end(self, i: int, quote: str) -> tuple[int, bool]:
        src = self.src
        stop = _PLAIN_STOP[quote[0]]
        while True:
            m = stop.search(src, i)
            if m is None:
                return self.n, False
            j = m.start()
            c = src[j]
            if c == "\\":
                i = j + 2 + (src[j + 1 : j + 3] == "\r\n")
            elif c == "\n" or c == "\r":
                if len(quote) == 1:
                    return j, False
                i = j + 1
            elif src.startswith(quote, j):
                return j + len(quote), True
            else:
                i = j + 1

    def _add_string_token(self, fr: _Code, tok: StringToken) -> None:
        if fr.owner is None:
            # Strings are top-level tokens too (the statement masks need them).
            group = fr.group
            fr.group = []
            self._token(fr, STRING, tok.start, max(tok.end, tok.start))
            fr.group = group
        else:
            self._note(fr, STRING, '"')
            if not fr.first:
                fr.first = "?"
            fr.last = "?"
        fr.group.append(tok)

    def _literal(self, fr: _Literal, i: int) -> int:
        src = self.src
        fs = fr.fs
        quote = fs.quote
        m = _LITERAL_STOP.search(src, i)
        if m is None:
            self._abort_to(fs, self.n, terminated=False)
            return self.n
        j = m.start()
        c = src[j]
        if c == "'" or c == '"':
            if src.startswith(quote, j):
                if fr.spec:
                    fs.malformed = True
                self._abort_to(fs, j + len(quote), terminated=True)
                return j + len(quote)
            fr.flags |= _QUOTE_BIT[c]
            return j + 1
        if c == "\\":
            fr.flags |= _BACKSLASH
            nxt = src[j + 1 : j + 2]
            if nxt in ("{", "}") and nxt:
                return j + 1
            if not fs.raw and nxt == "N" and src[j + 2 : j + 3] == "{":
                close = src.find("}", j + 3, j + 200)  # bounded: no rescans on junk
                name = src[j + 3 : close] if close >= 0 else "\n"
                if close >= 0 and "\n" not in name and "\r" not in name and quote[0] not in name:
                    return close + 1
            if nxt == "\r" or nxt == "\n":
                fr.flags |= _NEWLINE
                return j + 2 + (src[j + 1 : j + 3] == "\r\n")
            return min(j + 2, self.n)
        if c == "\n" or c == "\r":
            if len(quote) == 1 and (self.strict or not fr.spec):
                self._abort_to(fs, j, terminated=False)
                return j
            fr.flags |= _NEWLINE
            return j + 1
        if c == "{":
            if not fr.spec and src[j + 1 : j + 2] == "{":
                return j + 2
            self.stack.append(_Code(fs, j + 1))
            return j + 1
        # c == "}"
        if fr.spec:
            # The ``}`` that ends a format spec also closes the field that owns it.
            self.stack.pop()
            owner = self.stack[-1]
            owner.flags |= fr.flags
            if isinstance(owner, _Code):
                self._pop_code(owner)
            return j + 1
        if src[j + 1 : j + 2] == "}":
            return j + 2
        fs.malformed = True
        return j + 1

    def _abort_to(self, fs: FString, end: int, terminated: bool) -> None:
        """Close ``fs`` at ``end``, unwinding whatever is still open inside it."""
        while len(self.stack) > 1:
            frame = self.stack[-1]
            if isinstance(frame, _Literal) and frame.fs is fs and not frame.spec:
                self._close_fstring(frame, end, terminated)
                return
            if isinstance(frame, _Literal):
                frame.fs.malformed = True
                self.stack.pop()
                self.stack[-1].flags |= frame.flags
            else:
                assert frame.owner is not None
                frame.owner.malformed = True
                self._expression_done(frame, end)
                self._end_group(frame)
                self.stack.pop()
                self.stack[-1].flags |= frame.flags

    def _abort_innermost(self, end: int, terminated: bool) -> None:
        for frame in reversed(self.stack):
            if isinstance(frame, _Literal):
                self._abort_to(frame.fs, end, terminated)
                return
            if isinstance(frame, _Code) and frame.owner is not None:
                self._abort_to(frame.owner, end, terminated)
                return

    def _close_fstring(self, frame: _Literal, end: int, terminated: bool) -> None:
        fs = frame.fs
        self.stack.pop()
        fs.end = end
        fs.terminated = terminated and not fs.malformed
        fs.flags |= frame.flags | _QUOTE_BIT[fs.quote]
        if not (fs.terminated or self.strict) and len(fs.quote) == 1 and fs.flags & _NEWLINE:
            # A broken single-quoted f-string that ran over lines: most likely a half-typed
            # ``f"{x`` that swallowed what follows.  Scan again the pre-3.12 way.
            raise _Restart
        below = self.stack[-1]
        assert isinstance(below, _Code)
        below.flags |= fs.flags
        tok = below.group[-1] if below.group else None
        if tok is not None and tok.fstring is fs:
            tok.end = end
            tok.terminated = fs.terminated
        if below.owner is None:
            self.out.ends[-1] = end

    def _end_group(self, fr: _Code) -> None:
        group = fr.group
        if group:
            fr.group = []
            if any(tok.fstring is not None for tok in group):
                self.out.groups.append(group)


def _indent_width(src: str, start: int, end: int) -> int:
    """Indentation column as CPython computes it: tabs to multiples of 8, form feed resets."""
    col = 0
    for c in src[start:end]:
        if c == "\t":
            col = (col // 8 + 1) * 8
        elif c == "\x0c":
            col = 0
        else:
            col += 1
    return col
