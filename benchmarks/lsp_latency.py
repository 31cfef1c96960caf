"""Edit-to-diagnostics latency of coro-ls, against CPython's compile() and ruff's server.

Builds files of about 1k, 10k and 50k lines from the running interpreter's standard library
(each module checked to compile), starts each server over stdio as an editor does (push
diagnostics), opens the file, and types ``    await x`` into a plain function near the end of
the file one character per ``didChange``, closed loop: the next keystroke goes out once the
diagnostics of the previous one arrived.  Every diagnostics set coro-ls publishes is compared
with a fresh ``coro_ls.engine.checker.check_source`` of the same text.

    python benchmarks/lsp_latency.py                 # 1k/10k/50k, 5 repeats
    python benchmarks/lsp_latency.py --sizes 1000 --repeats 1 --no-ruff   # a quick smoke run

It prints one table; it asserts nothing about speed (the correctness check does fail the run).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import sysconfig
import tempfile
import time
from pathlib import Path
from typing import Any

# Run as a script, the repository root (where lsp_wire lives) is not on the path.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lsp_wire import Connection, notification  # noqa: E402

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
            "textDocument": {"publishDiagnostics": {"versionSupport": True}},
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


async def measure(command: list[str], text: str, repeats: int, check: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
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
        await client.diagnostics(uri, 1, mark)
        opened = time.perf_counter() - started
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
        _verify(checked)
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


def _verify(checked: list[tuple[str, list[dict]]]) -> None:
    """Each published set must be what a fresh check of that text gives."""
    from coro_ls.engine.checker import check_source

    for text, diagnostics in checked:
        expected = sorted(
            (f.code, f.start[0] - 1, f.start[1], f.end[0] - 1, f.end[1])
            for f in check_source(text)
        )
        got = sorted(
            (
                d.get("code"),
                d["range"]["start"]["line"],
                d["range"]["start"]["character"],
                d["range"]["end"]["line"],
                d["range"]["end"]["character"],
            )
            for d in diagnostics
        )
        if expected != got:
            raise SystemExit(f"wrong diagnostics published: expected {expected}, got {got}")


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-ruff", action="store_true", help="skip ruff server")
    parser.add_argument("--no-check", action="store_true", help="skip the correctness check")
    args = parser.parse_args()
    ruff = None if args.no_ruff else shutil.which("ruff")
    coro = [sys.executable, "-m", "coro_ls"]
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
    _print_table(rows)
    return 0


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
