"""The modern-syntax masker: positions survive, parso parses the result, CPython is the oracle.

CPython interpreters run in subprocesses (one per version, all samples at once): they say
which samples are real syntax for which version (``ast.parse``: the grammar, not the
symtable errors coro-ls reports) and where each ``await``/``lambda``/``yield`` is.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sysconfig
import time
from functools import cache
from pathlib import Path

import parso
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coro_ls.syntax import modern_syntax
from coro_ls.syntax.modern_syntax import (
    CaseRegion,
    ExceptStarRegion,
    MatchRegion,
    StarredRegion,
    StringGroupRegion,
    TypeAliasRegion,
    WithRegion,
    _mask,
    mask_modern_syntax,
)

PYENV = Path("/root/.pyenv/versions")
GRAMMAR = parso.load_grammar(version="3.13")


def interpreter(minor: int) -> str | None:
    found = sorted(PYENV.glob(f"3.{minor}.*/bin/python3.{minor}"))
    return str(found[-1]) if found else None


PY313 = interpreter(13)
needs_313 = pytest.mark.skipif(PY313 is None, reason="CPython 3.13 is not installed here")

# Reads a JSON list of sources; prints, per source, null when ast.parse rejects it, else the
# sorted positions of every await / lambda / yield (parso style: column in code points).
_ORACLE = r"""
import ast, json, sys
out = []
for source in json.load(sys.stdin):
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        out.append(None)
        continue
    lines = source.splitlines(True)
    tags = {ast.Await: "await", ast.Lambda: "lambda", ast.Yield: "yield", ast.YieldFrom: "yield"}
    found = set()
    for node in ast.walk(tree):
        tag = tags.get(type(node))
        if isinstance(node, ast.comprehension):
            node, tag = node.target, "for-target"
        if tag:
            line = lines[node.lineno - 1].encode()
            col = len(line[: node.col_offset].decode())
            found.add((node.lineno, col, tag))
    out.append(sorted(found))
print(json.dumps(out))
"""


@cache
def cpython(minor: int, sources: tuple[str, ...]) -> list[list[list[int]] | None]:
    exe = interpreter(minor)
    if exe is None:
        pytest.skip(f"CPython 3.{minor} is not installed here")
    result = subprocess.run(
        [exe, "-c", _ORACLE],
        input=json.dumps(list(sources)),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(result.stdout)


def error_nodes(text: str) -> list[tuple[str, tuple[int, int]]]:
    """Every error node/leaf of parso's tree (``iter_errors`` also flags valid-but-odd code)."""
    found = []
    stack = [GRAMMAR.parse(text)]
    while stack:
        node = stack.pop()
        if node.type in ("error_node", "error_leaf"):
            found.append((node.type, node.start_pos))
        stack.extend(getattr(node, "children", ()))
    return found


def keyword_positions(text: str) -> list[list]:
    """``[line, column, tag]`` of each await / lambda / yield keyword and comprehension target
    in parso's tree of ``text``."""
    found = []
    leaf = GRAMMAR.parse(text).get_first_leaf()
    while leaf is not None:
        if leaf.type == "keyword" and leaf.value in ("await", "lambda", "yield"):
            found.append([*leaf.start_pos, leaf.value])
        if leaf.type == "keyword" and leaf.value == "for" and leaf.parent.type == "sync_comp_for":
            found.append([*leaf.get_next_sibling().start_pos, "for-target"])
        leaf = leaf.get_next_leaf()
    return sorted(found)


def line_breaks(text: str) -> list[tuple[int, str]]:
    return [(m.start(), m.group()) for m in re.finditer(r"[\r\n]", text)]


def offsets(source: str, position: tuple[int, int]) -> int:
    starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", source)]
    line, col = position
    bom = 1 if line == 1 and source.startswith("\ufeff") else 0
    return starts[line - 1] + col + bom


def assert_invariant(source: str) -> None:
    masked = _mask(source)
    assert len(masked.text) == len(source)
    assert line_breaks(masked.text) == line_breaks(source)
    assert (masked.text == source) == (masked.regions == [])
    changed = [i for i, (a, b) in enumerate(zip(source, masked.text, strict=True)) if a != b]
    assert set(masked.text[i] for i in changed) <= set(" (),0-withfor")
    covered = [
        (offsets(source, r.span.start), offsets(source, r.span.end)) for r in masked.regions
    ]
    for i in changed:
        assert any(a <= i < b for a, b in covered), (i, source, masked)


# -- realistic samples: each is real 3.13 syntax with await/lambda/yield in the masked parts --

MATCH = """\
async def handle(command, ok):
    match await command.read(), (lambda: 1)():
        case [x, y] if await ok(x):
            await x.run(y)
        case {"k": v, **rest} if (lambda: v)():
            return [await w for w in rest]
        case Point(x=1,
                   y=[a, b]) if await ok(a):
            match x,:
                case y,: await y
        case str() | bytes() as s: print(await s)
        case _:
            pass
    match *command, await ok(None):
        case [*_]:
            pass
    match w := await ok(1), 2:
        case _:
            pass
    match w := await ok(2):
        case 1 \\
                | 2:
            pass
"""

EXCEPT_STAR = """\
async def guarded(a, b):
    try:
        await a()
    except* ValueError as group:
        await b(group)
    except *(TypeError, KeyError):
        lambda: 1
"""

TYPE_ALIASES = """\
type Plain = list[lambda: 1]
type Generic[T: (int, await b()) = await c(), *Ts = await d(), **P = await e()] = list[await v()]
type Bounded[T: await bound(), U,] = T
class Holder:
    type Inner[K] = dict[K, lambda: (yield)]; x = 1
if True: type Guarded = int
"""

WITH_ITEMS = """\
async def managed(a, b, c, i, m):
    with (await a() as x, (lambda: b)() as (y, z), c[await i()] as w,):
        pass
    async with (await m() as q):
        pass
    async with (
        m(await a()) as r,
        b() as s
    ):
        pass
"""

FSTRINGS = """\
async def render(a, w, deep, lines, c, e):
    x = f"{await a()!r:>{await w()}}" 'plain' f'{(lambda: 1)()}'
    y = f"{f"{await deep()}"}"
    z = f\"\"\"{
        await lines()  # a comment
    }\"\"\"
    t = f"{'\\n'.join(await lines())}"
    u = f"{[await e for e in c]=}" rf"\\{await a():{'x'}}" F"{await a() = !s:{w}}"
    v = (f"a{await a()}"  # split
         "b" f"{await w()}")
    q = f"{ {'k': await a()}['k'] }{{literal}}"
def produce(x):
    yield f"{yield}{x}{(yield x)}"
    yield f"{x}{yield x}"
"""

TSTRINGS = """\
async def render(a):
    x = t"{await a()!r:>{await a()}}" t'{(lambda: 1)()}'
    y = t"{t"{await a()}"}"
"""

STARRED = """\
async def unpack[*Ts](*args: *Ts, a, b) -> tuple[int, *Ts]:
    for x in *a, *[await b()]:
        await x
    async for y in *a, (lambda: b):
        pass
    return a[*b], a[1:2, *(await b())], [*a], print(*a)
"""

SAMPLES = {
    "match": MATCH,
    "except*": EXCEPT_STAR,
    "type alias": TYPE_ALIASES,
    "parenthesised with": WITH_ITEMS,
    "f-strings": FSTRINGS,
    "starred": STARRED,
}


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_is_real_syntax_and_parso_unaware_of_it(name: str) -> None:
    source = SAMPLES[name]
    if PY313 is None:
        pytest.skip("CPython 3.13 is not installed here")
    assert cpython(13, tuple(SAMPLES.values()))[list(SAMPLES).index(name)] is not None
    assert error_nodes(source), "parso parses this already: the sample tests nothing"


@pytest.mark.parametrize("name", SAMPLES)
def test_masked_sample_parses_with_parso(name: str) -> None:
    masked = mask_modern_syntax(SAMPLES[name])
    assert masked.regions
    assert error_nodes(masked.text) == []


@needs_313
@pytest.mark.parametrize("name", SAMPLES)
def test_await_lambda_yield_keep_their_positions(name: str) -> None:
    expected = cpython(13, tuple(SAMPLES.values()))[list(SAMPLES).index(name)]
    assert expected, "the sample must contain await/lambda/yield"
    assert keyword_positions(mask_modern_syntax(SAMPLES[name]).text) == expected


def test_tstrings_parse_and_keep_positions() -> None:
    # No 3.14 interpreter here: the keywords' positions in the source are the oracle.
    masked = mask_modern_syntax(TSTRINGS)
    assert error_nodes(masked.text) == []
    expected = [
        [
            TSTRINGS.count("\n", 0, m.start()) + 1,
            m.start() - TSTRINGS.rfind("\n", 0, m.start()) - 1,
            m.group(),
        ]
        for m in re.finditer(r"\b(await|lambda)\b", TSTRINGS)
    ]
    assert keyword_positions(masked.text) == expected
    kinds = {r.kind for r in masked.regions if isinstance(r, StringGroupRegion)}
    assert kinds == {"t-string"}
    assert all(r.min_version == (3, 14) for r in masked.regions)


@pytest.mark.parametrize("name", SAMPLES)
def test_samples_keep_the_invariant(name: str) -> None:
    assert_invariant(SAMPLES[name])


# -- random programs: CPython says which are real syntax and where the keywords are -------


def random_expression(rng: random.Random, depth: int) -> str:
    if depth <= 0:
        return rng.choice(["x", "y.z", "1", "'s'", "await x", "(lambda: x)"])

    def sub() -> str:
        return random_expression(rng, depth - 1)

    forms = [
        lambda: f"await ({sub()})",
        lambda: f"(lambda q: {sub()})",
        lambda: f"[{sub()} for w in {sub()}]",
        lambda: f"{{{sub()}: {sub()} async for w in {sub()}}}",
        lambda: f'f"{{ {sub()} }}"',
        lambda: f"f'a{{ {sub()}!r:>{{ {sub()} }}}}b'",
        lambda: f'f"{{ {sub()} = }}"',
        lambda: f'f"""{{\n {sub()}  # note\n}}"""',
        lambda: f'f"{{ "s" + {sub()} }}{{ {sub()} }}"',
        lambda: f"'p' f\"{{ {sub()} }}\" rf'\\{{ {sub()} }}'",
        lambda: f"({sub()}, {sub()})",
        lambda: f"({sub()} if {sub()} else {sub()})",
        lambda: f"{sub()}[{sub()}]",
        lambda: f"{sub()}({sub()}, *{sub()})",
        lambda: f"tuple[int, *{sub()}]",
        lambda: f"(f'{{ {sub()} }}'  # comment\n  'x' f\"{{ {sub()} !r:{{ {sub()} }}}}\")",
        lambda: f'f"{{ yield {sub()} }}{{ (yield) }}{{ yield }}{{ x }}"',
        lambda: f'f"{{ {sub()} }}" \\\n    f"{{ {sub()} }}"',
        lambda: f"f'{{ f\"{{ f'{{ {sub()} }}' }}\" }}'",
    ]
    return rng.choice(forms)()


def random_block(rng: random.Random, indent: str, depth: int) -> str:
    def e() -> str:
        return random_expression(rng, rng.randint(0, 2))

    def body(extra: str = "    ") -> str:
        if depth <= 0:
            return f"{indent}{extra}x = {e()}\n"
        return random_block(rng, indent + extra, depth - 1)

    forms = [
        lambda: f"{indent}x = {e()}\n",
        lambda: (
            f"{indent}match {e()}, {e()}:\n{indent}    case [a, *_] if {e()}:\n"
            + body("        ")
            + f"{indent}    case {{'k': v}}:\n{indent}        pass\n"
        ),
        lambda: f"{indent}try:\n{body()}{indent}except* ({e()}):\n{body()}",
        lambda: f"{indent}type A[T: ({e()}, {e()}) = {e()}, *Ts = {e()}, **P] = {e()}\n",
        lambda: f"{indent}with ({e()} as a, {e()} as (b, c),):\n{body()}",
        lambda: f"{indent}async with ({e()} as a):\n{body()}",
        lambda: f"{indent}for y in *{e()}, {e()}:\n{body()}",
        lambda: f"{indent}if {e()}: type B = {e()}\n",
        lambda: (
            f"{indent}match {e()}:\n{indent}    case (1 |\n"
            + f"{indent}          2) if {e()}: x = {e()}\n"
            + f"{indent}    case 3 \\\n{indent}            | 4:\n{body('        ')}"
        ),
        lambda: f"{indent}try:\n{body()}{indent}except *{e()} as err:\n{body()}",
        lambda: (
            f"{indent}async with (\n{indent}    {e()} as a,\n"
            + f"{indent}    {e()}\n{indent}):\n{body()}"
        ),
    ]
    return "".join(rng.choice(forms)() for _ in range(rng.randint(1, 3)))


def random_programs(count: int, seed: int) -> tuple[str, ...]:
    rng = random.Random(seed)
    return tuple(
        "async def f(x, y):\n" + random_block(rng, "    ", rng.randint(0, 2)) for _ in range(count)
    )


@needs_313
def test_random_programs_parse_and_keep_positions() -> None:
    programs = random_programs(120, seed=701)
    truth = cpython(13, programs)
    valid = [(p, t) for p, t in zip(programs, truth, strict=True) if t is not None]
    assert len(valid) >= 0.9 * len(programs), "the generator should write real syntax"
    for program, expected in valid:
        masked = mask_modern_syntax(program)
        assert error_nodes(masked.text) == [], program
        assert keyword_positions(masked.text) == expected, program


# -- regions -----------------------------------------------------------------------------


def text_of(source: str, span) -> str:
    return source[offsets(source, span.start) : offsets(source, span.end)]


def test_match_and_case_regions() -> None:
    regions = mask_modern_syntax(MATCH).regions
    matches = [r for r in regions if isinstance(r, MatchRegion)]
    cases = [r for r in regions if isinstance(r, CaseRegion)]
    assert [text_of(MATCH, r.subject) for r in matches] == [
        "await command.read(), (lambda: 1)()",
        "x,",
        "*command, await ok(None)",
        "w := await ok(1), 2",
        "w := await ok(2)",
    ]
    assert [text_of(MATCH, r.guard) if r.guard else None for r in cases] == [
        "await ok(x)",
        "(lambda: v)()",
        "await ok(a)",
        None,
        None,
        None,
        None,
        None,
        None,
    ]
    assert text_of(MATCH, cases[2].pattern) == "Point(x=1,\n                   y=[a, b])"
    assert text_of(MATCH, cases[8].pattern) == "1 \\\n                | 2"
    assert {r.min_version for r in matches + cases} == {(3, 10)}


def test_case_masks_read_as_specified() -> None:
    masked = mask_modern_syntax(MATCH).text.splitlines()
    assert masked[1] == "    with  await command.read(), (lambda: 1)():"
    assert masked[2] == "        if             await ok(x):"
    assert masked[6] == "        if   (" + " " * 9
    assert masked[7] == " " * 27 + ") or await ok(a):"
    assert masked[8] == "            with  x :"
    assert masked[9] == "                if   0 : await y"
    assert masked[13] == "    with   command, await ok(None):"
    assert masked[16] == "    with  w or await ok(1), 2:"
    assert masked[19] == "    if    w := await ok(2):"
    assert masked[20:22] == ["        if   0 \\", " " * 19 + ":"]


def test_except_star_regions() -> None:
    masked = mask_modern_syntax(EXCEPT_STAR)
    assert masked.text == EXCEPT_STAR.replace("except* ", "except  ").replace(
        "except *", "except  "
    )
    assert [type(r) for r in masked.regions] == [ExceptStarRegion, ExceptStarRegion]
    assert [text_of(EXCEPT_STAR, r.span) for r in masked.regions] == ["except*", "except *"]


def test_type_alias_regions() -> None:
    regions = [r for r in mask_modern_syntax(TYPE_ALIASES).regions]
    assert all(isinstance(r, TypeAliasRegion) for r in regions)
    plain, generic, bounded, inner, guarded = regions
    assert text_of(TYPE_ALIASES, plain.value) == "list[lambda: 1]"
    assert plain.params == ()
    assert [(p.kind, text_of(TYPE_ALIASES, p.name)) for p in generic.params] == [
        ("TypeVar", "T"),
        ("TypeVarTuple", "Ts"),
        ("ParamSpec", "P"),
    ]
    t, ts, p = generic.params
    assert text_of(TYPE_ALIASES, t.bound) == "(int, await b())" and t.constraints
    assert text_of(TYPE_ALIASES, t.default) == "await c()"
    assert ts.bound is None and text_of(TYPE_ALIASES, ts.default) == "await d()"
    assert text_of(TYPE_ALIASES, p.default) == "await e()"
    assert text_of(TYPE_ALIASES, generic.value) == "list[await v()]"
    assert text_of(TYPE_ALIASES, bounded.params[0].bound) == "await bound()"
    assert not bounded.params[0].constraints and bounded.params[1].bound is None
    assert text_of(TYPE_ALIASES, inner.value) == "dict[K, lambda: (yield)]"
    assert text_of(TYPE_ALIASES, guarded.name) == "Guarded"
    assert mask_modern_syntax("type X[T: B = D, *Ts = E, **P = F] = V\n").text == (
        "(    X,T, B , D, *Ts , E,   P , F) , V\n"
    )


def test_with_regions() -> None:
    regions = mask_modern_syntax(WITH_ITEMS).regions
    assert all(isinstance(r, WithRegion) for r in regions)
    items = [
        [(text_of(WITH_ITEMS, i.manager), text_of(WITH_ITEMS, i.target)) for i in r.items]
        for r in regions
    ]
    assert items == [
        [("await a()", "x"), ("(lambda: b)()", "(y, z)"), ("c[await i()]", "w")],
        [("await m()", "q")],
        [("m(await a())", "r"), ("b()", "s")],
    ]


def test_starred_regions() -> None:
    regions = mask_modern_syntax(STARRED).regions
    assert all(isinstance(r, StarredRegion) for r in regions)
    assert [r.context for r in regions] == [
        "annotation", "subscript", "for", "for", "for", "subscript", "subscript",
    ]  # fmt: skip
    assert {text_of(STARRED, r.span) for r in regions} == {"*"}


def test_fstring_regions_and_mask_shape() -> None:
    masked = mask_modern_syntax("f\"a{x!r:>{w}}b\" 'c'\n")
    assert masked.text == "(   x,    w,      )\n"
    (region,) = masked.regions
    assert region.kind == "f-string" and not region.pep701 and region.min_version == (3, 6)
    fields = [text_of("f\"a{x!r:>{w}}b\" 'c'\n", f) for f in region.fields]
    assert fields == ["x", "w"]


# The f-strings whose PEP 701 flag must match "3.11 rejects, 3.12 accepts".
PEP701_CASES = (
    'f"{x}"',
    "f'{x!r:>{width}}'",
    'f"{x = }"',
    """f"{'a'}" """,
    'f"{"a"}"',
    """f'''{"a" + 'b'}'''""",
    """f'''{'''a'''}'''""",
    "f\"{'\\n'.join(x)}\"",
    'f"""{x # note\n}"""',
    'f"{x\n}"',
    'f"""{x\n}"""',
    """f"{f'{x}'}" """,
    """f"{f'{"x"}'}" """,
    'f"{{x}}" r"\\"" f"{x:{{}}}"',
    """f'{x:{"y"}}'""",
    """f"{f'{f"{x}"}'}" """,
    "f'''{\"\"\"a\"\"\"}'''",
    """f"{'''a'''}" """,
    """f"{x:{'a'}}" """,
    """f"{x:{y!r}.{z}f}" """,
    'f"{x!r:\\n}"',
    'f"{x:\\n}"',
    'f"{x}" f"{y\n}"',
    """f"{'\\N{EM DASH}'}" """,
    'f"\\N{EM DASH}{x}"',
    """rf'\\{x}{'a'}'""",
)


@needs_313
@pytest.mark.skipif(interpreter(11) is None or interpreter(12) is None, reason="3.11/3.12")
@pytest.mark.parametrize("source", PEP701_CASES)
def test_pep701_flag_agrees_with_cpython(source: str) -> None:
    old, new = cpython(11, PEP701_CASES), cpython(12, PEP701_CASES)
    index = PEP701_CASES.index(source)
    assert new[index] is not None, "not an f-string 3.12 accepts"
    # Nested groups have their own regions; the outermost one decides the version.
    outer = mask_modern_syntax(source + "\n").regions[0]
    assert isinstance(outer, StringGroupRegion) and outer.span.start == (1, 0)
    assert outer.pep701 == (old[index] is None)
    assert outer.min_version == ((3, 12) if old[index] is None else (3, 6))
    assert error_nodes(mask_modern_syntax(source + "\n").text) == []


# One construct each: the region's min_version is the first version whose parser accepts it.
VERSION_CASES = (
    "match x:\n    case 1:\n        pass\n",
    "try:\n    pass\nexcept* E:\n    pass\n",
    "type X = int\n",
    "with (a as b, c as d):\n    pass\n",
    'f"{x!r}"\n',
    'f"{"nested"}"\n',
    "for x in *a, *b:\n    pass\n",
    "x[*a]\n",
    "def f(*a: *b): pass\n",
)


@pytest.mark.parametrize("source", VERSION_CASES)
def test_min_version_is_the_first_accepting_cpython(source: str) -> None:
    minors = [m for m in range(8, 14) if interpreter(m) is not None]
    if len(minors) < 6:
        pytest.skip("needs CPython 3.8 to 3.13")
    accepted = {
        m: cpython(m, VERSION_CASES)[VERSION_CASES.index(source)] is not None for m in minors
    }
    versions = {r.min_version for r in mask_modern_syntax(source).regions}
    assert len(versions) == 1
    (minimum,) = versions
    assert accepted == {m: (3, m) >= minimum for m in minors}


def docstring_rows() -> list[tuple[str, str]]:
    table = modern_syntax.__doc__ or ""
    return re.findall(r"^\S.*?``(.+?)``\s+``(.+?)``$", table, flags=re.MULTILINE)


@pytest.mark.parametrize(("source", "expected"), docstring_rows())
def test_module_docstring_table_is_true(source: str, expected: str) -> None:
    if source.startswith("case"):
        masked = mask_modern_syntax(f"match a:\n    {source}\n        pass\n").text
        assert masked.splitlines()[1] == f"    {expected}"
    elif source.startswith("match"):  # a match statement needs its case block
        masked = mask_modern_syntax(f"{source}\n    case _:\n        pass\n").text
        assert masked.splitlines()[0] == expected
    else:
        assert mask_modern_syntax(source + "\n").text == expected + "\n"


def test_module_docstring_table_has_every_construct() -> None:
    assert len(docstring_rows()) == 8


# -- what must stay unchanged ---------------------------------------------------------------

UNCHANGED = (
    "match = 1\nmatch(x)\nmatch.group()\nmatch[0]: int = 3\n",
    "type = 3\nprint(type(x))\ntype(x).mro()\ntype.x = 1\n",
    "with (a, b):\n    pass\nwith (a, b) as c:\n    pass\nwith (yield):\n    pass\n",
    's = "abc" \'d\' b"e" r"\\d" """f{x}"""\n',
    "try:\n    pass\nexcept E:\n    pass\nx = a * b\n",
    "case = 1\nif match:\n    case(x)\n",
    "def f(match, case, type):\n    match(case)\n    return match.x, type\n",
)


@pytest.mark.parametrize("source", UNCHANGED)
def test_ordinary_code_is_unchanged(source: str) -> None:
    masked = mask_modern_syntax(source)
    assert masked.text == source
    assert masked.regions == []


# -- robustness ------------------------------------------------------------------------------

FRAGMENTS = (
    "match", "case", "type", "with", "async", "except", "as", "if", "x", "await", "lambda",
    "yield", "def", "*", "**", "(", ")", "[", "]", "{", "}", ":", ":=", "=", ",", ";", "!r",
    "!=", "==", "{{", "}}", "\\", "#", "'", '"', "'''", '"""', "f'", 'f"', "rf'", "t'",
    'F"""', "b'", "Tr'", " ", "  ", "\t", "\n", "\r\n", "\r", "\\\n", "\x00", "\x0c",
    "\ufeff", "é", "0", ".", "1.5e+3", "\n    ", "\n        ", "\\N{EM DASH}",
)  # fmt: skip


def spliced(parts: tuple[str, int, int, str]) -> str:
    """A sample with a stretch replaced by a fragment: half-typed real code."""
    text, start, length, fragment = parts
    start %= len(text) + 1
    return text[:start] + fragment + text[start + length :]


python_ish = st.one_of(
    st.lists(st.sampled_from(FRAGMENTS), max_size=80).map("".join),
    st.text(max_size=200),
    st.tuples(
        st.sampled_from(list(SAMPLES.values()) + [TSTRINGS]),
        st.integers(0, 10_000),
        st.integers(0, 12),
        st.sampled_from(FRAGMENTS),
    ).map(spliced),
    st.lists(st.sampled_from(list(SAMPLES.values()) + [TSTRINGS]), min_size=1, max_size=3)
    .flatmap(lambda parts: st.integers(0, sum(map(len, parts))).map(
        lambda cut: "".join(parts)[:cut]
    )),
)  # fmt: skip


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(python_ish)
def test_invariant_on_random_python_ish_text(source: str) -> None:
    assert_invariant(source)


def stdlib_files() -> list[str]:
    root = sysconfig.get_paths()["stdlib"]
    files = []
    for directory, _, names in os.walk(root):
        if "site-packages" in directory:
            continue
        files.extend(os.path.join(directory, n) for n in names if n.endswith(".py"))
    return sorted(files)


def test_invariant_on_every_stdlib_file() -> None:
    files = stdlib_files()
    assert len(files) > 500
    for path in files:
        try:
            source = Path(path).read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        masked = _mask(source)
        assert len(masked.text) == len(source), path
        assert line_breaks(masked.text) == line_breaks(source), path


# 3.12+ standard-library tests full of the masked constructs: CPython compiles them, so
# after masking parso must parse them without a single error node, and every await /
# lambda / yield / comprehension target must be where CPython's ast puts it.
MODERN_STDLIB_TESTS = (
    "test_patma.py",
    "test_except_star.py",
    "test_type_aliases.py",
    "test_type_params.py",
    "test_fstring.py",
    "test_grammar.py",
)


@needs_313
@pytest.mark.parametrize("name", MODERN_STDLIB_TESTS)
def test_modern_stdlib_tests_parse_after_masking(name: str) -> None:
    assert PY313 is not None
    path = Path(PY313).parent.parent / "lib" / "python3.13" / "test" / name
    if not path.exists():
        pytest.skip(f"{path} is missing")
    source = path.read_text(encoding="utf-8")
    (expected,) = cpython(13, (source,))
    assert expected is not None
    masked = mask_modern_syntax(source)
    assert masked.regions
    assert error_nodes(masked.text) == []
    assert keyword_positions(masked.text) == expected


EDGE_INPUTS = {
    "deep brackets": "x = " + "(" * 5000 + "await y" + ")" * 5000 + "\n",
    "unclosed brackets": "x = " + "[" * 5000 + "\nmatch a:\n    case 1: pass\n",
    "deep f-strings": "x = " + 'f"{' * 3000 + "await y" + '}"' * 3000 + "\n",
    "unterminated f-strings": 'f"{' * 3000 + "\nmatch a:\n    case 1: pass\n",
    "format spec nesting": 'f"{x:' + "{y:" * 2000 + "}" * 2001 + '"\n',
    "unterminated triple": 'x = f"""{a}\n' + "match x:\n case 1: pass\n" * 100,
    "nul and bom": "\ufeffmatch a:\x00\n  case 1:\x00 pass\n",
    "cr lines": "match a:\r  case 1 if await b:\r    pass\rtype X = int\r",
    "tabs and form feeds": "\x0cmatch a:\n\tcase 1:\n\t\tpass\n\x0c\n",
    "named escapes": 'f"' + "\\N{" * 20000 + '"\n',
    "break keywords": "x = (import " * 20000 + "\n",
    "lone braces": 'f"}" f"{" f"{x!}" f"{x:" f"{:}" f"{!r}"\n',
}


@pytest.mark.parametrize("name", EDGE_INPUTS)
def test_edge_inputs_never_raise_and_stay_fast(name: str) -> None:
    started = time.perf_counter()
    assert_invariant(EDGE_INPUTS[name])
    assert time.perf_counter() - started < 10, "quadratic behaviour"


HALF_TYPED_FSTRINGS = (
    'print(f"{x\n\nasync def f():\n    match await a:\n        case 1:\n            pass\n',
    'x = f"{a\ndef g():\n    """doc: "quoted" """\n    match y:\n'
    "        case 1:\n            pass\n",
    "x = f'{a:\nb = {'k': '" + "''v'''}\nmatch y:\n    case 1:\n        pass\n",
)


@pytest.mark.parametrize("source", HALF_TYPED_FSTRINGS)
def test_half_typed_fstring_does_not_swallow_the_file(source: str) -> None:
    masked = mask_modern_syntax(source)
    assert [type(r) for r in masked.regions] == [MatchRegion, CaseRegion]


def test_crlf_and_bom_positions() -> None:
    source = "\ufeffmatch a:\r\n    case 1 if await b:\r\n        pass\r\n"
    masked = mask_modern_syntax(source)
    match, case = masked.regions
    assert match.span.start == (1, 0)  # parso does not count the BOM
    assert case.guard is not None and case.guard.start == (2, 14)
    assert error_nodes(masked.text) == []
    assert keyword_positions(masked.text) == [[2, 14, "await"]]


def test_large_input_is_linear_enough() -> None:
    chunk = FSTRINGS + MATCH + TYPE_ALIASES
    started = time.perf_counter()
    masked = _mask(chunk * 200)
    assert len(masked.regions) == 200 * len(_mask(chunk).regions)
    assert time.perf_counter() - started < 20
