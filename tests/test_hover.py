"""Hover: the verdict on each keyword agrees with CPython, findings are explained, both formats.

The verdicts are checked against ``compile()`` (tests/oracle.py) on a sample of the generated
corpus; the explanation of a finding must carry the engine's own code and message.
"""

from __future__ import annotations

import io
import tokenize
from collections.abc import Iterator

import pytest
from corpus import corpus
from oracle import ForeignSyntaxError, cpython_findings

from coro_ls.editing.expansions import expand, statement_at
from coro_ls.editing.hover import HoverText, hover_at
from coro_ls.engine import checker as engine
from coro_ls.engine.findings import Finding

SAMPLE = corpus()[1::8]
ALLOWED, NOT_ALLOWED, NOT_JUDGED = "Allowed here", "Not allowed here", "Not judged"


def hover(
    source: str, position: tuple[int, int], *, markdown: bool = True, top_level_await: bool = False
) -> HoverText | None:
    module = engine.parse(source)
    analysis = engine.analyse_tree(module, source, top_level_await=top_level_await)
    findings = engine.check_tree(module, source, top_level_await=top_level_await)
    return hover_at(source, module, analysis, position, findings, markdown=markdown)


def keywords(source: str) -> Iterator[tuple[str, tuple[int, int], str]]:
    """``await`` and statement-starting ``async`` tokens: (keyword, position, next token)."""
    tokens = [
        token
        for token in tokenize.generate_tokens(io.StringIO(source).readline)
        if token.type not in (tokenize.COMMENT, tokenize.NL)
    ]
    for index, token in enumerate(tokens):
        if token.string not in ("await", "async"):
            continue
        following = tokens[index + 1].string if index + 1 < len(tokens) else ""
        starts_line = index == 0 or tokens[index - 1].type in (
            tokenize.NEWLINE,
            tokenize.INDENT,
            tokenize.DEDENT,
        )
        if token.string == "await" or starts_line:
            yield token.string, token.start, following


def verdict(text: str) -> str:
    if NOT_ALLOWED in text:
        return NOT_ALLOWED
    if NOT_JUDGED in text:
        return NOT_JUDGED
    assert ALLOWED in text, text
    return ALLOWED


def _await_verdict(source: str, position: tuple[int, int], tla: bool) -> str | None:
    """CPython's verdict on one ``await`` by itself: with every other ``await`` made a unary
    ``+`` and every comprehension's ``async for`` a plain ``for`` (same lengths, valid where
    they were), does removing this ``await`` too remove an error?"""
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    others = [
        (token.start, token.string)
        for index, token in enumerate(tokens)
        if token.start != position
        and (
            token.string == "await"
            or (
                token.string == "async"
                and tokens[index + 1].string == "for"
                and tokens[index - 1].type
                not in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.NL)
                and index > 0
            )
        )
    ]

    def neutralised(spots: list[tuple[tuple[int, int], str]]) -> str:
        lines = source.splitlines(keepends=True)
        for (line, column), word in spots:
            text = lines[line - 1]
            blank = "+    " if word == "await" else "     "
            lines[line - 1] = text[:column] + blank + text[column + len(word) :]
        return "".join(lines)

    try:
        alone = len(cpython_findings(neutralised(others), tla))
        none = len(cpython_findings(neutralised([*others, (position, "await")]), tla))
    except ForeignSyntaxError:
        return None  # the rewrite is not judgeable: no verdict to compare with
    return NOT_ALLOWED if alone > none else ALLOWED


def test_keyword_verdicts_agree_with_cpython_in_both_formats() -> None:
    checked = unjudged = 0
    for item in SAMPLE:
        source, tla = item.case.source, item.case.top_level_await
        reported = {(line, column) for line, column, _, _ in item.expected}
        for word, position, following in keywords(source):
            texts = [
                hover(source, position, markdown=markdown, top_level_await=tla)
                for markdown in (True, False)
            ]
            if word == "await":
                expected = _await_verdict(source, position, tla)
            elif position in reported and following != "def":
                expected = NOT_ALLOWED
            else:
                expected = ALLOWED
            for result in texts:
                assert result is not None, (item.case.name, position)
                assert result.start == position
                said = verdict(result.text)
                # Where parso's error recovery had to guess (syntax it lacks, such as match
                # guards), the engine stays silent and the hover says so instead of guessing.
                if expected is not None:
                    assert said in (expected, NOT_JUDGED), (item.case.name, position, result.text)
                unjudged += said == NOT_JUDGED or expected is None
            # The prose, not the expansion preview (which quotes the user's code).
            markdown, plain = (r.text.split("Expansion (")[0] for r in texts if r is not None)
            assert "**" in markdown and "**" not in plain and "`" not in plain
            checked += 1
    assert checked >= 500 and unjudged * 50 <= checked, (checked, unjudged)


def test_every_finding_is_explained_anywhere_in_its_range() -> None:
    checked = 0
    for item in SAMPLE[::2]:
        source, tla = item.case.source, item.case.top_level_await
        for finding in engine.check_source(source, top_level_await=tla):
            last = (finding.end[0], finding.end[1] - 1)
            for position, markdown in ((finding.start, True), (last, False)):
                result = hover(source, position, markdown=markdown, top_level_await=tla)
                assert result is not None and finding.message in result.text, (
                    item.case.name,
                    position,
                )
                assert result.start <= position < result.end
            checked += 1
    assert checked >= 300


def finding_at(source: str, line: int) -> Finding:
    (finding,) = [f for f in engine.check_source(source) if f.start[0] == line]
    return finding


def test_a_finding_explanation_names_rule_and_cause_and_fix() -> None:
    source = "class A:\n    def m(self):\n        return await self.x\n"
    finding = finding_at(source, 3)
    inside = (3, finding.end[1] - 2)  # on "x", past the keyword
    result = hover(source, inside)
    assert result is not None and (result.start, result.end) == (finding.start, finding.end)
    text = result.text
    assert finding.code in text and finding.message in text
    assert text.index("`m`") < text.index("`A`") < text.index("module")
    assert "Make 'm' async" in text


def test_await_in_a_comprehension_names_the_comprehension_first() -> None:
    source = "class A:\n    def m(self):\n        return [await y for y in self.x]\n"
    result = hover(source, (3, 16))
    assert result is not None and NOT_ALLOWED in result.text
    chain = result.text[result.text.index("Scopes, innermost first") :]
    assert chain.index("list comprehension") < chain.index("`m`") < chain.index("`A`")


def test_comprehension_keywords_tell_whether_it_is_asynchronous() -> None:
    source = "def f(x):\n    return [y async for y in x], (z async for z in x)\n"
    reported = engine.check_source(source)
    line = source.splitlines()[1]
    list_for = hover(source, (2, line.index("for")))
    generator_async = hover(source, (2, line.index("async", line.index("("))))
    assert list_for is not None and generator_async is not None
    assert "asynchronous" in list_for.text and reported[0].message in list_for.text
    assert ALLOWED in generator_async.text and NOT_ALLOWED not in generator_async.text


def test_async_def_is_explained_and_its_generator_nature_named() -> None:
    source = "async def agen():\n    yield 1\n\nasync def coro():\n    return 1\n"
    generator, coroutine = hover(source, (1, 2)), hover(source, (4, 2))
    assert generator is not None and coroutine is not None
    assert ALLOWED in generator.text and "asynchronous generator" in generator.text
    assert ALLOWED in coroutine.text and "asynchronous generator" not in coroutine.text


@pytest.mark.parametrize("markdown", [True, False])
def test_async_statements_preview_their_expansion(markdown: bool) -> None:
    source = (
        "async def f(xs, m):\n"
        "    async for x in xs:\n"
        "        print(x)\n"
        "    async with m:\n"
        "        pass\n"
    )
    module = engine.parse(source)
    for line in (2, 4):
        result = hover(source, (line, 5), markdown=markdown)
        assert result is not None and ALLOWED in result.text
        statement = statement_at(source, module, (line, 4))
        assert statement is not None
        (main,) = [e for e in expand(source, module, statement) if e.start == statement.start]
        for expanded_line in main.new_text.splitlines():
            assert expanded_line.strip() in result.text
        assert ("```python" in result.text) == markdown


@pytest.mark.parametrize("position", [(1, 0), (2, 4), (2, 100), (50, 0)])
def test_nothing_to_say_away_from_keywords_and_findings(position: tuple[int, int]) -> None:
    assert hover("import asyncio\nprint(asyncio)\n", position) is None


def test_a_plain_comprehension_has_no_hover() -> None:
    source = "def f(x):\n    return [y for y in x]\n"
    assert hover(source, (2, source.splitlines()[1].index("for"))) is None


def test_silenced_findings_still_decide_the_verdict_but_are_not_explained() -> None:
    source = "def f():\n    return await g()  # noqa\n"
    module = engine.parse(source)
    analysis = engine.analyse_tree(module, source)
    everything = engine.check_tree(module, source)
    (finding,) = everything
    on_keyword = hover_at(source, module, analysis, finding.start, [], engine_findings=everything)
    assert on_keyword is not None and NOT_ALLOWED in on_keyword.text
    past_keyword = (2, finding.end[1] - 2)
    assert hover_at(source, module, analysis, past_keyword, [], engine_findings=everything) is None
