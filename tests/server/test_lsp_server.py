"""The server process: command line, TCP transport, documentation links, failure containment."""

from __future__ import annotations

import asyncio
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import pytest_lsp
import tomllib
from lsp_support import (
    COMMAND,
    TIMEOUT,
    capabilities,
    expected,
    keys,
    record_publishes,
    session,
)
from lsprotocol import types
from pygls.exceptions import JsonRpcInternalError

from coro_ls import __version__

ROOT = Path(__file__).resolve().parents[2]
SOURCE = 'x = "é🐍"; await y\n\ndef f():\n    return await g()\n'


def test_version_flag() -> None:
    result = subprocess.run([*COMMAND, "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert result.stdout.strip() == f"coro-ls {__version__}"


async def test_diagnostics_link_each_rule_to_its_readme_section() -> None:
    urls = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]
    base = urls["Documentation"].partition("#")[0]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    async with session(capabilities()) as (editor, _):
        diagnostics = await editor.published.wait(
            "file:///l.py", editor.open("file:///l.py", SOURCE)
        )
    assert diagnostics
    for diagnostic in diagnostics:
        assert diagnostic.code_description is not None
        assert diagnostic.code_description.href == f"{base}#{str(diagnostic.code).lower()}"
        # GitHub's anchor for "### CORO101" is "#coro101"
        assert re.search(rf"^### {diagnostic.code}\s*$", readme, re.MULTILINE)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_serves_over_tcp() -> None:
    port = free_port()
    server = subprocess.Popen([*COMMAND, "--tcp", "--host", "127.0.0.1", "--port", str(port)])
    client = pytest_lsp.make_test_lsp_client()
    try:
        for _ in range(200):  # the listener needs a moment to come up
            try:
                await client.start_tcp("127.0.0.1", port)
                break
            except OSError:
                await asyncio.sleep(0.1)
        else:
            pytest.fail("the TCP server never listened")
        published = record_publishes(client)
        result = await asyncio.wait_for(
            client.initialize_session(types.InitializeParams(capabilities=capabilities())),
            TIMEOUT,
        )
        assert result.server_info is not None and result.server_info.name == "coro-ls"
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                types.TextDocumentItem(
                    uri="file:///t.py", language_id="python", version=1, text=SOURCE
                )
            )
        )
        diagnostics = await published.wait("file:///t.py", 1)
        assert keys(diagnostics) == expected(SOURCE, "utf-16") != []
        await asyncio.wait_for(client.shutdown_session(), TIMEOUT)
        assert server.wait(timeout=TIMEOUT) == 0
    finally:
        if server.poll() is None:
            server.kill()
        await client.stop()


# The real engine, except that it fails on any document containing BOOM: a bug in a rule.
FAULTY = """
import sys
from coro_ls.engine.incremental import IncrementalDocument
real = IncrementalDocument.findings
def findings(self):
    if "BOOM" in self.text:
        raise RuntimeError("injected failure")
    return real(self)
IncrementalDocument.findings = findings
from coro_ls.cli.main import main
sys.exit(main(sys.argv[1:]))
"""
FAULTY_COMMAND = [sys.executable, "-c", FAULTY]


async def test_a_failing_check_publishes_nothing_and_the_server_carries_on(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    args = ["--log-file", str(log)]
    async with session(capabilities(), args=args, command=FAULTY_COMMAND) as (editor, _):
        editor.open("file:///boom.py", "await x  # BOOM\n")
        editor.open("file:///fine.py", SOURCE)
        assert keys(await editor.published.wait("file:///fine.py", 1)) == expected(
            SOURCE, "utf-16"
        )
        # Publishes go out in the order of the opens: the failed one would have come first.
        assert editor.published.latest("file:///boom.py") is None

        fixed = "await x  # fixed\n"
        version = editor.change(
            "file:///boom.py",
            types.TextDocumentContentChangePartial(
                range=types.Range(types.Position(0, 11), types.Position(0, 15)), text="fixed"
            ),
        )
        diagnostics = await editor.published.wait("file:///boom.py", version)
        assert keys(diagnostics) == expected(fixed, "utf-16") != []
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text and "RuntimeError: injected failure" in text


async def test_a_failing_pull_is_a_json_rpc_error_and_the_server_carries_on(
    tmp_path: Path,
) -> None:
    log = tmp_path / "server.log"
    args = ["--log-file", str(log)]
    caps = capabilities(pull=True)
    async with session(caps, args=args, command=FAULTY_COMMAND) as (editor, _):
        editor.open("file:///boom.py", "await x  # BOOM\n")
        editor.open("file:///fine.py", SOURCE)
        with pytest.raises(JsonRpcInternalError, match="injected failure"):
            await editor.pull("file:///boom.py")
        report = await editor.pull("file:///fine.py")
        assert keys(report.items) == expected(SOURCE, "utf-16") != []
    assert "RuntimeError: injected failure" in log.read_text(encoding="utf-8")


async def test_pulling_a_document_that_is_not_open_gives_an_empty_report() -> None:
    async with session(capabilities(pull=True)) as (editor, _):
        report = await editor.pull("file:///never-opened.py")
        assert report.kind == "full" and list(report.items) == []
