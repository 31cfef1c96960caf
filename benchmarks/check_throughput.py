"""Throughput of ``coro-ls check`` over directories, against ruff and a ``compile()`` loop.

Times, over the same directories:

* a plain one-process loop reading each file and calling CPython's ``compile()`` on it (the
  yardstick: ``compile()`` decides exactly what the CORO1xx rules report);
* ``coro-ls check`` for the running interpreter's version (``--no-config --target-version``
  of this interpreter), with ``--jobs`` processes and with one;
* ``coro-ls check`` for another target version (``--other-version``, default 3.8), where
  ``compile()`` cannot stand in for the engine;
* ``ruff check`` with the same three rules (``--select PLE1142,PLE1700,F704``, no cache, no
  configuration), when ``ruff`` is on the path.

It prints lines per second and the ratio to the ``compile()`` loop, and fails when the serial
and parallel runs print different findings.

Without directories it checks a built-in corpus: the running interpreter's standard library
(its top-level modules and packages, without ``test``, ``idlelib``, ``lib2to3`` and
``site-packages``).  Real async code is the better corpus; fetch sdists of popular async
libraries into a directory outside the repository and unpack them::

    mkdir -p /work/bench-corpus/sdists /work/bench-corpus/src && cd /work/bench-corpus/sdists
    for p in aiohttp anyio trio httpx httpcore starlette fastapi uvicorn websockets asyncpg \\
             redis motor tornado twisted sqlalchemy aiofiles aiosqlite quart sanic textual \\
             prompt_toolkit jupyter_client ipykernel hypercorn h11 h2 channels django celery \\
             aiokafka aio-pika kombu pymongo; do
        pip download --no-deps --no-binary :all: "$p" -d .
    done
    for f in *.tar.gz; do tar -xzf "$f" -C ../src; done
    python benchmarks/check_throughput.py /work/bench-corpus/src

(``pip download`` prepares each sdist's metadata, so it needs network access to PyPI and can
take a minute per package; one that fails to download is simply missing from the corpus.)
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import sysconfig
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from coro_ls.cli.check_command import default_jobs  # noqa: E402
from coro_ls.config.sources import discover  # noqa: E402
from coro_ls.engine.versions import format_version, parse_version, running_version  # noqa: E402

RUFF_RULES = "PLE1142,PLE1700,F704"
SKIPPED_STDLIB = {"test", "idlelib", "lib2to3", "site-packages", "__pycache__", "tkinter"}


def stdlib_corpus() -> list[str]:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    return sorted(
        str(path)
        for path in stdlib.iterdir()
        if path.name not in SKIPPED_STDLIB
        and (path.suffix == ".py" or (path.is_dir() and (path / "__init__.py").exists()))
    )


def python_files(paths: list[str]) -> tuple[list[str], int]:
    """The .py/.pyi files ``coro-ls check`` would read under ``paths``, and their lines."""
    files, _ = discover(paths)
    files = [file for file in files if not file.endswith(".ipynb")]
    lines = 0
    for file in files:
        with open(file, "rb") as handle:
            lines += handle.read().count(b"\n")
    return files, lines


def compile_loop(files: list[str]) -> float:
    """Seconds for one process to read and compile every file (failures included)."""
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for file in files:
            with open(file, "rb") as handle:
                data = handle.read()
            try:
                compile(data, file, "exec", dont_inherit=True)
            except Exception:
                pass
    return time.perf_counter() - started


def find_ruff() -> str | None:
    """``ruff`` on the path, or beside this interpreter (a venv that is not activated)."""
    beside = Path(sys.executable).parent / "ruff"
    return shutil.which("ruff") or (str(beside) if beside.exists() else None)


def timed(command: list[str]) -> tuple[float, str, int]:
    """Wall-clock seconds, stdout and exit status of ``command``."""
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        sys.stderr.write(done.stderr[-2000:])
    return elapsed, done.stdout, done.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", help="directories (default: the standard library)")
    parser.add_argument("--jobs", type=int, default=default_jobs())
    parser.add_argument("--other-version", type=parse_version, default=(3, 8))
    parser.add_argument("--no-ruff", action="store_true")
    parser.add_argument("--no-serial", action="store_true", help="skip the -j 1 run")
    args = parser.parse_args()
    paths = args.paths or stdlib_corpus()
    files, lines = python_files(paths)
    print(f"{len(files):,} files, {lines:,} lines; --jobs {args.jobs}", file=sys.stderr)

    rows: list[tuple[str, float, str]] = []
    yardstick = compile_loop(files)
    rows.append(("compile() loop, one process", yardstick, ""))
    check = [sys.executable, "-m", "coro_ls", "check", "--no-config"]
    own = format_version(running_version())
    other = format_version(args.other_version)

    outputs = {}
    for jobs in [args.jobs] + ([] if args.no_serial or args.jobs == 1 else [1]):
        seconds, out, _ = timed([*check, "--target-version", own, "-j", str(jobs), *paths])
        outputs[jobs] = out
        rows.append((f"coro-ls check, target {own} (this interpreter), -j {jobs}", seconds, out))
    seconds, out, _ = timed([*check, "--target-version", other, "-j", str(args.jobs), *paths])
    rows.append((f"coro-ls check, target {other}, -j {args.jobs}", seconds, out))
    ruff = None if args.no_ruff else find_ruff()
    if ruff:
        command = [ruff, "check", "--no-cache", "--isolated", "--select", RUFF_RULES]
        seconds, out, _ = timed([*command, "--output-format", "concise", *paths])
        rows.append((f"ruff check --select {RUFF_RULES}", seconds, out))

    print("| run | seconds | lines/s | ÷ compile() loop | findings |")
    print("|---|---|---|---|---|")
    for name, seconds, out in rows:
        findings = sum(1 for line in out.splitlines() if ": " in line) if out else 0
        print(
            f"| {name} | {seconds:.2f} | {lines / seconds:,.0f} | {seconds / yardstick:.2f} | "
            f"{findings if name != rows[0][0] else '—'} |"
        )
    if len(outputs) == 2 and len(set(outputs.values())) != 1:
        print("the serial and parallel runs printed different findings", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
