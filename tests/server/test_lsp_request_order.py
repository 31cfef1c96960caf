"""Requests over stdio are answered against every change sent before them, whether or not
their diagnostics were published yet, and never against a change sent after them."""

from __future__ import annotations

import asyncio

from lsp_support import TIMEOUT, capabilities, session
from lsprotocol import types

URI = "file:///tmp/coro_ls_tests/order.py"
# A long file: the block asked about is the last one, after many others.
PADDING = "".join(f"def filler_{n}(x):\n    return x + {n}\n\n\n" for n in range(300))
SOURCE = PADDING + "async def f():\n    return await g()\n"
AWAIT_LINE = SOURCE.count("\n") - 1
AWAIT = types.Position(line=AWAIT_LINE, character=SOURCE.splitlines()[AWAIT_LINE].index("await"))
DEF_LINE = AWAIT_LINE - 1


def _at(line: int, character: int) -> types.Range:
    return types.Range(
        start=types.Position(line=line, character=character),
        end=types.Position(line=line, character=character),
    )


DROP_ASYNC = types.TextDocumentContentChangePartial(
    range=types.Range(
        start=types.Position(line=DEF_LINE, character=0),
        end=types.Position(line=DEF_LINE, character=len("async ")),
    ),
    text="",
)
ADD_ASYNC = types.TextDocumentContentChangePartial(range=_at(DEF_LINE, 0), text="async ")


async def _sent(coroutine):  # type: ignore[no-untyped-def]
    """The request written to the server now (pygls writes it when the coroutine starts)."""
    task = asyncio.ensure_future(coroutine)
    await asyncio.sleep(0)
    return task


def _hover(editor_client, line: int, character: int):  # type: ignore[no-untyped-def]
    return editor_client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=URI),
            position=types.Position(line=line, character=character),
        )
    )


def _code_actions(editor_client):  # type: ignore[no-untyped-def]
    return editor_client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=URI),
            range=_at(AWAIT.line, AWAIT.character),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )


def _titles(actions: list[types.CodeAction | types.Command] | None) -> list[str]:
    return [action.title for action in actions or ()]


async def test_a_request_sees_the_change_before_it_and_not_the_one_after() -> None:
    async with session(capabilities("utf-16")) as (editor, _):
        assert await editor.published.wait(URI, editor.open(URI, SOURCE)) == []

        # Dropping "async" makes the await an error with a "make async" fix; the request
        # goes out right behind that change, and the change restoring "async" right behind
        # the request, with no wait in between.
        editor.change(URI, DROP_ASYNC)
        actions = await _sent(_code_actions(editor.client))
        hover = await _sent(_hover(editor.client, AWAIT.line, AWAIT.character))
        restored = editor.change(URI, ADD_ASYNC)
        titles = _titles(await asyncio.wait_for(actions, TIMEOUT))
        assert "Make 'f' async (its callers must await it)" in titles
        result = await asyncio.wait_for(hover, TIMEOUT)
        assert result is not None and isinstance(result.contents, types.MarkupContent)
        assert "Not allowed here" in result.contents.value
        assert await editor.published.wait(URI, restored) == []

        # And the other way round: the request answers for the restored text.
        editor.change(URI, DROP_ASYNC)
        editor.change(URI, ADD_ASYNC)
        actions = await _sent(_code_actions(editor.client))
        hover = await _sent(_hover(editor.client, AWAIT.line, AWAIT.character))
        last = editor.change(URI, DROP_ASYNC)
        assert "Make 'f' async (its callers must await it)" not in _titles(
            await asyncio.wait_for(actions, TIMEOUT)
        )
        result = await asyncio.wait_for(hover, TIMEOUT)
        assert result is not None and isinstance(result.contents, types.MarkupContent)
        assert "Allowed here" in result.contents.value
        assert "Not allowed" not in result.contents.value
        assert len(await editor.published.wait(URI, last)) == 1
