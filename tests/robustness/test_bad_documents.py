"""Documents no editor should send but some will: the server answers, keeps serving, and
reports only diagnostics CPython agrees with.

Each case is a document plus the text CPython judges in its place: the same text where
CPython can compile it, otherwise the text with the foreign part (NUL bytes, nesting deeper
than CPython allows, surrogates, not Python at all) left out or replaced column for column.
Where CPython compiles the document itself the diagnostics must equal its findings; elsewhere
they must be a subset (CPython rejects the whole file, so "fewer" is allowed, "other" is not).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from lsp_support import to_units, wire_keys
from oracle import cpython_findings

from lsp_wire import Connection, did_open, request

# Findings CPython reports in every case (the prefix of most documents).
PREFIX = (
    "import asyncio\n"
    "def sync():\n"
    "    await asyncio.sleep(1)\n"
    "async def agen():\n"
    "    yield 1\n"
    "    return 2\n"
)
HEALTHY_URI = "file:///healthy.py"
HEALTHY = "def g():\n    async with x:\n        pass\n"


@dataclass(frozen=True)
class Case:
    text: str
    judged: str
    """What CPython compiles in the document's place (same lines and columns)."""
    exact: bool


def _deep_async(body_lines: list[str]) -> str:
    return "async def deep():\n" + "".join(f"    {line}\n" for line in body_lines)


def _nested_blocks(depth: int) -> str:
    lines = [" " * (4 + i) + "if x:" for i in range(depth)]
    return "async def deep():\n" + "\n".join(lines) + "\n" + " " * (4 + depth) + "await y\n"


def _nested_async_defs(depth: int) -> str:
    lines = [" " * i + "async def f():" for i in range(depth)]
    return "\n".join(lines) + "\n" + " " * depth + "await y\n"


PARENS = 5000
CASES: dict[str, Case] = {
    "nul-bytes": Case(PREFIX + "x = 1\0\n\0\0", PREFIX, exact=False),
    "bom": Case("\ufeff" + PREFIX, PREFIX, exact=True),
    "cr": Case(PREFIX.replace("\n", "\r"), PREFIX, exact=True),
    "crlf": Case(PREFIX.replace("\n", "\r\n"), PREFIX, exact=True),
    "mixed-line-ends": Case(
        "import asyncio\r\ndef sync():\r    await asyncio.sleep(1)\nasync def agen():\r\n"
        "    yield 1\r    return 2\n",
        PREFIX,
        exact=True,
    ),
    "form-feeds": Case(
        "import asyncio\n\x0c\ndef sync():\n\x0c    await asyncio.sleep(1)\n\x0c\x0c\n",
        "import asyncio\n\x0c\ndef sync():\n\x0c    await asyncio.sleep(1)\n\x0c\x0c\n",
        exact=True,
    ),
    "form-feed-before-def": Case(
        "\x0cdef sync():\n\x0c    await x\n",
        "\x0cdef sync():\n\x0c    await x\n",
        exact=True,
    ),
    "tabs-and-spaces": Case(
        "def f():\n\tif x:\n\t        await y\n\t        async with z: pass\n",
        "def f():\n\tif x:\n\t        await y\n\t        async with z: pass\n",
        exact=True,
    ),
    # TabError for CPython; judged with the same columns, indented consistently.
    "inconsistent-tabs": Case(
        "def f():\n\tif x:\n        await y\n",
        "def f():\n\tif x:\n\t       await y\n",
        exact=False,
    ),
    "lone-surrogates": Case(
        "s = '\ud800'; await a\nt = '\udfff\ud83d'\ndef f(): return [x async for x in '\udc00']\n",
        "s = '\u0100'; await a\nt = '\u0101\u0102'\ndef f(): return [x async for x in '\u0103']\n",
        exact=True,
    ),
    "one-megabyte-line": Case(
        "x = '" + "a" * 900_000 + "'; y = [" + "1, " * 30_000 + "await z]\n" + PREFIX,
        "x = '" + "a" * 900_000 + "'; y = [" + "1, " * 30_000 + "await z]\n" + PREFIX,
        exact=True,
    ),
    "hundred-thousand-lines": Case(
        PREFIX + "x = 1\n" * 99_990 + "await last\n",
        PREFIX + "x = 1\n" * 99_990 + "await last\n",
        exact=True,
    ),
    "deep-parentheses": Case(
        PREFIX + _deep_async(["return " + "(" * PARENS + "await y" + ")" * PARENS]),
        PREFIX,
        exact=False,
    ),
    "deep-brackets": Case(
        PREFIX + _deep_async(["x = " + "[{" * PARENS + "1: await y" + "}]" * PARENS]),
        PREFIX,
        exact=False,
    ),
    "deep-blocks": Case(PREFIX + _nested_blocks(3000), PREFIX, exact=False),
    "deep-async-defs": Case(PREFIX + _nested_async_defs(1500), PREFIX, exact=False),
    "long-operator-chains": Case(
        PREFIX
        + _deep_async(
            [
                "a = " + "-" * 50_000 + "await y",
                "b = " + "not " * 20_000 + "await y",
                "c = await y" + " + 1" * 50_000,
                "d = y" + ".b" * 50_000 + "()" * 20_000,
                "e = " + "lambda: " * 3000 + "1",
                "f = " + "[" * 1000 + "await y for y in z" + "]" * 1000,
            ]
        ),
        PREFIX,
        exact=False,
    ),
    "json": Case('{"a": [1, 2, {"b": null}], "await": true}\n', "", exact=False),
    "c-source": Case(
        "#include <stdio.h>\nint main(void) { await(); return 0; }\n", "", exact=False
    ),
    "binary": Case(bytes(range(256)).decode("latin-1") * 40, "", exact=False),
    "prose": Case(
        "We await the results.\nasync with friends we yield from nothing.\n", "", exact=False
    ),
}


def oracle(judged: str) -> list[tuple[int, int, str, str]]:
    """CPython's findings as (LSP line, UTF-16 column, code, message)."""
    return sorted(
        (*to_units(judged, line - 1, column, "utf-16"), code, message)
        for line, column, code, message in cpython_findings(judged)
    )


def starts(diagnostics: list[dict]) -> list[tuple[int, int, str, str]]:
    return sorted((*start, code, message) for start, _, code, message in wire_keys(diagnostics))


# The 100,000-line document takes most of a minute.
SLOW_CASES = {"hundred-thousand-lines"}


@pytest.mark.parametrize(
    "name",
    [pytest.param(n, marks=[pytest.mark.slow] if n in SLOW_CASES else []) for n in CASES],
)
async def test_a_bad_document_gets_only_true_diagnostics_and_the_server_carries_on(
    name: str,
) -> None:
    case = CASES[name]
    uri = f"file:///{name}.py"
    expected = oracle(case.judged)
    connection = await Connection.start()
    try:
        await connection.initialized()
        connection.send(did_open(uri, case.text), did_open(HEALTHY_URI, HEALTHY))
        # Publishes go out in the order of the opens: once the healthy document's is here,
        # the bad one's is too (or was given up, which must leave a reason in the log).
        healthy = await connection.published(HEALTHY_URI, 1, timeout=60)
        assert [code for _, _, code, _ in wire_keys(healthy)] == ["CORO103"]
        published = [
            m["params"]["diagnostics"]
            for m in connection.received
            if m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri
        ]
        got = starts(published[-1]) if published else []
        if case.exact:
            assert published and got == expected
        else:
            assert set(got) <= set(expected), (got, expected)
        # Still serving, on the bad document too.
        connection.send(
            request(
                5,
                "textDocument/hover",
                {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 1}},
            )
        )
        assert "error" not in await connection.response(5)
        assert await connection.shutdown_and_exit() == 0
    finally:
        await connection.stop()
    log = await connection.log()
    if not published:
        assert f"{uri}" in log and ("failed" in log or "Error" in log), log[-2000:]
