"""``coro-ls check`` in parallel and with its exact shortcuts: the same output either way.

``--jobs`` only spreads files over processes, and the pre-filters (``coro_ls.engine.prefilter``)
only skip the engine where it provably finds nothing; the oracle for both is the serial run
with every source checked by the engine.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from corpus import corpus

from coro_ls.cli.check_command import CheckOptions, check_paths, check_text
from coro_ls.config.settings import Settings
from coro_ls.config.sources import Source
from coro_ls.engine import prefilter
from coro_ls.engine.versions import running_version

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"


def _notebook(*cells: str) -> str:
    return json.dumps(
        {
            "cells": [{"cell_type": "code", "source": cell, "metadata": {}} for cell in cells],
            "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    )


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    """examples/, a few hundred corpus cases as files, a notebook, files that cannot be read
    or decoded, and a pyproject with its own target version and per-file ignores."""
    root = tmp_path_factory.mktemp("tree")
    shutil.copytree(EXAMPLES, root / "examples")
    cases = corpus()
    generated = root / "generated"
    generated.mkdir()
    for index, judged in enumerate(cases[:: max(1, len(cases) // 300)]):
        case = judged.case
        marker = "# coro-ls: top-level-await\n" if case.top_level_await else ""
        (generated / f"case_{index:04}.py").write_text(marker + case.source, encoding="utf-8")
    (generated / "clean.py").write_text("def f():\n    return 1\n", encoding="utf-8")
    (generated / "cells.ipynb").write_text(
        _notebook("await x\n", "def f():\n    await y\n", "%time 1\nasync with a:\n    pass\n"),
        encoding="utf-8",
    )
    (generated / "broken.ipynb").write_text("{not json", encoding="utf-8")
    (generated / "latin.py").write_bytes(b'name = "caf\xe9"\ndef f():\n    await x\n')
    (generated / "nul.py").write_bytes(b"def f():\n    await x\x00\n")
    project = root / "project"
    (project / "src").mkdir(parents=True)
    (project / "pyproject.toml").write_text(
        '[project]\nrequires-python = ">=3.9"\n\n'
        '[tool.coro-ls]\nper-file-ignores = { "src/quiet_*.py" = ["CORO101"] }\n',
        encoding="utf-8",
    )
    body = "def f():\n    await x\n    async for y in z:\n        pass\n"
    (project / "src" / "loud.py").write_text(body, encoding="utf-8")
    (project / "src" / "quiet_one.py").write_text(body, encoding="utf-8")
    # A comprehension nested in an asynchronous one: an error for 3.9, fine from 3.11.
    nested = "async def f():\n    return [[x async for x in y] for _ in z]\n"
    (project / "src" / "nested.py").write_text(nested, encoding="utf-8")
    return root


def _run(tree: Path, **kwargs) -> tuple[list, list]:
    return check_paths([str(tree)], CheckOptions(), **kwargs)


def test_parallel_output_equals_serial_output(tree):
    serial = _run(tree, jobs=1)
    parallel = _run(tree, jobs=2)

    reports, errors = serial
    assert parallel == serial
    # The tree has something of each kind, so the comparison means something.
    assert len({report.filename for report in reports}) > 100
    assert any(report.cell for report in reports)
    assert {Path(error.path).name for error in errors} >= {"latin.py", "broken.ipynb"}
    assert any(r.filename.endswith("nested.py") for r in reports)  # pyproject's 3.9 applies
    assert not any(r.filename.endswith("quiet_one.py") and r.code == "CORO101" for r in reports)


def test_prefilter_changes_no_report(tree):
    assert _run(tree, jobs=2, prefilter=True) == _run(tree, jobs=1, prefilter=False)


def test_command_line_output_is_the_same_with_one_and_two_jobs(tree):
    def run(*args: str) -> tuple[int, str, str]:
        done = subprocess.run(
            [sys.executable, "-m", "coro_ls", "check", *args, str(tree)],
            capture_output=True,
            text=True,
            timeout=300,
        )
        return done.returncode, done.stdout, done.stderr

    for output_format in ("text", "json"):
        serial = run("-j", "1", "--output-format", output_format)
        assert serial[0] == 1
        assert serial[1].count("CORO1") > 100
        assert run("--jobs", "2", "--output-format", output_format) == serial


def test_stdin_is_checked_beside_parallel_files(tree, monkeypatch, capsys):
    import io

    from coro_ls.cli.main import main

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"def g():\n    await y\n")))
    status = main(["check", "-j", "2", "--stdin-filename", "piped.py", "-", str(tree)])
    out = capsys.readouterr().out

    assert status == 1
    assert "piped.py:2:5: CORO101 'await' outside async function" in out.splitlines()
    assert out.count("examples/") > 3


@pytest.mark.parametrize("value", ["0", "-1", "two"])
def test_jobs_must_be_a_positive_number(capsys, value):
    from coro_ls.cli.main import main

    with pytest.raises(SystemExit) as exit:
        main(["check", "--jobs", value, "."])
    assert exit.value.code == 2
    assert "positive number of processes" in capsys.readouterr().err


# --- the pre-filters against the engine ----------------------------------------------------


def test_compile_prefilter_never_hides_a_corpus_finding():
    """Every corpus case the pre-filters clear, through both paths: the engine alone, and the
    engine behind the pre-filters, each with the case's top-level-await mode.  (A case they do
    not clear goes to the same engine call on both paths.)"""
    differences = []
    cleared = 0
    for judged in corpus():
        case = judged.case
        if not prefilter.cannot_have_findings(
            case.source, target=running_version(), top_level_await=case.top_level_await
        ):
            continue
        cleared += 1
        settings = Settings(top_level_await=case.top_level_await)
        source = Source("case.py", case.source)
        without = list(check_text(source, settings, prefilter=False))
        if list(check_text(source, settings, prefilter=True)) != without:
            differences.append((case.name, case.top_level_await, without))
    # Thousands of cases compile and are cleared: the pre-filter is really exercised.
    assert cleared > 1000
    assert differences == []


def test_compile_prefilter_needs_the_interpreters_own_version():
    source = "def f():\n    return [[x async for x in y] for _ in z]\n"
    assert prefilter.compiles(source, top_level_await=False) is (sys.version_info < (3, 11))
    other = (3, 8) if running_version() != (3, 8) else (3, 9)
    assert not prefilter.cannot_have_findings(source, target=other, top_level_await=False)


def test_word_prefilter_clears_only_sources_without_await_or_async():
    clear = prefilter.cannot_have_findings
    assert clear("def f():\n    yield from g()\n", target=(3, 8), top_level_await=True)
    assert not clear("x = 'await'\n", target=(3, 8), top_level_await=False)


def test_top_level_await_is_compiled_with_its_flag():
    source = "await x\nasync with a:\n    pass\n"
    assert prefilter.compiles(source, top_level_await=True)
    assert not prefilter.compiles(source, top_level_await=False)


def test_compile_warnings_are_not_shown_and_failures_fall_back(capfd):
    escapes = 'async def f():\n    await x("\\d")\n    assert (x, "y")\n'
    assert prefilter.compiles(escapes, top_level_await=False)
    assert prefilter.compiles("async def f():\n    return 1 is 1\n", top_level_await=False)
    assert not prefilter.compiles("def f():\n    await x\x00\n", top_level_await=False)
    # Deeper than the tokenizer allows: a SyntaxError, so the engine decides.
    deep = "async def f():\n    await " + "(" * 300 + "x" + ")" * 300 + "\n"
    assert not prefilter.compiles(deep, top_level_await=False)
    assert capfd.readouterr().err == ""


def test_rules_outside_coro1_turn_the_prefilter_off():
    assert prefilter.covers(["CORO101", "CORO106"])
    assert prefilter.covers([])
    assert not prefilter.covers(["CORO101", "CORO201"])


def test_optimized_interpreter_still_reports_await_in_assert(tmp_path):
    # Under -O, compile()'s default drops assert statements with their errors; the
    # pre-filter compiles without optimisation, as the engine checks.
    path = tmp_path / "asserts.py"
    path.write_text("def f():\n    assert await x\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-O", "-m", "coro_ls", "check", "--no-config", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert f"{path}:2:12: CORO101 'await' outside async function" in done.stdout
