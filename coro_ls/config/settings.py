"""What decides the findings a user sees: the settings, their sources and their precedence.

One set of settings, the same names everywhere (camelCase for editors and
``initializationOptions``, kebab-case in ``[tool.coro-ls]`` of ``pyproject.toml``):

========================  =====================  ==============================================
editor / init options     pyproject              value
========================  =====================  ==============================================
``targetVersion``         ``target-version``     ``"3.8"`` ... ``"3.14"``
``topLevelAwait``         ``top-level-await``    ``"auto"``, ``true``, ``false``
``select``                ``select``             codes or code prefixes (``"CORO10"``)
``ignore``                ``ignore``             codes or code prefixes
``severity``              ``severity``           code (or prefix) -> error/warning/information/hint
(none)                    ``per-file-ignores``   glob pattern -> codes
========================  =====================  ==============================================

Each source is read into a :class:`Layer` (only what it sets; an empty list or object sets
nothing); :func:`merge` takes every setting from the highest layer that sets it.  An invalid
value never stops anything: it is left out of its layer with a :class:`SettingWarning`
(naming the setting, the value and the accepted values), so the next source's value is used.
Pure: no files, no LSP.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

from coro_ls.engine import rules
from coro_ls.engine.versions import Version, accepted, parse_version, running_version

TopLevelAwait = bool | Literal["auto"]
Severity = Literal["error", "warning", "information", "hint"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "information", "hint")

CAMEL_KEYS = {
    "targetVersion": "target_version",
    "topLevelAwait": "top_level_await",
    "select": "select",
    "ignore": "ignore",
    "severity": "severity",
}
KEBAB_KEYS = {
    "target-version": "target_version",
    "top-level-await": "top_level_await",
    "select": "select",
    "ignore": "ignore",
    "severity": "severity",
    "per-file-ignores": "per_file_ignores",
}


@dataclass(frozen=True)
class SettingWarning:
    """An invalid value, left out so that the next source's value is used."""

    source: str
    """Where the value came from: "editor settings", "pyproject.toml (/path)", ..."""
    setting: str
    """The setting's name as that source spells it."""
    value: object
    accepted: str

    @property
    def message(self) -> str:
        return (
            f"coro-ls: invalid {self.setting} {_show(self.value)} in {self.source}; "
            f"expected {self.accepted}. Using the value from the next source instead."
        )


@dataclass(frozen=True)
class Layer:
    """The settings one source sets; ``None`` means "not set here"."""

    target_version: Version | None = None
    top_level_await: TopLevelAwait | None = None
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None
    severity: tuple[tuple[str, Severity], ...] | None = None
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] | None = None


@dataclass(frozen=True)
class Settings:
    """The settings in force for a document, every one resolved."""

    target_version: Version = field(default_factory=running_version)
    top_level_await: TopLevelAwait = "auto"
    select: tuple[str, ...] | None = None
    """Codes or prefixes to report; ``None`` reports every rule."""
    ignore: tuple[str, ...] = ()
    """Codes or prefixes never reported (wins over ``select``)."""
    severity: tuple[tuple[str, Severity], ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """Glob pattern -> codes, matched against paths relative to the pyproject's directory."""

    def wants(self, code: str) -> bool:
        if code.startswith(self.ignore):
            return False
        return self.select is None or code.startswith(self.select)

    def severity_of(self, code: str) -> Severity:
        """The severity of the longest matching code or prefix; ``"error"`` by default
        (every finding is a SyntaxError for CPython)."""
        matches = [
            (len(prefix), level) for prefix, level in self.severity if code.startswith(prefix)
        ]
        return max(matches)[1] if matches else "error"

    def top_level_await_for(self, *, notebook_cell: bool, marked: bool) -> bool:
        """Whether a document is checked with top-level await allowed: ``"auto"`` allows it
        in notebook cells and in files with the ``# coro-ls: top-level-await`` marker."""
        if self.top_level_await == "auto":
            return notebook_cell or marked
        return bool(self.top_level_await)


def merge(*layers: Layer, fallback_version: Version | None = None) -> Settings:
    """Every setting from the first (highest) layer that sets it, defaults otherwise."""
    values: dict[str, object] = {}
    for name in Layer.__dataclass_fields__:
        for layer in layers:
            value = getattr(layer, name)
            if value is not None:
                values[name] = value
                break
    settings = Settings(**values)  # type: ignore[arg-type]
    if "target_version" not in values and fallback_version is not None:
        settings = replace(settings, target_version=fallback_version)
    return settings


def parse_layer(
    data: object, source: str, *, keys: Mapping[str, str] = CAMEL_KEYS, strict_keys: bool = False
) -> tuple[Layer, list[SettingWarning]]:
    """One source's settings from a JSON/TOML object.

    ``keys`` maps the source's spelling to the field names.  Unknown keys are ignored unless
    ``strict_keys`` (pyproject: a misspelt key there is a mistake; an editor's section may
    hold the editor client's own settings).
    """
    # An empty list is an empty object from a Lua client: Neovim encodes ``{}`` as ``[]``.
    if data is None or (isinstance(data, (list, tuple)) and not data):
        return Layer(), []
    if not isinstance(data, Mapping):
        return Layer(), [SettingWarning(source, "settings", data, "an object")]
    spelling = {field: key for key, field in keys.items()}
    values: dict[str, object] = {}
    warnings: list[SettingWarning] = []
    for key, value in data.items():
        name = keys.get(key)
        if name is None:
            if strict_keys:
                warnings.append(
                    SettingWarning(source, "key", key, "one of " + ", ".join(map(repr, keys)))
                )
            continue
        if value is None:
            continue
        try:
            parsed = _PARSERS[name](value)
        except InvalidSetting as invalid:
            warnings.append(SettingWarning(source, spelling[name], value, invalid.accepted))
            continue
        # An empty list or object sets nothing: editors send their defaults ([] and {}),
        # which must not hide the project's settings.
        if parsed != ():
            values[name] = parsed
    return Layer(**values), warnings  # type: ignore[arg-type]


class InvalidSetting(ValueError):
    """A value a setting does not accept: what it accepts, and the value as it was read."""

    def __init__(self, accepted: str, value: object = None) -> None:
        super().__init__(accepted)
        self.accepted = accepted
        self.value = value


def parse_target_version(value: object) -> Version:
    if isinstance(value, str):
        try:
            return parse_version(value)
        except ValueError:
            pass
    raise InvalidSetting(f"one of {accepted()} (a string)")


def parse_top_level_await(value: object) -> TopLevelAwait:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("auto", "true", "false"):
        word = value.strip().lower()
        return "auto" if word == "auto" else word == "true"
    raise InvalidSetting('"auto", true or false')


def known_codes() -> list[str]:
    return sorted(rules.load())


def parse_code(value: object) -> str:
    """A rule code or a prefix of one (``"CORO10"``), upper-cased."""
    known = known_codes()
    if isinstance(value, str):
        code = value.strip().upper()
        if code and any(rule.startswith(code) for rule in known):
            return code
        value = code
    raise InvalidSetting(f"rule codes or code prefixes: {', '.join(known)}", value)


def parse_codes(value: object) -> tuple[str, ...]:
    """A list of codes/prefixes; a comma-separated string is accepted too (as on the CLI)."""
    if isinstance(value, str):
        value = [part for part in value.split(",") if part.strip()]
    if not isinstance(value, (list, tuple)):
        raise InvalidSetting(f"a list of rule codes or code prefixes ({', '.join(known_codes())})")
    return tuple(parse_code(item) for item in value)


def parse_severity(value: object) -> tuple[tuple[str, Severity], ...]:
    expected = (
        'an object mapping rule codes to "error", "warning", "information" or "hint", '
        'e.g. {"CORO106": "warning"}'
    )
    if isinstance(value, (list, tuple)) and not value:
        value = {}  # Neovim encodes an empty Lua table as []
    if not isinstance(value, Mapping):
        raise InvalidSetting(expected)
    pairs: list[tuple[str, Severity]] = []
    by_name: dict[str, Severity] = {name: name for name in SEVERITIES}
    for code, level in value.items():
        try:
            prefix = parse_code(code)
        except InvalidSetting:
            raise InvalidSetting(expected + f" (unknown code {code!r})") from None
        severity = by_name.get(level.strip().lower()) if isinstance(level, str) else None
        if severity is None:
            raise InvalidSetting(expected + f" (bad severity {_show(level)} for {code})")
        pairs.append((prefix, severity))
    return tuple(pairs)


def parse_per_file_ignores(value: object) -> tuple[tuple[str, tuple[str, ...]], ...]:
    expected = 'a table mapping glob patterns to lists of codes, e.g. {"tests/*" = ["CORO101"]}'
    if not isinstance(value, Mapping):
        raise InvalidSetting(expected)
    pairs = []
    for pattern, codes in value.items():
        if not isinstance(pattern, str) or not pattern.strip():
            raise InvalidSetting(expected)
        try:
            pairs.append((pattern.strip(), parse_codes(codes)))
        except InvalidSetting:
            raise InvalidSetting(expected + f" (bad codes for {pattern!r})") from None
    return tuple(pairs)


_PARSERS = {
    "target_version": parse_target_version,
    "top_level_await": parse_top_level_await,
    "select": parse_codes,
    "ignore": parse_codes,
    "severity": parse_severity,
    "per_file_ignores": parse_per_file_ignores,
}


# -- per-file-ignores globs ----------------------------------------------------------------


def ignored_by_path(settings: Settings, relative_path: str | None) -> tuple[str, ...]:
    """The codes ``per-file-ignores`` ignores for a path relative to the pyproject's
    directory (POSIX separators); a pattern without ``/`` also matches the file name."""
    if relative_path is None:
        return ()
    name = relative_path.rsplit("/", 1)[-1]
    codes: list[str] = []
    for pattern, ignored in settings.per_file_ignores:
        pattern = pattern[2:] if pattern.startswith("./") else pattern
        target = relative_path if "/" in pattern else name
        if glob_regex(pattern).fullmatch(target):
            codes.extend(ignored)
    return tuple(codes)


def glob_regex(pattern: str) -> re.Pattern[str]:
    """A glob as ruff and git read it: ``**`` spans directories, ``*`` and ``?`` do not."""
    out = []
    index = 0
    while index < len(pattern):
        if pattern.startswith("**/", index):
            out.append("(?:.*/)?")
            index += 3
        elif pattern.startswith("**", index):
            out.append(".*")
            index += 2
        elif pattern[index] == "*":
            out.append("[^/]*")
            index += 1
        elif pattern[index] == "?":
            out.append("[^/]")
            index += 1
        elif pattern[index] == "[":
            end = pattern.find("]", index + 2)
            if end < 0:
                out.append(re.escape("["))
                index += 1
            else:
                body = pattern[index + 1 : end].replace("\\", "\\\\")
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                index = end + 1
        else:
            out.append(re.escape(pattern[index]))
            index += 1
    if pattern.endswith("/"):
        out.append(".*")  # a directory: everything under it
    return re.compile("".join(out))


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    return repr(value)
