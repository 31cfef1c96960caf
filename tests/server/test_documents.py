"""The document store: LSP line rules, clamped edits, diff-parsed trees equal to fresh parses."""

from __future__ import annotations

import gc
import logging
import weakref
from pathlib import Path

import pytest
from edit_strategies import edits, insertions, line_column, texts
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsp_support import line_contents, unit_width
from lsprotocol import types
from parso.utils import split_lines

from coro_ls.engine import checker as engine
from coro_ls.engine import incremental
from coro_ls.engine.versions import SUPPORTED, running_version
from coro_ls.server.documents import Document, DocumentStore, UnappliableEdit


def lsp_splice(text: str, start: tuple[int, int], end: tuple[int, int], new: str) -> str:
    """An LSP range edit as the spec defines it, on the plain string (0-based positions in
    code points): a line past the end is the end of the text, a character past the end of a
    line is the end of that line's content; here an inverted range is taken reversed."""
    contents = line_contents(text)
    offsets, total = [], 0
    rest = text
    for content in contents:
        offsets.append(total)
        terminator = (
            "\r\n"
            if rest[len(content) :].startswith("\r\n")
            else rest[len(content) : len(content) + 1]
        )
        total += len(content) + len(terminator)
        rest = rest[len(content) + len(terminator) :]

    def offset(at: tuple[int, int]) -> int:
        if at[0] >= len(contents):
            return len(text)
        return offsets[at[0]] + min(at[1], len(contents[at[0]]))

    a, b = sorted((offset(start), offset(end)))
    return text[:a] + new + text[b:]


def change(
    start: tuple[int, int], end: tuple[int, int], new: str
) -> types.TextDocumentContentChangePartial:
    return types.TextDocumentContentChangePartial(
        range=types.Range(types.Position(*start), types.Position(*end)), text=new
    )


POSITIONS = st.tuples(st.integers(0, 8), st.integers(0, 12))


@settings(max_examples=300, deadline=None)
@given(
    texts(max_pieces=30),
    st.lists(st.tuples(POSITIONS, POSITIONS, insertions()), max_size=8),
)
def test_edits_follow_lsp_line_rules_and_clamping(
    text: str, edits: list[tuple[tuple[int, int], tuple[int, int], str]]
) -> None:
    # utf-32: columns are code points, so the oracle's positions are the client's positions.
    document = Document("file:///t.py", text, 1, target=running_version(), top_level_await=False)
    for start, end, new in edits:
        count = len(split_lines(text))
        if any(line > count or (line == count and column) for line, column in (start, end)):
            # A line the document does not have: the copies diverged; nothing is applied.
            with pytest.raises(UnappliableEdit):
                document.apply_changes([change(start, end, new)], "utf-32")
            assert document.text == text
            continue
        document.apply_changes([change(start, end, new)], "utf-32")
        text = lsp_splice(text, start, end, new)
        assert document.text == text
        assert list(document.lines) == split_lines(text, keepends=True)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-32"])
def test_edits_after_a_form_feed_and_line_separator_land_on_the_right_line(encoding: str) -> None:
    # pygls' TextDocument splits at \x0c and U+2028 and would edit line 3 of its own count.
    text = "a = 1\n\x0c\nb = '\u2028🐍'\ndef f():\n    return 1\n"
    document = Document("file:///ff.py", text, 1, target=running_version(), top_level_await=False)
    column = sum(unit_width(c, encoding) for c in "b = '\u2028🐍'")
    document.apply_changes(
        [change((2, column), (2, column), "; await x"), change((4, 4), (4, 12), "pass")], encoding
    )
    assert document.text == "a = 1\n\x0c\nb = '\u2028🐍'; await x\ndef f():\n    pass\n"


def test_changes_in_one_event_apply_in_order() -> None:
    # Each range refers to the text left by the previous change (ruff's "redo_edit" case).
    document = Document(
        "file:///o.py", "def f():\n    pass\n", 1, target=running_version(), top_level_await=False
    )
    document.apply_changes(
        [
            change((0, 0), (0, 0), "async "),
            change((0, 14), (0, 14), "\n    x = 1"),
            change((2, 4), (2, 8), "await y"),
            types.TextDocumentContentChangeWholeDocument(text="async def g():\n    await z\n"),
            change((1, 4), (1, 4), "return "),
        ],
        "utf-16",
    )
    assert document.text == "async def g():\n    return await z\n"


def test_an_inverted_range_is_taken_reversed_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    document = Document(
        "file:///i.py", "abcdef\n", 1, target=running_version(), top_level_await=False
    )
    with caplog.at_level(logging.WARNING):
        document.apply_changes([change((0, 4), (0, 1), "X")], "utf-16")
    assert document.text == "aXef\n"
    assert "inverted" in caplog.text


def test_a_clamped_range_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    document = Document(
        "file:///c.py", "ab\ncd", 1, target=running_version(), top_level_await=False
    )
    with caplog.at_level(logging.WARNING):
        document.apply_changes([change((0, 9), (1, 7), "!")], "utf-16")
    assert document.text == "ab!"
    assert "clamped" in caplog.text


def test_a_range_beyond_the_last_line_is_not_applied() -> None:
    store = DocumentStore()
    store.open("file:///b.py", "ab\ncd", 1)
    with pytest.raises(UnappliableEdit):
        store.change("file:///b.py", 2, [change((0, 0), (5, 0), "!")], "utf-16")
    document = store["file:///b.py"]
    assert document.text == "ab\ncd" and document.broken
    # Later edits are not applied to a text that no longer matches the client's.
    assert store.change("file:///b.py", 3, [change((0, 0), (0, 0), "x")], "utf-16") is None
    assert document.text == "ab\ncd"
    store.open("file:///b.py", "fresh", 4)
    assert not store["file:///b.py"].broken


def leaves(module) -> list[tuple[str, str, str, tuple[int, int]]]:
    out, leaf = [], module.get_first_leaf()
    while leaf is not None:
        out.append((leaf.type, leaf.value, leaf.prefix, leaf.start_pos))
        leaf = leaf.get_next_leaf()
    return out


@pytest.mark.parametrize(
    "target, module",
    [
        (SUPPORTED[0], engine),
        ((3, 11), engine),
        (SUPPORTED[-1], engine),
        # Classes: edits inside methods, nested blocks, headers turned into defs.
        (SUPPORTED[0], incremental),
        ((3, 11), incremental),
    ],
)
@settings(
    max_examples=2,
    deadline=None,
    suppress_health_check=[HealthCheck.data_too_large, HealthCheck.large_base_example],
)
@given(data=st.data())
def test_the_block_a_request_sees_follows_random_edits(target, module, data) -> None:
    source = Path(module.__file__).read_text(encoding="utf-8")
    document = Document("file:///d.py", source, 1, target=target, top_level_await=False)
    text = source
    # Two walks of 200 edits per case (the first one simple: what hypothesis starts from).
    for step in range(200):
        edit = data.draw(edits(text, max_pieces=2, max_lines=3))
        start, end = line_column(text, edit.start), line_column(text, edit.end)
        document.apply_changes([change(start, end, edit.new)], "utf-32")
        text = edit.apply(text)
        if step % 8 == 0:
            asked = data.draw(st.integers(1, len(line_contents(text))))
            view = document.view_at(asked)
            lines = split_lines(text, keepends=True)
            assert asked in view.document_lines, f"step {step}"
            block_text = "".join(
                lines[view.document_lines.start - 1 : view.document_lines.stop - 1]
            )
            assert view.text == block_text, f"step {step}"
            # The block's tree is the text of its lines (the last block's trailing comments
            # live in the endmarker, which is no statement).
            code = "".join(statement.get_code() for statement in view.statements)
            if view.block.opens is not None:
                # A class header's block: its members are blocks of their own.
                code = code[: len(block_text)]
            assert block_text.startswith(code), f"step {step}"
            if step % 100 == 0:
                assert document.findings() == engine.check_source(text, target=target)
    assert document.findings() == engine.check_source(text, target=target)


def test_documents_do_not_share_trees() -> None:
    store = DocumentStore()
    a = store.open("file:///a.py", "def f():\n    pass\n", 1)
    b = store.open("file:///b.py", "def f():\n    pass\n", 1)
    b_tree = b.view_at(1).statements[0]
    store.change("file:///a.py", 2, [change((1, 4), (1, 8), "await x")], "utf-16")
    assert a.view_at(1).statements[0].get_code() == "def f():\n    await x\n"
    assert b.view_at(1).statements[0] is b_tree
    assert b_tree.get_code() == "def f():\n    pass\n"


def test_closing_a_document_frees_it() -> None:
    store = DocumentStore()
    document = store.open("file:///gone.py", "await x\n", 1)
    document.findings()
    ref = weakref.ref(document)  # parso nodes have __slots__ and no weakrefs: the tree is
    del document  # only reachable through its document
    assert store.close("file:///gone.py")
    gc.collect()
    assert ref() is None
    assert "file:///gone.py" not in store and len(store) == 0
    assert store.change("file:///gone.py", 2, [change((0, 0), (0, 0), "x")], "utf-16") is None


def test_findings_follow_each_revision_and_the_target() -> None:
    store = DocumentStore(target=(3, 8))
    document = store.open("file:///r.py", "def f():\n    return [x async for x in y]\n", 1)
    revisions = {document.revision}
    assert document.findings() == engine.check_source(document.text, target=(3, 8))
    store.set_options(target=SUPPORTED[-1])
    revisions.add(document.revision)
    assert document.findings() == engine.check_source(document.text, target=SUPPORTED[-1])
    store.change(document.uri, 2, [change((0, 0), (0, 0), "async ")], "utf-16")
    revisions.add(document.revision)
    assert document.findings() == engine.check_source(document.text, target=SUPPORTED[-1])
    assert len(revisions) == 3
