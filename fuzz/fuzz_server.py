"""Fuzz the coro-ls server process over stdio with mutated LSP messages and random bytes.

Each session starts a server, sends well-formed messages of every method the server handles
with random mutations (wrong types, missing and extra fields, extreme values, methods swapped,
lifecycle out of order), framed random bytes and unframed garbage, and probes after every
few messages with a request that must be answered.  A server that exits on its own is a
crash, a probe left unanswered is a hang; the bytes of that session are written to
``--out`` as a reproducer (replay: ``python -m coro_ls < reproducer.bin``, or
``fuzz_server.py --replay reproducer.bin``).

    .venv/bin/python fuzz/fuzz_server.py --messages 5000          # a given number of messages
    .venv/bin/python fuzz/fuzz_server.py --seconds 600 --seed 7   # or for a given time

Exit status 0 if nothing crashed or hung, 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Run as a script, the repository root (where lsp_wire lives) is not on the path.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lsp_wire import (  # noqa: E402
    SERVER_COMMAND,
    Connection,
    ServerStopped,
    frame,
    notification,
    request,
)

PROBE_TIMEOUT = 15.0
URI = "file:///fuzz.py"
TEXT = "import asyncio\ndef f():\n    await g()\n    async with x:\n        pass\n"
POSITION = {"line": 2, "character": 5}
RANGE = {"start": {"line": 1, "character": 0}, "end": {"line": 2, "character": 9}}
DOC = {"uri": URI}

# A well-formed example of each method the server handles (params; None: no params).
TEMPLATES: dict[str, tuple[bool, Any]] = {
    "initialize": (True, {"processId": None, "rootUri": None, "capabilities": {}}),
    "initialized": (False, {}),
    "shutdown": (True, None),
    "textDocument/didOpen": (
        False,
        {"textDocument": {"uri": URI, "languageId": "python", "version": 1, "text": TEXT}},
    ),
    "textDocument/didChange": (
        False,
        {
            "textDocument": {"uri": URI, "version": 2},
            "contentChanges": [{"range": RANGE, "text": "async def f():\n    await g()"}],
        },
    ),
    "textDocument/didSave": (False, {"textDocument": DOC}),
    "textDocument/didClose": (False, {"textDocument": DOC}),
    "textDocument/hover": (True, {"textDocument": DOC, "position": POSITION}),
    "textDocument/codeAction": (
        True,
        {
            "textDocument": DOC,
            "range": RANGE,
            "context": {
                "diagnostics": [
                    {
                        "range": RANGE,
                        "message": "'await' outside async function",
                        "code": "CORO101",
                        "source": "coro-ls",
                        "data": {"x": 1},
                    }
                ],
                "only": ["quickfix", "refactor.inline"],
            },
        },
    ),
    "codeAction/resolve": (
        True,
        {
            "title": "Expand",
            "kind": "refactor.inline",
            "data": {"uri": URI, "version": 1, "line": 4, "column": 4},
        },
    ),
    "textDocument/diagnostic": (True, {"textDocument": DOC, "previousResultId": "1"}),
    "workspace/didChangeConfiguration": (
        False,
        {"settings": {"coroLs": {"targetVersion": "3.8", "select": ["CORO101"]}}},
    ),
    "workspace/didChangeWatchedFiles": (
        False,
        {"changes": [{"uri": "file:///pyproject.toml", "type": 2}]},
    ),
    "workspace/executeCommand": (True, {"command": "coroLs.nothing", "arguments": [1]}),
    "workspace/didChangeWorkspaceFolders": (
        False,
        {"event": {"added": [{"uri": "file:///w", "name": "w"}], "removed": []}},
    ),
    "notebookDocument/didOpen": (
        False,
        {
            "notebookDocument": {
                "uri": "file:///n.ipynb",
                "notebookType": "jupyter-notebook",
                "version": 1,
                "cells": [{"kind": 2, "document": "file:///n.ipynb#c1"}],
            },
            "cellTextDocuments": [
                {
                    "uri": "file:///n.ipynb#c1",
                    "languageId": "python",
                    "version": 1,
                    "text": "await x\n",
                }
            ],
        },
    ),
    "notebookDocument/didChange": (
        False,
        {
            "notebookDocument": {"uri": "file:///n.ipynb", "version": 2},
            "change": {
                "cells": {
                    "textContent": [
                        {
                            "document": {"uri": "file:///n.ipynb#c1", "version": 2},
                            "changes": [{"text": "def f(): await x\n"}],
                        }
                    ]
                }
            },
        },
    ),
    "notebookDocument/didClose": (
        False,
        {
            "notebookDocument": {"uri": "file:///n.ipynb"},
            "cellTextDocuments": [{"uri": "file:///n.ipynb#c1"}],
        },
    ),
    "notebookDocument/didSave": (False, {"notebookDocument": {"uri": "file:///n.ipynb"}}),
    "exit": (False, None),
    "$/cancelRequest": (False, {"id": 1}),
    "$/setTrace": (False, {"value": "verbose"}),
    "window/workDoneProgress/cancel": (False, {"token": "t"}),
}
EXTREMES: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    2**31,
    -(2**31) - 1,
    2**53 + 1,
    2**64,
    1e308,
    -0.5,
    float("nan"),
    "",
    "x" * 10_000,
    "\ud800",
    "\x00",
    "🐍" * 3,
    [],
    {},
    [[[[[]]]]],
    {"a": {"b": {"c": None}}},
    "file:///",
    "untitled:Untitled-1",
    "../../etc/passwd",
]


@dataclass
class Stats:
    sessions: int = 0
    messages: int = 0
    mutated: int = 0
    random_bytes: int = 0
    answered_errors: dict[int, int] = field(default_factory=dict)
    internal_errors: list[str] = field(default_factory=list)
    """-32603 answers: a handler raised (answered, logged, but a bug to look at)."""
    crashes: list[str] = field(default_factory=list)
    hangs: list[str] = field(default_factory=list)


def well_formed(rng: random.Random, method: str, msg_id: int) -> dict[str, Any]:
    is_request, params = TEMPLATES[method]
    message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
    if is_request:
        message["id"] = msg_id
    if params is not None:
        message["params"] = copy.deepcopy(params)
    return message


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*prefix, index))
    return found


def mutate(rng: random.Random, message: dict[str, Any]) -> dict[str, Any]:
    """One to three random mutations somewhere in ``message``."""
    for _ in range(rng.randint(1, 3)):
        path = rng.choice([p for p in paths(message) if p])
        parent: Any = message
        for key in path[:-1]:
            parent = parent[key]
        key = path[-1]
        action = rng.random()
        if action < 0.25 and isinstance(parent, dict):
            del parent[key]
        elif action < 0.35 and isinstance(parent, dict):
            parent[f"extra{rng.randint(0, 9)}"] = copy.deepcopy(rng.choice(EXTREMES))
        elif action < 0.45 and key == "method":
            # never "exit": a session ends only where the fuzzer expects it to
            parent[key] = rng.choice(
                [*(m for m in TEMPLATES if m != "exit"), "no/such", "$/unknown", ""]
            )
        elif action < 0.55 and isinstance(parent[key], int) and not isinstance(parent[key], bool):
            parent[key] = rng.choice([-1, 2**31, 2**53 + 1, -(2**63), parent[key] + 1])
        else:
            parent[key] = copy.deepcopy(rng.choice(EXTREMES))
    return message


def random_bytes(rng: random.Random) -> bytes:
    blob = bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 300)))
    if rng.random() < 0.6:
        return frame(blob)
    # Unframed garbage, ended so that the next header starts a line of its own.
    return blob.replace(b"\n", b" ") + b"\r\n\r\n"


async def probe(connection: Connection, msg_id: str) -> str | None:
    """None if the server answered ``msg_id``; else "crash" or "hang"."""
    hover = {"textDocument": DOC, "position": POSITION}
    try:
        await connection.call(msg_id, "textDocument/hover", hover, timeout=PROBE_TIMEOUT)
    except ServerStopped:
        return "crash"
    except asyncio.TimeoutError:
        return "crash" if connection.process.returncode is not None else "hang"
    return None


async def run_session(
    rng: random.Random, count: int, stats: Stats, out: Path, number: int
) -> None:
    # Requests from the server are answered emptily.
    session = await Connection.start(stderr=asyncio.subprocess.DEVNULL, answer=lambda _: None)
    process = session.process
    stats.sessions += 1
    failure = None
    shut_down = False
    try:
        # Lifecycle: usually in order, sometimes requests first (they must be refused).
        if rng.random() < 0.85:
            init = well_formed(rng, "initialize", 0)
            session.send(init)
            session.send(well_formed(rng, "initialized", 0))
            session.send(well_formed(rng, "textDocument/didOpen", 0))
        methods = [m for m in TEMPLATES if m not in ("shutdown", "exit")]
        exited = False
        for index in range(count):
            roll = rng.random()
            if roll < 0.01:
                # exit in the middle of a session: the server must end, with 0 only after an
                # acknowledged shutdown.
                session.send(well_formed(rng, "exit", 0))
                stats.messages += 1
                exited = True
                try:
                    status = await asyncio.wait_for(process.wait(), PROBE_TIMEOUT)
                except asyncio.TimeoutError:
                    failure = "hang"
                else:
                    if status not in (0, 1):
                        failure = "crash"
                break
            if roll < 0.08:
                session.send(random_bytes(rng))
                stats.random_bytes += 1
            else:
                message = well_formed(rng, rng.choice(methods), index + 1)
                if roll < 0.75:
                    message = mutate(rng, message)
                    stats.mutated += 1
                if message.get("method") == "shutdown" and "id" in message:
                    shut_down = True
                session.send(message)
            stats.messages += 1
            if index % 10 == 9 or index == count - 1:
                if shut_down:
                    break  # the probe would be refused after shutdown: end the session
                failure = await probe(session, f"probe-{index}")
                if failure:
                    break
        if failure is None and not exited:
            session.send(request("end", "shutdown"), notification("exit"))
            try:
                status = await asyncio.wait_for(process.wait(), PROBE_TIMEOUT)
            except asyncio.TimeoutError:
                failure = "hang"
            else:
                # 0 after an acknowledged shutdown; 1 if the session was already shut down or
                # the lifecycle was out of order (a refused initialize, exit without shutdown).
                if status not in (0, 1):
                    failure = "crash"
        answers = {m.get("id"): m for m in session.received if "method" not in m}
        for answer in answers.values():
            code = answer.get("error", {}).get("code")
            if code is not None:
                stats.answered_errors[code] = stats.answered_errors.get(code, 0) + 1
            if code == -32603:
                stats.internal_errors.append(str(answer["error"].get("message"))[:300])
    finally:
        await session.stop()
    if failure:
        out.mkdir(parents=True, exist_ok=True)
        path = out / f"session-{number}-{failure}.bin"
        path.write_bytes(bytes(session.sent))
        (stats.crashes if failure == "crash" else stats.hangs).append(str(path))


async def fuzz(
    messages: int, seconds: float | None, seed: int, per_session: int, out: Path
) -> Stats:
    rng = random.Random(seed)
    stats = Stats()
    began = time.monotonic()
    number = 0
    while True:
        if seconds is not None and time.monotonic() - began >= seconds:
            break
        if seconds is None and stats.messages >= messages:
            break
        number += 1
        await run_session(rng, per_session, stats, out, number)
    return stats


async def replay(path: Path) -> int:
    process = await asyncio.create_subprocess_exec(*SERVER_COMMAND, stdin=asyncio.subprocess.PIPE)
    assert process.stdin is not None
    process.stdin.write(path.read_bytes())
    await process.stdin.drain()
    process.stdin.close()
    return await process.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000, help="messages to send in all")
    parser.add_argument("--seconds", type=float, help="fuzz for this long instead")
    parser.add_argument("--per-session", type=int, default=200, help="messages per server process")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("fuzz/reproducers"))
    parser.add_argument("--replay", type=Path, help="send a reproducer's bytes to a server")
    args = parser.parse_args(argv)
    if args.replay:
        status = asyncio.run(replay(args.replay))
        print(f"server exit status {status}")
        return 0
    began = time.monotonic()
    stats = asyncio.run(fuzz(args.messages, args.seconds, args.seed, args.per_session, args.out))
    print(f"sessions: {stats.sessions}")
    print(
        f"messages: {stats.messages} (mutated {stats.mutated}, random bytes {stats.random_bytes})"
    )
    print(f"error answers by code: {dict(sorted(stats.answered_errors.items()))}")
    print(f"internal errors: {len(stats.internal_errors)} {stats.internal_errors[:5]}")
    print(f"crashes: {len(stats.crashes)} {stats.crashes}")
    print(f"hangs: {len(stats.hangs)} {stats.hangs}")
    print(f"seconds: {time.monotonic() - began:.1f}")
    return 1 if stats.crashes or stats.hangs else 0


if __name__ == "__main__":
    sys.exit(main())
