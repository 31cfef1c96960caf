"""What the install tests share: a copy of the working tree standing in for a fresh clone, a
fresh virtual environment, and what ``coro-ls check examples/`` must print.

The copy takes the files git would put in a clone (tracked, plus new files not ignored), as
they are on disk, so a test sees the change under work; builds then write nothing into the
repository the tests run from.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# Installs fetch from the package index; a slow mirror must not look like a hang.
INSTALL_TIMEOUT = 900


def run(
    command: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run ``command``; fail with its output when it cannot be run to its end."""
    completed = subprocess.run(
        command,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    completed.args = command
    return completed


def must_succeed(completed: subprocess.CompletedProcess[str]) -> str:
    assert completed.returncode == 0, described(completed)
    return completed.stdout


def described(completed: subprocess.CompletedProcess[str]) -> str:
    return (
        f"{completed.args} exited with {completed.returncode}\n"
        f"stdout:\n{completed.stdout[-6000:]}\nstderr:\n{completed.stderr[-6000:]}"
    )


def clone_files() -> list[str]:
    """The repository's files as a clone would have them, relative to :data:`REPO`."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return [name for name in listed.split("\0") if name and (REPO / name).is_file()]


def copy_clone(destination: Path) -> Path:
    for name in clone_files():
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, target)
    return destination


def fresh_venv(directory: Path) -> Path:
    """A new virtual environment (with pip) of the Python running the tests; its bin dir."""
    must_succeed(run([sys.executable, "-m", "venv", str(directory)], REPO))
    return directory / ("Scripts" if os.name == "nt" else "bin")


def expected_check_output() -> str:
    """``coro-ls check examples/`` of the coro-ls under test, run from the repository root."""
    completed = run([sys.executable, "-m", "coro_ls", "check", "examples/"], REPO)
    assert completed.returncode == 1, described(completed)
    codes = {line.split()[1] for line in completed.stdout.splitlines()}
    # The examples hold every rule: an install that checks nothing cannot pass for one that works.
    assert {f"CORO10{n}" for n in range(1, 8)} <= codes, completed.stdout
    return completed.stdout


def installed_coro_ls_works(coro_ls: Path) -> None:
    """The installed script reports this version and checks the examples as this checkout."""
    from coro_ls import __version__

    version = run([str(coro_ls), "--version"], REPO)
    assert must_succeed(version).strip() == f"coro-ls {__version__}"
    check = run([str(coro_ls), "check", "examples/"], REPO)
    assert check.returncode == 1, described(check)
    assert check.stdout == expected_check_output()
