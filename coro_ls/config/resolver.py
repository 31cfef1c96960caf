"""The settings in force for one file, for the command line and the server alike.

The caller's layers come first (the command line's options; the editor's settings and
``initializationOptions``), then ``[tool.coro-ls]`` of the file's nearest ``pyproject.toml``,
then its ``requires-python``, then the defaults; ``per-file-ignores`` of that pyproject gives
the codes ignored for the file.  Each consulted pyproject's warnings go to the caller, which
decides how often to show them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from coro_ls.config import pyproject
from coro_ls.config.settings import Layer, Settings, SettingWarning, ignored_by_path, merge

WarningSink = Callable[[str, Sequence[SettingWarning]], None]
"""Called with a pyproject's path and its warnings each time it is consulted."""


@dataclass(frozen=True)
class Resolved:
    """The settings for one file, and the codes ``per-file-ignores`` ignores there."""

    settings: Settings
    ignored: tuple[str, ...] = ()

    def wants(self, code: str) -> bool:
        return self.settings.wants(code) and not code.startswith(self.ignored)


class SettingsResolver:
    def __init__(self, warn: WarningSink) -> None:
        self.warn = warn

    def resolve(self, path: str | None, layers: Sequence[Layer]) -> Resolved:
        """``path`` locates the pyproject; ``None`` reads none (standard input without a
        name, an untitled buffer outside a workspace, ``--no-config``)."""
        project = pyproject.for_file(path) if path is not None else None
        if path is None or project is None:
            return Resolved(merge(*layers))
        self.warn(str(project.path), project.warnings)
        chosen = merge(*layers, project.tool, project.requires_python)
        return Resolved(chosen, ignored_by_path(chosen, project.relative(path)))
