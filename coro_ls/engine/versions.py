"""Target Python versions: which ones exist, the default, and their parso grammars."""

from __future__ import annotations

import sys
from functools import cache

import parso
from parso.grammar import Grammar

Version = tuple[int, int]

SUPPORTED: tuple[Version, ...] = tuple((3, minor) for minor in range(8, 15))
OLDEST, NEWEST = SUPPORTED[0], SUPPORTED[-1]


def running_version() -> Version:
    """The running interpreter's version, clamped to what coro-ls knows."""
    current = (sys.version_info[0], sys.version_info[1])
    return min(max(current, OLDEST), NEWEST)


def parse_version(text: str) -> Version:
    """``"3.11"`` -> ``(3, 11)``; ``ValueError`` with the accepted values otherwise."""
    try:
        major, minor = (int(part) for part in text.strip().split("."))
    except ValueError:
        raise ValueError(
            f"invalid Python version {text!r}; expected one of {accepted()}"
        ) from None
    if (major, minor) not in SUPPORTED:
        raise ValueError(f"unsupported Python version {text!r}; expected one of {accepted()}")
    return (major, minor)


def version_argument(text: str) -> Version:
    """``parse_version`` for argparse's ``type=``: a usage error names the accepted values."""
    import argparse

    try:
        return parse_version(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def accepted() -> str:
    return ", ".join(f"{major}.{minor}" for major, minor in SUPPORTED)


def format_version(version: Version) -> str:
    return f"{version[0]}.{version[1]}"


@cache
def grammar_for(version: Version) -> Grammar:
    """parso's grammar for the target version (3.12+ grammars parse PEP 695 type parameters)."""
    return parso.load_grammar(version=format_version(version))
