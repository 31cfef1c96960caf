"""Edit-to-diagnostics latency of coro-ls, against CPython's compile() and ruff's server.

Two modes, each starting the servers over stdio as an editor does (push diagnostics) and
comparing every diagnostics set coro-ls publishes with a fresh check of the same text:

* top-level (the default): builds files of about 1k, 10k and 50k lines from the running
  interpreter's standard library (each module checked to compile), opens the file, and types
  ``    await x`` into a plain function near the end of the file one character per
  ``didChange``, closed loop: the next keystroke goes out once the diagnostics of the
  previous one arrived.
* anywhere (``--anywhere``): the 10k and 50k files and the standard library's
  ``_pydecimal.py`` (class ``Decimal`` spans half of it).  At seeded positions drawn uniformly
  over the body lines of every synchronous function and method, a new line is opened and
  ``await x`` typed one character per ``didChange``, closed loop, with what VS Code sends
  besides: a ``textDocument/codeAction`` at the cursor right behind each keystroke (the light
  bulb) and a ``textDocument/hover`` after each word.  It reports p50 / p95 / p99 / max of
  keystroke-to-diagnostics, code actions and hovers, and the open time, then checks the
  figures against issue 14's targets (the yardstick: ``compile()`` of the 10k file).

    python benchmarks/lsp_latency.py                     # top-level: 1k/10k/50k, 5 repeats
    python benchmarks/lsp_latency.py --mode both         # both modes, one run
    python benchmarks/lsp_latency.py --anywhere --positions 5 --no-ruff   # a quick smoke run

``ruff server`` runs the same script when ``ruff`` is installed (on the path or beside this
interpreter).  It asserts nothing about speed (the correctness check does fail the run).
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import os
import random
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Run as a script, the repository root (where lsp_wire lives) is not on the path.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lsp_wire import Connection, notification, request  # noqa: E402

TYPED = "    await x"


# -- building the files --------------------------------------------------------------------


def build_file(lines: int) -> str:
    """Concatenate standard-library modules until ``lines`` lines; each must compile."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    parts: list[str] = []
    total = 0
    for path in sorted(stdlib.glob("*.py")):
        try:
            source = path.read_text(encoding="utf-8")
            compile(source, str(path), "exec", dont_inherit=True)
        except (SyntaxError, UnicodeDecodeError, ValueError):
            continue
        if "from __future__" in source:
            continue  # a future import in the middle of the file would not compile
        parts.append(source if source.endswith("\n") else source + "\n")
        total += source.count("\n")
        if total >= lines:
            break
    text = "".join(parts)
    compile(text, "<bench>", "exec", dont_inherit=True)
    return text


def typing_position(text: str) -> tuple[int, int]:
    """(0-based line, column) at the end of the header of the last plain top-level
    function that has at least one more function after it in the file's last tenth."""
    lines = text.split("\n")
    candidates = [
        i
        for i, line in enumerate(lines)
        if line.startswith("def ") and line.rstrip().endswith(":")
    ]
    target = candidates[-2] if len(candidates) > 1 else candidates[-1]
    return target, len(lines[target])


# -- a session over stdio (lsp_wire's client) ----------------------------------------------


def _answer(message: dict[str, Any]) -> Any:
    """Requests from the server: configuration gets "no settings", the rest nothing."""
    if message["method"] == "workspace/configuration":
        return [None] * len(message["params"]["items"])
    return None


class Client:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.next_id = 0

    @classmethod
    async def start(cls, command: list[str], root: Path) -> Client:
        connection = await Connection.start(
            command=command, cwd=root, stderr=asyncio.subprocess.DEVNULL, answer=_answer
        )
        client = cls(connection)
        capabilities = {
            "general": {"positionEncodings": ["utf-16"]},
            "textDocument": {
                "publishDiagnostics": {"versionSupport": True, "relatedInformation": True},
                # What VS Code announces for the requests --anywhere sends.
                "codeAction": {
                    "codeActionLiteralSupport": {
                        "codeActionKind": {
                            "valueSet": ["", "quickfix", "refactor", "refactor.rewrite", "source"]
                        }
                    },
                    "dataSupport": True,
                    "resolveSupport": {"properties": ["edit"]},
                    "isPreferredSupport": True,
                },
                "hover": {"contentFormat": ["markdown", "plaintext"]},
            },
        }
        await connection.initialized(os.getpid(), capabilities, root.as_uri(), timeout=120)
        return client

    def notify(self, method: str, params: Any) -> None:
        self.connection.send(notification(method, params))

    async def diagnostics(
        self, uri: str, version: int | None, after: int, timeout: float = 300
    ) -> list[dict]:
        """The diagnostics of ``uri`` published after message ``after`` (for ``version`` when
        the server says it)."""
        try:
            message = await self.connection.wait_for(
                lambda m: (
                    m.get("method") == "textDocument/publishDiagnostics"
                    and m["params"]["uri"] == uri
                    and m["params"].get("version") in (None, version)
                ),
                timeout,
                after,
            )
        except asyncio.TimeoutError:
            raise TimeoutError(f"no diagnostics for {uri} version {version}") from None
        return message["params"]["diagnostics"]

    def request(self, method: str, params: Any) -> int:
        """Send a request; its id."""
        self.next_id += 1
        self.connection.send(request(self.next_id, method, params))
        return self.next_id

    async def answer(self, msg_id: int, timeout: float = 300) -> Any:
        message = await self.connection.response(msg_id, timeout)
        if "error" in message:
            raise SystemExit(f"request {msg_id} failed: {message['error']}")
        return message.get("result")

    def mark(self) -> int:
        """Where the messages still to come start."""
        return len(self.connection.received)

    async def stop(self) -> int:
        """Shut down; return the server's peak resident set size in KiB (0 if unknown)."""
        peak = 0
        try:
            with open(f"/proc/{self.connection.process.pid}/status", encoding="ascii") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        peak = int(line.split()[1])
        except OSError:
            pass
        try:
            await self.connection.shutdown_and_exit(timeout=10)
        except Exception:
            pass
        await self.connection.stop()
        return peak


# -- measuring -------------------------------------------------------------------------------


async def _open(
    command: list[str], root: Path, text: str
) -> tuple[Client, str, list[dict], float]:
    """Start the server in ``root``, open ``text`` there as ``bench.py`` and wait for its
    first diagnostics: the client, the document's URI, those diagnostics and the time taken."""
    path = root / "bench.py"
    path.write_text(text, encoding="utf-8")
    uri = path.as_uri()
    client = await Client.start(command, root)
    started = time.perf_counter()
    mark = client.mark()
    client.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}},
    )
    published = await client.diagnostics(uri, 1, mark)
    return client, uri, published, time.perf_counter() - started


async def measure(command: list[str], text: str, repeats: int, check: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as directory:
        client, uri, _, opened = await _open(command, Path(directory), text)
        line, column = typing_position(text)
        version = 1
        current = text
        latencies: list[float] = []
        checked: list[tuple[str, list[dict]]] = []
        for _ in range(repeats):
            # Open a new line in the function body; not timed.
            version += 1
            current = _apply(current, line, column, line, column, "\n")
            mark = client.mark()
            _change(client, uri, version, line, column, line, column, "\n")
            await client.diagnostics(uri, version, mark)
            for index, char in enumerate(TYPED):
                version += 1
                current = _apply(current, line + 1, index, line + 1, index, char)
                mark = client.mark()
                sent = time.perf_counter()
                _change(client, uri, version, line + 1, index, line + 1, index, char)
                diagnostics = await client.diagnostics(uri, version, mark)
                latencies.append(time.perf_counter() - sent)
                if check:
                    checked.append((current, diagnostics))
            # Remove the typed line again; not timed.
            version += 1
            end = len(TYPED)
            current = _apply(current, line, column, line + 1, end, "")
            mark = client.mark()
            _change(client, uri, version, line, column, line + 1, end, "")
            await client.diagnostics(uri, version, mark)
        peak = await client.stop()
    if check:
        verify_in_parallel(checked)
    latencies.sort()
    return {
        "open": opened,
        "p50": statistics.median(latencies),
        "p95": latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))],
        "max": latencies[-1],
        "rss_mib": peak / 1024,
        "samples": len(latencies),
    }


def _change(
    client: Client, uri: str, version: int, l1: int, c1: int, l2: int, c2: int, text: str
) -> None:
    client.notify(
        "textDocument/didChange",
        {
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [
                {
                    "range": {
                        "start": {"line": l1, "character": c1},
                        "end": {"line": l2, "character": c2},
                    },
                    "text": text,
                }
            ],
        },
    )


def _apply(text: str, l1: int, c1: int, l2: int, c2: int, new: str) -> str:
    # The typed text is ASCII and the edited lines are ours, so UTF-16 columns = characters.
    lines = text.split("\n")
    start = sum(len(line) + 1 for line in lines[:l1]) + c1
    end = sum(len(line) + 1 for line in lines[:l2]) + c2
    return text[:start] + new + text[end:]


# -- the anywhere mode: where people type, with the requests an editor sends ---------------

WORDS = ("await", " ", "x")
"""What is typed at each position, word by word (a hover follows each word but the space)."""


@dataclass(frozen=True)
class Spot:
    """Where a new line is opened: before document line ``line`` (0-based), indented as the
    statement there."""

    line: int
    indent: str


def sync_function_statements(text: str) -> list[tuple[int, int, str]]:
    """(first line, last line, indentation) of every statement whose innermost enclosing
    function is a plain ``def`` and that starts its line; lines are 1-based."""
    lines = text.split("\n")
    found: list[tuple[int, int, str]] = []

    def visit(node: ast.AST, in_sync_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt) and in_sync_function:
                decorators = getattr(child, "decorator_list", [])
                first = min([child.lineno] + [d.lineno for d in decorators])
                line = lines[first - 1]
                indent = line[: len(line) - len(line.lstrip())]
                column = child.col_offset if not decorators else len(indent)
                # An ``elif`` is an ``If`` in the ``orelse`` of the one before: a line
                # opened above it would end the ``if`` statement.
                starts = len(indent) == column and not line.lstrip().startswith("elif")
                if starts and child.end_lineno is not None:
                    found.append((first, child.end_lineno, indent))
            if isinstance(child, ast.FunctionDef):
                visit(child, True)
            elif isinstance(child, (ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                visit(child, False)
            else:
                visit(child, in_sync_function)

    visit(ast.parse(text), False)
    return found


def spots(text: str, count: int, seed: int) -> list[Spot]:
    """``count`` seeded positions drawn uniformly over the lines of the bodies of every
    synchronous function and method; each becomes a new line before the innermost
    statement holding the drawn line."""
    statements = sync_function_statements(text)
    body_lines = sorted({n for first, last, _ in statements for n in range(first, last + 1)})
    rng = random.Random(seed)
    chosen = []
    for line in rng.sample(body_lines, min(count, len(body_lines))):
        first, _, indent = min(
            (s for s in statements if s[0] <= line <= s[1]), key=lambda s: s[1] - s[0]
        )
        chosen.append(Spot(first - 1, indent))
    return chosen


def anywhere_files() -> list[tuple[str, str]]:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    decimal = (stdlib / "_pydecimal.py").read_text(encoding="utf-8")
    return [
        ("10k stdlib file", build_file(10000)),
        ("50k stdlib file", build_file(50000)),
        ("_pydecimal.py", decimal),
    ]


async def measure_anywhere(
    command: list[str], text: str, positions: list[Spot], check: bool
) -> dict[str, Any]:
    """Open ``text``; at each position open a line and type ``await x`` one character per
    ``didChange`` (closed loop), a code action at the cursor behind each keystroke and a
    hover on each word typed, as VS Code sends them."""
    with tempfile.TemporaryDirectory() as directory:
        client, uri, published, opened = await _open(command, Path(directory), text)
        version = 1
        current = text
        times: dict[str, list[float]] = {"keystroke": [], "codeAction": [], "hover": []}
        checked: list[tuple[str, list[dict]]] = []
        for spot in positions:
            # Open the line (Enter at the end of the line before, auto-indented); not timed.
            version += 1
            current = _apply(current, spot.line, 0, spot.line, 0, spot.indent + "\n")
            mark = client.mark()
            _change(client, uri, version, spot.line, 0, spot.line, 0, spot.indent + "\n")
            published = await client.diagnostics(uri, version, mark)
            column = len(spot.indent)
            for word in WORDS:
                for char in word:
                    version += 1
                    current = _apply(current, spot.line, column, spot.line, column, char)
                    column += 1
                    mark = client.mark()
                    sent = time.perf_counter()
                    _change(
                        client, uri, version, spot.line, column - 1, spot.line, column - 1, char
                    )
                    # The light bulb's request goes out right behind the change, with the
                    # diagnostics the editor has at that moment (the previous version's).
                    asked = time.perf_counter()
                    action = client.request(
                        "textDocument/codeAction",
                        _code_action_params(uri, spot.line, column, published),
                    )
                    (published, keystroke), (_, acted) = await asyncio.gather(
                        _timed(client.diagnostics(uri, version, mark), sent),
                        _timed(client.answer(action), asked),
                    )
                    times["keystroke"].append(keystroke)
                    times["codeAction"].append(acted)
                    if check:
                        checked.append((current, published))
                if word.strip():
                    hover = client.request(
                        "textDocument/hover",
                        {
                            "textDocument": {"uri": uri},
                            "position": {"line": spot.line, "character": column - 1},
                        },
                    )
                    _, hovered = await _timed(client.answer(hover))
                    times["hover"].append(hovered)
            # Remove the line again; not timed.
            version += 1
            current = _apply(current, spot.line, 0, spot.line + 1, 0, "")
            mark = client.mark()
            _change(client, uri, version, spot.line, 0, spot.line + 1, 0, "")
            published = await client.diagnostics(uri, version, mark)
        peak = await client.stop()
    result: dict[str, Any] = {"open": opened, "rss_mib": peak / 1024}
    for name, values in times.items():
        result[name] = _percentiles(values)
    result["checked"] = checked
    return result


async def _timed(awaitable: Any, since: float | None = None) -> tuple[Any, float]:
    """The result of ``awaitable`` and the seconds from ``since`` (default: now) until it
    arrived."""
    started = time.perf_counter() if since is None else since
    result = await awaitable
    return result, time.perf_counter() - started


def _code_action_params(uri: str, line: int, column: int, published: list[dict]) -> dict:
    at_line = [
        d for d in published if d["range"]["start"]["line"] <= line <= d["range"]["end"]["line"]
    ]
    cursor = {"line": line, "character": column}
    return {
        "textDocument": {"uri": uri},
        "range": {"start": cursor, "end": cursor},
        "context": {"diagnostics": at_line, "triggerKind": 2},
    }


def _percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)

    def at(fraction: float) -> float:
        return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]

    return {
        "p50": statistics.median(ordered),
        "p95": at(0.95),
        "p99": at(0.99),
        "max": ordered[-1],
        "samples": float(len(ordered)),
    }


def _fresh(text: str) -> list[tuple]:
    """A fresh check's findings as published ranges: the text opened from scratch, as
    ``coro-ls check`` checks it.  A text CPython compiles has none by definition
    (coro_ls.engine.prefilter); otherwise the engine's lazy whole-file check
    (``check_text_lazily``, tested equal to ``check_source``) parses only the statements
    that mention await/async, which keeps the comparison of a 50k-line file affordable."""
    from coro_ls.engine.incremental import check_text_lazily
    from coro_ls.engine.prefilter import cannot_have_findings
    from coro_ls.engine.versions import running_version

    if cannot_have_findings(text, target=running_version(), top_level_await=False):
        return []
    return sorted(
        (f.code, f.start[0] - 1, f.start[1], f.end[0] - 1, f.end[1])
        for f in check_text_lazily(text, running_version(), False)
    )


def _published(diagnostics: list[dict]) -> list[tuple]:
    return sorted(
        (
            d.get("code"),
            d["range"]["start"]["line"],
            d["range"]["start"]["character"],
            d["range"]["end"]["line"],
            d["range"]["end"]["character"],
        )
        for d in diagnostics
    )


def verify_in_parallel(checked: list[tuple[str, list[dict]]]) -> int:
    """Compare every published set with a fresh check, in worker processes (after the
    timing, so the checks do not load the measured server); how many were compared."""
    with ProcessPoolExecutor() as pool:
        expected = pool.map(_fresh, [text for text, _ in checked], chunksize=4)
        for (_, diagnostics), fresh in zip(checked, expected, strict=True):
            if _published(diagnostics) != fresh:
                raise SystemExit(
                    f"wrong diagnostics published: expected {fresh}, got {_published(diagnostics)}"
                )
    return len(checked)


def compile_time(text: str, repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        compile(text, "<bench>", "exec", dont_inherit=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def parse_time(text: str) -> float:
    from coro_ls.engine.versions import grammar_for, running_version

    started = time.perf_counter()
    grammar_for(running_version()).parse(text)
    return time.perf_counter() - started


def find_ruff() -> str | None:
    """``ruff`` on the path, or beside this interpreter (a venv that is not activated)."""
    beside = Path(sys.executable).parent / "ruff"
    return shutil.which("ruff") or (str(beside) if beside.exists() else None)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--mode",
        choices=["top-level", "anywhere", "both"],
        default="top-level",
        help="top-level: type into a top-level function of 1k/10k/50k files (default); "
        "anywhere: seeded positions in every synchronous function and method, with code "
        "actions and hovers; both: one run of each",
    )
    parser.add_argument(
        "--anywhere", dest="mode", action="store_const", const="anywhere", help="--mode anywhere"
    )
    parser.add_argument("--sizes", default="1000,10000,50000", help="top-level mode's files")
    parser.add_argument("--repeats", type=int, default=5, help="top-level mode's repeats")
    parser.add_argument("--positions", type=int, default=30, help="anywhere mode, per file")
    parser.add_argument("--seed", type=int, default=14, help="anywhere mode's positions")
    parser.add_argument("--no-ruff", action="store_true", help="skip ruff server")
    parser.add_argument("--no-check", action="store_true", help="skip the correctness check")
    args = parser.parse_args()
    ruff = None if args.no_ruff else find_ruff()
    coro = [sys.executable, "-m", "coro_ls"]
    print(_machine(ruff))
    if args.mode in ("top-level", "both"):
        rows = []
        for size in (int(s) for s in args.sizes.split(",")):
            text = build_file(size)
            lines = text.count("\n")
            row: dict[str, Any] = {"lines": lines, "compile": compile_time(text)}
            row["parse"] = parse_time(text)
            row["coro"] = asyncio.run(measure(coro, text, args.repeats, not args.no_check))
            if ruff:
                row["ruff"] = asyncio.run(measure([ruff, "server"], text, args.repeats, False))
            rows.append(row)
            print(f"measured {lines} lines", file=sys.stderr)
        print("\nTyping into a top-level function:\n")
        _print_table(rows)
    if args.mode in ("anywhere", "both"):
        run_anywhere(coro, ruff, args.positions, args.seed, not args.no_check)
    return 0


def _machine(ruff: str | None) -> str:
    import platform
    from importlib import metadata

    import parso

    versions = [
        f"CPython {platform.python_version()}",
        f"pygls {metadata.version('pygls')}",
        f"parso {parso.__version__}",
    ]
    if ruff:
        done = subprocess.run([ruff, "--version"], capture_output=True, text=True)
        versions.append(done.stdout.strip())
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return (
        f"{platform.machine()} {os.cpu_count()} CPUs, {platform.platform()}; "
        f"{'; '.join(versions)}; load average at start {load}"
    )


def run_anywhere(coro: list[str], ruff: str | None, count: int, seed: int, check: bool) -> None:
    rows = []
    yardstick = None
    for name, text in anywhere_files():
        positions = spots(text, count, seed)
        row: dict[str, Any] = {"file": name, "lines": text.count("\n")}
        row["compile"] = compile_time(text)
        if yardstick is None:
            yardstick = row["compile"]  # the 10k file's
        row["coro"] = asyncio.run(measure_anywhere(coro, text, positions, check))
        if ruff:
            row["ruff"] = asyncio.run(measure_anywhere([ruff, "server"], text, positions, False))
        if check:
            compared = verify_in_parallel(row["coro"]["checked"])
            print(f"{name}: {compared} published sets equal a fresh check", file=sys.stderr)
        rows.append(row)
        print(f"measured {name} ({row['lines']} lines)", file=sys.stderr)
    assert yardstick is not None
    print(
        f"\nTyping anywhere: {count} seeded positions (seed {seed}) per file over the body lines "
        "of synchronous functions and methods; a new line, then `await x` one character per "
        "didChange, closed loop; a codeAction at the cursor behind each keystroke, a hover "
        f"after each word.  compile() of the 10k file: {yardstick * 1000:.1f} ms.\n"
    )
    _print_anywhere(rows)
    _print_targets(rows, yardstick)


def _cell(stats: dict[str, float], keys: tuple[str, ...] = ("p50", "p95", "p99", "max")) -> str:
    return " / ".join(f"{stats[key] * 1000:.1f}" for key in keys) + " ms"


def _print_anywhere(rows: list[dict[str, Any]]) -> None:
    print(
        "| file | server | open | keystroke→diagnostics p50 / p95 / p99 / max | "
        "codeAction p50 / p95 / p99 / max | hover p50 / p95 / p99 / max | peak RSS |"
    )
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        for server in ("coro", "ruff"):
            result = row.get(server)
            if result is None:
                continue
            label = "coro-ls" if server == "coro" else "ruff server"
            print(
                f"| {row['file']} ({row['lines']:,} lines) | {label} | "
                f"{result['open'] * 1000:.0f} ms | {_cell(result['keystroke'])} | "
                f"{_cell(result['codeAction'])} | {_cell(result['hover'])} | "
                f"{result['rss_mib']:.0f} MiB |"
            )
    samples = rows[0]["coro"]
    print(
        f"\nsamples per file: {samples['keystroke']['samples']:.0f} keystrokes and code "
        f"actions, {samples['hover']['samples']:.0f} hovers"
    )


def _print_targets(rows: list[dict[str, Any]], yardstick: float) -> None:
    """Issue 14's targets, each with the measured value and whether it is met."""
    lines = []

    def target(what: str, value: float, limit: float) -> None:
        verdict = "met" if value <= limit else "MISSED"
        lines.append(f"- {what}: {value * 1000:.1f} ms ≤ {limit * 1000:.1f} ms: {verdict}")

    for row in rows:
        coro, ruff, name = row["coro"], row.get("ruff"), row["file"]
        if ruff and name != "_pydecimal.py":
            target(
                f"{name}: keystroke p95 below ruff server's p50",
                coro["keystroke"]["p95"],
                ruff["keystroke"]["p50"],
            )
        for kind in ("keystroke", "codeAction"):
            for key, factor in (("p95", 0.25), ("p99", 0.5), ("max", 2.0)):
                target(
                    f"{name}: {kind} {key} ≤ {factor} × compile(10k)",
                    coro[kind][key],
                    factor * yardstick,
                )
        target(f"{name}: hover max ≤ 0.5 × compile(10k)", coro["hover"]["max"], 0.5 * yardstick)
        if name.startswith("50k"):
            target(f"{name}: open ≤ 3 × its compile()", coro["open"], 3 * row["compile"])
    print("\nTargets (issue 14):")
    print("\n".join(lines))


def _print_table(rows: list[dict[str, Any]]) -> None:
    ms = 1000.0
    header = (
        "| lines | compile() | parso parse | coro-ls open | coro-ls p50 / p95 / max | "
        "ruff p50 / open | p50 ÷ compile | p50 ÷ ruff | open ÷ parse | coro-ls peak RSS |"
    )
    print(header)
    print("|---" * (header.count("|") - 1) + "|")
    for row in rows:
        coro = row["coro"]
        ruff = row.get("ruff")
        ruff_cell = f"{ruff['p50'] * ms:.1f} / {ruff['open'] * ms:.0f} ms" if ruff else "—"
        ruff_ratio = f"{coro['p50'] / ruff['p50']:.2f}" if ruff else "—"
        print(
            f"| {row['lines']:,} | {row['compile'] * ms:.1f} ms | {row['parse'] * ms:.0f} ms | "
            f"{coro['open'] * ms:.0f} ms | "
            f"{coro['p50'] * ms:.2f} / {coro['p95'] * ms:.2f} / {coro['max'] * ms:.2f} ms | "
            f"{ruff_cell} | {coro['p50'] / row['compile']:.3f} | {ruff_ratio} | "
            f"{coro['open'] / row['parse']:.2f} | {coro['rss_mib']:.0f} MiB |"
        )
    first, last = rows[0]["coro"]["p50"], rows[-1]["coro"]["p50"]
    print(
        f"\np50 largest ÷ p50 smallest: {last / first:.2f} ({rows[-1]['lines']:,} vs "
        f"{rows[0]['lines']:,} lines); samples per size: {rows[0]['coro']['samples']}"
    )


if __name__ == "__main__":
    sys.exit(main())
