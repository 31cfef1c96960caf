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
import shutil
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
    REPO,
    SAMPLE,
    SETTING_SAMPLE,
    SETTING_TARGET,
    expected_findings,
    missing,
    setting_findings,
)
from vscode_session import (
    EXTENSION_DIR,
    PYTHON_STUB_DIR,
    VSCodeRun,
    build_vsix,
    chromium,
    code_server,
    code_server_version,
    pack_folder,
    run_session,
)

import coro_ls
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
        "importStrategy",
        "args",
        "trace.server",
        "targetVersion",
        "topLevelAwait",
        "select",
        "ignore",
        "severity",
    )
}

# The setting the Python extension (and its stand-in) reads the selected interpreter from.
SELECTED = "python.defaultInterpreterPath"

# Time for each step inside VS Code (server start, diagnostics, restart), in milliseconds.
STEP_TIMEOUT_MS = 30_000


def utf16_range(finding: Finding, source: str) -> dict[str, dict[str, int]]:
    """The LSP range of a finding as VS Code reports it: 0-based lines, UTF-16 columns."""
    lines = source.split("\n")

    def position(line: int, column: int) -> dict[str, int]:
        prefix = lines[line - 1][:column]
        return {"line": line - 1, "character": len(prefix.encode("utf-16-le")) // 2}

    return {"start": position(*finding.start), "end": position(*finding.end)}


def fresh_venv(where: Path) -> Path:
    """A virtual environment with nothing installed: no coro-ls, no pygls (and no pip)."""
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(where)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return where / "bin" / "python"


def old_python() -> Path:
    """An interpreter older than the bundled server's minimum (3.10)."""
    candidates = sorted(Path("/root/.pyenv/versions").glob("3.[89].*/bin/python3"))
    candidates += [Path(p) for p in (shutil.which("python3.9"), shutil.which("python3.8")) if p]
    for candidate in candidates:
        # pyenv's shims exist for versions that are not installed; they exit with 127.
        found = subprocess.run(
            [candidate, "-c", "import sys; print(sys.version_info < (3, 10))"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        if found.returncode == 0 and found.stdout.strip() == "True":
            return candidate
    missing("a Python 3.8 or 3.9", "pyenv install 3.9")


def python_version(python: Path | str) -> str:
    return subprocess.run(
        [str(python), "-c", "import platform; print(platform.python_version())"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout.strip()


@dataclass
class Session:
    run: VSCodeRun
    bad_path: Path
    """Where ``coroLs.path`` points at nothing."""
    fresh_python: Path
    """A fresh virtual environment's python: no coro-ls, no pygls; first on the host's PATH."""
    old_python: Path
    """A Python older than the bundled server's minimum, without coro-ls."""
    empty_path: str
    """The extension host's PATH while nothing is found."""
    crashing: Path
    """A "server" that complains on stderr and exits with status 3."""
    vsix: Path

    def step(self, name: str) -> dict[str, Any]:
        steps = {step["name"]: step for step in self.run.result["launch_steps"]}
        return steps[name]


def base_settings() -> dict[str, Any]:
    return {
        "extensions.autoCheckUpdates": False,
        "extensions.autoUpdate": False,
        "workbench.startupEditor": "none",
        "telemetry.telemetryLevel": "off",
        "coroLs.trace.server": "messages",
    }


@pytest.fixture(scope="module")
def vsix(tmp_path_factory: pytest.TempPathFactory) -> Path:
    code_server()
    chromium()
    return build_vsix(tmp_path_factory.mktemp("vsix"))


@pytest.fixture(scope="module")
def fresh_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fresh_venv(tmp_path_factory.mktemp("fresh") / "venv")


@pytest.fixture(scope="module")
def vscode(tmp_path_factory: pytest.TempPathFactory, vsix: Path, fresh_python: Path) -> Session:
    """Nothing but the .vsix (and the harness), with a fresh venv's python first on PATH."""
    work = tmp_path_factory.mktemp("vscode")
    workspace = work / "workspace"
    workspace.mkdir()
    sample = workspace / "sample.py"
    sample.write_text(SAMPLE, encoding="utf-8")
    setting_sample = workspace / "nested.py"
    setting_sample.write_text(SETTING_SAMPLE, encoding="utf-8")
    bad_path = work / "nothing-here" / "coro-ls"
    too_old = old_python()
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
        "restart": True,
        # Each step: settings to change (None removes one), one at a time, in this order.
        "launch_steps": [
            {"name": "bad path", "settings": {"coroLs.path": str(bad_path)}},
            {"name": "path cleared", "settings": {"coroLs.path": None}},
            {"name": "server exits", "settings": {"coroLs.path": str(crashing)}},
            {"name": "path cleared again", "settings": {"coroLs.path": None}},
            # The interpreter running these tests has coro-ls installed (from this checkout).
            {"name": "environment", "settings": {"coroLs.interpreter": sys.executable}},
            {"name": "useBundled", "settings": {"coroLs.importStrategy": "useBundled"}},
            {"name": "too old", "settings": {"coroLs.interpreter": str(too_old)}},
            {"name": "too old, fromEnvironment", "settings": {"coroLs.importStrategy": None}},
            {"name": "no such interpreter", "settings": {"coroLs.interpreter": "python3.99x"}},
            {
                "name": "nothing found",
                "settings": {"coroLs.interpreter": None},
                "path_env": empty_path,
            },
            {"name": "found on PATH", "command": "coroLs.restart"},
            # The Python extension (a stand-in: the real one cannot be installed offline)
            # installed now, with this interpreter selected (coro-ls installed).
            {
                "name": "Python extension installed",
                "install": str(pack_folder(PYTHON_STUB_DIR, work / "python-stub.vsix")),
            },
            {"name": "fresh venv selected", "settings": {SELECTED: str(fresh_python)}},
            {"name": "selection not resolved", "settings": {SELECTED: str(work / "nothing")}},
        ],
    }
    # The stand-in's selected interpreter; VS Code keeps the setting before the extension.
    machine_settings = {SELECTED: sys.executable}
    run = run_session(
        work,
        vsix,
        workspace,
        plan,
        base_settings(),
        machine_settings,
        path_first=fresh_python.parent,
    )
    if "error" in run.result:
        pytest.fail(f"the harness failed inside VS Code:\n{run.context()}")
    return Session(run, bad_path, fresh_python, too_old, empty_path, crashing, vsix)


def test_reports_vscode_version(vscode: Session, capsys: pytest.CaptureFixture[str]) -> None:
    run = vscode.run
    version = run.result["vscode_version"]
    banner = code_server_version(code_server())
    with capsys.disabled():
        print(f"\nVS Code {version} in the extension host ({banner})")
    # code-server's banner ends "with Code <version>": the host really is that VS Code.
    assert re.fullmatch(r"\d+\.\d+\.\d+", version), run.context()
    assert banner.endswith(f"with Code {version}"), run.context()


def test_vsix_carries_the_bundle_and_no_sources(vsix: Path) -> None:
    with zipfile.ZipFile(vsix) as archive:
        files = {name for name in archive.namelist() if name.startswith("extension/")}
    bundled = {name for name in files if name.startswith("extension/bundled/libs/")}
    # esbuild bundles vscode-languageclient: no node_modules, sources or source maps inside;
    # the Python side is the launcher, the manifest and the packages.
    assert files - bundled == {
        "extension/package.json",
        "extension/readme.md",
        "extension/LICENSE.txt",
        "extension/dist/extension.js",
        "extension/bundled/bundle.json",
        "extension/bundled/tool/launch.py",
    }
    # One universal .vsix: pure Python only, no scripts pointing at the packager's interpreter.
    assert bundled, "no bundled packages"
    platform_bound = re.compile(r"\.(so|pyd|dylib|dll|exe|pyc)$|/bin/")
    assert not [name for name in bundled if platform_bound.search(name)]
    top = {name.split("/")[3] for name in bundled}
    assert {"coro_ls", "pygls", "lsprotocol", "parso", "attrs", "cattrs", "packaging"} <= top


def test_readmes_give_the_size_of_the_vsix(vsix: Path) -> None:
    with zipfile.ZipFile(vsix) as archive:
        installed = sum(i.file_size for i in archive.infolist() if i.filename.startswith("ext"))
    packed, unpacked = vsix.stat().st_size / 1e6, installed / 1e6
    for readme in (REPO / "README.md", EXTENSION_DIR / "README.md"):
        text = readme.read_text(encoding="utf-8")
        stated = re.search(r"about (\d+\.\d) MB \((\d+\.\d) MB installed\)", text)
        assert stated is not None, f"{readme}: no 'about X MB (Y MB installed)'"
        # Within rounding, and a little room for the next pins.
        assert abs(float(stated[1]) - packed) <= 0.1, (readme, packed)
        assert abs(float(stated[2]) - unpacked) <= 0.2, (readme, unpacked)


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


def bundled_launch(run: VSCodeRun, python: Path, source: str) -> dict[str, Any]:
    """What the extension reports when ``python`` runs the bundled coro-ls."""
    libs = next((run.work / "extensions").glob("coro-ls.coro-ls-*")) / "bundled" / "libs"
    return {
        "command": [str(python), str(libs.parent / "tool" / "launch.py")],
        "source": source,
        "python": {"executable": str(python), "version": python_version(python), "source": source},
        "coroLs": {"origin": "bundled", "version": coro_ls.__version__, "location": str(libs)},
        "notes": [],
    }


def environment_launch(python: str, source: str) -> dict[str, Any]:
    """What the extension reports when ``python`` runs its own coro-ls (this checkout's)."""
    return {
        "command": [python, "-m", "coro_ls"],
        "source": source,
        "python": {"executable": python, "version": python_version(python), "source": source},
        "coroLs": {
            "origin": "environment",
            "version": coro_ls.__version__,
            "location": str(Path(coro_ls.__file__).parent),
        },
        "notes": [],
    }


def as_launched(step: dict[str, Any]) -> dict[str, Any]:
    launch = dict(step["launch"])
    launch["command"] = [launch["command"], *launch.pop("args")]
    return launch


def test_fresh_python_has_no_coro_ls_nor_pygls(fresh_python: Path) -> None:
    for module in ("coro_ls", "pygls"):
        # From the venv's folder: this checkout's coro_ls is importable from the repository.
        found = subprocess.run(
            [fresh_python, "-c", f"import {module}"], cwd=fresh_python.parent, capture_output=True
        )
        assert found.returncode != 0, module


def test_bundled_server_runs_with_a_python_that_has_nothing(
    vscode: Session, fresh_python: Path
) -> None:
    run = vscode.run
    start = run.result["start"]
    assert start["state"] == "running", run.context()
    python = fresh_python.parent / "python3"  # as found on PATH
    assert as_launched(start) == bundled_launch(run, python, "PATH"), run.context()
    assert run.result["language_id"] == "python", run.context()


def test_output_channels_say_which_python_and_which_coro_ls(
    vscode: Session, fresh_python: Path
) -> None:
    run = vscode.run
    log = run.output_channel("coro-ls")
    python = fresh_python.parent / "python3"
    launch = bundled_launch(run, python, "PATH")
    assert f"Python {python_version(python)}: {python} (from PATH)" in log, log
    bundled = f"coro-ls {coro_ls.__version__}, bundled with the extension: "
    assert bundled + launch["coroLs"]["location"] in log, log
    assert f"Starting the server (from PATH): {' '.join(launch['command'])}" in log, log
    environment = f"coro-ls {coro_ls.__version__}, installed in that environment: "
    assert environment + str(Path(coro_ls.__file__).parent) in log, log
    # The server's own log lines (stderr), at their own level, beside the extension's.
    assert re.search(r"\[info\] coro_ls\.server\.\w+: ", log), log
    # `coroLs.trace.server: messages` alone turns the trace on.
    trace = run.output_channel("coro-ls Trace")
    assert "Sending request 'initialize" in trace, trace[:2000]
    assert "Sending notification 'textDocument/didOpen'" in trace, trace[:2000]


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


def test_clearing_the_path_falls_back_to_a_python(vscode: Session) -> None:
    # No window reload: the settings change alone brings the server back.
    step = vscode.step("path cleared")
    assert step["state"] == "running" and step["message"] is None, vscode.run.context()
    python = vscode.fresh_python.parent / "python3"
    assert as_launched(step) == bundled_launch(vscode.run, python, "PATH"), vscode.run.context()


def test_server_that_exits_at_once_is_explained(vscode: Session) -> None:
    step = vscode.step("server exits")
    assert step["state"] == "failed", vscode.run.context()
    message = step["message"]
    assert f"Tried: {vscode.crashing} --stdio" in message, message
    assert "it exited with status 3" in message, message
    assert "it said: coro-ls: broken install" in message, message
    assert vscode.step("path cleared again")["state"] == "running", vscode.run.context()


def test_from_environment_runs_the_interpreters_own_coro_ls(vscode: Session) -> None:
    step = vscode.step("environment")
    assert step["state"] == "running", vscode.run.context()
    expected = environment_launch(sys.executable, "coroLs.interpreter")
    assert as_launched(step) == expected, vscode.run.context()


def test_use_bundled_ignores_the_interpreters_coro_ls(vscode: Session) -> None:
    step = vscode.step("useBundled")
    assert step["state"] == "running", vscode.run.context()
    expected = bundled_launch(vscode.run, Path(sys.executable), "coroLs.interpreter")
    assert as_launched(step) == expected, vscode.run.context()


def test_too_old_python_is_explained(vscode: Session) -> None:
    found = f"Python {python_version(vscode.old_python)}, older than the 3.10 coro-ls needs"
    for name in ("too old", "too old, fromEnvironment"):
        step = vscode.step(name)
        assert step["state"] == "failed" and step["command"] is None, vscode.run.context()
        message = step["message"]
        # What was found, and what to do.
        assert f'coroLs.interpreter = "{vscode.old_python}"' in message, message
        assert found in message, message
        assert "Select a Python 3.10 or newer" in message, message
        assert "set coroLs.interpreter to one" in message, message


def test_interpreter_not_on_path_is_explained(vscode: Session) -> None:
    step = vscode.step("no such interpreter")
    assert step["state"] == "failed" and step["command"] is None, vscode.run.context()
    message = step["message"]
    assert 'Tried: coroLs.interpreter = "python3.99x" (not found on PATH).' in message, message
    assert "Set coroLs.interpreter to a working Python interpreter" in message, message


def test_no_python_at_all_is_explained(vscode: Session) -> None:
    step = vscode.step("nothing found")
    assert step["state"] == "failed" and step["command"] is None, vscode.run.context()
    message = step["message"]
    assert (
        "Tried: coroLs.interpreter (not set); the Python extension (not installed); "
        f"python3, python on PATH (not found in {vscode.empty_path})."
    ) in message, message
    assert "Install Python 3.10 or newer" in message, message


def test_python_on_path_after_the_settings(vscode: Session) -> None:
    step = vscode.step("found on PATH")
    assert step["state"] == "running", vscode.run.context()
    python = vscode.fresh_python.parent / "python3"
    assert as_launched(step) == bundled_launch(vscode.run, python, "PATH"), vscode.run.context()


def test_restart_command_brings_the_diagnostics_back(vscode: Session) -> None:
    run = vscode.run
    restart = run.result["restart"]
    assert restart["states"] == ["stopped", "starting", "running"], run.context()
    assert as_shown(restart["diagnostics"]) == as_expected(expected_findings(), SAMPLE), (
        run.context()
    )


def test_python_extension_installed_later_gives_its_interpreter(vscode: Session) -> None:
    step = vscode.step("Python extension installed")
    run = vscode.run
    assert step["state"] == "running", run.context()
    expected = environment_launch(sys.executable, "the Python extension")
    assert as_launched(step) == expected, run.context()
    assert "The Python extension is there now: restarting the server" in run.output_channel(
        "coro-ls"
    )


def test_python_extensions_new_selection_restarts_the_server(vscode: Session) -> None:
    step = vscode.step("fresh venv selected")
    run = vscode.run
    assert step["state"] == "running", run.context()
    expected = bundled_launch(run, vscode.fresh_python, "the Python extension")
    assert as_launched(step) == expected, run.context()
    log = run.output_channel("coro-ls")
    assert "The interpreter selected in the Python extension changed" in log, log


def test_unresolved_selection_falls_back_to_path(vscode: Session) -> None:
    step = vscode.step("selection not resolved")
    run = vscode.run
    assert step["state"] == "running", run.context()
    python = vscode.fresh_python.parent / "python3"
    assert as_launched(step) == bundled_launch(run, python, "PATH"), run.context()
