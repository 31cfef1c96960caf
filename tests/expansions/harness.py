"""Differential execution of ``async for`` / ``async with`` against their expansions.

A seeded generator writes small programs that vary what the expansions must preserve (loop
``else`` clauses, ``break``/``continue``/``return``/``raise``/``yield`` in bodies, failing
``__anext__``/``__aenter__``/``__aexit__``, suppressing managers, every kind of target, nesting,
enclosing loops, module-level statements, indentation units, line endings, comments, multi-line
strings, and user names equal to the helpers' natural names or to ``sys``/``type``).  Each
program runs under asyncio before and after the rewrite, with tracing iterators and managers;
the traces (every special-method call with its arguments, every value the body sees, the
outcome with its exception chain, and the names left bound) must be equal.
"""

from __future__ import annotations

import ast
import asyncio
import builtins
import inspect
import io
import random
import tokenize
import types
from collections.abc import Callable
from dataclasses import dataclass, field

from coro_ls.editing.expansions import apply_edits, expand, iter_statements
from coro_ls.engine.versions import grammar_for, running_version

TOP_LEVEL_AWAIT = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT

HELPER_LIKE = ["value", "iterator", "running", "manager", "aenter", "aexit", "hit_except"]
USER_NAMES = ["x", "y", "item", "value", "iterator", "running", "manager", "value_2", "aexit"]


# --- the runtime the programs trace themselves with ------------------------------------------


class Trace:
    def __init__(self) -> None:
        self.events: list[tuple[object, ...]] = []
        self.ticks = 0
        self.frozen = False

    def __call__(self, *event: object) -> None:
        if not self.frozen:
            self.events.append(tuple(stable(part) for part in event))

    def tick(self) -> int:
        self.ticks += 1
        return self.ticks


def stable(value: object) -> object:
    """A representation that is equal across runs (no ids, no addresses)."""
    if isinstance(value, (str, int, float, bool, type(None))):
        return value
    if isinstance(value, (tuple, list)):
        return (type(value).__name__, tuple(stable(v) for v in value))
    if isinstance(value, dict):
        return ("dict", tuple(sorted((str(k), stable(v)) for k, v in value.items())))
    if isinstance(value, BaseException):
        return (type(value).__name__, str(value))
    name = getattr(value, "trace_name", None)
    if name is not None:
        return ("traced", name)
    return type(value).__name__


class Iterable:
    """An async iterable; ``__aiter__`` returns itself or a separate iterator."""

    def __init__(self, log, name, items, fail_at=None, fail="ValueError", separate=False):  # type: ignore[no-untyped-def]
        self.log, self.trace_name, self.items = log, name, list(items)
        self.fail_at, self.fail, self.separate, self.index = fail_at, fail, separate, 0

    def __aiter__(self):  # type: ignore[no-untyped-def]
        self.log(self.trace_name, "aiter")
        if self.separate:
            return Iterator(self)
        return self

    async def __anext__(self):  # type: ignore[no-untyped-def]
        return await _next(self)


class Iterator:
    def __init__(self, source: Iterable) -> None:
        self.source = source
        self.trace_name = source.trace_name + ".it"

    def __aiter__(self):  # type: ignore[no-untyped-def]
        return self

    async def __anext__(self):  # type: ignore[no-untyped-def]
        return await _next(self.source)


async def _next(source: Iterable) -> object:
    source.log(source.trace_name, "anext", source.index)
    if source.index % 2:
        await asyncio.sleep(0)
    if source.index == source.fail_at:
        raise getattr(builtins, source.fail)(f"{source.trace_name} fails")
    if source.index >= len(source.items):
        raise StopAsyncIteration
    item = source.items[source.index]
    source.index += 1
    return item


async def agen(log, name, count):  # type: ignore[no-untyped-def]
    try:
        for index in range(count):
            log(name, "agen yields", index)
            yield (name, index)
    finally:
        log(name, "agen finally")


class Manager:
    def __init__(self, log, name, enter_fails=False, exit_fails=False, suppress=None):  # type: ignore[no-untyped-def]
        self.log, self.trace_name = log, name
        self.enter_fails, self.exit_fails, self.suppress = enter_fails, exit_fails, suppress

    async def __aenter__(self):  # type: ignore[no-untyped-def]
        self.log(self.trace_name, "aenter")
        await asyncio.sleep(0)
        if self.enter_fails:
            raise KeyError(f"{self.trace_name} enter fails")
        return (self.trace_name, "entered")

    async def __aexit__(self, kind, value, traceback):  # type: ignore[no-untyped-def]
        self.log(
            self.trace_name,
            "aexit",
            kind.__name__ if kind else None,
            stable(value),
            traceback is None,
        )
        await asyncio.sleep(0)
        if self.exit_fails:
            raise LookupError(f"{self.trace_name} exit fails")
        return self.suppress


class Box:
    """Attribute targets; ``stop`` and ``bad`` refuse to be assigned."""

    trace_name = "box"

    def __init__(self, log) -> None:  # type: ignore[no-untyped-def]
        object.__setattr__(self, "log", log)

    def __setattr__(self, name: str, value: object) -> None:
        self.log("setattr", name, value)
        if name == "stop":
            raise StopAsyncIteration("assigning box.stop")
        if name == "bad":
            raise ValueError("assigning box.bad")
        object.__setattr__(self, name, value)


class Slots(dict):  # type: ignore[type-arg]
    trace_name = "slots"

    def __init__(self, log) -> None:  # type: ignore[no-untyped-def]
        super().__init__()
        self.log = log

    def __setitem__(self, key, value):  # type: ignore[no-untyped-def]
        self.log("setitem", key, value)
        super().__setitem__(key, value)


async def sleep0() -> None:
    await asyncio.sleep(0)


def runtime(log: Trace) -> dict[str, object]:
    return {
        "LOG": log,
        "TICK": log.tick,
        "Iterable": Iterable,
        "Manager": Manager,
        "agen": agen,
        "BOX": Box(log),
        "SLOTS": Slots(log),
        "sleep0": sleep0,
        "__name__": "generated",
    }


RUNTIME_NAMES = set(runtime(Trace())) | {"__builtins__"}


def snapshot(namespace: dict[str, object]) -> dict[str, object]:
    """The user's names and values (modules left out: the expansion may add ``import sys``)."""
    return {
        key: value
        for key, value in namespace.items()
        if key not in RUNTIME_NAMES
        and not isinstance(value, types.ModuleType)
        and not inspect.isfunction(value)
    }


# --- running a program ------------------------------------------------------------------------


@dataclass(frozen=True)
class Program:
    source: str
    top_level: bool
    """The statements sit at module level (run with top-level ``await`` allowed)."""
    take: int | None
    """For an async generator ``main``: how many values to take before ``aclose()``."""


def run(program: Program, source: str | None = None) -> list[tuple[object, ...]]:
    """The trace of one run of ``source`` (default: the program's own)."""
    source = program.source if source is None else source
    code = compile(source, "<generated>", "exec", flags=TOP_LEVEL_AWAIT)
    log = Trace()
    namespace = runtime(log)
    asyncio.run(_drive(program, code, namespace, log))
    return log.events


async def _drive(program: Program, code: types.CodeType, namespace: dict, log: Trace) -> None:  # type: ignore[type-arg]
    try:
        if program.top_level:
            pending = eval(code, namespace)
            if pending is not None:
                await pending
            log("module done", snapshot(namespace))
        else:
            exec(code, namespace)
            main = namespace["main"]
            if inspect.isasyncgenfunction(main):
                generator = main()
                taken = 0
                try:
                    while program.take is None or taken < program.take:
                        log("yielded", await generator.__anext__())
                        taken += 1
                    log("closing")
                    await generator.aclose()
                except StopAsyncIteration:
                    log("generator done")
            else:
                log("returned", await main())
    except BaseException as error:  # noqa: BLE001 - the outcome is what is compared
        log("raised", *_chain(error))
    finally:
        log.frozen = True


def _chain(error: BaseException) -> list[object]:
    chain: list[object] = []
    current: BaseException | None = error
    while current is not None and len(chain) < 4:
        chain.append(stable(current))
        current = current.__context__
    return chain


# --- rewriting --------------------------------------------------------------------------------


def expand_one(source: str, index: int) -> str | None:
    """Expand the statement number ``index`` (modulo their count); None when there is none."""
    version = running_version()
    module = grammar_for(version).parse(source)
    statements = list(iter_statements(source, module, version=version))
    if not statements:
        return None
    statement = statements[index % len(statements)]
    return apply_edits(source, expand(source, module, statement, version=version))


def expand_all(source: str, limit: int = 12) -> str:
    """Expand statements one at a time (outermost first) until none is left."""
    for _ in range(limit):
        expanded = expand_one(source, 0)
        if expanded is None:
            return source
        source = expanded
    raise AssertionError("expansions did not terminate")


def names_of(source: str) -> set[str]:
    return {
        token.string
        for token in tokenize.generate_tokens(io.StringIO(source).readline)
        if token.type == tokenize.NAME
    }


def deleted_helpers(source: str, expanded: str) -> set[str]:
    """The names the expansions' ``del`` lines remove: every helper, once per statement."""
    original = set(source.splitlines())
    names: set[str] = set()
    for line in expanded.splitlines():
        stripped = line.strip()
        if stripped.startswith("del ") and line not in original:
            names.update(part.strip() for part in stripped[4:].split(","))
    return names


USED_BUILTINS = {"type", "StopAsyncIteration", "True", "False", "None", "sys", "builtins"}


# --- generating programs ----------------------------------------------------------------------


@dataclass
class _Writer:
    rng: random.Random
    generator: bool
    top_level: bool
    lines: list[tuple[int, str]] = field(default_factory=list)
    labels: int = 0
    statements: int = 0

    def label(self) -> int:
        self.labels += 1
        return self.labels

    def emit(self, level: int, text: str) -> None:
        self.lines.append((level, text))


def generate(seed: int) -> Program:
    rng = random.Random(seed)
    top_level = rng.random() < 0.15
    generator = not top_level and rng.random() < 0.25
    writer = _Writer(rng, generator, top_level)
    if rng.random() < 0.3:
        writer.emit(0, '"""A generated module."""')
    if rng.random() < 0.3:
        writer.emit(0, "from __future__ import annotations")
    if rng.random() < 0.2:
        writer.emit(0, "import sys")
    if rng.random() < 0.1:
        writer.emit(0, "sys = 'module-level shadow'")
    base = 0
    if not top_level:
        writer.emit(0, "")
        writer.emit(0, "")
        writer.emit(0, "async def main():")
        base = 1
    for name in rng.sample(HELPER_LIKE, rng.randint(0, 3)):
        writer.emit(base, f"{name} = 'user {name}'")
    if rng.random() < 0.15:
        writer.emit(base, "sys = 'local shadow'" if not top_level else "sys = 'shadow'")
    if rng.random() < 0.1:
        writer.emit(base, "type = 'shadow type'")
    in_loop = False
    suppressing = False
    outer = rng.random()
    level = base
    if outer < 0.2:
        writer.emit(level, "for outer in range(2):")
        level, in_loop = level + 1, True
    elif outer < 0.3:
        writer.emit(level, "while TICK() < 30:")
        level, in_loop = level + 1, True
    elif outer < 0.4:
        suppress = rng.choice([None, True])
        writer.emit(level, f"async with Manager(LOG, 'outer', suppress={suppress}):")
        level, suppressing = level + 1, bool(suppress)
    for _ in range(rng.randint(1, 2)):
        _statement(writer, level, in_loop, suppressing, depth=0)
    writer.emit(base, "LOG('after', TICK())")
    writer.emit(base, "await sleep0()")
    writer.emit(base, "LOG('after sleep', TICK())")
    if not top_level:
        writer.emit(base, "LOG('locals', locals())")
        writer.emit(base, "yield 'last'" if generator else "return 'done'")
    unit = rng.choice(["    ", "  ", "\t"])
    newline = rng.choice(["\n", "\n", "\r\n"])
    source = newline.join(unit * lvl + text if text else "" for lvl, text in writer.lines)
    take = rng.choice([None, None, 1, 2]) if generator else None
    return Program(source + newline, top_level, take)


def _statement(writer: _Writer, level: int, in_loop: bool, suppressing: bool, depth: int) -> None:
    writer.statements += 1
    if writer.rng.random() < 0.5:
        _async_for(writer, level, suppressing, depth)
    else:
        _async_with(writer, level, in_loop, suppressing, depth)


def _async_for(writer: _Writer, level: int, suppressing: bool, depth: int) -> None:
    rng = writer.rng
    name = f"it{writer.label()}"
    count = rng.randint(0, 3)
    if rng.random() < 0.2:
        iterable = f"agen(LOG, {name!r}, {count})"
    else:
        items = [(f"{name}v{i}", i) for i in range(count)]
        fail_at = rng.choice([None, None, None, 0, 1, 2])
        fail = rng.choice(["ValueError", "StopAsyncIteration", "KeyError"])
        iterable = (
            f"Iterable(LOG, {name!r}, {items!r}, fail_at={fail_at}, fail={fail!r}, "
            f"separate={rng.random() < 0.3})"
        )
    target, bound = _target(rng)
    comment = "  # the loop" if rng.random() < 0.2 else ""
    writer.emit(level, f"async for {target} in {iterable}:{comment}")
    _body(writer, level + 1, True, suppressing, depth, bound)
    if rng.random() < 0.4:
        writer.emit(level, "else:")
        writer.emit(level + 1, f"LOG('else', {name!r}, TICK())")
        if rng.random() < 0.2:
            writer.emit(level + 1, "pass  # nothing more")


def _async_with(writer: _Writer, level: int, in_loop: bool, suppressing: bool, depth: int) -> None:
    rng = writer.rng
    items = []
    bound: list[str] = []
    any_suppress = False
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        name = f"cm{writer.label()}"
        suppress = rng.choice([None, None, False, True, 1])
        any_suppress = any_suppress or bool(suppress)
        manager = (
            f"Manager(LOG, {name!r}, enter_fails={rng.random() < 0.15}, "
            f"exit_fails={rng.random() < 0.15}, suppress={suppress})"
        )
        if rng.random() < 0.6:
            target, names = _target(rng, with_item=True)
            bound += names
            manager += f" as {target}"
        items.append(manager)
    if rng.random() < (0.5 if len(items) > 1 else 0.15):
        inner = ",\n".join(items) if rng.random() < 0.5 else ", ".join(items)
        trailing = "," if rng.random() < 0.3 else ""
        comment = "  # the managers" if rng.random() < 0.3 else ""
        header = (
            f"async with ({comment}\n{inner}{trailing}\n):"
            if comment
            else (f"async with ({inner}{trailing}):")
        )
    else:
        header = f"async with {', '.join(items)}:"
    first, *rest = header.split("\n")
    writer.emit(level, first)
    for line in rest:
        writer.emit(level + 2, line)
    _body(writer, level + 1, in_loop, suppressing or any_suppress, depth, bound)


def _target(rng: random.Random, with_item: bool = False) -> tuple[str, list[str]]:
    first, second = rng.sample(USER_NAMES, 2)
    shapes = [
        (first, [first]),
        (f"{first}, {second}", [first, second]),
        (f"({first}, {second})", [first, second]),
        (f"[{first}, *{second}]", [first, second]),
        ("BOX.attr", []),
        ("SLOTS['k']", []),
        (f"{first}, SLOTS[{second!r}]", [first]),
        ("BOX.stop", []),
        ("BOX.bad", []),
    ]
    weights = [6, 3, 2, 2, 2, 2, 1, 1, 1]
    if with_item:  # an unparenthesised tuple would read as two items
        del shapes[6], weights[6]
        del shapes[1], weights[1]
    return rng.choices(shapes, weights)[0]


def _body(
    writer: _Writer,
    level: int,
    in_loop: bool,
    suppressing: bool,
    depth: int,
    bound: list[str],
) -> None:
    rng = writer.rng
    label = writer.label()
    shown = ", ".join(bound)
    if rng.random() < 0.15:
        writer.emit(level, "# a comment in the body")
    writer.emit(level, f"LOG('body', {label}, {shown}{',' if len(bound) == 1 else ''})")
    for _ in range(rng.randint(0, 3)):
        choice = rng.random()
        if choice < 0.15 and in_loop:
            writer.emit(level, "if TICK() % 3 == 0:")
            writer.emit(level + 1, rng.choice(["break", "continue"]))
        elif choice < 0.25 and not writer.top_level:
            writer.emit(level, "if TICK() % 4 == 0:")
            writer.emit(level + 1, "return" if writer.generator else f"return ('early', {label})")
        elif choice < 0.35:
            writer.emit(level, "if TICK() % 5 == 0:")
            writer.emit(level + 1, f"raise ValueError('body {label}')")
        elif choice < 0.45 and writer.generator:
            writer.emit(level, f"yield ('from body', {label})")
        elif choice < 0.55:
            writer.emit(level, 's = """first line')
            writer.lines.append((0, "  indented inside the string"))
            writer.lines.append((0, '\tlast"""'))
            writer.emit(level, "LOG('string', s)")
        elif choice < 0.6:
            writer.emit(0, "")
        elif choice < 0.75 and depth < 2:
            _statement(writer, level, in_loop, suppressing, depth + 1)
        elif choice < 0.8:
            writer.emit(level, "await sleep0()")
        elif choice < 0.85 and bound:
            writer.emit(level, "def closure():")
            writer.emit(level + 1, f"return {bound[-1]}")
            writer.emit(level, "LOG('closure', closure())")
        else:
            writer.emit(level, f"LOG('tick', {label}, TICK())  # trailing comment")


# --- comparing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    seed: int
    mismatch: bool
    detail: str = ""
    kind: str = ""
    """What differed: ``compile``, ``builtins``, ``collision`` or ``trace``."""


def check(
    seed: int,
    rewrite: Callable[[str, random.Random], str] | None = None,
    *,
    static: bool = True,
) -> Outcome:
    """Run program ``seed`` before and after the rewrite; compare everything observable.

    ``static=False`` skips the checks on the text (fresh names, builtins) to see whether the
    traces alone tell a defect.
    """
    program = generate(seed)
    rng = random.Random(seed * 7 + 1)
    if rewrite is None:
        rewrite = default_rewrite
    expanded = rewrite(program.source, rng)
    try:
        compile(expanded, "<expanded>", "exec", flags=TOP_LEVEL_AWAIT)
    except SyntaxError as error:
        return Outcome(seed, True, f"expansion does not compile: {error}\n{expanded}", "compile")
    if static:
        introduced = names_of(expanded) - names_of(program.source)
        shadowing = (introduced & set(dir(builtins))) - USED_BUILTINS
        if shadowing:
            return Outcome(seed, True, f"helpers shadow builtins: {shadowing}", "builtins")
        collisions = deleted_helpers(program.source, expanded) & names_of(program.source)
        if collisions:
            detail = f"helpers named like the program's: {collisions}"
            return Outcome(seed, True, detail, "collision")
    user_names = names_of(program.source)
    before = _split_scopes(run(program), user_names)
    after = _split_scopes(run(program, expanded), user_names)
    if _manager_failed(before):
        # When __aenter__, __aexit__ or a target assignment raises, some helpers stay bound
        # until the function ends (README's fine point); only the user's names are compared.
        before, after = _without_helpers(before), _without_helpers(after)
    if before != after:
        return Outcome(seed, True, _difference(program.source, expanded, before, after), "trace")
    return Outcome(seed, False)


def _split_scopes(trace: list, user_names: set[str]) -> list:  # type: ignore[type-arg]
    """``locals()`` snapshots split into the user's names and the names the rewrite added."""
    result = []
    for event in trace:
        if event[0] in ("locals", "module done") and event[1][0] == "dict":
            items = event[1][1]
            user = tuple(item for item in items if item[0] in user_names)
            added = tuple(item[0] for item in items if item[0] not in user_names)
            event = (event[0], user, added)
        result.append(event)
    return result


def _manager_failed(trace: list) -> bool:  # type: ignore[type-arg]
    signs = ("enter fails", "exit fails", "assigning box")
    return any(sign in repr(event) for event in trace for sign in signs)


def _without_helpers(trace: list) -> list:  # type: ignore[type-arg]
    return [event[:2] if event[0] in ("locals", "module done") else event for event in trace]


def default_rewrite(source: str, rng: random.Random) -> str:
    if rng.random() < 0.3:
        return expand_all(source)
    expanded = expand_one(source, rng.randrange(100))
    assert expanded is not None, "every generated program holds a statement"
    return expanded


def _difference(source: str, expanded: str, before: list, after: list) -> str:  # type: ignore[type-arg]
    index = next(
        (i for i, (one, other) in enumerate(zip(before, after, strict=False)) if one != other),
        min(len(before), len(after)),
    )
    return (
        f"--- original\n{source}\n--- expanded\n{expanded}\n"
        f"first difference at event {index}:\n  before: {before[index : index + 3]}\n"
        f"  after:  {after[index : index + 3]}"
    )
