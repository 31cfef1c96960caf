"""Settings from the nearest ``pyproject.toml``: ``[tool.coro-ls]`` and ``requires-python``.

The nearest ``pyproject.toml`` is the first one found walking up from a file's directory.
It gives two layers (see :mod:`coro_ls.config.settings`): ``[tool.coro-ls]`` (kebab-case keys) and,
below it, the target version implied by ``[project].requires-python``: the lowest Python 3
minor version it admits (PEP 440, read by ``packaging``: ``>3.8`` admits 3.8.1, so 3.8),
clamped to the supported versions.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion
from packaging.version import Version as PackagingVersion

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

_MINORS = range(0, 100)
_PATCHES = range(0, 101)


def lowest_admitted(spec: str) -> Version:
    """The lowest ``(3, minor)`` with a release ``3.minor.patch`` (patch up to 100) the
    specifiers admit, as ``packaging`` reads PEP 440 (pre-release specifiers included),
    clamped to the supported versions; ``ValueError`` if the text is not PEP 440 specifiers
    or admits no Python 3 release.
    """
    try:
        admitted = SpecifierSet(spec)
    except InvalidSpecifier:
        raise ValueError(spec) from None
    if not len(admitted):
        raise ValueError(spec)  # an empty requires-python says nothing
    named = _named_patches(admitted)
    for minor in _MINORS:
        # "3.9" as well as "3.9.0": only ``===`` (string equality) tells them apart.
        candidates = [f"3.{minor}"]
        candidates += (f"3.{minor}.{patch}" for patch in sorted({0, 1} | named.get(minor, set())))
        if any(admitted.contains(release, prereleases=True) for release in candidates):
            return min(max((3, minor), OLDEST), NEWEST)
    raise ValueError(spec)


def _named_patches(admitted: SpecifierSet) -> dict[int, set[int]]:
    """Per minor, the patches where a specifier's verdict can change.

    Each specifier admits the patches of a minor on one side of its own version (or all or
    none of them), so the lowest admitted patch, if any, is 0 or 1 or a specifier's patch
    or the one after it: checking those finds it without trying all of them.
    """
    named: dict[int, set[int]] = {}
    for specifier in admitted:
        try:
            release = PackagingVersion(specifier.version.removesuffix(".*")).release
        except InvalidVersion:  # ``===`` with any string
            continue
        if len(release) >= 2 and release[0] == 3:
            patch = release[2] if len(release) > 2 else 0
            named.setdefault(release[1], set()).update(
                candidate for candidate in (patch, patch + 1) if candidate in _PATCHES
            )
    return named
