"""``coro-ls check``: what a user sees on stdout/stderr and in the exit status.

Expected positions and messages come from CPython's ``compile()`` whenever a file has a single
error (its ``SyntaxError.offset`` is a 1-based UTF-8 byte offset, converted here to characters).
"""

from __future__ import annotations

import ast
import glob
import io
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from coro_ls.cli.main import main

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
TLA = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
JSON_KEYS = {"filename", "line", "column", "end_line", "end_column", "code", "message"}

AWAIT_IN_DEF = "def f():\n    await x\n"
ASYNC_FOR_IN_DEF = "def f():\n    async for x in y:\n        pass\n"


def run(capsys, *args: str, stdin: bytes | None = None, monkeypatch=None) -> tuple[int, str, str]:
    """``coro-ls check ARGS`` in-process: exit status, stdout, stderr."""
    if stdin is not None:
        assert monkeypatch is not None
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    try:
        status = main(["check", *args])
    except SystemExit as exit:  # argparse's usage errors
        status = exit.code if isinstance(exit.code, int) else 2
    out, err = capsys.readouterr()
    return status, out, err


def run_json(capsys, *args: str) -> tuple[int, list[dict], str]:
    status, out, err = run(capsys, "--output-format", "json", *args)
    return status, json.loads(out), err


def compile_error(data: bytes, flags: int = 0) -> dict:
    """CPython's report for ``data`` in CLI coordinates: 1-based characters, exclusive end."""
    with pytest.raises(SyntaxError) as raised:
        compile(data, "<oracle>", "exec", flags=flags, dont_inherit=True)
    error = raised.value
    from coro_ls.config.sources import decode_source

    lines = decode_source(data).replace("\r\n", "\n").replace("\r", "\n").split("\n")

    def column(line: int, offset: int) -> int:
        return len(lines[line - 1].encode()[: offset - 1].decode()) + 1

    return {
        "line": error.lineno,
        "column": column(error.lineno, error.offset),
        "end_line": error.end_lineno,
        "end_column": column(error.end_lineno, error.end_offset),
        "message": error.msg,
    }


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode()
    path.write_bytes(content)
    return path


# --- output formats -------------------------------------------------------------------------


def test_text_output_is_path_line_col_code_message(tmp_path, capsys):
    path = write(tmp_path / "app.py", AWAIT_IN_DEF)
    expected = compile_error(AWAIT_IN_DEF.encode())

    status, out, err = run(capsys, str(path))

    assert (status, err) == (1, "")
    assert (
        out == f"{path}:{expected['line']}:{expected['column']}: CORO101 {expected['message']}\n"
    )


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(AWAIT_IN_DEF, id="await-in-def"),
        pytest.param('def f():\n    s = "é🐍"; await x\n', id="await-after-non-ascii"),
        pytest.param('x = "ü€"\ntotal = await compute("🐍")\n', id="await-at-module-level"),
        pytest.param("def f():\r\n    y = 1\r\n    await x\r\n", id="crlf-line-endings"),
        pytest.param("def f():\n    return (1 +\n        await x)\n", id="await-on-continuation"),
    ],
)
def test_json_position_and_message_match_compile(tmp_path, capsys, source):
    path = write(tmp_path / "case.py", source)
    expected = compile_error(source.encode())

    status, findings, _ = run_json(capsys, str(path))

    assert status == 1
    assert len(findings) == 1
    (finding,) = findings
    assert set(finding) == JSON_KEYS
    assert finding["filename"] == str(path)
    assert finding["code"] == "CORO101"
    # For an await expression CPython's range is exactly the expression: compare both ends.
    assert {key: finding[key] for key in expected} == expected


def test_json_start_of_async_for_matches_compile(tmp_path, capsys):
    source = 'def f():\n    async for x in "naïve":\n        pass\n'
    path = write(tmp_path / "loop.py", source)
    expected = compile_error(source.encode())

    _, (finding,), _ = run_json(capsys, str(path))

    assert finding["code"] == "CORO102"
    assert (finding["line"], finding["column"], finding["message"]) == (
        expected["line"],
        expected["column"],
        expected["message"],
    )
    # The end is exclusive and after the start: at least the two keywords are covered.
    assert (finding["end_line"], finding["end_column"]) >= (
        finding["line"],
        finding["column"] + len("async for"),
    )


def test_json_is_an_empty_array_when_nothing_is_found(tmp_path, capsys):
    path = write(tmp_path / "ok.py", "async def f():\n    await x\n")

    status, out, err = run(capsys, "--output-format", "json", str(path))

    assert (status, err) == (0, "")
    assert json.loads(out) == []


def test_text_output_is_empty_when_nothing_is_found(tmp_path, capsys):
    path = write(tmp_path / "ok.py", "async def f():\n    async for x in y:\n        await x\n")

    assert run(capsys, str(path)) == (0, "", "")


def test_output_is_sorted_by_path_then_position(tmp_path, capsys):
    late = write(tmp_path / "b.py", "def g():\n    async with l:\n        await y\n")
    early = write(tmp_path / "a.py", "def f():\n    await x\n\n\ndef h():\n    await z\n")

    status, out, _ = run(capsys, str(late), str(tmp_path))
    _, findings, _ = run_json(capsys, str(tmp_path / "b.py"), str(early))

    keys = [(f["filename"], f["line"], f["column"]) for f in findings]
    assert keys == sorted(keys)
    assert [k[0] for k in keys] == [str(early)] * 2 + [str(late)] * 2
    # Naming a file twice (directly and through its directory) reports it once.
    text_keys = [line.split(": ")[0] for line in out.splitlines()]
    assert text_keys == [f"{f['filename']}:{f['line']}:{f['column']}" for f in findings]


# --- encodings ------------------------------------------------------------------------------


def test_pep263_latin1_file_columns_count_characters(tmp_path, capsys):
    data = '# -*- coding: latin-1 -*-\ndef f():\n    s = "ééé"; await x\n'.encode("latin-1")
    path = write(tmp_path / "legacy.py", data)
    expected = compile_error(data)

    status, findings, err = run_json(capsys, str(path))

    assert (status, err) == (1, "")
    assert findings[0]["column"] == expected["column"] == 16  # not the 19th UTF-8 byte
    assert {key: findings[0][key] for key in expected} == expected


def test_utf8_bom_is_not_a_column(tmp_path, capsys):
    data = b"\xef\xbb\xbftotal = await compute()\n"
    path = write(tmp_path / "bom.py", data)
    expected = compile_error(data)

    _, findings, _ = run_json(capsys, str(path))

    assert (findings[0]["line"], findings[0]["column"]) == (expected["line"], expected["column"])


def test_undecodable_file_is_reported_and_the_rest_still_checked(tmp_path, capsys):
    bad = write(tmp_path / "bad.py", b'x = 1\nname = "caf\xe9"\n')
    good = write(tmp_path / "good.py", AWAIT_IN_DEF)

    status, out, err = run(capsys, str(bad), str(good))

    assert status == 1  # a finding wins over the decoding problem
    assert out.startswith(f"{good}:2:")
    assert err.startswith(f"coro-ls: {bad}: cannot decode line 2, column 12 as utf-8")
    assert "0xe9" in err and "coding" in err  # says which byte, and how to declare an encoding


def test_undecodable_file_alone_exits_2(tmp_path, capsys):
    bad = write(tmp_path / "bad.py", b"# coding: ascii\nname = 'caf\xc3\xa9'\n")

    status, out, err = run(capsys, str(bad))

    assert (status, out) == (2, "")
    assert f"{bad}: cannot decode line 2, column 12 as ascii" in err


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        pytest.param(
            b'name = "caf\xe9"\n',
            "cannot decode line 1, column 12 as utf-8",
            id="first-line-not-utf8",
        ),
        pytest.param(
            b"\xef\xbb\xbf# coding: latin-1\nx = 1\n",
            "byte-order mark but declares another encoding",
            id="bom-contradicts-declaration",
        ),
    ],
)
def test_encoding_problems_in_the_first_lines_say_what_is_wrong(tmp_path, capsys, data, reason):
    path = write(tmp_path / "enc.py", data)

    status, out, err = run(capsys, str(path))

    assert (status, out) == (2, "")
    assert err.startswith(f"coro-ls: {path}: ") and reason in err


def test_unknown_encoding_declaration_exits_2(tmp_path, capsys):
    path = write(tmp_path / "odd.py", "# coding: klingon\nawait x\n")

    status, out, err = run(capsys, str(path))

    assert (status, out) == (2, "")
    assert "unknown encoding" in err and "klingon" in err and str(path) in err


# --- paths ----------------------------------------------------------------------------------


def test_missing_path_exits_2_but_other_paths_are_checked(tmp_path, capsys):
    clean = write(tmp_path / "clean.py", "async def f():\n    await x\n")
    missing = tmp_path / "missing.py"

    status, out, err = run(capsys, str(missing), str(clean))

    assert (status, out) == (2, "")
    assert err == f"coro-ls: {missing}: No such file or directory\n"


def test_missing_path_with_findings_elsewhere_exits_1(tmp_path, capsys):
    broken = write(tmp_path / "broken.py", AWAIT_IN_DEF)

    status, out, err = run(capsys, str(tmp_path / "nope"), str(broken))

    assert status == 1
    assert out.startswith(str(broken))
    assert "nope: No such file or directory" in err


def test_dangling_symlink_in_a_directory_cannot_be_read(tmp_path, capsys):
    (tmp_path / "gone.py").symlink_to(tmp_path / "elsewhere.py")

    status, out, err = run(capsys, str(tmp_path))

    assert (status, out) == (2, "")
    assert err == f"coro-ls: {tmp_path / 'gone.py'}: cannot read: No such file or directory\n"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_file_without_read_permission_exits_2(tmp_path, capsys):
    path = write(tmp_path / "secret.py", AWAIT_IN_DEF)
    path.chmod(0)

    status, out, err = run(capsys, str(path))

    assert (status, out) == (2, "")
    assert f"{path}: cannot read: Permission denied" in err


def test_directories_are_walked_skipping_hidden_venvs_and_pycache(tmp_path, capsys):
    for relative in [
        "pkg/mod.py",
        "pkg/sub/deep.py",
        "pkg/stubs.pyi",
        "pkg/.git/hooks/hook.py",
        "pkg/.tox/py311/lib/x.py",
        "pkg/env/lib/python3.11/site-packages/dep.py",
        "pkg/__pycache__/cached.py",
        "pkg/notes.txt",
    ]:
        write(tmp_path / relative, AWAIT_IN_DEF)
    write(tmp_path / "pkg/env/pyvenv.cfg", "home = /usr/bin\n")

    status, findings, _ = run_json(capsys, str(tmp_path / "pkg"))

    assert status == 1
    assert [f["filename"] for f in findings] == [
        str(tmp_path / "pkg/mod.py"),
        str(tmp_path / "pkg/stubs.pyi"),
        str(tmp_path / "pkg/sub/deep.py"),
    ]


def test_a_file_reached_through_two_links_is_reported_once(tmp_path, capsys):
    target = write(tmp_path / "real/zz.py", AWAIT_IN_DEF)
    (tmp_path / "real/aa.py").symlink_to(target)
    (tmp_path / "real/loop").symlink_to(tmp_path / "real")  # not followed: no endless walk

    status, findings, err = run_json(capsys, str(tmp_path), str(target))

    assert (status, err) == (1, "")
    assert [f["filename"] for f in findings] == [str(tmp_path / "real/aa.py")]


def test_a_hidden_directory_named_explicitly_is_checked(tmp_path, capsys):
    write(tmp_path / ".scripts/tool.py", AWAIT_IN_DEF)

    status, findings, _ = run_json(capsys, str(tmp_path / ".scripts"))

    assert status == 1
    assert [f["filename"] for f in findings] == [str(tmp_path / ".scripts/tool.py")]


def test_relative_paths_are_reported_as_given(tmp_path, capsys, monkeypatch):
    write(tmp_path / "src/app.py", AWAIT_IN_DEF)
    monkeypatch.chdir(tmp_path)

    status, out, _ = run(capsys, ".")

    assert status == 1
    assert out.startswith(f"{os.path.join('src', 'app.py')}:2:5: CORO101 ")


def test_a_file_parso_cannot_parse_does_not_stop_the_others(tmp_path, capsys):
    write(tmp_path / "a_broken.py", "def f(:\n    await x\n    async for in\n")
    good = write(tmp_path / "b_good.py", AWAIT_IN_DEF)

    status, findings, err = run_json(capsys, str(tmp_path))

    assert status == 1
    assert "internal error" not in err
    assert [f for f in findings if f["filename"] == str(good)]


# --- options --------------------------------------------------------------------------------

FUTURE_ANNOTATION = (
    "from __future__ import annotations\n\nasync def f(x: await g()) -> None:\n    pass\n"
)


def test_default_target_is_the_running_interpreter(tmp_path, capsys):
    path = write(tmp_path / "ann.py", FUTURE_ANNOTATION)
    expected = compile_error(FUTURE_ANNOTATION.encode())

    _, findings, _ = run_json(capsys, str(path))

    assert [(f["code"], f["message"]) for f in findings] == [("CORO107", expected["message"])]


def _interpreter(minor: int) -> str | None:
    """A working Python 3.minor (pyenv shims answer for versions that are not active: test it)."""
    found = sorted(glob.glob(f"/root/.pyenv/versions/3.{minor}.*/bin/python3.{minor}"))
    for python in [*found, shutil.which(f"python3.{minor}")]:
        if python is None:
            continue
        probe = subprocess.run(
            [python, "-c", "import sys; print(sys.version_info[:2])"],
            capture_output=True,
            text=True,
        )
        if probe.stdout.strip() == f"(3, {minor})":
            return python
    return None


@pytest.mark.parametrize("minor", [9, 12])
def test_target_version_follows_that_interpreter(tmp_path, capsys, minor):
    python = _interpreter(minor)
    if python is None:
        pytest.skip(f"no Python 3.{minor} to compare with")
    path = write(tmp_path / "ann.py", FUTURE_ANNOTATION)
    oracle = subprocess.run(
        [python, "-c", "import sys; compile(sys.stdin.read(), '<s>', 'exec')"],
        input=FUTURE_ANNOTATION,
        capture_output=True,
        text=True,
    )
    expected = re.findall(r"^SyntaxError: (.*)$", oracle.stderr, re.MULTILINE)
    assert (oracle.returncode == 0) == (expected == []), oracle.stderr

    _, findings, _ = run_json(capsys, "--target-version", f"3.{minor}", str(path))

    assert [f["message"] for f in findings] == expected


@pytest.mark.parametrize("version", ["3.7", "4.0", "three"])
def test_unknown_target_version_is_a_usage_error(tmp_path, capsys, version):
    path = write(tmp_path / "a.py", AWAIT_IN_DEF)

    status, out, err = run(capsys, "--target-version", version, str(path))

    assert (status, out) == (2, "")
    assert "3.8, 3.9" in err  # says what is accepted


def test_no_path_is_a_usage_error(capsys):
    status, out, err = run(capsys)

    assert (status, out) == (2, "")
    assert "PATH" in err


def test_top_level_await_allows_module_level_coroutine_syntax(tmp_path, capsys):
    source = "import asyncio\nawait asyncio.sleep(0)\nclass C:\n    x = await asyncio.sleep(0)\n"
    path = write(tmp_path / "cell.py", source)
    expected = compile_error(source.encode(), flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)

    _, without, _ = run_json(capsys, str(path))
    status, findings, _ = run_json(capsys, "--top-level-await", str(path))

    assert len(without) == 2
    assert status == 1
    assert [(f["line"], f["column"], f["message"]) for f in findings] == [
        (expected["line"], expected["column"], expected["message"])
    ]


def test_stdin_is_checked_under_the_given_name(capsys, monkeypatch):
    status, out, _ = run(
        capsys,
        "-",
        "--stdin-filename",
        "pkg/app.py",
        stdin=AWAIT_IN_DEF.encode(),
        monkeypatch=monkeypatch,
    )

    assert status == 1
    assert out.startswith("pkg/app.py:2:5: CORO101 ")


def test_stdin_honours_pep263(capsys, monkeypatch):
    data = '# coding: latin-1\nawait x("é")\ns = "é"; await y\n'.encode("latin-1")
    expected_last = compile_error(data.replace(b"await x", b"x      "))

    status, out, _ = run(capsys, "-", stdin=data, monkeypatch=monkeypatch)

    assert status == 1
    assert out.splitlines()[-1].startswith(f"-:3:{expected_last['column']}: CORO101 ")


def test_stdin_filename_without_dash_is_a_usage_error(tmp_path, capsys):
    path = write(tmp_path / "a.py", AWAIT_IN_DEF)

    status, out, err = run(capsys, "--stdin-filename", "x.py", str(path))

    assert (status, out) == (2, "")
    assert "--stdin-filename" in err


MANY_RULES = (
    "def f():\n    await a\n    async for x in b:\n        pass\n    return [await c for c in d]\n"
)


def test_select_and_ignore_filter_by_code_or_prefix(tmp_path, capsys):
    path = write(tmp_path / "many.py", MANY_RULES)

    _, every, _ = run_json(capsys, str(path))
    _, selected, _ = run_json(capsys, "--select", "coro102,CORO104", str(path))
    _, ignored, _ = run_json(capsys, "--ignore", "CORO101", str(path))
    status, neither, _ = run_json(capsys, "--select", "CORO10", "--ignore", "CORO1", str(path))

    assert [f["code"] for f in every] == ["CORO101", "CORO102", "CORO104"]
    assert selected == [f for f in every if f["code"] in ("CORO102", "CORO104")]
    assert ignored == [f for f in every if f["code"] != "CORO101"]
    assert (status, neither) == (0, [])  # nothing left to report: clean


def test_unknown_code_in_select_is_a_usage_error(tmp_path, capsys):
    path = write(tmp_path / "a.py", AWAIT_IN_DEF)

    status, out, err = run(capsys, "--select", "CORO101,E501", str(path))

    assert (status, out) == (2, "")
    assert "'E501'" in err and "CORO107" in err  # names the culprit and what exists


def notebook(*cells: tuple[str, str], language: str = "python") -> str:
    return json.dumps(
        {
            "nbformat": 4,
            "nbformat_minor": 5,
            "metadata": {"language_info": {"name": language}},
            "cells": [
                {"cell_type": kind, "metadata": {}, "source": text.splitlines(keepends=True)}
                for kind, text in cells
            ],
        }
    )


def test_notebook_cells_are_checked_one_by_one_with_top_level_await(tmp_path, capsys):
    cells = [
        ("markdown", "# Fetching\n\n`await` is fine here"),
        ("code", "import asyncio\nresult = await asyncio.sleep(0, 'ok')\n"),
        ("code", "%time x = 1\n!echo hi\ndef sync():\n    await asyncio.sleep(1)\n"),
        ("code", "%%bash\necho await nothing\n"),
        ("code", "class Config:\n    value = await asyncio.sleep(0)\n"),
    ]
    path = write(tmp_path / "analysis.ipynb", notebook(*cells))
    # IPython runs each cell as its own module with top-level await allowed.
    third = compile_error(b"pass\npass\n" + cells[2][1].split("\n", 2)[2].encode(), TLA)
    fifth = compile_error(cells[4][1].encode(), TLA)

    status, out, _ = run(capsys, str(tmp_path))
    _, findings, _ = run_json(capsys, str(path))

    assert status == 1
    assert [(f["cell"], f["line"], f["column"], f["message"]) for f in findings] == [
        (3, third["line"], third["column"], third["message"]),
        (5, fifth["line"], fifth["column"], fifth["message"]),
    ]
    assert out.splitlines()[0] == (
        f"{path}:cell 3:{third['line']}:{third['column']}: CORO101 {third['message']}"
    )


def test_notebook_with_another_kernel_is_not_python(tmp_path, capsys):
    path = write(tmp_path / "r.ipynb", notebook(("code", "x <- await(y)\n"), language="R"))

    assert run(capsys, str(path)) == (0, "", "")


def test_file_named_ipynb_that_is_not_json_exits_2(tmp_path, capsys):
    path = write(tmp_path / "broken.ipynb", '{"cells": [')

    status, out, err = run(capsys, str(path))

    assert (status, out) == (2, "")
    assert err.startswith(f"coro-ls: {path}: not a notebook: invalid JSON")


def test_stdin_filename_ending_in_ipynb_reads_a_notebook(capsys, monkeypatch):
    data = notebook(("code", "await x\n"), ("code", "def f():\n    await x\n")).encode()

    status, out, _ = run(
        capsys, "-", "--stdin-filename", "nb.ipynb", stdin=data, monkeypatch=monkeypatch
    )

    assert status == 1
    assert out.startswith("nb.ipynb:cell 2:2:5: CORO101 ")


# --- as a user runs it ----------------------------------------------------------------------


def _console_script() -> str:
    script = Path(sysconfig.get_path("scripts")) / "coro-ls"
    assert script.exists(), "install the package first: pip install -e '.[test]'"
    return str(script)


def test_python_dash_m_check_exit_status_and_output(tmp_path):
    write(tmp_path / "app.py", AWAIT_IN_DEF)
    write(tmp_path / "ok.py", "async def f():\n    await x\n")

    result = subprocess.run(
        [sys.executable, "-m", "coro_ls", "check", "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )

    assert (result.returncode, result.stderr) == (1, "")
    assert result.stdout == (
        f"app.py:2:5: CORO101 {compile_error(AWAIT_IN_DEF.encode())['message']}\n"
    )


def test_console_script_json_over_stdin(tmp_path):
    result = subprocess.run(
        [_console_script(), "check", "--output-format", "json", "-", "--stdin-filename", "s.py"],
        input=ASYNC_FOR_IN_DEF.encode(),
        capture_output=True,
    )

    assert result.returncode == 1
    (finding,) = json.loads(result.stdout)
    assert (finding["filename"], finding["code"], finding["line"]) == ("s.py", "CORO102", 2)


def test_output_cut_short_by_a_closed_pipe_is_not_a_crash(tmp_path):
    path = write(tmp_path / "many.py", "".join(f"def f{n}():\n    await x\n" for n in range(3000)))

    process = subprocess.Popen(
        [_console_script(), "check", str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()  # as `| head -1` does, long before the ~200 kB of findings are out
    stderr = process.stderr.read()
    status = process.wait(timeout=60)

    assert first.startswith(f"{path}:2:5: CORO101 ".encode())
    assert (status, stderr) == (1, b"")


def test_console_script_usage_error_exits_2(tmp_path):
    result = subprocess.run(
        [_console_script(), "check", "--output-format", "xml", str(tmp_path)],
        capture_output=True,
        text=True,
    )

    assert (result.returncode, result.stdout) == (2, "")
    assert "invalid choice: 'xml'" in result.stderr


# --- the bundled examples -------------------------------------------------------------------

MARKER = re.compile(r"#\s*error:\s*(CORO\d+)")


def _markers(path: Path) -> list[tuple[int, str]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [(n, m.group(1)) for n, line in enumerate(lines, 1) for m in MARKER.finditer(line)]


def test_examples_cover_every_rule_and_exit_1(capsys):
    # The examples are written for 3.11 (CORO107 needs 3.10+): pin it, whatever runs the tests.
    status, findings, err = run_json(capsys, "--target-version", "3.11", str(EXAMPLES))

    assert (status, err) == (1, "")
    assert {f["code"] for f in findings} == {f"CORO10{n}" for n in range(1, 8)}


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.py")))
def test_example_findings_are_the_marked_lines(capsys, name):
    path = EXAMPLES / name

    _, findings, _ = run_json(capsys, "--target-version", "3.11", str(path))

    assert [(f["line"], f["code"]) for f in findings] == _markers(path)


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.py")))
def test_example_first_compile_error_is_reported_exactly(capsys, name):
    path = EXAMPLES / name
    data = path.read_bytes()
    try:
        compile(data, str(path), "exec", dont_inherit=True)
    except SyntaxError:
        pass
    else:
        assert run(capsys, str(path)) == (0, "", "")
        return
    expected = compile_error(data)
    # This interpreter's compile() is the oracle: not the repository pyproject's requires-python.
    running = f"{sys.version_info[0]}.{sys.version_info[1]}"

    _, findings, _ = run_json(capsys, "--target-version", running, str(path))

    at = [
        f for f in findings if (f["line"], f["column"]) == (expected["line"], expected["column"])
    ]
    assert [f["message"] for f in at] == [expected["message"]]


def test_repl_example_with_top_level_await_keeps_only_the_class_body(capsys):
    path = EXAMPLES / "repl_script.py"
    expected = compile_error(path.read_bytes(), flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)

    _, findings, _ = run_json(capsys, "--top-level-await", str(path))

    assert [(f["line"], f["column"], f["message"]) for f in findings] == [
        (expected["line"], expected["column"], expected["message"])
    ]


# --- README's command-line section shows real runs -------------------------------------------


def _readme_console(command: str) -> str:
    """What README shows after ``$ <command>`` in a console block, up to the next prompt/fence."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    shown = readme.split(f"$ {command}\n", 1)[1]
    return re.split(r"^\s*(?:\$|```|\.\.\.$)", shown, maxsplit=1, flags=re.MULTILINE)[0]


def test_readme_text_example_is_real_output(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    shown = _readme_console("coro-ls check examples/").splitlines()

    status, out, _ = run(capsys, "--target-version", "3.11", "examples/")

    assert shown and status == 1
    assert out.splitlines()[: len(shown)] == shown


def test_readme_json_example_is_real_output(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    command = "coro-ls check --output-format json examples/annotations.py"
    shown = json.loads(_readme_console(command))

    _, findings, _ = run_json(capsys, "--target-version", "3.11", "examples/annotations.py")

    assert findings == shown
