"""Driving coro-ls over stdio as an editor does, and the oracle its diagnostics must equal.

The oracle is ``coro-ls check --output-format json -`` run on the same text, with its
character columns converted to LSP units by a table of code-unit widths written here
independently of the server's conversion code.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

# CORO_LS_TEST_COMMAND runs the suite against another build of the server (an installed
# ``coro-ls`` for instance); by default the package's own entry point is started.
COMMAND: list[str] = shlex.split(os.environ.get("CORO_LS_TEST_COMMAND", "")) or [
    sys.executable,
    "-m",
    "coro_ls",
]
TIMEOUT = 20.0
ENCODINGS = ("utf-8", "utf-16", "utf-32")


def unit_width(char: str, encoding: str) -> int:
    """Code units of one code point, from the encodings' definitions (surrogates included:
    a lone surrogate from a client is one UTF-16 unit and three UTF-8 bytes)."""
    point = ord(char)
    if encoding == "utf-32":
        return 1
    if encoding == "utf-16":
        return 2 if point > 0xFFFF else 1
    return 1 if point < 0x80 else 2 if point < 0x800 else 3 if point < 0x10000 else 4


def line_contents(text: str) -> list[str]:
    """The lines of ``text`` as LSP counts them: only \\r\\n, \\r and \\n end a line."""
    return re.split(r"\r\n|\r|\n", text)


def to_units(text: str, line: int, column: int, encoding: str) -> tuple[int, int]:
    """A 0-based (line, code-point column) -> (line, column in the encoding's units)."""
    prefix = line_contents(text)[line][:column]
    return line, sum(unit_width(char, encoding) for char in prefix)


def check_cli(text: str, *args: str) -> list[dict[str, Any]]:
    """What ``coro-ls check`` reports for ``text``."""
    result = subprocess.run(
        [*COMMAND, "check", "--output-format", "json", *args, "-"],
        input=text.encode("utf-8", "surrogatepass"),
        capture_output=True,
        timeout=120,
    )
    assert result.returncode in (0, 1), result.stderr.decode()
    return json.loads(result.stdout)


Key = tuple[tuple[int, int], tuple[int, int], str, str]


def expected(text: str, encoding: str, *args: str) -> list[Key]:
    """The diagnostics ``coro-ls check`` implies for ``text``, as comparable keys."""
    keys = []
    for report in check_cli(text, *args):
        start = to_units(text, report["line"] - 1, report["column"] - 1, encoding)
        end = to_units(text, report["end_line"] - 1, report["end_column"] - 1, encoding)
        keys.append((start, end, report["code"], report["message"]))
    return sorted(keys)


def expected_in_process(text: str, encoding: str) -> list[Key]:
    """As :func:`expected`, from the engine ``coro-ls check`` calls, without a process."""
    from coro_ls.engine.checker import check_source

    return sorted(
        (
            to_units(text, f.start[0] - 1, f.start[1], encoding),
            to_units(text, f.end[0] - 1, f.end[1], encoding),
            f.code,
            f.message,
        )
        for f in check_source(text)
    )


def keys(diagnostics: Sequence[types.Diagnostic]) -> list[Key]:
    return sorted(
        (
            (d.range.start.line, d.range.start.character),
            (d.range.end.line, d.range.end.character),
            str(d.code),
            d.message,
        )
        for d in diagnostics
    )


def wire_keys(diagnostics: Sequence[dict[str, Any]]) -> list[Key]:
    """:func:`keys` of diagnostics as JSON (from :mod:`lsp_wire`)."""
    return sorted(
        (
            (d["range"]["start"]["line"], d["range"]["start"]["character"]),
            (d["range"]["end"]["line"], d["range"]["end"]["character"]),
            str(d["code"]),
            d["message"],
        )
        for d in diagnostics
    )


def capabilities(
    encoding: str | None = None, *, pull: bool = False, related: bool = True
) -> types.ClientCapabilities:
    general = types.GeneralClientCapabilities(position_encodings=[encoding]) if encoding else None
    return types.ClientCapabilities(
        general=general,
        text_document=types.TextDocumentClientCapabilities(
            synchronization=types.TextDocumentSyncClientCapabilities(),
            publish_diagnostics=types.PublishDiagnosticsClientCapabilities(
                related_information=related, version_support=True, code_description_support=True
            ),
            diagnostic=types.DiagnosticClientCapabilities() if pull else None,
        ),
    )


@dataclass
class Published:
    """Every ``publishDiagnostics`` the client received, in order."""

    events: list[types.PublishDiagnosticsParams] = field(default_factory=list)

    def latest(self, uri: str) -> types.PublishDiagnosticsParams | None:
        return next((e for e in reversed(self.events) if e.uri == uri), None)

    async def wait(self, uri: str, version: int | None) -> list[types.Diagnostic]:
        """The diagnostics published for ``uri`` at ``version`` (``None``: a clearing publish)."""

        async def poll() -> list[types.Diagnostic]:
            while True:
                event = self.latest(uri)
                if event is not None and event.version == version:
                    return list(event.diagnostics)
                await asyncio.sleep(0.005)

        return await asyncio.wait_for(poll(), TIMEOUT)


class Editor:
    """A client session plus the bookkeeping an editor does (versions, texts)."""

    def __init__(
        self,
        client: LanguageClient,
        published: Published,
        encoding: str,
        result: types.InitializeResult | None = None,
    ) -> None:
        self.client = client
        self.published = published
        self.encoding = encoding
        self.result = result
        """The server's answer to ``initialize``."""
        self.versions: dict[str, int] = {}

    def open(self, uri: str, text: str) -> int:
        self.versions[uri] = 1
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)
            )
        )
        return 1

    def change(self, uri: str, *changes: types.TextDocumentContentChangeEvent) -> int:
        self.versions[uri] += 1
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(
                    uri=uri, version=self.versions[uri]
                ),
                content_changes=list(changes),
            )
        )
        return self.versions[uri]

    def close(self, uri: str) -> None:
        self.client.text_document_did_close(
            types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri=uri))
        )

    async def pull(
        self, uri: str, previous: str | None = None
    ) -> (
        types.RelatedFullDocumentDiagnosticReport | types.RelatedUnchangedDocumentDiagnosticReport
    ):
        return await asyncio.wait_for(
            self.client.text_document_diagnostic_async(
                types.DocumentDiagnosticParams(
                    text_document=types.TextDocumentIdentifier(uri=uri),
                    previous_result_id=previous,
                )
            ),
            TIMEOUT,
        )


def edit(
    text: str, start: tuple[int, int], end: tuple[int, int], new: str, encoding: str
) -> types.TextDocumentContentChangePartial:
    """A ranged change from 0-based (line, code-point column) positions of ``text``."""

    def position(at: tuple[int, int]) -> types.Position:
        line, character = to_units(text, at[0], at[1], encoding)
        return types.Position(line=line, character=character)

    return types.TextDocumentContentChangePartial(
        range=types.Range(start=position(start), end=position(end)), text=new
    )


def record_publishes(client: LanguageClient) -> Published:
    published = Published()
    features = client.protocol.fm.features
    original = features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS]

    def recording(params: types.PublishDiagnosticsParams) -> None:
        published.events.append(params)
        original(params)

    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = recording
    return published


@contextlib.asynccontextmanager
async def start_server(
    caps: types.ClientCapabilities,
    *,
    args: Sequence[str] = (),
    command: Sequence[str] | None = None,
    initialization_options: Any = None,
    root: Path | None = None,
    configuration: dict[str, Any] | None = None,
    registrations: list[types.Registration] | None = None,
    timeout: float = TIMEOUT,
) -> AsyncIterator[tuple[LanguageClient, types.InitializeResult]]:
    """The one way the tests start a server over stdio (pytest-lsp's client): from its entry
    point (or ``command``) plus ``args``, initialized with ``caps`` and the options given;
    shut down at the end, killed if the test failed first.

    ``configuration`` is what the client answers ``workspace/configuration`` with (section
    ``coroLs``); the server's dynamic registrations are appended to ``registrations``.
    """
    config = ClientServerConfig(server_command=[*(command or COMMAND), *args])
    client = await config.start()
    assert isinstance(client, LanguageClient)
    if configuration is not None:
        client.set_configuration(configuration, section="coroLs")
    registered = registrations if registrations is not None else []

    # VS Code's profile declares dynamic registration; pytest-lsp has no default answer.
    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        registered.extend(params.registrations)

    try:
        result = await asyncio.wait_for(
            client.initialize_session(
                types.InitializeParams(
                    capabilities=caps,
                    initialization_options=initialization_options,
                    root_uri=root.as_uri() if root else None,
                )
            ),
            timeout,
        )
        yield client, result
        await asyncio.wait_for(client.shutdown_session(), timeout)
    finally:
        # pygls' client.stop() waits for the server to exit: after a failure it never would.
        server = client._server
        if server is not None and server.returncode is None:
            server.kill()
        await client.stop()


def negotiated_encoding(result: types.InitializeResult) -> str:
    """The position encoding the server chose (UTF-16 when it says none)."""
    negotiated = result.capabilities.position_encoding
    return str(getattr(negotiated, "value", negotiated)) if negotiated else "utf-16"


@contextlib.asynccontextmanager
async def session(
    caps: types.ClientCapabilities,
    *,
    args: Sequence[str] = (),
    command: Sequence[str] | None = None,
) -> AsyncIterator[tuple[Editor, types.InitializeResult]]:
    """A server started by :func:`start_server`, with an editor's bookkeeping around its client."""
    async with start_server(caps, args=args, command=command) as (client, result):
        yield Editor(client, record_publishes(client), negotiated_encoding(result), result), result


# The editors whose recorded capabilities (pytest-lsp's profiles) the ``editor`` fixture of
# tests/conftest.py starts a server for, with the arguments each passes to the server.
CLIENTS: dict[str, tuple[str, ...]] = {
    # vscode-languageclient appends --stdio to the server's command line.
    "visual-studio-code": ("--stdio",),
    "neovim@v0.9.1": (),
    "neovim": (),  # 0.11: negotiates utf-8 and pulls diagnostics
    "emacs": (),  # Eglot 29: negotiates utf-32
}


def profile(name: str) -> types.ClientCapabilities:
    return pytest_lsp.client_capabilities(name)
