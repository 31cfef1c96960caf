"""The one reader of parenthesised ``with`` headers: ``with (A() as a, B() as b):``.

parso 0.8.7 has no grammar for them (3.9+), so two parts of coro-ls read them from tokens:
the masker of :mod:`coro_ls.syntax.modern_syntax` (to hide the ``as`` keywords from parso)
and the expansions' locator (to know each item of an ``async with``).  Each has its own
tokenizer; both describe the tokens between the parentheses to :func:`split_with_items`,
which finds the items, and both report them as :class:`WithItem`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, NamedTuple, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class WithItem(Generic[T]):
    """One item of a ``with`` header: ``manager as target``.

    The masker's items are spans of the source; the locator's are source text.
    """

    manager: T
    """The context manager expression."""
    target: T | None
    """The ``as`` target, if any."""


class HeaderToken(NamedTuple):
    """What :func:`split_with_items` needs of a token between the parentheses."""

    text: str
    depth: int
    """Bracket depth inside the parentheses: 0 is the items' own level."""
    is_operator: bool


@dataclass(frozen=True)
class ItemTokens:
    """One comma-separated group of the tokens: ``tokens[start:end]``."""

    start: int
    end: int
    as_tokens: tuple[int, ...]
    """The indices of its top-level ``as`` keywords (one in a well-formed item)."""

    @property
    def empty(self) -> bool:
        return self.start == self.end


def split_with_items(tokens: Sequence[HeaderToken]) -> list[ItemTokens]:
    """The groups between top-level commas of the tokens inside a ``with``'s parentheses,
    empty ones included (a trailing comma leaves one at the end); each caller decides what
    it accepts."""
    groups = []
    start = 0
    as_tokens: list[int] = []
    for index, token in enumerate(tokens):
        if token.depth != 0:
            continue
        if token.is_operator and token.text == ",":
            groups.append(ItemTokens(start, index, tuple(as_tokens)))
            start, as_tokens = index + 1, []
        elif not token.is_operator and token.text == "as":
            as_tokens.append(index)
    groups.append(ItemTokens(start, len(tokens), tuple(as_tokens)))
    return groups
