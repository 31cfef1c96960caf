"""README's ways in, run as written: the Quick start's first command (on the system's
externally managed Python where the machine has one) and the users' ``pipx install .`` from a
clone.  The Quick start's second command, the tests, is what CI runs (``.ci/run``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from install_harness import (
    INSTALL_TIMEOUT,
    REPO,
    copy_clone,
    described,
    expected_check_output,
    installed_coro_ls_works,
    must_succeed,
    run,
)

from coro_ls import __version__

README = (REPO / "README.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## )", README, re.M | re.S)
    assert match, f"README has no '## {title}' section"
    return match[1]


def quick_start_commands() -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", section("Quick start"), re.S)
    assert len(blocks) == 1, blocks
    commands = blocks[0].splitlines()
    assert len(commands) == 2, commands
    return commands


def test_quick_start_is_two_commands_a_venv_and_the_tests() -> None:
    setup, tests = quick_start_commands()
    assert setup.startswith("python3 -m venv .venv && ")
    assert setup.endswith(" && .venv/bin/coro-ls check examples/")
    assert tests == ".venv/bin/python -m pytest"
    # The one thing a stock Debian or Ubuntu lacks for them.
    assert "apt install python3-venv" in section("Quick start")


def test_ci_runs_the_quick_start() -> None:
    """.ci/run does what README tells a new user, step by step, then the tests."""
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    setup, tests = quick_start_commands()
    steps = setup.split(" && ")
    positions = []
    for step in steps:
        found = [i for i, line in enumerate(ci) if line == step or line.startswith(f"{step} ")]
        assert found, f".ci/run lacks README's step {step!r}"
        positions.append(found[0])
    assert positions == sorted(positions)
    assert ci[-1] == tests


def system_python() -> str:
    """An externally managed python3 (PEP 668) if this machine has one, else this Python."""
    for candidate in ("/usr/bin/python3", shutil.which("python3")):
        if candidate is None or not Path(candidate).is_file():
            continue
        stdlib = run(
            [candidate, "-c", "import sysconfig; print(sysconfig.get_path('stdlib'))"], REPO
        )
        marker = Path(stdlib.stdout.strip()) / "EXTERNALLY-MANAGED"
        if stdlib.returncode == 0 and marker.exists():
            return candidate
    return sys.executable


@pytest.mark.slow
def test_quick_start_first_command_as_written(tmp_path: Path) -> None:
    """In a clone, with ``python3`` the system's own, the first command installs coro-ls and
    checks the examples (status 1: they are full of errors)."""
    python = system_python()
    version = run([python, "-c", "import sys; print(sys.version_info >= (3, 10))"], REPO)
    if must_succeed(version).strip() != "True":
        pytest.skip(f"{python} is older than coro-ls' Python 3.10")
    if run([python, "-c", "import ensurepip"], REPO).returncode != 0:
        # README's one prerequisite; .ci/setup-system-python.sh installs it for CI.
        message = f"{python} has no ensurepip: sudo apt install python3-venv"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(python)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    for variable in ("VIRTUAL_ENV", "PYTHONPATH", "PIP_USER", "PYTHONHOME"):
        env.pop(variable, None)
    clone = copy_clone(tmp_path / "clone")
    setup, _ = quick_start_commands()
    completed = subprocess.run(
        ["sh", "-c", setup],
        cwd=clone,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=INSTALL_TIMEOUT,
    )
    assert completed.returncode == 1, described(completed)
    paths_of_this_checkout = expected_check_output()
    assert completed.stdout.endswith(paths_of_this_checkout), described(completed)
    venv_python = clone / ".venv" / "bin" / "python"
    base = run([str(venv_python), "-c", "import sys; print(sys.base_prefix)"], clone)
    assert (
        must_succeed(base).strip()
        == run([python, "-c", "import sys; print(sys.prefix)"], clone).stdout.strip()
    )


@pytest.mark.slow
def test_pipx_install_from_a_clone(tmp_path: Path) -> None:
    """``pipx install .`` in a clone puts a working ``coro-ls`` in PIPX_BIN_DIR."""
    pipx = shutil.which("pipx", path=sysconfig.get_path("scripts"))
    if pipx is None:
        pytest.fail("no pipx in this environment: pip install -e '.[test]' installs it")
    clone = copy_clone(tmp_path / "clone")
    env = {
        **os.environ,
        "PIPX_HOME": str(tmp_path / "pipx"),
        "PIPX_BIN_DIR": str(tmp_path / "bin"),
        "PIPX_MAN_DIR": str(tmp_path / "man"),
        "USE_EMOJI": "0",
    }
    env.pop("VIRTUAL_ENV", None)
    installed = run([pipx, "install", "."], clone, env, timeout=INSTALL_TIMEOUT)
    must_succeed(installed)
    installed_coro_ls_works(tmp_path / "bin" / "coro-ls")
    listed = run([pipx, "list", "--short"], clone, env)
    assert must_succeed(listed).split() == ["coro-ls", __version__]
