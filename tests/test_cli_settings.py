"""``coro-ls check`` with settings: the nearest pyproject.toml, the options over it, ``# noqa``,
the top-level-await marker, and the pre-commit hook."""

from __future__ import annotations

import ast
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from coro_ls.cli.main import main

REPO = Path(__file__).resolve().parent.parent

# Valid from 3.11 (bpo-33346); the 3.10 message is checked against compile() where 3.10 runs.
NESTED = "async def f():\n    return [[i async for i in j] for j in y]\n"
TOP_LEVEL = "await x\n"


def check(capsys, *args: str, stdin: str | None = None, monkeypatch=None) -> tuple[int, list, str]:
    if stdin is not None:
        assert monkeypatch is not None
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin.encode())))
    try:
        status = main(["check", "--output-format", "json", *args])
    except SystemExit as exit:
        status = exit.code if isinstance(exit.code, int) else 2
    out, err = capsys.readouterr()
    return status, json.loads(out) if out else [], err


def codes(findings: list) -> list[tuple[str, int, str]]:
    return [(Path(f["filename"]).name, f["line"], f["code"]) for f in findings]


def project(tmp_path: Path, pyproject: str, files: dict[str, str]) -> Path:
    (tmp_path / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def test_target_version_from_pyproject(tmp_path, capsys):
    root = project(tmp_path, '[tool.coro-ls]\ntarget-version = "3.10"\n', {"a.py": NESTED})
    status, found, err = check(capsys, str(root))
    assert (status, codes(found), err) == (1, [("a.py", 2, "CORO104")], "")
    # The option wins over the file.
    assert check(capsys, "--target-version", "3.11", str(root))[:2] == (0, [])


def test_requires_python_is_the_fallback_and_target_version_beats_it(tmp_path, capsys):
    root = project(tmp_path, '[project]\nrequires-python = "~=3.10"\n', {"a.py": NESTED})
    assert codes(check(capsys, str(root))[1]) == [("a.py", 2, "CORO104")]
    project(
        tmp_path,
        '[project]\nrequires-python = "~=3.10"\n[tool.coro-ls]\ntarget-version = "3.12"\n',
        {},
    )
    assert check(capsys, str(root))[:2] == (0, [])


def test_the_nearest_pyproject_applies(tmp_path, capsys):
    root = project(
        tmp_path,
        '[tool.coro-ls]\ntarget-version = "3.10"\n',
        {"outer.py": NESTED, "inner/a.py": NESTED},
    )
    (root / "inner" / "pyproject.toml").write_text('[tool.coro-ls]\ntarget-version = "3.13"\n')
    assert codes(check(capsys, str(root))[1]) == [("outer.py", 2, "CORO104")]


def test_select_ignore_and_per_file_ignores_from_pyproject(tmp_path, capsys):
    source = "def f():\n    await x\n    async for i in y: pass\n    async with a: pass\n"
    root = project(
        tmp_path,
        '[tool.coro-ls]\nselect = ["CORO10"]\nignore = ["coro103"]\n'
        '[tool.coro-ls.per-file-ignores]\n"tests/*" = ["CORO101"]\n',
        {"a.py": source, "tests/t.py": source},
    )
    _, found, _ = check(capsys, str(root))
    assert codes(found) == [("a.py", 2, "CORO101"), ("a.py", 3, "CORO102"), ("t.py", 3, "CORO102")]
    # An option replaces the pyproject's list of the same name only: its ignore still applies...
    _, found, _ = check(capsys, "--select", "CORO101,CORO103", str(root))
    assert codes(found) == [("a.py", 2, "CORO101")]
    # ... until --ignore replaces it; per-file-ignores still apply.
    _, found, _ = check(capsys, "--select", "CORO101,CORO103", "--ignore", "CORO102", str(root))
    assert codes(found) == [("a.py", 2, "CORO101"), ("a.py", 4, "CORO103"), ("t.py", 4, "CORO103")]


def test_noqa_silences_a_finding(tmp_path, capsys):
    root = project(
        tmp_path,
        "",
        {"a.py": "def f():\n    await x  # noqa: CORO101\n    await y  # noqa: CORO102\n"},
    )
    assert codes(check(capsys, str(root))[1]) == [("a.py", 3, "CORO101")]


def test_the_marker_switches_a_file_to_top_level_await(tmp_path, capsys):
    marked = (
        "#!/usr/bin/env python\n# coro-ls: top-level-await\n"
        + TOP_LEVEL
        + "def f():\n    await y\n"
    )
    root = project(tmp_path, "", {"marked.py": marked, "plain.py": TOP_LEVEL})
    flags = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
    # CPython with the flag rejects only the await in the def.
    with pytest.raises(SyntaxError) as raised:
        compile(marked, "marked.py", "exec", flags=flags, dont_inherit=True)
    assert raised.value.lineno == 5
    _, found, _ = check(capsys, str(root))
    assert codes(found) == [("marked.py", 5, "CORO101"), ("plain.py", 1, "CORO101")]
    # top-level-await = false turns the marker (and notebooks) off; true turns it on for all.
    project(tmp_path, "[tool.coro-ls]\ntop-level-await = false\n", {})
    assert len(check(capsys, str(root))[1]) == 3
    project(tmp_path, "[tool.coro-ls]\ntop-level-await = true\n", {})
    assert codes(check(capsys, str(root))[1]) == [("marked.py", 5, "CORO101")]


def test_an_invalid_pyproject_value_warns_and_the_next_source_is_used(tmp_path, capsys):
    root = project(
        tmp_path,
        '[project]\nrequires-python = ">=3.10,<3.11"\n[tool.coro-ls]\ntarget-version = "3.7"\n'
        'select = ["NOPE1"]\ntop-level-await = "maybe"\n',
        {"a.py": NESTED, "b.py": "def f(): await x\n"},
    )
    status, found, err = check(capsys, str(root))
    assert status == 1
    assert codes(found) == [("a.py", 2, "CORO104"), ("b.py", 1, "CORO101")]  # 3.10, every rule
    lines = err.splitlines()
    assert len(lines) == 3  # once each, not once per file
    assert any("target-version" in line and "3.8, 3.9" in line for line in lines)
    assert any("select" in line and "CORO101" in line for line in lines)
    assert any("top-level-await" in line and '"auto", true or false' in line for line in lines)


def test_a_broken_pyproject_is_reported_and_the_check_goes_on(tmp_path, capsys):
    root = project(tmp_path, "[tool.coro-ls\n", {"b.py": "def f(): await x\n"})
    status, found, err = check(capsys, str(root))
    assert (status, codes(found)) == (1, [("b.py", 1, "CORO101")])
    assert "pyproject.toml" in err and "TOML" in err


def test_no_config_ignores_pyproject(tmp_path, capsys):
    root = project(
        tmp_path, '[tool.coro-ls]\nignore = ["CORO1"]\n', {"b.py": "def f(): await x\n"}
    )
    assert check(capsys, str(root))[:2] == (0, [])
    assert len(check(capsys, "--no-config", str(root))[1]) == 1


def test_stdin_filename_locates_the_pyproject(tmp_path, capsys, monkeypatch):
    root = project(tmp_path, '[tool.coro-ls]\ntarget-version = "3.10"\n', {})
    monkeypatch.chdir(tmp_path.parent)
    name = str(root / "src" / "a.py")
    status, found, _ = check(
        capsys, "-", "--stdin-filename", name, stdin=NESTED, monkeypatch=monkeypatch
    )
    assert (status, codes(found)) == (1, [("a.py", 2, "CORO104")])
    # Without a name standard input has no place: no pyproject, whatever the directory.
    project(tmp_path, '[tool.coro-ls]\nignore = ["CORO104"]\n', {})
    monkeypatch.chdir(root)
    status, found, _ = check(
        capsys, "-", "--target-version", "3.10", stdin=NESTED, monkeypatch=monkeypatch
    )
    assert (status, codes(found)) == (1, [("-", 2, "CORO104")])


def _notebook(*cells: str) -> str:
    return json.dumps(
        {
            "cells": [{"cell_type": "code", "source": cell, "metadata": {}} for cell in cells],
            "metadata": {"language_info": {"name": "python"}},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    )


def test_notebook_cells_follow_the_settings(tmp_path, capsys):
    notebook = _notebook("await x\n", "f = lambda: await x\n", "g = lambda: await y  # noqa\n")
    root = project(tmp_path, "", {"n.ipynb": notebook})
    _, found, _ = check(capsys, str(root))
    assert [(f["cell"], f["line"], f["code"]) for f in found] == [(2, 1, "CORO101")]
    project(tmp_path, "[tool.coro-ls]\ntop-level-await = false\n", {})
    _, found, _ = check(capsys, str(root))
    assert [(f["cell"], f["line"]) for f in found] == [(1, 1), (2, 1)]


# -- pre-commit ----------------------------------------------------------------------------


def _hooks() -> list[dict[str, str]]:
    """The hook manifest, read as the flat YAML it is (a list of ``key: value`` mappings)."""
    hooks: list[dict[str, str]] = []
    for line in (REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line.startswith("- "):
            hooks.append({})
            line = "  " + line[2:]
        key, _, value = line.strip().partition(":")
        hooks[-1][key] = value.strip()
    return hooks


def test_pre_commit_hook_runs_coro_ls_check(tmp_path):
    [hook] = _hooks()
    assert hook["id"] == "coro-ls" and hook["language"] == "python"
    assert "python" in hook["types_or"] and "jupyter" in hook["types_or"]
    program, *arguments = hook["entry"].split()
    assert program == "coro-ls"  # the console script of [project.scripts]
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    await x\n")
    good = tmp_path / "good.py"
    good.write_text("async def f():\n    await x\n")
    # pre-commit appends the staged file names to the entry.
    command = [sys.executable, "-m", "coro_ls", *arguments]
    failing = subprocess.run([*command, str(bad), str(good)], capture_output=True, text=True)
    assert failing.returncode == 1 and f"{bad}:2:5: CORO101" in failing.stdout
    passing = subprocess.run([*command, str(good)], capture_output=True, text=True)
    assert (passing.returncode, passing.stdout) == (0, "")
