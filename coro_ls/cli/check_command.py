"""``coro-ls check PATH...``: report misplaced coroutine syntax in files and directories.

Output goes to stdout, one finding per line (``path:line:col: CODE message``) or as one JSON
array; problems with paths go to stderr while the remaining paths are still checked.  Lines and
columns are 1-based, columns count characters, ends are exclusive.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import TextIO

from coro_ls.config import notebooks, settings, sources, suppression
from coro_ls.config.resolver import Resolved, SettingsResolver, WarningSink
from coro_ls.config.settings import Layer, Settings
from coro_ls.engine import prefilter as _prefilter
from coro_ls.engine import rules
from coro_ls.engine.checker import check_source
from coro_ls.engine.findings import Finding
from coro_ls.engine.incremental import check_text_lazily
from coro_ls.engine.versions import (
    Version,
    accepted,
    format_version,
    running_version,
    version_argument,
)

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
STDIN = "-"

EPILOG = f"""\
Directories are searched recursively for *.py, *.pyi and *.ipynb files, skipping hidden
directories, virtual environments (directories holding pyvenv.cfg) and __pycache__.  Files
are decoded as CPython decodes them (PEP 263 coding declarations, UTF-8 BOM).  Notebook code
cells are checked one by one, with top-level await allowed, and reported as
path:cell N:line:col.  A .py file whose leading comments include
"# coro-ls: top-level-await" is checked with top-level await allowed too.

Settings come from the options, then [tool.coro-ls] of the nearest pyproject.toml
(target-version, top-level-await, select, ignore, per-file-ignores), then its
requires-python (the lowest version it admits), then the running interpreter.
"# noqa" or "# noqa: CODE" on a finding's line silences it.

exit status:
  {EXIT_FINDINGS}  something was found
  {EXIT_ERROR}  nothing was found, but a path could not be read or decoded (or a usage error)
  {EXIT_CLEAN}  nothing was found

examples:
  coro-ls check src/ tests/
  coro-ls check --target-version 3.10 app.py
  coro-ls check --output-format json src/ > findings.json
  cat app.py | coro-ls check - --stdin-filename app.py
"""


@dataclass(frozen=True)
class Report:
    """One finding in the command line's coordinates; the field names are the JSON keys."""

    filename: str
    line: int
    column: int
    end_line: int
    end_column: int
    code: str
    message: str
    cell: int | None = None
    """For a notebook: the 1-based cell the lines and columns belong to."""

    @classmethod
    def of(cls, filename: str, finding: Finding, cell: int | None = None) -> Report:
        # parso columns are 0-based code points: one more makes them 1-based characters.
        return cls(
            filename,
            finding.start[0],
            finding.start[1] + 1,
            finding.end[0],
            finding.end[1] + 1,
            finding.code,
            finding.message,
            cell,
        )

    def sort_key(self) -> tuple[str, int, int, int, int, int, str]:
        return (
            self.filename,
            self.cell or 0,
            self.line,
            self.column,
            self.end_line,
            self.end_column,
            self.code,
        )

    def as_json(self) -> dict[str, object]:
        fields = asdict(self)
        if self.cell is None:
            del fields["cell"]
        return fields

    def as_text(self) -> str:
        where = f"{self.filename}:" if self.cell is None else f"{self.filename}:cell {self.cell}:"
        return f"{where}{self.line}:{self.column}: {self.code} {self.message}"


@dataclass(frozen=True)
class CheckOptions:
    """What the command line sets; ``None`` leaves a setting to the pyproject and defaults."""

    target: Version | None = None
    top_level_await: bool | None = None
    select: tuple[str, ...] | None = None
    """Rule codes or code prefixes to report; ``None`` reports every rule."""
    ignore: tuple[str, ...] | None = None
    """Rule codes or code prefixes never to report (wins over ``select``)."""
    config: bool = True
    """Whether to read the nearest ``pyproject.toml``."""

    def layer(self) -> Layer:
        return Layer(
            target_version=self.target,
            top_level_await=self.top_level_await,
            select=self.select,
            ignore=self.ignore,
        )


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "check",
        help="check files and directories, print findings",
        description="Report coroutine syntax that CPython rejects because of where it is written.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help=f"a file or directory to check; {STDIN!r} reads one file from standard input",
    )
    parser.add_argument(
        "--target-version",
        type=version_argument,
        default=None,
        metavar="3.X",
        help=f"the Python version to check for: {accepted()} "
        "(default: the nearest pyproject.toml's target-version or requires-python, else the "
        f"running interpreter's, {format_version(running_version())})",
    )
    parser.add_argument(
        "--output-format",
        choices=["text", "json"],
        default="text",
        help="'text': path:line:col: CODE message per line; 'json': one array of objects "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--select",
        type=_codes,
        metavar="CODES",
        help="report only these rules: comma-separated codes or prefixes (CORO104,CORO105 or "
        "CORO10); default: every rule",
    )
    parser.add_argument(
        "--ignore",
        type=_codes,
        default=None,
        metavar="CODES",
        help="never report these rules (codes or prefixes, comma-separated); wins over --select",
    )
    parser.add_argument(
        "--top-level-await",
        action="store_const",
        const=True,
        default=None,
        help="allow await, async for, async with and async comprehensions at module level, "
        "as the asyncio REPL does (notebook cells are always checked this way)",
    )
    parser.add_argument(
        "--stdin-filename",
        metavar="NAME",
        help=f"the file name to report for {STDIN!r} (default: {STDIN!r}); it also locates the "
        "pyproject.toml (none is read for standard input without a name)",
    )
    parser.add_argument(
        "--no-config",
        action="store_true",
        help="ignore pyproject.toml files (options and defaults only)",
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=_jobs,
        default=default_jobs(),
        metavar="N",
        help="check files in N processes; the output is the same as with 1 "
        "(default: the number of CPUs, %(default)s here)",
    )
    parser.set_defaults(run=run)


def _jobs(text: str) -> int:
    try:
        jobs = int(text)
    except ValueError:
        jobs = 0
    if jobs < 1:
        raise argparse.ArgumentTypeError(f"expected a positive number of processes, not {text!r}")
    return jobs


def _codes(text: str) -> tuple[str, ...]:
    try:
        return settings.parse_codes(text)
    except settings.InvalidSetting as invalid:
        known = ", ".join(settings.known_codes())
        raise argparse.ArgumentTypeError(
            f"unknown rule code {invalid.value!r}; known codes: {known}"
        ) from None


def _warn_once(write: Callable[[str], None]) -> WarningSink:
    """Each pyproject warning written once per run."""
    written: set[str] = set()

    def warn(source: str, warnings: Sequence[settings.SettingWarning]) -> None:
        for warning in warnings:
            if warning.message not in written:
                written.add(warning.message)
                write(warning.message)

    return warn


def run(args: argparse.Namespace) -> int:
    if args.stdin_filename is not None and STDIN not in args.paths:
        print(
            f"coro-ls check: error: --stdin-filename names {STDIN!r}, not among the paths",
            file=sys.stderr,
        )
        return EXIT_ERROR
    options = CheckOptions(
        target=args.target_version,
        top_level_await=args.top_level_await,
        select=args.select,
        ignore=args.ignore,
        config=not args.no_config,
    )
    reports, errors = check_paths(
        args.paths, options, stdin_filename=args.stdin_filename, jobs=args.jobs
    )
    for error in errors:
        print(f"coro-ls: {error.path}: {error.reason}", file=sys.stderr)
    try:
        write_reports(reports, args.output_format, sys.stdout)
        sys.stdout.flush()
    except BrokenPipeError:
        # `coro-ls check . | head` closed the pipe: stop quietly, as other Unix tools do,
        # and keep the interpreter's final flush from failing again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    if reports:
        return EXIT_FINDINGS
    return EXIT_ERROR if errors else EXIT_CLEAN


def check_paths(
    paths: Iterable[str],
    options: CheckOptions = CheckOptions(),
    *,
    stdin_filename: str | None = None,
    jobs: int = 1,
    prefilter: bool = True,
) -> tuple[list[Report], list[sources.SourceError]]:
    """Every finding under ``paths`` sorted by file then position, and the paths that failed.

    ``jobs`` > 1 reads and checks files in that many processes; the result is the same.
    ``prefilter`` lets sources that provably hold no finding skip the engine
    (``coro_ls.engine.prefilter``) and the engine parse only the statements that can hold
    one (``check_text_lazily``); turning it off changes nothing but the time taken.
    """
    paths = list(paths)
    files, errors = sources.discover(path for path in paths if path != STDIN)
    reports: list[Report] = []
    resolver = SettingsResolver(_warn_once(lambda text: print(text, file=sys.stderr)))
    layers = [options.layer()]

    def resolve(path: str) -> Resolved:
        # Standard input without --stdin-filename has no place, so no pyproject: its
        # findings depend on the options alone, wherever the command runs.
        located = options.config and path != STDIN
        return resolver.resolve(path if located else None, layers)

    # Settings are resolved here, in order, so that each pyproject's warnings show once.
    tasks = [(path, resolve(path), prefilter) for path in files]
    for found, failed in _run_tasks(tasks, jobs):
        reports.extend(found)
        errors.extend(failed)
    if STDIN in paths:
        stdin = sources.source_from_bytes(stdin_filename or STDIN, sys.stdin.buffer.read())
        if isinstance(stdin, sources.SourceError):
            errors.append(stdin)
        else:
            found, failed = _check_source(stdin, resolve(stdin.path), prefilter)
            reports.extend(found)
            errors.extend(failed)
    reports.sort(key=Report.sort_key)
    errors.sort(key=lambda error: error.path)
    return reports, errors


Task = tuple[str, Resolved, bool]
Outcome = tuple[list[Report], list[sources.SourceError]]


def default_jobs() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _run_tasks(tasks: list[Task], jobs: int) -> Iterator[Outcome]:
    jobs = min(jobs, len(tasks))
    if jobs <= 1:
        yield from map(_check_file, tasks)
        return
    from concurrent.futures import ProcessPoolExecutor

    # Small chunks keep both ends of a tree of very uneven files busy; results are sorted
    # afterwards, so their order does not matter.
    chunksize = max(1, min(16, len(tasks) // (jobs * 8)))
    with ProcessPoolExecutor(jobs) as pool:
        yield from pool.map(_check_file, tasks, chunksize=chunksize)


def _check_file(task: Task) -> Outcome:
    """Read and check one file (in a worker process when ``--jobs`` > 1)."""
    path, resolved, prefilter = task
    source = sources.read_source(path)
    if isinstance(source, sources.SourceError):
        return [], [source]
    return _check_source(source, resolved, prefilter)


def _check_source(source: sources.Source, resolved: Resolved, prefilter: bool) -> Outcome:
    try:
        found = list(check_text(source, resolved.settings, prefilter=prefilter))
    except notebooks.InvalidNotebook as error:
        return [], [sources.SourceError(source.path, str(error))]
    except Exception as error:  # one file must not stop the others; say which one failed
        reason = f"internal error, please report it: {type(error).__name__}: {error}"
        return [], [sources.SourceError(source.path, reason)]
    return [report for report in found if resolved.wants(report.code)], []


def check_text(
    source: sources.Source, chosen: Settings, *, prefilter: bool = True
) -> Iterator[Report]:
    """One file's findings without those ``# noqa`` silences; a notebook's cells are checked
    one by one, as IPython runs them."""
    wanted = [code for code in rules.load() if chosen.wants(code)]
    shortcut = prefilter and _prefilter.covers(wanted)
    if not notebooks.is_notebook(source.path):
        marked = suppression.has_marker(source.text)
        tla = chosen.top_level_await_for(notebook_cell=False, marked=marked)
        found = _findings(source.text, chosen.target_version, tla, shortcut)
        for finding in suppression.without_suppressed(found, source.text):
            yield Report.of(source.path, finding)
        return
    tla = chosen.top_level_await_for(notebook_cell=True, marked=False)
    for cell in notebooks.python_cells(source.text):
        found = _findings(cell.source, chosen.target_version, tla, shortcut)
        for finding in suppression.without_suppressed(found, cell.source):
            yield Report.of(source.path, finding, cell.number)


def _findings(text: str, target: Version, top_level_await: bool, shortcut: bool) -> list[Finding]:
    if not shortcut:
        return check_source(text, target=target, top_level_await=top_level_await)
    if _prefilter.cannot_have_findings(text, target=target, top_level_await=top_level_await):
        return []
    return check_text_lazily(text, target, top_level_await)


def write_reports(reports: list[Report], output_format: str, out: TextIO) -> None:
    if output_format == "json":
        # ASCII escapes keep the output valid whatever encoding stdout has.
        out.write(json.dumps([report.as_json() for report in reports], indent=2) + "\n")
        return
    for report in reports:
        out.write(report.as_text() + "\n")
