"""coro-ls in real Emacs: eglot + Flymake loading ``editors/emacs/coro-ls.el``, in batch.

eglot 1.9 talks UTF-16 to the server and Flymake shows buffer positions, which count
characters: the diagnostic after ``"é🐍"`` lands in the engine's own column only if the
server converted both ways correctly.  Flymake shows each diagnostic as
``source [code]: message``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from editor_harness import (
    ACTION_TITLE,
    HERE,
    REPO,
    EditorRun,
    expected_expansion,
    expected_findings,
    missing,
    run_editor,
)

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


def test_every_diagnostic_at_the_engines_position(session: EditorRun) -> None:
    expected = sorted(
        (f.code, f.message, f.start[0] - 1, f.start[1], f.end[0] - 1, f.end[1])
        for f in expected_findings()
    )
    shown = []
    for d in session.result["diagnostics"]:
        text = FLYMAKE_TEXT.fullmatch(d["text"])
        assert text, session.context()
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
    assert sorted(shown) == expected, session.context()
    assert all(d["type"] == "eglot-error" for d in session.result["diagnostics"])
    # The line with non-ASCII text must be among them, or the conversion went untested.
    assert any(line == 2 and col > len("s = ") for _, _, line, col, _, _ in shown)


def test_eglot_code_actions_expands_async_for(session: EditorRun) -> None:
    assert session.result.get("action_error") is None, session.context()
    assert ACTION_TITLE in session.result["offered_titles"], session.context()
    assert session.result["applied"], session.context()
    assert session.saved == expected_expansion(), session.context()


def test_lsp_mode_gets_an_add_on_client() -> None:
    """lsp-mode runs an add-on client beside the buffer's main Python server."""
    emacs = emacs_with("lsp-mode")
    probe = f"""(progn
      (load "{REPO / "editors/emacs/coro-ls.el"}" nil t)
      (require 'lsp-mode)
      (let* ((client (gethash 'coro-ls lsp-clients))
             (activates-in (lambda (mode file)
                             (with-temp-buffer
                               (setq buffer-file-name (expand-file-name file))
                               (funcall mode)
                               (and (funcall (lsp--client-activation-fn client) nil mode) t)))))
        (princ (format "%S %S %S" (lsp--client-add-on? client)
                       (funcall activates-in 'python-mode \"a.py\")
                       (funcall activates-in 'c-mode \"a.c\")))))"""
    answer = subprocess.run(
        [emacs, "-q", "--batch", "--eval", probe],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(REPO),
    )
    assert answer.stdout == "t t nil", answer.stderr
