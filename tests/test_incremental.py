"""The incremental document must always agree with a from-scratch parse and check."""

from __future__ import annotations

import sysconfig
from pathlib import Path

import pytest
from edit_strategies import Edit, edits, line_column, offset, pieces, positions
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coro_ls.engine.block_views import view_at
from coro_ls.engine.checker import check_source
from coro_ls.engine.incremental import IncrementalDocument, check_text_lazily, enclosing_classes

SAMPLE = '''"""A module with coroutine mistakes."""
import asyncio


def plain(a, b=1):
    x = [i for i in range(3)]
    return x


async def coro(items):
    async for item in items:
        await item
    async with lock:
        pass
    return [x async for x in items]


class Thing:
    value: int = 3

    def method(self):
        return self.value

    async def amethod(self):
        yield 1


def tail():
    return 2
'''


def _stdlib_sample() -> str:
    path = Path(sysconfig.get_paths()["stdlib"]) / "asyncio" / "locks.py"
    return path.read_text(encoding="utf-8")


WALKS = settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[
        HealthCheck.data_too_large,
        HealthCheck.too_slow,
        HealthCheck.large_base_example,
    ],
)


def _replace(document: IncrementalDocument, text: str, edit: Edit) -> str:
    """Apply ``edit`` to ``document`` (parso's positions: 1-based lines); the new text."""
    (start_line, start_column), (end_line, end_column) = (
        line_column(text, edit.start),
        line_column(text, edit.end),
    )
    document.replace((start_line + 1, start_column), (end_line + 1, end_column), edit.new)
    return edit.apply(text)


def _walk(
    text: str, data: st.DataObject, steps: int, *, target=None, **drawn
) -> IncrementalDocument:
    """``steps`` random edits (``edits(text, **drawn)``), each checked against a fresh check."""
    document = IncrementalDocument(text, target=target)
    for step in range(steps):
        edit = data.draw(edits(text, **drawn))
        text = _replace(document, text, edit)
        assert document.text == text, f"step {step}: text drifted"
        assert document.findings() == check_source(text, target=target), (
            f"step {step}: edit {edit}\n{text}"
        )
    return document


# The standard-library walk (asyncio/locks.py) takes about half a minute.
@pytest.mark.parametrize("sample", ["sample", pytest.param("stdlib", marks=pytest.mark.slow)])
@WALKS
@given(data=st.data())
def test_random_edits_match_a_fresh_check(sample: str, data: st.DataObject) -> None:
    text = SAMPLE if sample == "sample" else _stdlib_sample()
    _walk(text, data, 80, max_pieces=1, max_lines=5)


def test_typing_in_one_function_reparses_only_that_region() -> None:
    text = SAMPLE * 40
    document = IncrementalDocument(text)
    before = document.stats["parsed_lines"]
    line = text.count("\n") - 1  # inside `def tail():` of the last copy
    for index, char in enumerate("    await x"):
        document.replace((line, 14 + index), (line, 14 + index), char)
    parsed = document.stats["parsed_lines"] - before
    assert parsed < 20 * len("    await x"), parsed
    assert document.findings() == check_source(document.text)


def test_non_local_edits_recheck_everything() -> None:
    text = "def f(x: await y):\n    pass\n"
    document = IncrementalDocument(text, target=(3, 11))
    assert [f.code for f in document.findings()] == ["CORO101"]
    document.replace((1, 0), (1, 0), "from __future__ import annotations\n")
    assert [f.code for f in document.findings()] == ["CORO107"]
    assert document.findings() == check_source(document.text, target=(3, 11))


@pytest.mark.parametrize(
    "source",
    [
        "\x0cdef f():\n    await y\n",
        "x = 1\n\x0cdef f():\n    await y\n",
        "def f():\n    x = 1\n\x0c    await y\n",
        "def f():\n    match x:\n        case 1 if lambda: await y:\n            pass\n",
    ],
)
def test_form_feeds_and_lambda_guards_are_judged_like_cpython(source: str) -> None:
    """Two former blind spots: parso counts a form feed as indentation (CPython resets the
    count), and a ``lambda`` in a ``case`` guard has a colon of its own."""
    try:
        compile(source, "<case>", "exec", dont_inherit=True)
    except SyntaxError as error:
        expected = [(error.lineno, error.msg)]
    else:
        expected = []
    assert [(f.start[0], f.message) for f in check_source(source)] == expected
    assert IncrementalDocument(source).findings() == check_source(source)


CLASSES = '''import asyncio


class Outer(Base, metaclass=M):
    """Doc."""
    x: int = 1
    y = await z

    @decorator
    def method(self, a=await q):
        return [i async for i in a]

    async def amethod(self):
        yield 1
        return 2

    class Inner:
        z = [await w for w in v]

        def deep(self):
            await deep

        @staticmethod
        async def adeep():
            async with a:
                pass
            yield from b

    def after(self):
        async for x in y:
            pass
    # trailing comment
  # odd comment


@dataclass
class Second:
    def a(self):
        lambda: await b

    def b(self):
        return 1
'''


def _replay(text: str, edits, *, target=None) -> IncrementalDocument:
    """Apply ``edits`` ((line, column), (line, column), text) in parso's positions one by
    one, checking against a fresh check."""
    document = IncrementalDocument(text, target=target)
    for step, (start, end, insert) in enumerate(edits):
        edit = Edit(offset(text, start[0] - 1, start[1]), offset(text, end[0] - 1, end[1]), insert)
        text = _replace(document, text, edit)
        assert document.text == text
        assert document.findings() == check_source(text, target=target), (
            f"step {step}: edit {start}-{end} {insert!r}\n{text}"
        )
    return document


def _names(block) -> tuple[str, ...]:
    return tuple(header.name for header in block.context)


def _contexts(document: IncrementalDocument) -> list[tuple[str, ...]]:
    return [_names(block) for block, _ in document.iter_blocks()]


@pytest.mark.parametrize("target", [None, (3, 8), (3, 13)])
@WALKS
@given(data=st.data())
def test_random_edits_inside_classes_match_a_fresh_check(target, data: st.DataObject) -> None:
    _walk(CLASSES, data, 60, target=target, max_pieces=1, max_lines=3)


def test_members_are_blocks_of_their_own_in_the_scope_of_their_classes() -> None:
    document = IncrementalDocument(CLASSES)
    contexts = _contexts(document)
    assert ("Outer",) in contexts and ("Outer", "Inner") in contexts and ("Second",) in contexts
    block, shift = document.block_at(21)  # `await deep` in Inner.deep
    assert _names(block) == ("Outer", "Inner") and block.opens is None
    assert block.tree_line + shift == 19  # its blank line first
    enclosing = [node.children[1].value for node in enclosing_classes(block)]
    assert enclosing == ["Outer", "Inner"]
    for analysis in (document.analysis_of(block, shift), view_at(document, 21).analysis()):
        scope = next(s for s in analysis.scopes() if s.awaits)
        assert scope.name == "deep" and scope.parent.name == "Inner"
        line, column = scope.awaits[0].node.start_pos
        assert (line + shift, column) == (21, 12)
    found = view_at(document, 21).findings()
    assert [(f.start[0] + shift, f.start[1]) for f in found] == [(21, 12)]
    # A class header's block: its analysis covers the header, not the members.
    header, _ = document.block_at(4)
    assert header.opens is not None and _names(header) == ()
    assert view_at(document, 4).findings() == []
    assert document.findings() == check_source(CLASSES)


def test_typing_in_a_method_reparses_only_that_method() -> None:
    methods = "".join(
        f"    def m{i}(self):\n        x = {i}\n        return x\n\n" for i in range(300)
    )
    text = f"class Big:\n{methods}\nclass After:\n    pass\n"
    document = IncrementalDocument(text)
    before = document.stats["parsed_lines"]
    line = 2 + 4 * 150 + 1  # `x = 150`
    for index, char in enumerate("await x"):
        document.replace((line, 8 + index), (line, 8 + index), char)
    parsed = document.stats["parsed_lines"] - before
    assert parsed <= 5 * len("await x"), parsed
    assert document.stats["regrowths"] == 0
    findings = document.findings()
    assert findings == check_source(document.text)
    assert [(f.start, f.related[0].message) for f in findings] == [
        ((line, 8), "in function 'm150', defined here")
    ]


def _typing(text: str, line: int, column: int, typed: str):
    """Edits that type ``typed`` one character at a time at ``line``/``column``."""
    edits = []
    for char in typed:
        edits.append(((line, column), (line, column), char))
        if char == "\n":
            line, column = line + 1, 0
        else:
            column += 1
    return edits


def test_a_class_header_turned_into_a_def_and_back() -> None:
    # `class Outer(` at line 4 becomes `def Outer(`: its members are then function-body
    # statements ('await' outside async function, no class pointer); then a class again.
    edits = [((4, 0), (4, 5), "def"), ((4, 0), (4, 3), "class")]
    document = _replay(CLASSES, edits[:1])
    assert all(names[:1] != ("Outer",) for names in _contexts(document))
    document = _replay(CLASSES, edits)
    assert ("Outer", "Inner") in _contexts(document)
    # And the nested class alone (`class Inner:` at line 17).
    _replay(CLASSES, [((17, 4), (17, 9), "def"), ((17, 4), (17, 7), "class")])


@pytest.mark.parametrize(
    "opener, closer", [("(", ")"), ("[", "]"), ('"""', '"""'), ("'''", "'''")]
)
def test_an_unclosed_bracket_or_string_in_a_method_and_closed_again(opener, closer) -> None:
    # Typed at the end of `return [i async for i in a]` (line 11), then closed.
    edits = [((11, 35), (11, 35), " + " + opener)]
    edits += _typing(CLASSES, 11, 38 + len(opener), "await x" + closer)
    document = _replay(CLASSES, edits)
    assert ("Outer", "Inner") in _contexts(document)


def test_members_dedented_out_of_the_class_and_back() -> None:
    # `    def after(self):` (line 29) dedented to column 0, its body following; then back.
    document = _replay(CLASSES, [((29, 0), (29, 4), ""), ((29, 0), (29, 0), "    ")])
    assert _names(document.block_at(30)[0]) == ("Outer",)
    # A class-level statement dedented out of `Inner` into `Outer` and back.
    _replay(CLASSES, [((18, 0), (18, 4), ""), ((18, 0), (18, 0), "    ")])


def test_decorators_comments_and_class_level_statements_typed_between_members() -> None:
    edits = _typing(CLASSES, 8, 0, "    @deco(await d)\n")  # before `@decorator def method`
    edits += _typing(CLASSES, 9, 0, "  # odd\n\x0c\n")
    edits += _typing(CLASSES, 11, 0, "    z = await k\n")
    edits += _typing(CLASSES, 12, 0, "    async for q in r: pass\n")
    edits += _typing(CLASSES, 13, 0, "    @")  # a decorator with nothing after it yet
    edits += [((13, 0), (13, 5), "")]
    _replay(CLASSES, edits)
    _replay(CLASSES, edits, target=(3, 8))


def test_a_future_import_rechecks_members() -> None:
    text = "class C:\n    def f(self, x: await y):\n        pass\n"
    _replay(text, [((1, 0), (1, 0), "from __future__ import annotations\n")], target=(3, 11))
    _replay(text, [((1, 0), (1, 0), "from __future__ import annotations\n")], target=(3, 14))


@pytest.mark.parametrize(
    "source",
    [
        "class A:\n\tdef f(self):\n\t\tawait x\n\tdef g(self):\n\t\tpass\n",
        "class A:\n    x = 1; y = await z\n    if c:\n        await w\n    else:\n        pass\n",
        "class A:\n    x = 1 \\\n        + await z\n    def f(self): await y\n",
        "@d(await a)\nclass A(await b):\n    c = await c\n    class B(await d): e = await e\n",
        "class A:\n    match x:\n        case 1:\n            await y\n    def f(self): await z\n",
        "class A:\n    def f(self):\n        return 1\n        await x\n    yield 2\n",
    ],
)
@settings(max_examples=3, deadline=None)
@given(data=st.data())
def test_class_bodies_of_every_shape_match_a_fresh_check(source: str, data: st.DataObject) -> None:
    assert IncrementalDocument(source).findings() == check_source(source)
    document = IncrementalDocument(source)
    text = source
    for step in range(30):
        at = data.draw(positions(text))
        edit = Edit(at, at, data.draw(pieces))
        text = _replace(document, text, edit)
        assert document.text == text, f"step {step}: text drifted"
        assert document.findings() == check_source(text), f"step {step}: edit {edit}\n{text}"


def test_a_lazy_open_parses_only_what_can_hold_a_finding() -> None:
    filler = "".join(f"def f{i}(a):\n    return [a, {i}]\n\n\n" for i in range(200))
    methods = "".join(f"    def m{i}(self):\n        return {i}\n\n" for i in range(100))
    text = f'"""Doc."""\nfrom __future__ import annotations\n{filler}class C:\n{methods}'
    text += "    def late(self, x: await y):\n        await z\n"
    for target in [(3, 8), (3, 11), (3, 14)]:
        lazy = IncrementalDocument(text, target=target)
        assert lazy.stats["parsed_lines"] < 10, lazy.stats
        assert lazy.findings() == check_source(text, target=target)
        assert lazy.findings() == IncrementalDocument(text, target=target, lazy=False).findings()
    # A view of an unparsed block parses it (and only it).
    block, _ = lazy.block_at(100)
    assert [s.type for s in block.statements] == ["funcdef"] and block.context == ()
    assert lazy.stats["parsed_lines"] < 15
    member, _ = lazy.block_at(4 + 800 + 1 + 3 * 50)
    assert _names(member) == ("C",) and member.statements[0].children[1].value == "m50"
    # Typing in an unparsed method parses that method.
    before = lazy.stats["parsed_lines"]
    line = 4 + 800 + 1 + 3 * 70 + 1
    lazy.replace((line, 8), (line, 8), "await ")
    assert lazy.stats["parsed_lines"] - before < 5
    assert lazy.findings() == check_source(lazy.text, target=(3, 14))


@pytest.mark.parametrize(
    "source",
    [
        "def f(:\n    await x\nclass C:\n    def g(self): await y\n",  # not Python: parsed
        "x = 1; y = 2\nclass C: z = await w\nclass D:\n    a = 1; await b\n",
        "if x:\n    pass\nelse:\n    await y\n@d\n\nclass C:\n  # c\n"
        "    async def f(self): yield 1; return 2\n",
        "class C:\n\x0c    def f(self): await x\n    def g(self): pass\n",
        "\ufeffclass C:\n    def f(self):\n        await x\n",
        "class C:\n\tdef f(self):\n\t\tawait x\n\tclass D:\n\t\tawait y\n",
    ],
)
def test_a_lazy_open_of_odd_layouts_matches_a_fresh_check(source: str) -> None:
    for target in [(3, 8), (3, 12)]:
        assert IncrementalDocument(source, target=target).findings() == check_source(
            source, target=target
        )


def test_stdlib_modules_opened_lazily_match_a_fresh_check() -> None:
    folder = Path(sysconfig.get_paths()["stdlib"]) / "asyncio"
    for path in sorted(folder.glob("*.py"))[::3]:
        text = path.read_text(encoding="utf-8")
        document = IncrementalDocument(text)
        assert document.findings() == check_source(text), path
        assert document.stats["parsed_lines"] <= len(document.lines)


@pytest.mark.parametrize("top_level_await", [False, True])
def test_check_text_lazily_is_check_source(top_level_await: bool) -> None:
    text = CLASSES + "await top\n"
    assert check_text_lazily(text, (3, 11), top_level_await) == check_source(
        text, target=(3, 11), top_level_await=top_level_await
    )


def test_an_unclosed_string_grows_the_region_in_a_few_parses() -> None:
    text = "".join(f"def f{i}():\n    return {i}\n\n" for i in range(400)) + "await x\n"
    document = IncrementalDocument(text, lazy=False)
    before = document.stats["parsed_lines"]
    document.replace((2, 4), (2, 4), '"""')
    assert document.findings() == check_source(document.text)
    assert document.stats["regrowths"] <= 12
    assert document.stats["parsed_lines"] - before <= 4 * len(document.lines)
