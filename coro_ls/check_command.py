"""``coro-ls check PATH...``: report misplaced coroutine syntax in files and directories.

Output goes to stdout, one finding per line (``path:line:col: CODE message``) or as one JSON
array; problems with paths go to stderr while the remaining paths are still checked.  Lines and
columns are 1-based, columns count characters, ends are exclusive.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import TextIO

from coro_ls import sources
from coro_ls.engine import check_source
from coro_ls.findings import Finding
from coro_ls.versions import Version, accepted, format_version, parse_version, running_version

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
STDIN = "-"

EPILOG = f"""\
Directories are searched recursively for *.py and *.pyi files, skipping hidden directories,
virtual environments (directories holding pyvenv.cfg) and __pycache__.  Files are decoded as
CPython decodes them (PEP 263 coding declarations, UTF-8 BOM).

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

    @classmethod
    def of(cls, filename: str, finding: Finding) -> Report:
        # parso columns are 0-based code points: one more makes them 1-based characters.
        return cls(
            filename,
            finding.start[0],
            finding.start[1] + 1,
            finding.end[0],
            finding.end[1] + 1,
            finding.code,
            finding.message,
        )

    def sort_key(self) -> tuple[str, int, int, int, int, str]:
        return (self.filename, self.line, self.column, self.end_line, self.end_column, self.code)


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
        type=_target_version,
        default=None,
        metavar="3.X",
        help=f"the Python version to check for: {accepted()} "
        f"(default: the running interpreter's, {format_version(running_version())})",
    )
    parser.add_argument(
        "--output-format",
        choices=["text", "json"],
        default="text",
        help="'text': path:line:col: CODE message per line; 'json': one array of objects "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--stdin-filename",
        metavar="NAME",
        help=f"the file name to report for {STDIN!r} (default: {STDIN!r})",
    )
    parser.set_defaults(run=run)


def _target_version(text: str) -> Version:
    try:
        return parse_version(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def run(args: argparse.Namespace) -> int:
    if args.stdin_filename is not None and STDIN not in args.paths:
        print(
            f"coro-ls check: error: --stdin-filename names {STDIN!r}, not among the paths",
            file=sys.stderr,
        )
        return EXIT_ERROR
    reports, errors = check_paths(
        args.paths,
        target=args.target_version,
        stdin_filename=args.stdin_filename,
    )
    for error in errors:
        print(f"coro-ls: {error.path}: {error.reason}", file=sys.stderr)
    write_reports(reports, args.output_format, sys.stdout)
    if reports:
        return EXIT_FINDINGS
    return EXIT_ERROR if errors else EXIT_CLEAN


def check_paths(
    paths: Iterable[str],
    *,
    target: Version | None = None,
    top_level_await: bool = False,
    stdin_filename: str | None = None,
) -> tuple[list[Report], list[sources.SourceError]]:
    """Every finding under ``paths`` sorted by file then position, and the paths that failed."""
    paths = list(paths)
    files, errors = sources.discover(path for path in paths if path != STDIN)
    reports: list[Report] = []
    stdin_name = (stdin_filename or STDIN) if STDIN in paths else None
    for source in _read_all(files, errors, stdin_name):
        try:
            findings = check_source(source.text, target=target, top_level_await=top_level_await)
        except Exception as error:  # one file must not stop the others; say which one failed
            errors.append(
                sources.SourceError(
                    source.path,
                    f"internal error, please report it: {type(error).__name__}: {error}",
                )
            )
            continue
        reports.extend(Report.of(source.path, finding) for finding in findings)
    reports.sort(key=Report.sort_key)
    errors.sort(key=lambda error: error.path)
    return reports, errors


def _read_all(
    files: list[str], errors: list[sources.SourceError], stdin_name: str | None
) -> Iterator[sources.Source]:
    candidates = [sources.read_source(path) for path in files]
    if stdin_name is not None:
        candidates.append(sources.source_from_bytes(stdin_name, sys.stdin.buffer.read()))
    for candidate in candidates:
        if isinstance(candidate, sources.SourceError):
            errors.append(candidate)
        else:
            yield candidate


def write_reports(reports: list[Report], output_format: str, out: TextIO) -> None:
    if output_format == "json":
        # ASCII escapes keep the output valid whatever encoding stdout has.
        out.write(json.dumps([asdict(report) for report in reports], indent=2) + "\n")
        return
    for r in reports:
        out.write(f"{r.filename}:{r.line}:{r.column}: {r.code} {r.message}\n")
