"""Finding and reading the files ``coro-ls check`` is asked about.

Pure helpers, no output: walking directories the way a checker should (skip hidden
directories, virtual environments and ``__pycache__``) and decoding Python source the way
CPython does (PEP 263 coding declarations and the UTF-8 BOM, via ``tokenize.detect_encoding``).
Problems come back as :class:`SourceError` values so that one bad file never stops the others.
"""

from __future__ import annotations

import codecs
import io
import os
import tokenize
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from coro_ls.config.notebooks import is_notebook

PYTHON_SUFFIXES = (".py", ".pyi", ".ipynb")
"""What a directory walk picks up; a file named on the command line is checked whatever it is."""

SKIPPED_DIRECTORY_NAMES = frozenset({"__pycache__"})


@dataclass(frozen=True)
class SourceError:
    """A path that could not be listed, read or decoded, with a reason fit for stderr."""

    path: str
    reason: str


@dataclass(frozen=True)
class Source:
    path: str
    text: str


def is_skipped_directory(path: str) -> bool:
    """Hidden directories, ``__pycache__`` and virtual environments (they hold ``pyvenv.cfg``)."""
    name = os.path.basename(path)
    return (
        name.startswith(".")
        or name in SKIPPED_DIRECTORY_NAMES
        or os.path.isfile(os.path.join(path, "pyvenv.cfg"))
    )


def discover(paths: Iterable[str]) -> tuple[list[str], list[SourceError]]:
    """The files to check under ``paths``, sorted and without duplicates, and what went wrong.

    A path named explicitly is always taken (a directory is walked even if it is hidden or a
    virtual environment: the user asked for it); the skip rules apply to what the walk finds.
    Symbolic links to directories are not followed, so a link cycle cannot loop.
    """
    found: dict[str, str] = {}
    errors: list[SourceError] = []
    for given in paths:
        path = os.path.normpath(given)
        if os.path.isdir(path):
            for file in _walk(path, errors):
                found.setdefault(os.path.realpath(file), file)
        elif os.path.lexists(path):
            found.setdefault(os.path.realpath(path), path)
        else:
            errors.append(SourceError(given, "No such file or directory"))
    return sorted(found.values()), errors


def _walk(root: str, errors: list[SourceError]) -> Iterator[str]:
    def on_error(error: OSError) -> None:
        errors.append(SourceError(error.filename or root, _os_reason(error)))

    for directory, subdirectories, files in os.walk(root, onerror=on_error):
        # Sorted, so that of two links to one file the same name is always the one reported.
        subdirectories[:] = sorted(
            name
            for name in subdirectories
            if not is_skipped_directory(os.path.join(directory, name))
        )
        for name in sorted(files):
            if name.endswith(PYTHON_SUFFIXES):
                # normpath: walking "." should report "src/app.py", not "./src/app.py".
                yield os.path.normpath(os.path.join(directory, name))


def read_source(path: str) -> Source | SourceError:
    try:
        with open(path, "rb") as file:
            data = file.read()
    except OSError as error:
        return SourceError(path, f"cannot read: {_os_reason(error)}")
    return source_from_bytes(path, data)


def source_from_bytes(path: str, data: bytes) -> Source | SourceError:
    """``data`` as text: JSON for a notebook (always UTF-8), Python source otherwise."""
    try:
        return Source(path, decode_json(data) if is_notebook(path) else decode_source(data))
    except UndecodableSource as error:
        return SourceError(path, str(error))


class UndecodableSource(ValueError):
    """The bytes are not text in the file's declared encoding (UTF-8 when it declares none)."""


def decode_source(data: bytes) -> str:
    """``data`` decoded as CPython decodes source files, or :class:`UndecodableSource`.

    The encoding comes from a BOM or a PEP 263 declaration in the first two lines, UTF-8
    otherwise.  Line endings are kept as they are: parso, like CPython, accepts all three.
    """
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        reason = str(error)
        if reason.startswith("invalid or missing encoding declaration"):
            encoding = "utf-8"  # a first or second line that is not UTF-8: say where, below
        elif data.startswith(codecs.BOM_UTF8):
            raise UndecodableSource(
                "cannot decode: the file starts with a UTF-8 byte-order mark "
                "but declares another encoding"
            ) from None
        else:
            raise UndecodableSource(f"cannot decode: {reason}") from None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        line, column = _text_position(data, error.start, encoding)
        if encoding in ("utf-8", "utf-8-sig"):
            hint = "; if the file uses another encoding, declare it (PEP 263): '# coding: latin-1'"
        else:
            hint = ""
        raise UndecodableSource(
            f"cannot decode line {line}, column {column} as {encoding}: "
            f"{error.reason} (byte 0x{data[error.start]:02x}){hint}"
        ) from None


def decode_json(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line, column = _text_position(data, error.start, "utf-8-sig")
        raise UndecodableSource(
            f"cannot decode line {line}, column {column} as utf-8 (JSON must be): {error.reason}"
        ) from None


def _text_position(data: bytes, offset: int, encoding: str) -> tuple[int, int]:
    """1-based line and character column of byte ``offset`` (the first undecodable byte)."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    # Everything before ``offset`` decodes; utf-8-sig drops the BOM, as the column should.
    prefix = data[line_start:offset].decode(encoding, errors="replace")
    return data.count(b"\n", 0, offset) + 1, len(prefix) + 1


def _os_reason(error: OSError) -> str:
    return error.strerror or str(error)
