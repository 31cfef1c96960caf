"""Random incremental edits through the protocol: after every step the server's diagnostics
equal those of a fresh server opening the editor's text, and its copy of the text is the
editor's.  This also drives the per-document incremental parsing of the store."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from inprocess import InProcessServer, change_message, fresh_diagnostics, open_message

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
PIECES = st.sampled_from(
    [
        "await x",
        "async ",
        "async for i in j: pass",
        "async with m: pass",
        "yield from y",
        "return 1",
        "def k():",
        "async def k():",
        "class C:",
        "class ",
        "def ",
        "@d",
        "\n    def m(self):",
        "\n        ",
        "lambda: ",
        "\n",
        "\r\n",
        "\r",
        "    ",
        "\t",
        "(",
        ")",
        "[",
        "]",
        ":",
        "é",
        "🐍",
        "\u2028",
        "\x0c",
        " ",
        "x",
        "#",
        "'",
        '"""',
        "\\",
    ]
)
INSERTION = st.lists(PIECES, min_size=0, max_size=4).map("".join)
LINE_BREAK = re.compile(r"\r\n|\r|\n")


def line_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in LINE_BREAK.finditer(text)]


def units(text: str, encoding: str) -> int:
    if encoding == "utf-32":
        return len(text)
    if encoding == "utf-16":
        return len(text.encode("utf-16-le", "surrogatepass")) // 2
    return len(text.encode("utf-8", "surrogatepass"))


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

    def _position(self, data: st.DataObject) -> tuple[int, dict[str, int]]:
        """A random position of the text: (code-point offset, LSP position)."""
        starts = line_starts(self.text)
        line = data.draw(st.integers(0, len(starts) - 1))
        end = starts[line + 1] if line + 1 < len(starts) else len(self.text)
        content = LINE_BREAK.sub("", self.text[starts[line] : end])
        column = data.draw(st.integers(0, len(content)))
        offset = starts[line] + column
        character = units(content[:column], self.encoding)
        return offset, {"line": line, "character": character}

    def _change(self, data: st.DataObject) -> dict[str, Any]:
        (a, start), (b, end) = self._position(data), self._position(data)
        if a > b:
            (a, start), (b, end) = (b, end), (a, start)
        new = data.draw(INSERTION)
        self.text = self.text[:a] + new + self.text[b:]
        return {"range": {"start": start, "end": end}, "text": new}

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

    @rule(text=st.lists(PIECES, max_size=12).map("".join))
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
test_random_edit_sessions_equal_a_fresh_open = EditSession.TestCase
