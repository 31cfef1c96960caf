"""coro-ls in real Emacs loading ``editors/emacs/coro-ls.el``, in batch: eglot and lsp-mode.

eglot 1.9 talks UTF-16 to the server and Flymake shows buffer positions, which count
characters: the diagnostic after ``"é🐍"`` lands in the engine's own column only if the
server converted both ways correctly.  eglot's Flymake text is ``source [code]: message``.

lsp-mode 8.0 runs coro-ls as an add-on beside a stand-in for the main Python server.  It
counts LSP columns in characters although it gets UTF-16, so after the 🐍 it shows columns one
further than eglot and Neovim: the test expects what lsp-mode shows, not what it should.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import other_server
import pytest
from editor_harness import (
    ACTION_TITLE,
    HERE,
    SAMPLE,
    SETTING_TARGET,
    EditorRun,
    expected_expansion,
    expected_findings,
    missing,
    run_editor,
    setting_findings,
)

from coro_ls.engine.findings import Finding

HINTS = {
    "eglot": "apt-get install emacs-nox elpa-eglot (Debian 12: Emacs 28.2, eglot 1.9)",
    "lsp-mode": "apt-get install emacs-nox elpa-lsp-mode",
}
FLYMAKE_TEXT = re.compile(r"(?P<source>.+?) \[(?P<code>[^\]]+)\]: (?P<message>.*)", re.DOTALL)


def emacs_with(feature: str) -> str:
    emacs = shutil.which("emacs")
    if emacs is None:
        missing("Emacs", HINTS[feature])
    probe = f'(princ (if (require \'{feature} nil t) "yes" "no"))'
    answer = subprocess.run(
        [emacs, "-q", "--batch", "--eval", probe], capture_output=True, text=True, timeout=60
    ).stdout
    if answer != "yes":
        missing(f"Emacs' {feature} package", HINTS[feature])
    return emacs


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> EditorRun:
    emacs = emacs_with("eglot")
    run = run_editor(
        [emacs, "-q", "--batch", "-l", str(HERE / "eglot_driver.el")],
        tmp_path_factory.mktemp("emacs"),
        {},
    )
    print(f"{emacs}: Emacs {run.result.get('version')}, eglot {run.result.get('eglot_version')}")
    assert run.result.get("error") is None, run.context()
    assert run.result["server_command"] == ["coro-ls"], run.context()
    return run


def as_flymake_shows(findings: list[Finding]) -> list[tuple[object, ...]]:
    return sorted(
        (f.code, f.message, f.start[0] - 1, f.start[1], f.end[0] - 1, f.end[1]) for f in findings
    )


def coro_ls_flymake_diagnostics(run: EditorRun, key: str) -> list[tuple[object, ...]]:
    """coro-ls' diagnostics of ``run.result[key]`` in the form of :func:`as_flymake_shows`."""
    shown = []
    for d in run.result[key]:
        if d["text"].startswith(f"{other_server.SOURCE}: "):
            continue
        text = FLYMAKE_TEXT.fullmatch(d["text"])
        assert text, run.context()
        assert d["type"] == "eglot-error", run.context()
        shown.append(
            (
                text["code"],
                text["message"],
                d["line"],
                d["character"],
                d["end_line"],
                d["end_character"],
            )
        )
    return sorted(shown)


def coro_ls_diagnostics_as_engine_findings(run: EditorRun) -> None:
    """Assert that eglot shows exactly the engine's findings, at the engine's characters."""
    shown = coro_ls_flymake_diagnostics(run, "diagnostics")
    assert shown == as_flymake_shows(expected_findings()), run.context()
    # The line with non-ASCII text must be among them, or the conversion went untested.
    assert any(line == 2 and col > len("s = ") for _, _, line, col, _, _ in shown)


def expansion_applied_by_eglot_code_actions(run: EditorRun) -> None:
    assert run.result.get("action_error") is None, run.context()
    assert ACTION_TITLE in run.result["offered_titles"], run.context()
    assert run.result["applied"], run.context()
    assert run.saved == expected_expansion(), run.context()


def test_every_diagnostic_at_the_engines_position(session: EditorRun) -> None:
    coro_ls_diagnostics_as_engine_findings(session)


def test_eglot_code_actions_expands_async_for(session: EditorRun) -> None:
    expansion_applied_by_eglot_code_actions(session)


@pytest.fixture(scope="module")
def setting_session(tmp_path_factory: pytest.TempPathFactory) -> EditorRun:
    """eglot with ``coroLs.targetVersion`` in ``eglot-workspace-configuration``, as README says."""
    emacs = emacs_with("eglot")
    run = run_editor(
        [emacs, "-q", "--batch", "-l", str(HERE / "eglot_driver.el")],
        tmp_path_factory.mktemp("emacs-setting"),
        {},
        SETTING_TARGET,
    )
    assert run.result.get("error") is None, run.context()
    assert run.result["server_command"] == ["coro-ls"], run.context()
    return run


def test_without_target_version_the_servers_python_decides(session: EditorRun) -> None:
    assert session.result.get("setting_error") is None, session.context()
    shown = coro_ls_flymake_diagnostics(session, "setting_diagnostics")
    assert shown == as_flymake_shows(setting_findings(None)), session.context()


def test_target_version_from_eglot_workspace_configuration(setting_session: EditorRun) -> None:
    run = setting_session
    assert run.result.get("setting_error") is None, run.context()
    shown = coro_ls_flymake_diagnostics(run, "setting_diagnostics")
    assert shown == as_flymake_shows(setting_findings(SETTING_TARGET)), run.context()


@pytest.fixture(scope="module")
def rass_session(tmp_path_factory: pytest.TempPathFactory) -> EditorRun:
    """eglot with README's multiplexer line: coro-ls and another server in one connection."""
    emacs = emacs_with("eglot")
    rass = shutil.which("rass", path=str(Path(sys.executable).parent)) or shutil.which("rass")
    if rass is None:
        missing("rassumfrassum's rass", "pip install rassumfrassum")
    command = ["rass", "--", "coro-ls", "--", sys.executable, other_server.__file__]
    run = run_editor(
        [emacs, "-q", "--batch", "-l", str(HERE / "eglot_driver.el")],
        tmp_path_factory.mktemp("emacs-rass"),
        {"CORO_LS_TEST_EGLOT_COMMAND": "\n".join(command)},
    )
    assert run.result.get("error") is None, run.context()
    assert run.result["server_command"] == command, run.context()
    return run


def test_eglot_user_with_another_server_gets_both_through_rass(rass_session: EditorRun) -> None:
    others = [
        d
        for d in rass_session.result["diagnostics"]
        if d["text"].startswith(f"{other_server.SOURCE}: ")
    ]
    assert [d["text"] for d in others] == [f"{other_server.SOURCE}: {other_server.MESSAGE}"]
    coro_ls_diagnostics_as_engine_findings(rass_session)
    assert other_server.ACTION_TITLE in rass_session.result["offered_titles"]
    expansion_applied_by_eglot_code_actions(rass_session)
    shown = coro_ls_flymake_diagnostics(rass_session, "setting_diagnostics")
    assert shown == as_flymake_shows(setting_findings(None)), rass_session.context()


@pytest.fixture(scope="module")
def lsp_mode_session(tmp_path_factory: pytest.TempPathFactory) -> EditorRun:
    emacs = emacs_with("lsp-mode")
    run = run_editor(
        [emacs, "-q", "--batch", "-l", str(HERE / "lsp_mode_driver.el")],
        tmp_path_factory.mktemp("lsp-mode"),
        {
            "CORO_LS_TEST_OTHER_PYTHON": sys.executable,
            "CORO_LS_TEST_OTHER_SCRIPT": other_server.__file__,
            "CORO_LS_TEST_OTHER_MESSAGE": other_server.MESSAGE,
        },
    )
    versions = run.result.get("version"), run.result.get("lsp_mode_version")
    print(f"{emacs}: Emacs {versions[0]}, lsp-mode {versions[1]}")
    assert run.result.get("error") is None, run.context()
    return run


def test_lsp_mode_runs_coro_ls_beside_the_main_python_server(lsp_mode_session: EditorRun) -> None:
    servers = lsp_mode_session.result["servers"]
    assert servers == ["coro-ls", "other-python-server"], lsp_mode_session.context()


def lsp_mode_column(line: int, column: int) -> int:
    """Where lsp-mode 8 puts an LSP position: it moves forward by the UTF-16 count in
    characters (it announces no position encoding, so it gets UTF-16), stopping at the line end.
    """
    text = SAMPLE.splitlines()[line - 1]
    return min(len(text[:column].encode("utf-16-le")) // 2, len(text))


def test_lsp_mode_shows_coro_ls_diagnostics(lsp_mode_session: EditorRun) -> None:
    expected = sorted(
        (
            f.message,
            f.start[0] - 1,
            lsp_mode_column(*f.start),
            f.end[0] - 1,
            lsp_mode_column(*f.end),
        )
        for f in expected_findings()
    )
    shown = sorted(
        (d["text"], d["line"], d["character"], d["end_line"], d["end_character"])
        for d in lsp_mode_session.result["diagnostics"]
        if d["text"] != other_server.MESSAGE
    )
    assert shown == expected, lsp_mode_session.context()


def test_lsp_execute_code_action_expands_async_for(lsp_mode_session: EditorRun) -> None:
    result = lsp_mode_session.result
    assert result.get("action_error") is None, lsp_mode_session.context()
    assert ACTION_TITLE in result["offered_titles"], lsp_mode_session.context()
    assert other_server.ACTION_TITLE in result["offered_titles"], lsp_mode_session.context()
    assert result["applied"], lsp_mode_session.context()
    assert lsp_mode_session.saved == expected_expansion(), lsp_mode_session.context()
