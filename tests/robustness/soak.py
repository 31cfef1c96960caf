"""A long editing session in-process: edits over several documents with open/close cycles.

Run as a script for the figures in README's "Reliability" section::

    .venv/bin/python tests/robustness/soak.py --edits 20000

It reports the time per edit (handling plus the check and publish that follow) at the start
and at the end of the soak, the process's memory, and whether any closed document is still
alive.  ``test_soak.py`` runs a shorter soak and asserts the memory bound and the closes.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import resource
import statistics
import sys
import time
import weakref
from dataclasses import dataclass, field
from typing import Any

from inprocess import InProcessServer, change_message, close_message, open_message

SEED_TEXT = "import asyncio\n\n" + "".join(
    f"async def task{i}(q):\n    async for item in q:\n        await item\n\n"
    f"def helper{i}(x):\n    return [y for y in x]\n\n"
    for i in range(15)
)
SNIPPETS = ["await z", "async ", "x = 1", "\n", "    ", "yield 1", "return 2", "é", "🐍", "(", ")"]


def rss_bytes() -> int:
    """The process's resident memory now (Linux), else its peak."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024


@dataclass
class SoakReport:
    edits: int = 0
    opens: int = 0
    closes: int = 0
    first_edit_ms: list[float] = field(default_factory=list)
    last_edit_ms: list[float] = field(default_factory=list)
    rss_after_warmup: int = 0
    rss_end: int = 0
    peak_rss: int = 0
    survivors: int = 0
    open_at_end: int = 0

    def summary(self) -> dict[str, Any]:
        return {
            "edits": self.edits,
            "opens": self.opens,
            "closes": self.closes,
            "median ms per edit, first 1000": round(statistics.median(self.first_edit_ms), 3),
            "median ms per edit, last 1000": round(statistics.median(self.last_edit_ms), 3),
            "RSS after warm-up MB": round(self.rss_after_warmup / 2**20, 1),
            "RSS at end MB": round(self.rss_end / 2**20, 1),
            "peak RSS MB": round(self.peak_rss / 2**20, 1),
            "closed documents still alive": self.survivors,
        }


def soak(edits: int, documents: int = 4, cycle: int = 250, seed: int = 0) -> SoakReport:
    """``edits`` random edits round-robin over ``documents`` open documents; every ``cycle``
    edits one document is closed and a new one (a new uri) is opened in its place."""
    rng = random.Random(seed)
    server = InProcessServer("utf-16")
    report = SoakReport()
    texts: dict[str, str] = {}
    versions: dict[str, int] = {}
    closed: list[weakref.ref[Any]] = []
    serial = 0

    def open_new() -> str:
        nonlocal serial
        serial += 1
        uri = f"file:///soak/{serial}.py"
        texts[uri], versions[uri] = SEED_TEXT, 1
        server.send(open_message(uri, SEED_TEXT))
        report.opens += 1
        return uri

    def close(uri: str) -> None:
        document = server.server.documents.get(uri)
        assert document is not None
        closed.append(weakref.ref(document))
        del document
        server.send(close_message(uri))
        del texts[uri], versions[uri]
        report.closes += 1

    uris = [open_new() for _ in range(documents)]
    window = min(1000, max(edits // 10, 1))
    for step in range(edits):
        uri = uris[step % len(uris)]
        text = texts[uri]
        lines = text.split("\n")
        line = rng.randrange(len(lines))
        column = rng.randint(0, len(lines[line]))
        if rng.random() < 0.4 and len(lines[line]) > column:
            end = (line, min(len(lines[line]), column + rng.randint(1, 6)))
            new = ""
        else:
            end = (line, column)
            new = rng.choice(SNIPPETS)
        start_offset = sum(len(x) + 1 for x in lines[:line]) + column
        end_offset = sum(len(x) + 1 for x in lines[: end[0]]) + end[1]
        units = lambda s: len(s.encode("utf-16-le")) // 2  # noqa: E731
        change = {
            "range": {
                "start": {"line": line, "character": units(lines[line][:column])},
                "end": {"line": end[0], "character": units(lines[end[0]][: end[1]])},
            },
            "text": new,
        }
        texts[uri] = text[:start_offset] + new + text[end_offset:]
        versions[uri] += 1
        began = time.perf_counter()
        server.send(change_message(uri, versions[uri], [change]))
        elapsed = (time.perf_counter() - began) * 1000
        report.edits += 1
        if step < window:
            report.first_edit_ms.append(elapsed)
        elif step >= edits - window:
            report.last_edit_ms.append(elapsed)
        if step == window:
            gc.collect()
            report.rss_after_warmup = rss_bytes()
        report.peak_rss = max(report.peak_rss, rss_bytes()) if step % 100 == 0 else report.peak_rss
        if (step + 1) % cycle == 0:
            victim = uris.pop(rng.randrange(len(uris)))
            close(victim)
            uris.append(open_new())
    for uri in uris:
        document = server.server.documents.get(uri)
        assert document is not None and document.text == texts[uri], f"{uri} drifted"
    server.server.documents  # noqa: B018
    report.open_at_end = len(server.server.documents)
    server.close()
    gc.collect()
    report.survivors = sum(ref() is not None for ref in closed)
    report.rss_end = rss_bytes()
    report.peak_rss = max(report.peak_rss, report.rss_end)
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=20_000)
    parser.add_argument("--documents", type=int, default=4)
    parser.add_argument("--cycle", type=int, default=250, help="edits between close/open")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    began = time.monotonic()
    report = soak(args.edits, args.documents, args.cycle, args.seed)
    for key, value in report.summary().items():
        print(f"{key}: {value}")
    print(f"wall time s: {time.monotonic() - began:.1f}")
    return 0 if report.survivors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
