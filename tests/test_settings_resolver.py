"""The one settings resolver behind ``coro-ls check`` and the server's settings feature."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from coro_ls.cli.main import main
from coro_ls.config.resolver import SettingsResolver
from coro_ls.config.settings import Layer, SettingWarning, parse_codes

PYPROJECT = """\
[project]
requires-python = ">=3.9"

[tool.coro-ls]
top-level-await = true
select = ["CORO10"]
per-file-ignores = { "tests/*" = ["CORO101"] }
severity = "loud"
"""


def resolver() -> tuple[SettingsResolver, list[tuple[str, list[str]]]]:
    seen: list[tuple[str, list[str]]] = []

    def warn(source: str, warnings: Sequence[SettingWarning]) -> None:
        seen.append((source, [w.setting for w in warnings]))

    return SettingsResolver(warn), seen


def test_the_callers_layers_win_over_the_pyproject_and_requires_python_comes_last(
    tmp_path: Path,
) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    resolve, seen = resolver()
    resolved = resolve.resolve(str(tmp_path / "tests" / "t.py"), [Layer(select=("CORO1",))])
    assert resolved.settings.select == ("CORO1",)  # the caller's layer
    assert resolved.settings.top_level_await is True  # [tool.coro-ls]
    assert resolved.settings.target_version == (3, 9)  # requires-python
    assert resolved.ignored == ("CORO101",)
    assert not resolved.wants("CORO101") and resolved.wants("CORO104")
    # The invalid severity is handed to the caller with the pyproject it came from.
    assert seen == [(str(tmp_path / "pyproject.toml"), ["severity"])]


def test_no_path_reads_no_pyproject(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    resolve, seen = resolver()
    resolved = resolve.resolve(None, [Layer(target_version=(3, 12))])
    assert resolved.settings.target_version == (3, 12)
    assert resolved.settings.select is None and resolved.ignored == ()
    assert seen == []


def test_a_file_outside_every_pyproject_gets_the_callers_layers(tmp_path: Path) -> None:
    resolve, seen = resolver()
    resolved = resolve.resolve(str(tmp_path / "a.py"), [Layer(ignore=("CORO104",))])
    assert not resolved.wants("CORO104") and resolved.wants("CORO101")


def test_the_command_line_reads_codes_with_the_settings_parser(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert parse_codes(" coro10, CORO104 ,") == ("CORO10", "CORO104")
    with pytest.raises(SystemExit):
        main(["check", "--select", "coro10, nope", "x.py"])
    assert "argument --select: unknown rule code 'NOPE'; known codes: CORO101," in (
        capsys.readouterr().err
    )
