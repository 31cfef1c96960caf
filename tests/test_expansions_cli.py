"""``coro-ls expand FILE:LINE[:COL]``: the diff, ``--write``, and the exit statuses."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from coro_ls.editing.expansions import apply_edits, expand
from coro_ls.editing.expansions.locate import line_statement_at
from coro_ls.engine.versions import grammar_for, running_version

SOURCE = (
    "async def main(source, lock):\n"
    "    async with lock:\n"
    "        async for item in source:\n"
    "            print(item)\n"
    "    return 1\n"
)


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "coro_ls", "expand", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def _engine(text: str, line: int) -> str:
    module = grammar_for(running_version()).parse(text)
    statement = line_statement_at(text, module, line)
    assert statement is not None
    return apply_edits(text, expand(text, module, statement))


def _patch(original: str, diff: str, tmp_path: Path) -> str:
    """Apply the printed diff with patch(1)'s logic, reimplemented for unified hunks."""
    lines = original.splitlines(keepends=True)
    out: list[str] = []
    cursor = 0
    body = diff.splitlines(keepends=True)[2:]
    index = 0
    while index < len(body):
        header = body[index]
        assert header.startswith("@@ -"), header
        old_start = int(header.split()[1][1:].split(",")[0])
        out.extend(lines[cursor : old_start - 1])
        cursor = old_start - 1
        index += 1
        while index < len(body) and not body[index].startswith("@@"):
            line = body[index]
            if line.startswith(" "):
                out.append(line[1:])
                cursor += 1
            elif line.startswith("-"):
                cursor += 1
            elif line.startswith("+"):
                out.append(line[1:])
            index += 1
    out.extend(lines[cursor:])
    return "".join(out)


def test_the_diff_turns_the_file_into_the_expansion(tmp_path: Path) -> None:
    path = tmp_path / "app.py"
    path.write_text(SOURCE)
    result = _run(f"{path}:3")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"--- {path}\n+++ {path}\n@@ ")
    assert _patch(SOURCE, result.stdout, tmp_path) == _engine(SOURCE, 3)
    assert path.read_text() == SOURCE  # without --write the file is left alone


def test_a_line_picks_the_innermost_statement_and_a_column_too(tmp_path: Path) -> None:
    path = tmp_path / "app.py"
    path.write_text(SOURCE)
    by_line = _run(f"{path}:4")
    assert "+        iterator = type(iterator).__aiter__(iterator)" in by_line.stdout
    by_column = _run(f"{path}:2:5")
    assert "+    manager = lock" in by_column.stdout


def test_write_applies_the_expansion_keeping_encoding_and_line_endings(tmp_path: Path) -> None:
    lines = [
        "# -*- coding: latin-1 -*-",
        "async def f(m):",
        "    async with m:  # é",
        "        pass",
    ]
    source = "".join(line + "\r\n" for line in lines)
    path = tmp_path / "legacy.py"
    path.write_bytes(source.encode("latin-1"))
    result = _run("--write", f"{path}:3")
    assert result.returncode == 0, result.stderr
    written = path.read_bytes().decode("latin-1")
    assert written == _engine(source, 3)
    assert "\r\n" in written and "\n" not in written.replace("\r\n", "")
    compile(path.read_bytes(), str(path), "exec")


def test_a_position_off_any_statement_exits_1_with_a_message(tmp_path: Path) -> None:
    path = tmp_path / "app.py"
    path.write_text(SOURCE)
    result = _run(f"{path}:5")
    assert result.returncode == 1
    assert result.stdout == ""
    assert f"{path}:5: no 'async for' or 'async with' statement here" in result.stderr


def test_a_malformed_location_or_missing_file_exits_2(tmp_path: Path) -> None:
    assert _run("app.py").returncode == 2
    assert _run(f"{tmp_path / 'missing.py'}:1").returncode == 2
