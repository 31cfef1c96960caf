"""Settings from the nearest ``pyproject.toml``: ``[tool.coro-ls]`` and ``requires-python``.

The nearest ``pyproject.toml`` is the first one found walking up from a file's directory.
It gives two layers (see :mod:`coro_ls.config.settings`): ``[tool.coro-ls]`` (kebab-case keys) and,
below it, the target version implied by ``[project].requires-python``: the lowest Python 3
minor version it admits (PEP 440: ``>3.8`` admits 3.8.1, so 3.8), clamped to 3.8-3.14.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from coro_ls.config.settings import KEBAB_KEYS, Layer, SettingWarning, parse_layer
from coro_ls.engine.versions import NEWEST, OLDEST, Version

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.9/3.10 only
    import tomli as tomllib

FILENAME = "pyproject.toml"
TOOL_SECTION = "coro-ls"


@dataclass(frozen=True)
class Pyproject:
    path: Path
    tool: Layer
    """``[tool.coro-ls]``."""
    requires_python: Layer
    """Only a target version, from ``requires-python``."""
    warnings: tuple[SettingWarning, ...] = ()

    @property
    def root(self) -> Path:
        return self.path.parent

    def relative(self, file: str | os.PathLike[str]) -> str | None:
        """``file`` relative to the pyproject's directory in POSIX form, if it is below it."""
        try:
            return Path(os.path.abspath(file)).relative_to(self.root).as_posix()
        except ValueError:
            return None


def find(start: str | os.PathLike[str]) -> Path | None:
    """The nearest ``pyproject.toml`` at or above ``start`` (a file or a directory)."""
    path = Path(os.path.abspath(start))
    directory = path if path.is_dir() else path.parent
    for candidate in (directory, *directory.parents):
        file = candidate / FILENAME
        if file.is_file():
            return file
    return None


def load(path: Path) -> Pyproject:
    """Read a pyproject; problems become warnings, never exceptions."""
    stat = _stat(path)
    return _load_cached(path, stat)


def for_file(file: str | os.PathLike[str]) -> Pyproject | None:
    found = find(file)
    return load(found) if found is not None else None


def _stat(path: Path) -> tuple[int, int]:
    try:
        info = path.stat()
    except OSError:
        return (0, 0)
    return (info.st_mtime_ns, info.st_size)


@lru_cache(maxsize=64)
def _load_cached(path: Path, stat: tuple[int, int]) -> Pyproject:
    # ``stat`` is part of the key: an edited pyproject is read again.
    source = f"{FILENAME} ({path})"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        warning = SettingWarning(source, "file", str(error), "a readable TOML file")
        return Pyproject(path, Layer(), Layer(), (warning,))
    tool_data = data.get("tool", {})
    tool_data = tool_data.get(TOOL_SECTION) if isinstance(tool_data, dict) else None
    tool, warnings = parse_layer(
        tool_data, f"[tool.{TOOL_SECTION}] of {source}", keys=KEBAB_KEYS, strict_keys=True
    )
    project = data.get("project", {})
    spec = project.get("requires-python") if isinstance(project, dict) else None
    requires = Layer()
    if spec is not None:
        try:
            if not isinstance(spec, str):
                raise ValueError(spec)
            requires = Layer(target_version=lowest_admitted(spec))
        except ValueError:
            warnings.append(
                SettingWarning(
                    f"[project] of {source}",
                    "requires-python",
                    spec,
                    'PEP 440 version specifiers admitting a Python 3 version, e.g. ">=3.9"',
                )
            )
    return Pyproject(path, tool, requires, tuple(warnings))


# -- requires-python -------------------------------------------------------------------------

_SPECIFIER = re.compile(
    r"\s*(?P<op>~=|===|==|!=|<=|>=|<|>)\s*(?P<version>v?[0-9]+(?:\.[0-9]+)*(?:\.\*)?)"
    r"(?P<suffix>[A-Za-z0-9.+-]*)\s*"
)
_PATCHES = range(0, 101)


def lowest_admitted(spec: str) -> Version:
    """The lowest ``(3, minor)`` with a release ``3.minor.patch`` every specifier admits,
    clamped to the supported versions; ``ValueError`` if the text is not PEP 440 specifiers
    or admits no Python 3 release.

    Pre- and post-release suffixes are ignored (``>=3.10.0rc1`` reads as ``>=3.10.0``).
    """
    clauses = [_parse_clause(part) for part in spec.split(",") if part.strip()]
    if not clauses:
        raise ValueError(spec)
    for minor in range(0, 100):
        if any(
            all(_admits(clause, (3, minor, patch)) for clause in clauses) for patch in _PATCHES
        ):
            return min(max((3, minor), OLDEST), NEWEST)
    raise ValueError(spec)


def _parse_clause(text: str) -> tuple[str, tuple[int, ...], bool]:
    match = _SPECIFIER.fullmatch(text)
    if match is None:
        raise ValueError(text)
    version = match["version"].lstrip("v")
    wildcard = version.endswith(".*")
    if wildcard:
        if match["op"] not in ("==", "!=") or match["suffix"]:
            raise ValueError(text)
        version = version[:-2]
    if match["op"] == "~=" and "." not in version:
        raise ValueError(text)  # PEP 440: ~= needs at least two release segments
    return match["op"], tuple(int(part) for part in version.split(".")), wildcard


def _admits(clause: tuple[str, tuple[int, ...], bool], release: tuple[int, int, int]) -> bool:
    op, version, wildcard = clause
    if wildcard:
        prefix = release[: len(version)] == version
        return prefix if op == "==" else not prefix
    length = max(len(version), len(release))
    left = release + (0,) * (length - len(release))
    right = version + (0,) * (length - len(version))
    if op in ("==", "==="):
        return left == right
    if op == "!=":
        return left != right
    if op == ">=":
        return left >= right
    if op == "<=":
        return left <= right
    if op == ">":
        return left > right
    if op == "<":
        return left < right
    # ~=X.Y[.Z]: >= X.Y[.Z] and the same release up to the last-but-one segment.
    stem = version[:-1]
    return left >= right and release[: len(stem)] == stem
