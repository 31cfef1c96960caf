"""``editors/emacs/coro-ls.el`` as an Emacs package: it byte-compiles without a warning, and
``package-install-file`` installs it so that a later session registers coro-ls with eglot and
with lsp-mode through the package's autoloads alone, with no ``load`` or ``require`` in the
user's init file.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from editor_harness import HERE, REPO, missing

from coro_ls import __version__

EL = REPO / "editors" / "emacs" / "coro-ls.el"
HINT = "apt-get install emacs-nox elpa-eglot elpa-lsp-mode (Debian 12: Emacs 28.2)"


@pytest.fixture(scope="module")
def emacs() -> str:
    emacs = shutil.which("emacs")
    if emacs is None:
        missing("Emacs", HINT)
    for feature in ("eglot", "lsp-mode"):
        probe = f'(princ (if (require \'{feature} nil t) "yes" "no"))'
        answer = subprocess.run(
            [emacs, "-q", "--batch", "--eval", probe], capture_output=True, text=True, timeout=60
        ).stdout
        if answer != "yes":
            missing(f"Emacs' {feature} package", HINT)
    return emacs


def isolated_env(home: Path) -> dict[str, str]:
    home.mkdir(exist_ok=True)
    return {**os.environ, "HOME": str(home)}


@pytest.mark.parametrize("clients", [(), ("eglot", "lsp-mode")], ids=["bare", "with-clients"])
def test_byte_compiles_without_warnings(emacs: str, tmp_path: Path, clients: tuple[str]) -> None:
    """Compiled alone (``emacs -Q``) and with eglot and lsp-mode loaded, as at install time."""
    copy = tmp_path / EL.name
    shutil.copy(EL, copy)
    setup = "(setq byte-compile-error-on-warn t)"
    setup += "".join(f" (require '{client})" for client in clients)
    compiled = subprocess.run(
        [emacs, "-Q" if not clients else "-q", "--batch", "--eval", f"(progn {setup})"]
        + ["-f", "batch-byte-compile", str(copy)],
        env=isolated_env(tmp_path / "home"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert compiled.returncode == 0, compiled.stderr
    assert not re.search(r"[Ww]arning", compiled.stderr), compiled.stderr
    assert copy.with_suffix(".elc").is_file()


def package_session(
    emacs: str, step: str, tmp_path: Path, extra_env: dict[str, str] | None = None
) -> dict[str, object]:
    result = tmp_path / f"{step}-{len(list(tmp_path.glob('*.json')))}.json"
    env = {
        **isolated_env(tmp_path / "home"),
        **(extra_env or {}),
        "CORO_LS_TEST_STEP": step,
        "CORO_LS_TEST_PACKAGE_DIR": str(tmp_path / "elpa"),
        "CORO_LS_TEST_EL": str(EL),
        "CORO_LS_TEST_RESULT": str(result),
    }
    completed = subprocess.run(
        [emacs, "-q", "--batch", "-l", str(HERE / "emacs_package_driver.el")],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.is_file(), completed.stderr
    seen: dict[str, object] = json.loads(result.read_text(encoding="utf-8"))
    assert "error" not in seen, (seen, completed.stderr)
    return seen


@pytest.fixture(scope="module")
def installed(emacs: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict, dict]:
    directory = tmp_path_factory.mktemp("emacs-package")
    install = package_session(emacs, "install", directory)
    use = package_session(emacs, "use", directory)
    keep_other = package_session(emacs, "use", directory, {"CORO_LS_TEST_KEEP_OTHER_SERVER": "1"})
    return install, use, keep_other


def test_package_install_file_installs_the_version(installed: tuple[dict, dict, dict]) -> None:
    install, _, _ = installed
    assert install["version"] == __version__
    assert install["summary"].startswith("Misplaced coroutine syntax in Python")
    # Compiled at install, with its autoloads generated from the ;;;###autoload cookies.
    assert {"coro-ls.elc", "coro-ls-autoloads.el"} <= set(install["files"])
    assert "arning" not in install["compile_log"], install["compile_log"]


def test_autoloads_register_coro_ls_when_eglot_loads(installed: tuple[dict, dict, dict]) -> None:
    _, use, _ = installed
    assert use["activated"] is True
    # Installing does not load it; loading eglot does.
    assert use["loaded_before_a_client"] is False
    assert use["loaded_with_eglot"] is True
    assert use["eglot_entry_first"] is True
    assert use["eglot_command"] == ["coro-ls"]


def test_autoloads_register_the_lsp_mode_add_on_client(installed: tuple[dict, dict, dict]) -> None:
    _, use, _ = installed
    assert use["lsp_client"] is True
    assert use["lsp_add_on"] is True


def test_eglot_register_nil_in_the_init_file_keeps_the_other_server(
    installed: tuple[dict, dict, dict],
) -> None:
    _, _, keep_other = installed
    assert keep_other["loaded_with_eglot"] is True
    assert keep_other["eglot_command"] is False  # no coro-ls entry in eglot-server-programs
    assert keep_other["lsp_client"] is True
