"""Random incremental edits through the protocol: after every step the server's diagnostics
equal those of a fresh server opening the editor's text, and its copy of the text is the
editor's.  This also drives the per-document incremental parsing of the store."""

from __future__ import annotations

from typing import Any

import pytest
from edit_strategies import edits, line_column, texts
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from inprocess import InProcessServer, change_message, fresh_diagnostics, open_message
from lsp_support import to_units

URI = "file:///edited.py"
SEED = (
    "import asyncio\r\n"
    "def f():\n"
    "    return [x async for x in g()]\n"
    "async def h():\n"
    "    yield 1\r"
    "    return 'é🐍'\n"
)
# Edits inside methods, nested classes, decorators and class-level statements: the
# document keeps class members as blocks of their own.
CLASS_SEED = (
    "class A(B):\n"
    "    x = await y\n"
    "    @d\n"
    "    def m(self):\n"
    "        return [i async for i in z]\n"
    "\n"
    "    class N:\r\n"
    "        async def n(self):\n"
    "            yield 1\n"
    "    def k(self): pass\n"
    "def f():\n"
    "    pass\n"
)


def lsp_position(text: str, offset: int, encoding: str) -> dict[str, int]:
    line, character = to_units(text, *line_column(text, offset), encoding)
    return {"line": line, "character": character}


class EditSession(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.server: InProcessServer | None = None

    @initialize(
        encoding=st.sampled_from(["utf-8", "utf-16", "utf-32"]),
        seed=st.sampled_from([SEED, CLASS_SEED]),
    )
    def open_document(self, encoding: str, seed: str) -> None:
        self.encoding = encoding
        self.server = InProcessServer(encoding)
        self.text = seed
        self.version = 1
        self.server.send(open_message(URI, self.text))

    def _change(self, data: st.DataObject) -> dict[str, Any]:
        edit = data.draw(edits(self.text))
        start = lsp_position(self.text, edit.start, self.encoding)
        end = lsp_position(self.text, edit.end, self.encoding)
        self.text = edit.apply(self.text)
        return {"range": {"start": start, "end": end}, "text": edit.new}

    @rule(data=st.data())
    def edit(self, data: st.DataObject) -> None:
        assert self.server is not None
        self.version += 1
        self.server.send(change_message(URI, self.version, [self._change(data)]))

    @rule(data=st.data(), count=st.integers(2, 4))
    def several_changes_in_one_message(self, data: st.DataObject, count: int) -> None:
        assert self.server is not None
        self.version += 1
        changes = [self._change(data) for _ in range(count)]
        self.server.send(change_message(URI, self.version, changes))

    @rule(data=st.data())
    def several_messages_in_one_turn(self, data: st.DataObject) -> None:
        assert self.server is not None
        messages = []
        for _ in range(3):
            self.version += 1
            messages.append(change_message(URI, self.version, [self._change(data)]))
        self.server.send(*messages)

    @rule(text=texts())
    def replace_everything(self, text: str) -> None:
        assert self.server is not None
        self.version += 1
        self.text = text
        self.server.send(change_message(URI, self.version, [{"text": text}]))

    @invariant()
    def same_as_a_fresh_open(self) -> None:
        if self.server is None:
            return
        document = self.server.server.documents.get(URI)
        assert document is not None and document.text == self.text
        published = self.server.latest(URI)
        assert published is not None and published["version"] == self.version
        assert published["diagnostics"] == fresh_diagnostics(self.text, self.encoding, URI)

    def teardown(self) -> None:
        if self.server is not None:
            self.server.close()


EditSession.TestCase.settings = settings(
    max_examples=50,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# About a minute and a half: 50 sessions of 25 steps, each checked against a fresh open.
test_random_edit_sessions_equal_a_fresh_open = pytest.mark.slow(EditSession.TestCase)
