"""Settings and notebooks over LSP: every source and its precedence, re-publication on
change, invalid values, severity, select/ignore, ``# noqa``, the marker, notebook sync.

Expected findings come from the engine for the target version the settings name (the engine
itself is compared with each CPython in tests/test_versions_oracle.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from lsp_support import start_server
from lsprotocol import types
from pytest_lsp import LanguageClient

from coro_ls.engine.checker import check_source

TIMEOUT = 20.0
COMMAND = [sys.executable, "-m", "coro_ls"]
# An error for 3.8-3.10, valid from 3.11 (bpo-33346).
NESTED = "async def f():\n    return [[i async for i in j] for j in y]\n"


def capabilities(*, pull: bool = False, configuration: bool = True) -> types.ClientCapabilities:
    return types.ClientCapabilities(
        workspace=types.WorkspaceClientCapabilities(
            configuration=configuration,
            did_change_configuration=types.DidChangeConfigurationClientCapabilities(
                dynamic_registration=True
            ),
            did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(
                dynamic_registration=True
            ),
            diagnostics=types.DiagnosticWorkspaceClientCapabilities(refresh_support=True),
        ),
        text_document=types.TextDocumentClientCapabilities(
            synchronization=types.TextDocumentSyncClientCapabilities(),
            publish_diagnostics=types.PublishDiagnosticsClientCapabilities(version_support=True),
            diagnostic=types.DiagnosticClientCapabilities() if pull else None,
        ),
        notebook_document=types.NotebookDocumentClientCapabilities(
            synchronization=types.NotebookDocumentSyncClientCapabilities()
        ),
    )


class Session:
    def __init__(self, client: LanguageClient, result: types.InitializeResult) -> None:
        self.client = client
        self.result = result
        self.registrations: list[types.Registration] = []

    def open(self, uri: str, text: str, version: int = 1) -> None:
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", version, text))
        )

    async def settled(self, uri: str, expected: list[tuple[int, str]]) -> list[types.Diagnostic]:
        """The diagnostics published for ``uri`` once their (line, code) are ``expected``.

        Eventually: a document opened before the editor's settings arrive is published
        once with the settings known then, and again when they change.
        """
        seen: list[types.Diagnostic] | None = None

        async def poll() -> list[types.Diagnostic]:
            nonlocal seen
            while True:
                found = self.client.diagnostics.get(uri)
                if found is not None:
                    seen = list(found)
                    if codes(seen) == expected:
                        return seen
                await asyncio.sleep(0.01)

        try:
            return await asyncio.wait_for(poll(), TIMEOUT)
        except asyncio.TimeoutError:
            last = None if seen is None else codes(seen)
            raise AssertionError(f"{uri}: expected {expected}, last published {last}") from None

    async def pull(self, uri: str, previous: str | None = None) -> Any:
        return await asyncio.wait_for(
            self.client.text_document_diagnostic_async(
                types.DocumentDiagnosticParams(
                    text_document=types.TextDocumentIdentifier(uri), previous_result_id=previous
                )
            ),
            TIMEOUT,
        )

    async def registered(self, method: str) -> types.Registration:
        """The registration for ``method`` (sent from ``initialized``, so maybe later)."""

        async def poll() -> types.Registration:
            while True:
                for registration in self.registrations:
                    if registration.method == method:
                        return registration
                await asyncio.sleep(0.01)

        return await asyncio.wait_for(poll(), TIMEOUT)

    async def message(self, fragment: str) -> str:
        async def poll() -> str:
            while True:
                for shown in self.client.messages:
                    if fragment in shown.message:
                        return shown.message
                await asyncio.sleep(0.01)

        return await asyncio.wait_for(poll(), TIMEOUT)


@contextlib.asynccontextmanager
async def session(
    caps: types.ClientCapabilities,
    *,
    options: Any = None,
    configuration: dict[str, Any] | None = None,
    root: Path | None = None,
) -> AsyncIterator[Session]:
    registrations: list[types.Registration] = []
    async with start_server(
        caps,
        initialization_options=options,
        root=root,
        configuration=configuration,
        registrations=registrations,
    ) as (client, result):
        current = Session(client, result)
        current.registrations = registrations
        yield current


def codes(diagnostics: list[types.Diagnostic]) -> list[tuple[int, str]]:
    return sorted((d.range.start.line + 1, str(d.code)) for d in diagnostics)


def engine(source: str, target: tuple[int, int], tla: bool = False) -> list[tuple[int, str]]:
    return sorted(
        (f.start[0], f.code) for f in check_source(source, target=target, top_level_await=tla)
    )


@pytest.fixture
def project(tmp_path: Path):
    def write(pyproject: str) -> Path:
        (tmp_path / "pyproject.toml").write_text(pyproject, encoding="utf-8")
        return tmp_path

    return write


# -- sources and precedence ----------------------------------------------------------------


async def test_initialization_options_set_the_target(tmp_path: Path) -> None:
    uri = (tmp_path / "a.py").as_uri()
    assert engine(NESTED, (3, 10)) == [(2, "CORO104")] and engine(NESTED, (3, 11)) == []
    async with session(capabilities(configuration=False), options={"targetVersion": "3.10"}) as s:
        s.open(uri, NESTED)
        await s.settled(uri, engine(NESTED, (3, 10)))


async def test_editor_settings_beat_initialization_options_and_are_re_read(tmp_path: Path) -> None:
    uri = (tmp_path / "a.py").as_uri()
    async with session(
        capabilities(),
        options={"targetVersion": "3.10"},
        configuration={"targetVersion": "3.12"},
    ) as s:
        await s.registered(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
        s.open(uri, NESTED)
        assert await s.settled(uri, []) == []
        # The user changes the setting: the client says so, the server asks again.
        s.client.set_configuration({"targetVersion": "3.9"}, section="coroLs")
        s.client.workspace_did_change_configuration(
            types.DidChangeConfigurationParams(settings=None)
        )
        await s.settled(uri, engine(NESTED, (3, 9)))


async def test_pushed_settings_are_used_when_the_client_cannot_be_asked(tmp_path: Path) -> None:
    uri = (tmp_path / "a.py").as_uri()
    async with session(capabilities(configuration=False)) as s:
        s.open(uri, NESTED)
        await s.settled(uri, engine(NESTED, sys.version_info[:2]))  # type: ignore[arg-type]
        s.client.workspace_did_change_configuration(
            types.DidChangeConfigurationParams(settings={"coroLs": {"targetVersion": "3.10"}})
        )
        await s.settled(uri, engine(NESTED, (3, 10)))


async def test_pyproject_then_requires_python_under_the_editor(project, tmp_path: Path) -> None:
    root = project('[project]\nrequires-python = ">=3.10"\n')
    uri = (root / "pkg" / "a.py").as_uri()
    async with session(capabilities(configuration=False)) as s:
        watcher = await s.registered(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
        assert "**/pyproject.toml" in str(watcher.register_options)
        s.open(uri, NESTED)
        await s.settled(uri, engine(NESTED, (3, 10)))
        # [tool.coro-ls] beats requires-python; the edit is noticed through the watcher.
        project('[project]\nrequires-python = ">=3.10"\n[tool.coro-ls]\ntarget-version = "3.11"\n')
        s.client.workspace_did_change_watched_files(
            types.DidChangeWatchedFilesParams(
                [types.FileEvent((root / "pyproject.toml").as_uri(), types.FileChangeType.Changed)]
            )
        )
        assert await s.settled(uri, []) == []
        # The editor's settings beat the pyproject.
        s.client.workspace_did_change_configuration(
            types.DidChangeConfigurationParams(settings={"coroLs": {"targetVersion": "3.8"}})
        )
        await s.settled(uri, engine(NESTED, (3, 8)))


async def test_invalid_values_are_shown_and_the_next_source_is_used(project) -> None:
    root = project('[tool.coro-ls]\ntarget-version = "3.10"\nseverity = {CORO101 = "loud"}\n')
    uri = (root / "a.py").as_uri()
    async with session(
        capabilities(),
        options={"targetVersion": "2.7", "topLevelAwait": "yes"},
        configuration={"select": "CORO999"},
    ) as s:
        s.open(uri, NESTED)
        await s.settled(uri, engine(NESTED, (3, 10)))
        target = await s.message("targetVersion")
        assert '"2.7"' in target and "3.8, 3.9, 3.10, 3.11, 3.12, 3.13, 3.14" in target
        assert '"auto", true or false' in await s.message("topLevelAwait")
        assert "CORO101" in await s.message("select")
        severity = await s.message("severity")
        assert '"error", "warning", "information" or "hint"' in severity
        assert "pyproject.toml" in severity


# -- what the settings do to diagnostics ---------------------------------------------------


async def test_select_ignore_severity_and_noqa(tmp_path: Path) -> None:
    uri = (tmp_path / "a.py").as_uri()
    source = (
        "def f():\n"
        "    await a\n"
        "    async for i in y: pass\n"
        "    async with b: pass\n"
        "    await c  # noqa: CORO101\n"
        "    await d  # noqa: CORO102\n"
        "    return [i async for i in y]  # noqa\n"
    )
    async with session(
        capabilities(),
        configuration={
            "select": ["CORO10"],
            "ignore": ["CORO103"],
            "severity": {"CORO1": "hint", "CORO101": "warning"},
        },
    ) as s:
        s.open(uri, source)
        found = await s.settled(uri, [(2, "CORO101"), (3, "CORO102"), (6, "CORO101")])
        assert codes(found) == [(2, "CORO101"), (3, "CORO102"), (6, "CORO101")]
        severities = {str(d.code): d.severity for d in found}
        assert severities == {
            "CORO101": types.DiagnosticSeverity.Warning,
            "CORO102": types.DiagnosticSeverity.Hint,
        }


async def test_per_file_ignores(project) -> None:
    root = project('[tool.coro-ls.per-file-ignores]\n"scripts/*" = ["CORO101"]\n')
    script, module = (root / "scripts" / "s.py").as_uri(), (root / "m.py").as_uri()
    async with session(capabilities(configuration=False)) as s:
        s.open(script, "def f():\n    await x\n")
        s.open(module, "def f():\n    await x\n")
        assert await s.settled(script, []) == []
        await s.settled(module, [(2, "CORO101")])


async def test_the_marker_and_top_level_await_modes(tmp_path: Path) -> None:
    uri = (tmp_path / "repl.py").as_uri()
    marked = "# coro-ls: top-level-await\nawait x\nf = lambda: await y\n"
    async with session(capabilities(configuration=False)) as s:
        s.open(uri, marked)
        assert await s.settled(uri, engine(marked, (3, 12), tla=True)) != []
        # Removing the marker (an edit on line 1) turns the module-level await into an error.
        s.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(uri=uri, version=2),
                [
                    types.TextDocumentContentChangePartial(
                        range=types.Range(types.Position(0, 0), types.Position(1, 0)), text=""
                    )
                ],
            )
        )
        await s.settled(uri, [(1, "CORO101"), (2, "CORO101")])
        # topLevelAwait = true: every module is checked as the asyncio REPL compiles it.
        s.client.workspace_did_change_configuration(
            types.DidChangeConfigurationParams(settings={"coroLs": {"topLevelAwait": True}})
        )
        await s.settled(uri, [(2, "CORO101")])


async def test_pull_clients_are_asked_to_pull_again(tmp_path: Path) -> None:
    uri = (tmp_path / "a.py").as_uri()
    async with session(capabilities(pull=True, configuration=False)) as s:
        s.open(uri, NESTED)
        first = await s.pull(uri)
        assert first.kind == "full" and list(first.items) == []
        assert (await s.pull(uri, first.result_id)).kind == "unchanged"
        refreshes = s.client.diagnostic_refresh_count
        s.client.workspace_did_change_configuration(
            types.DidChangeConfigurationParams(settings={"coroLs": {"targetVersion": "3.10"}})
        )

        async def refreshed() -> None:
            while s.client.diagnostic_refresh_count == refreshes:
                await asyncio.sleep(0.01)

        await asyncio.wait_for(refreshed(), TIMEOUT)
        second = await s.pull(uri, first.result_id)
        assert second.kind == "full" and codes(second.items) == engine(NESTED, (3, 10))
        assert uri not in s.client.diagnostics  # a pulling client is never pushed to


# -- notebooks -----------------------------------------------------------------------------


def _notebook(uri: str, cells: list[tuple[str, str]]) -> types.DidOpenNotebookDocumentParams:
    return types.DidOpenNotebookDocumentParams(
        notebook_document=types.NotebookDocument(
            uri=uri,
            notebook_type="jupyter-notebook",
            version=1,
            cells=[
                types.NotebookCell(
                    kind=types.NotebookCellKind.Code
                    if language == "python"
                    else types.NotebookCellKind.Markup,
                    document=f"{uri}#cell{index}",
                )
                for index, (language, _) in enumerate(cells)
            ],
        ),
        cell_text_documents=[
            types.TextDocumentItem(f"{uri}#cell{index}", language, 1, text)
            for index, (language, text) in enumerate(cells)
        ],
    )


NOTEBOOK_CELLS = [
    ("python", "await fetch()\n"),
    ("python", "f = lambda: await x\n"),
    ("markdown", "await nothing\n"),
]


def test_notebook_cells_oracle() -> None:
    """What the cells mean: CPython with the top-level-await flag accepts the first cell and
    rejects the lambda of the second."""
    import ast

    flags = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
    compile(NOTEBOOK_CELLS[0][1], "<cell>", "exec", flags=flags, dont_inherit=True)
    with pytest.raises(SyntaxError, match="'await' outside async function"):
        compile(NOTEBOOK_CELLS[1][1], "<cell>", "exec", flags=flags, dont_inherit=True)


async def test_notebook_cells_get_their_own_diagnostics(tmp_path: Path) -> None:
    uri = (tmp_path / "n.ipynb").as_uri()
    async with session(capabilities(configuration=False)) as s:
        assert s.result.capabilities.notebook_document_sync is not None
        s.client.notebook_document_did_open(_notebook(uri, NOTEBOOK_CELLS))
        assert await s.settled(f"{uri}#cell0", []) == []
        await s.settled(f"{uri}#cell1", [(1, "CORO101")])
        await asyncio.sleep(0.2)
        assert f"{uri}#cell2" not in s.client.diagnostics  # markdown is not checked
        # An edit in a cell, then a new cell.
        s.client.notebook_document_did_change(
            types.DidChangeNotebookDocumentParams(
                notebook_document=types.VersionedNotebookDocumentIdentifier(version=2, uri=uri),
                change=types.NotebookDocumentChangeEvent(
                    cells=types.NotebookDocumentCellChanges(
                        structure=types.NotebookDocumentCellChangeStructure(
                            array=types.NotebookCellArrayChange(
                                start=3,
                                delete_count=0,
                                cells=[
                                    types.NotebookCell(
                                        kind=types.NotebookCellKind.Code, document=f"{uri}#cell3"
                                    )
                                ],
                            ),
                            did_open=[
                                types.TextDocumentItem(
                                    f"{uri}#cell3", "python", 1, "class C:\n    await x\n"
                                )
                            ],
                        ),
                        text_content=[
                            types.NotebookDocumentCellContentChanges(
                                document=types.VersionedTextDocumentIdentifier(
                                    uri=f"{uri}#cell1", version=2
                                ),
                                changes=[types.TextDocumentContentChangeWholeDocument("f = 1\n")],
                            )
                        ],
                    )
                ),
            )
        )
        assert await s.settled(f"{uri}#cell1", []) == []
        await s.settled(f"{uri}#cell3", [(2, "CORO101")])
        s.client.notebook_document_did_close(
            types.DidCloseNotebookDocumentParams(
                notebook_document=types.NotebookDocumentIdentifier(uri),
                cell_text_documents=[
                    types.TextDocumentIdentifier(f"{uri}#cell{i}") for i in range(4)
                ],
            )
        )
        assert await s.settled(f"{uri}#cell3", []) == []


async def test_notebook_cells_are_pulled_like_documents(tmp_path: Path) -> None:
    uri = (tmp_path / "n.ipynb").as_uri()
    async with session(capabilities(pull=True, configuration=False)) as s:
        s.client.notebook_document_did_open(_notebook(uri, NOTEBOOK_CELLS))
        assert list((await s.pull(f"{uri}#cell0")).items) == []
        assert codes((await s.pull(f"{uri}#cell1")).items) == [(1, "CORO101")]
        # topLevelAwait = false applies to cells too.
        s.client.workspace_did_change_configuration(
            types.DidChangeConfigurationParams(settings={"coroLs": {"topLevelAwait": False}})
        )
        await asyncio.sleep(0.2)
        assert codes((await s.pull(f"{uri}#cell0")).items) == [(1, "CORO101")]
