"""Real code: no findings on standard libraries that compile, CPython's findings on mutants.

A module that ``compile()`` accepts has no coroutine-placement error, so every finding on it is a
false positive.  Which modules compile is decided by the interpreter whose library it is: the
running one in-process, 3.13 in one subprocess for the whole list.  Misses are looked for on
mutants, judged by CPython through tests/oracle.py: async-heavy modules with every ``async def``
turned into a plain ``def``, generator-heavy ones with every ``def`` made ``async``.  The full
libraries and the two biggest mutants take minutes on two cores (marked ``slow``; CI runs them);
the rest always runs.
"""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
import sysconfig
import time
import warnings
from collections.abc import Iterable
from pathlib import Path

import pytest
from oracle import SourceLines, cpython_findings

from coro_ls.engine.checker import check_source
from coro_ls.engine.versions import Version, running_version

STDLIB = Path(sysconfig.get_paths()["stdlib"])
PY313_STDLIB = Path("/root/.pyenv/versions/3.13.0/lib/python3.13")
PY313 = Path("/root/.pyenv/versions/3.13.0/bin/python3.13")

# Modules full of coroutine syntax in every position (including CPython's own tests of these
# rules, whose invalid samples are strings) and of the syntax parso handles least well.
ASYNC_HEAVY = (
    "asyncio",
    "contextlib.py",
    "test/test_coroutines.py",
    "test/test_asyncgen.py",
    "test/test_grammar.py",
    "test/test_patma.py",
    "test/test_except_star.py",
    "test/test_contextlib_async.py",
)

# Prints each file that compiles; paths arrive one per line on stdin.
_COMPILES = """
import sys, warnings
warnings.simplefilter("ignore")
for path in sys.stdin.read().splitlines():
    try:
        with open(path, "rb") as file:
            compile(file.read(), path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        continue
    print(path)
"""


def _python_files(root: Path) -> list[Path]:
    return sorted(
        path for path in root.rglob("*.py") if "site-packages" not in path.relative_to(root).parts
    )


def _subset(root: Path) -> list[Path]:
    files: list[Path] = []
    for name in ASYNC_HEAVY:
        path = root / name
        files += _python_files(path) if path.is_dir() else [path] if path.exists() else []
    return files


def _compiling_here(paths: Iterable[Path]) -> list[Path]:
    compiling = []
    for path in paths:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "is" with a literal, invalid escapes...
            try:
                compile(path.read_bytes(), str(path), "exec", dont_inherit=True)
            except (SyntaxError, ValueError):
                continue
        compiling.append(path)
    return compiling


def _compiling_under(interpreter: Path, paths: Iterable[Path]) -> list[Path]:
    result = subprocess.run(
        [str(interpreter), "-c", _COMPILES],
        input="\n".join(map(str, paths)),
        capture_output=True,
        text=True,
        check=True,
        timeout=900,
    )
    return [Path(line) for line in result.stdout.splitlines()]


def _assert_no_findings(paths: list[Path], target: Version, label: str) -> None:
    started = time.perf_counter()
    reported = {}
    for path in paths:
        findings = check_source(importlib.util.decode_source(path.read_bytes()), target=target)
        if findings:
            reported[path] = findings
    elapsed = time.perf_counter() - started
    summary = f"{label}: {len(paths)} modules checked for {target} in {elapsed:.1f} s"
    print(f"\n{summary}")
    details = "\n".join(f"{path}: {findings[:3]}" for path, findings in reported.items())
    assert not reported, f"{summary}; false positives in {len(reported)}:\n{details}"


def test_async_heavy_modules_of_the_running_stdlib() -> None:
    paths = _compiling_here(_subset(STDLIB))
    assert len(paths) >= 20
    _assert_no_findings(paths, running_version(), "async-heavy stdlib subset")


@pytest.mark.slow
def test_the_running_stdlib() -> None:
    files = _python_files(STDLIB)
    paths = _compiling_here(files)
    # A handful of deliberately broken files (badsyntax_*, lib2to3 data) do not compile.
    assert len(paths) > 0.9 * len(files)
    _assert_no_findings(paths, running_version(), f"stdlib {sys.version.split()[0]}")


@pytest.mark.slow
@pytest.mark.skipif(not PY313.exists() or not PY313_STDLIB.is_dir(), reason="no CPython 3.13")
def test_the_313_stdlib() -> None:
    files = _python_files(PY313_STDLIB)
    paths = _compiling_under(PY313, files)
    assert len(paths) > 0.9 * len(files)
    _assert_no_findings(paths, (3, 13), "stdlib 3.13")


def _de_async(source: str) -> str:
    """Every ``async def`` becomes ``def`` plus blanks, so no other column moves."""
    text = SourceLines(source)
    starts = [
        text.index(node.lineno, node.col_offset)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.AsyncFunctionDef)
    ]
    for start in sorted(starts, reverse=True):
        keyword = source.index("def", start)
        assert source.startswith("async", start) and not source[start + 5 : keyword].strip()
        source = source[:start] + "def".ljust(keyword + 3 - start) + source[keyword + 3 :]
    return source


# These have hundreds of findings each, and the oracle recompiles once per finding.
SLOW_MUTANTS = {"test_coroutines.py", "test_asyncgen.py"}


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(path, marks=[pytest.mark.slow] if path.name in SLOW_MUTANTS else [])
        for path in _compiling_here(_subset(STDLIB))
    ],
    ids=lambda path: str(path.relative_to(STDLIB)),
)
def test_de_asynced_module_agrees_with_cpython(path: Path) -> None:
    mutant = _de_async(importlib.util.decode_source(path.read_bytes()))
    expected = sorted(cpython_findings(mutant))
    got = sorted((f.start[0], f.start[1], f.code, f.message) for f in check_source(mutant))
    missing = [finding for finding in expected if finding not in got]
    extra = [finding for finding in got if finding not in expected]
    assert not missing and not extra, f"{path}: missing {missing[:5]}, extra {extra[:5]}"


# Generator-heavy modules: made async, their `yield from`s and `return value`s become errors.
GENERATOR_HEAVY = (
    "os.py",
    "difflib.py",
    "asyncio/tasks.py",
    "lib2to3/pytree.py",
    "test/test_generators.py",
    "test/test_yield_from.py",
    "test/test_coroutines.py",
)


def _asyncify(source: str) -> str:
    """Every plain ``def`` becomes ``async def``; columns may move, only the mutant is compared."""
    text = SourceLines(source)
    starts = [
        text.index(node.lineno, node.col_offset)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef)
    ]
    for start in sorted(starts, reverse=True):
        assert source.startswith("def", start)
        source = source[:start] + "async " + source[start:]
    return source


@pytest.mark.parametrize(
    "path",
    [path for path in (STDLIB / name for name in GENERATOR_HEAVY) if path.exists()],
    ids=lambda path: str(path.relative_to(STDLIB)),
)
def test_asyncified_module_agrees_with_cpython(path: Path) -> None:
    mutant = _asyncify(importlib.util.decode_source(path.read_bytes()))
    expected = sorted(cpython_findings(mutant))
    got = sorted((f.start[0], f.start[1], f.code, f.message) for f in check_source(mutant))
    missing = [finding for finding in expected if finding not in got]
    extra = [finding for finding in got if finding not in expected]
    assert not missing and not extra, f"{path}: missing {missing[:5]}, extra {extra[:5]}"
