"""coro-ls in VS Code itself: ``editors/vscode`` running in code-server's extension host.

The .vsix is built from the sources (``npm ci``, tsc, esbuild, ``vsce package``) and installed
with VS Code's own installer; headless Chromium opens the workbench so that the real extension
host runs, and ``vscode_harness/`` reports what VS Code shows.  VS Code counts columns in UTF-16
units, so the diagnostic after ``"é🐍"`` lands in the right column only if the server converts
parso's code-point columns correctly.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from editor_harness import (
    ACTION_COLUMN,
    ACTION_LINE,
    ACTION_TITLE,
    SAMPLE,
    SETTING_SAMPLE,
    SETTING_TARGET,
    expected_findings,
    server_bin_dir,
    setting_findings,
)
from vscode_session import (
    EXTENSION_DIR,
    VSCodeRun,
    build_vsix,
    chromium,
    code_server,
    code_server_version,
    run_session,
)

from coro_ls.engine.checker import check_source
from coro_ls.engine.findings import Finding

# An unsaved buffer (File > New File, language Python): no file, no pyproject, same checks.
UNTITLED = "def handler(event):\n    data = await event.read()\n    return data\n"

# A notebook cell whose finding does not depend on whether top-level await is allowed there.
NOTEBOOK_CELL = "import asyncio\n\ndef load(path):\n    return await asyncio.sleep(0, path)\n"

CONTRIBUTED_SETTINGS = {
    f"coroLs.{name}"
    for name in (
        "path",
        "interpreter",
        "args",
        "trace.server",
        "targetVersion",
        "topLevelAwait",
        "select",
        "ignore",
        "severity",
    )
}

# Time for each step inside VS Code (server start, diagnostics, restart), in milliseconds.
STEP_TIMEOUT_MS = 30_000


def utf16_range(finding: Finding, source: str) -> dict[str, dict[str, int]]:
    """The LSP range of a finding as VS Code reports it: 0-based lines, UTF-16 columns."""
    lines = source.split("\n")

    def position(line: int, column: int) -> dict[str, int]:
        prefix = lines[line - 1][:column]
        return {"line": line - 1, "character": len(prefix.encode("utf-16-le")) // 2}

    return {"start": position(*finding.start), "end": position(*finding.end)}


@dataclass
class Session:
    run: VSCodeRun
    bad_path: Path
    """Where ``coroLs.path`` points at nothing."""
    bare_python: Path
    """An interpreter without coro-ls."""
    bin_dir: Path
    """The directory of the ``coro-ls`` script, first on the extension host's PATH."""
    empty_path: str
    """The extension host's PATH while nothing is found."""
    crashing: Path
    """A "server" that complains on stderr and exits with status 3."""
    vsix: Path

    def step(self, name: str) -> dict[str, Any]:
        steps = {step["name"]: step for step in self.run.result["launch_steps"]}
        return steps[name]


def bare_interpreter(where: Path) -> Path:
    """A virtual environment without coro-ls (nor pip): its python cannot ``import coro_ls``."""
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(where)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return where / "bin" / "python"


@pytest.fixture(scope="module")
def vscode(tmp_path_factory: pytest.TempPathFactory) -> Session:
    code_server()
    chromium()
    bin_dir = server_bin_dir()  # fails early, with a hint, when coro-ls is not installed here
    work = tmp_path_factory.mktemp("vscode")
    vsix = build_vsix(work)
    workspace = work / "workspace"
    workspace.mkdir()
    sample = workspace / "sample.py"
    sample.write_text(SAMPLE, encoding="utf-8")
    setting_sample = workspace / "nested.py"
    setting_sample.write_text(SETTING_SAMPLE, encoding="utf-8")
    bad_path = work / "nothing-here" / "coro-ls"
    bare_python = bare_interpreter(work / "bare-venv")
    empty_path = str(work / "empty-bin")
    crashing = work / "crashing-server"
    crashing.write_text("#!/bin/sh\necho 'coro-ls: broken install' >&2\nexit 3\n")
    crashing.chmod(0o755)
    plan = {
        "sample": str(sample),
        "expected_count": len(expected_findings()),
        "timeout_ms": STEP_TIMEOUT_MS,
        "action": {
            "title": ACTION_TITLE,
            "line": ACTION_LINE - 1,
            "character": ACTION_COLUMN,
        },
        "untitled": {"source": UNTITLED, "expected_count": len(check_source(UNTITLED))},
        "notebook": {"source": NOTEBOOK_CELL, "expected_count": len(check_source(NOTEBOOK_CELL))},
        "setting": {
            "file": str(setting_sample),
            "target": SETTING_TARGET,
            "count_without": len(setting_findings(None)),
            "count_with": len(setting_findings(SETTING_TARGET)),
        },
        # Each step: settings to change (None removes one), in this order.
        "launch_steps": [
            {"name": "bad path", "settings": {"path": str(bad_path)}},
            {"name": "path cleared", "settings": {"path": None}},
            {"name": "server exits", "settings": {"path": str(crashing)}},
            {"name": "path cleared again", "settings": {"path": None}},
            {"name": "bare interpreter", "settings": {"interpreter": str(bare_python)}},
            {"name": "nothing found", "settings": {"interpreter": None}, "path_env": empty_path},
            {"name": "found on PATH", "command": "coroLs.restart"},
        ],
    }
    # `python -m coro_ls` with the interpreter running the tests (coro-ls installed there).
    machine_settings = {"coroLs.interpreter": sys.executable}
    settings = {
        "extensions.autoCheckUpdates": False,
        "extensions.autoUpdate": False,
        "workbench.startupEditor": "none",
        "telemetry.telemetryLevel": "off",
        "coroLs.trace.server": "messages",
    }
    run = run_session(work, vsix, workspace, plan, settings, machine_settings, path_first=bin_dir)
    if "error" in run.result:
        pytest.fail(f"the harness failed inside VS Code:\n{run.context()}")
    return Session(run, bad_path, bare_python, bin_dir, empty_path, crashing, vsix)


def test_reports_vscode_version(vscode: Session, capsys: pytest.CaptureFixture[str]) -> None:
    run = vscode.run
    version = run.result["vscode_version"]
    banner = code_server_version(code_server())
    with capsys.disabled():
        print(f"\nVS Code {version} in the extension host ({banner})")
    # code-server's banner ends "with Code <version>": the host really is that VS Code.
    assert re.fullmatch(r"\d+\.\d+\.\d+", version), run.context()
    assert banner.endswith(f"with Code {version}"), run.context()


def test_vsix_carries_the_bundle_and_no_sources(vscode: Session) -> None:
    with zipfile.ZipFile(vscode.vsix) as vsix:
        files = {name for name in vsix.namelist() if name.startswith("extension/")}
    # esbuild bundles vscode-languageclient: no node_modules, sources or source maps inside.
    assert files == {
        "extension/package.json",
        "extension/readme.md",
        "extension/LICENSE.txt",
        "extension/dist/extension.js",
    }


def test_contributed_settings_as_vscode_sees_them(vscode: Session) -> None:
    manifest = json.loads((EXTENSION_DIR / "package.json").read_text(encoding="utf-8"))
    properties = manifest["contributes"]["configuration"]["properties"]
    assert set(properties) == CONTRIBUTED_SETTINGS
    for key, schema in properties.items():
        assert schema.get("description") or schema.get("markdownDescription"), key
    # VS Code read every one of them, with the manifest's default.
    assert vscode.run.result["setting_defaults"] == {
        key: schema["default"] for key, schema in properties.items()
    }, vscode.run.context()


def test_output_channels_hold_the_server_log_and_the_trace(vscode: Session) -> None:
    log = vscode.run.output_channel("coro-ls")
    # The server's own log lines (stderr), at their own level, beside the extension's.
    assert f"Starting the server (from coroLs.interpreter): {sys.executable} -m coro_ls" in log
    assert re.search(r"\[info\] coro_ls\.server\.\w+: ", log), log
    # `coroLs.trace.server: messages` alone turns the trace on.
    trace = vscode.run.output_channel("coro-ls Trace")
    assert "Sending request 'initialize" in trace, trace[:2000]
    assert "Sending notification 'textDocument/didOpen'" in trace, trace[:2000]


def test_server_started_from_interpreter_setting(vscode: Session) -> None:
    run = vscode.run
    assert run.result["start"] == {
        "state": "running",
        "message": None,
        "command": [sys.executable, "-m", "coro_ls"],
    }, run.context()
    assert run.result["language_id"] == "python", run.context()


def as_shown(diagnostics: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Code, message and range of each diagnostic, in document order."""
    shown = [
        {"code": d["code"], "message": d["message"], "range": d["range"]} for d in diagnostics
    ]
    return sorted(
        shown,
        key=lambda d: (d["range"]["start"]["line"], d["range"]["start"]["character"], d["code"]),
    )


def as_expected(findings: list[Finding], source: str) -> list[dict[str, Any]]:
    return as_shown(
        [{"code": f.code, "message": f.message, "range": utf16_range(f, source)} for f in findings]
    )


def test_diagnostics_as_vscode_reports_them(vscode: Session) -> None:
    run = vscode.run
    shown = as_shown(run.result["diagnostics"])
    assert shown == as_expected(expected_findings(), SAMPLE), run.context()
    assert {d["source"] for d in run.result["diagnostics"]} == {"coro-ls"}, run.context()


def test_untitled_python_buffer_is_checked(vscode: Session) -> None:
    run = vscode.run
    untitled = run.result["untitled"]
    assert untitled["scheme"] == "untitled", run.context()
    expected = as_expected(check_source(UNTITLED), UNTITLED)
    assert expected, "the untitled sample must have findings for this test to mean anything"
    assert as_shown(untitled["diagnostics"]) == expected, run.context()


def test_diagnostic_after_astral_characters_is_in_utf16_columns(
    vscode: Session,
) -> None:
    # Independent of the engine: where `await x` is on its line, counted as VS Code counts.
    run = vscode.run
    line_index, line = next(
        (i, text) for i, text in enumerate(SAMPLE.split("\n")) if '"é🐍"; await x' in text
    )
    start = len(line[: line.index("await")].encode("utf-16-le")) // 2
    on_line = [d for d in run.result["diagnostics"] if d["range"]["start"]["line"] == line_index]
    assert [d["range"]["start"]["character"] for d in on_line] == [start], run.context()
    assert on_line[0]["range"]["end"]["character"] == start + len("await x"), run.context()


def expected_expansion(work: Path) -> str:
    """SAMPLE with the `async for` at the cursor expanded by ``coro-ls expand --write``."""
    path = work / "expand_me.py"
    path.write_text(SAMPLE, encoding="utf-8")
    where = f"{path}:{ACTION_LINE}:{ACTION_COLUMN + 1}"  # the CLI's columns are 1-based
    subprocess.run(
        [sys.executable, "-m", "coro_ls", "expand", "--write", where],
        check=True,
        capture_output=True,
        timeout=60,
    )
    expanded = path.read_text(encoding="utf-8")
    assert expanded != SAMPLE, "coro-ls expand did not change the sample"
    return expanded


def test_async_for_expansion_from_the_light_bulb(vscode: Session, tmp_path: Path) -> None:
    run = vscode.run
    action = run.result["action"]
    # Asked at the cursor with no diagnostic under it: a refactoring, not a quick fix.
    assert ACTION_TITLE in [offered["title"] for offered in action["offered"]], run.context()
    assert action.get("applied") is True, run.context()
    assert action["text_after"] == expected_expansion(tmp_path), run.context()


def test_notebook_cell_is_checked(vscode: Session) -> None:
    run = vscode.run
    notebook = run.result["notebook"]
    assert notebook["scheme"] == "vscode-notebook-cell", run.context()
    assert notebook["language_id"] == "python", run.context()
    findings = check_source(NOTEBOOK_CELL, top_level_await=True)
    assert findings == check_source(NOTEBOOK_CELL), "the cell must not depend on top-level await"
    assert findings, "the cell must have findings for this test to mean anything"
    assert as_shown(notebook["diagnostics"]) == as_expected(findings, NOTEBOOK_CELL), run.context()


def test_target_version_setting_takes_effect_and_goes_away(vscode: Session) -> None:
    run = vscode.run
    seen = run.result["setting"]
    without = as_expected(setting_findings(None), SETTING_SAMPLE)
    assert as_shown(seen["without"]) == without, run.context()
    with_setting = as_expected(setting_findings(SETTING_TARGET), SETTING_SAMPLE)
    assert as_shown(seen["with"]) == with_setting, run.context()
    assert as_shown(seen["removed"]) == without, run.context()


def test_unstartable_path_is_explained(vscode: Session) -> None:
    step = vscode.step("bad path")
    assert step["state"] == "failed", vscode.run.context()
    message = step["message"]
    # What was tried, why it failed, and how to fix it.
    assert f'coroLs.path = "{vscode.bad_path}" (no such file)' in message, message
    assert "Set coroLs.path to the coro-ls executable" in message, message
    assert "or clear it" in message, message


def test_clearing_the_path_falls_back_to_the_interpreter(vscode: Session) -> None:
    # No window reload: the settings change alone brings the server back.
    assert vscode.step("path cleared") == {
        "name": "path cleared",
        "state": "running",
        "message": None,
        "command": [sys.executable, "-m", "coro_ls"],
    }, vscode.run.context()


def test_server_that_exits_at_once_is_explained(vscode: Session) -> None:
    step = vscode.step("server exits")
    assert step["state"] == "failed", vscode.run.context()
    message = step["message"]
    assert f"Tried: {vscode.crashing} --stdio" in message, message
    assert "it exited with status 3" in message, message
    assert "it said: coro-ls: broken install" in message, message
    assert vscode.step("path cleared again")["state"] == "running", vscode.run.context()


def test_interpreter_without_coro_ls_is_explained(vscode: Session) -> None:
    step = vscode.step("bare interpreter")
    assert step["state"] == "failed", vscode.run.context()
    message = step["message"]
    assert f'coroLs.interpreter = "{vscode.bare_python}" with -m coro_ls' in message, message
    assert "No module named 'coro_ls'" in message, message
    assert f'"{vscode.bare_python}" -m pip install coro-ls' in message, message


def test_nothing_to_start_is_explained(vscode: Session) -> None:
    step = vscode.step("nothing found")
    assert step["state"] == "failed" and step["command"] is None, vscode.run.context()
    message = step["message"]
    assert "coroLs.path (not set); coroLs.interpreter (not set)" in message, message
    assert f"coro-ls on PATH (not found in {vscode.empty_path})" in message, message
    assert "python -m pip install coro-ls" in message, message


def test_coro_ls_on_path_is_the_last_resort(vscode: Session) -> None:
    assert vscode.step("found on PATH") == {
        "name": "found on PATH",
        "state": "running",
        "message": None,
        "command": [str(vscode.bin_dir / "coro-ls")],
    }, vscode.run.context()


def test_restart_command_brings_the_diagnostics_back(vscode: Session) -> None:
    run = vscode.run
    restart = run.result["restart"]
    assert restart["states"] == ["stopped", "starting", "running"], run.context()
    assert as_shown(restart["diagnostics"]) == as_expected(expected_findings(), SAMPLE), (
        run.context()
    )
