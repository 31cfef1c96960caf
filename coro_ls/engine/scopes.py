"""Scopes as CPython's symbol table sees them, built from a parso tree.

CPython decides whether ``await`` (and friends) is allowed by *scope*, not by textual
nesting: a default value, a decorator, a class base or the first iterable of a comprehension
is evaluated in the *enclosing* scope, while a ``lambda`` body, a class body and a
comprehension body are scopes of their own.  This module walks a parso tree once and records,
for every scope, the coroutine-relevant events that happen directly in it.  The rules
(``coro_ls.engine.rules``) then decide from those facts alone.

The walk is iterative so that code nested thousands deep cannot exhaust Python's stack.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from parso.tree import BaseNode, Leaf, NodeOrLeaf

from coro_ls.engine.versions import Version


class Kind(enum.Enum):
    MODULE = "module"
    CLASS = "class"
    FUNCTION = "function"
    ASYNC_FUNCTION = "async function"
    LAMBDA = "lambda"
    COMPREHENSION = "comprehension"
    ANNOTATION = "annotation"
    TYPE_PARAMS = "the definition of a generic"
    TYPEVAR_BOUND = "a TypeVar bound"
    TYPEVAR_CONSTRAINT = "a TypeVar constraint"
    TYPEVAR_DEFAULT = "a TypeVar default"
    TYPEVARTUPLE_DEFAULT = "a TypeVarTuple default"
    PARAMSPEC_DEFAULT = "a ParamSpec default"
    TYPE_ALIAS = "a type alias"


#: Scopes whose ``await`` is judged by the annotation/type-parameter rule (CORO107).
ANNOTATION_LIKE = frozenset(
    {
        Kind.ANNOTATION,
        Kind.TYPE_PARAMS,
        Kind.TYPEVAR_BOUND,
        Kind.TYPEVAR_CONSTRAINT,
        Kind.TYPEVAR_DEFAULT,
        Kind.TYPEVARTUPLE_DEFAULT,
        Kind.PARAMSPEC_DEFAULT,
        Kind.TYPE_ALIAS,
    }
)


@dataclass(frozen=True)
class Event:
    """A coroutine-relevant construct seen directly in a scope."""

    node: NodeOrLeaf
    doubtful: bool
    """True where error recovery may have misplaced the construct; rules then stay silent."""


@dataclass(eq=False)
class Scope:
    kind: Kind
    node: NodeOrLeaf | None
    """The ``funcdef``/``classdef``/``lambdef``/comprehension node; None for the module."""
    parent: Scope | None
    comprehension: str | None = None
    """``"list"``, ``"set"``, ``"dict"`` or ``"generator"`` for comprehension scopes."""
    compiled: bool = True
    """False where CPython never generates code (stringified annotations): only symbol-table
    errors (CORO107) can happen there."""
    doubtful: bool = False
    children: list[Scope] = field(default_factory=list)
    awaits: list[Event] = field(default_factory=list)
    async_statements: list[Event] = field(default_factory=list)
    """``async_stmt`` nodes holding an ``async for`` or ``async with``."""
    async_clauses: list[Event] = field(default_factory=list)
    """``async`` keywords of this comprehension's own ``async for`` clauses."""
    yields: list[Event] = field(default_factory=list)
    """``yield`` and ``yield from`` expressions: what makes a function a generator."""
    yield_froms: list[Event] = field(default_factory=list)
    value_returns: list[Event] = field(default_factory=list)
    symbol_table_only: list[Scope] = field(default_factory=list)
    """For a plain ``def``: what CPython's symbol table reads in this scope but never compiles
    (variable annotations in the body; before 3.10 under the future import, also the
    annotations of the functions defined here), each walked as a detached scope of its own.
    Nothing there is reported, but an ``await`` there (from 3.11 an asynchronous comprehension
    too) makes the symbol table mark the function a coroutine (see CORO106)."""

    def __post_init__(self) -> None:
        if self.parent is not None:
            self.parent.children.append(self)

    @property
    def name(self) -> str:
        node = self.node
        if node is not None and node.type in ("funcdef", "classdef"):
            return node.children[1].value  # type: ignore[attr-defined,union-attr]
        return "<lambda>" if self.kind is Kind.LAMBDA else ""

    def chain(self) -> Iterator[Scope]:
        """This scope and its ancestors, innermost first."""
        scope: Scope | None = self
        while scope is not None:
            yield scope
            scope = scope.parent


@dataclass
class Analysis:
    module: Scope
    version: Version
    top_level_await: bool
    future_annotations: bool
    lines: list[str]
    """The source's lines without line endings, for ranges that stop at a line's end."""
    has_errors: bool = False
    doubtful_spans: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    """Ranges where nothing is reported (syntax the target version lacks)."""

    def in_doubt(self, position: tuple[int, int]) -> bool:
        return any(start <= position < end for start, end in self.doubtful_spans)

    def scopes(self) -> Iterator[Scope]:
        stack = [self.module]
        while stack:
            scope = stack.pop()
            yield scope
            stack.extend(reversed(scope.children))


SpecialScopes = dict[tuple[tuple[int, int], tuple[int, int]], Kind]
"""Expression ranges that are scopes of their own although the tree cannot show it
(type alias statements masked for parso): ``(start, end) -> kind``."""


def analyse_statements(
    statements: Sequence[NodeOrLeaf],
    lines: Sequence[str],
    *,
    version: Version,
    top_level_await: bool,
    future_annotations: bool,
    special: SpecialScopes | None = None,
    enclosing: Sequence[NodeOrLeaf] = (),
    split: Collection[NodeOrLeaf] = (),
) -> Analysis:
    """Build the module scope from some of a module's top-level statements.

    Every scope lies inside one top-level statement, so a module can be analysed statement
    by statement; only the future import is a module-wide fact, and the caller passes it.
    ``lines`` are the source lines the statements' positions refer to (without endings).

    The statements may also be members of a class body: ``enclosing`` then lists the
    ``classdef`` nodes around them, outermost first (each a class directly in the body of
    the previous one, the first at module level), whose class scopes are created around the
    walk.  A class in ``split`` has only its header walked (decorators, bases, type
    parameters): its members are analysed on their own.
    """
    analysis = Analysis(
        Scope(Kind.MODULE, None, None),
        version,
        top_level_await,
        future_annotations,
        lines,  # type: ignore[union-attr,attr-defined,arg-type]
    )
    _Walker(analysis, dict(special or {}), {id(node) for node in split}).run(statements, enclosing)
    return analysis


def has_future_annotations(statements: Sequence[NodeOrLeaf]) -> bool:
    """Whether ``from __future__ import annotations`` is in effect.

    Future imports must come first (after the docstring); anything later is a SyntaxError
    that CPython reports for the whole file, so only the leading statements count.
    """
    for index, statement in enumerate(statements):
        if statement.type != "simple_stmt":
            return False
        for small in statement.children:  # type: ignore[union-attr,attr-defined,arg-type]
            if small.type in ("newline", "operator"):
                continue
            if index == 0 and small.type == "string":
                continue
            if small.type != "import_from":
                return False
            names = [leaf.value for leaf in leaves(small) if leaf.type == "name"]
            if names[:1] != ["__future__"]:
                return False
            if "annotations" in names[1:]:
                return True
    return False


def leaves(node: NodeOrLeaf) -> Iterator[Leaf]:
    """The leaves under ``node``, in source order."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, BaseNode):
            stack.extend(reversed(current.children))
        else:
            yield current  # type: ignore[misc]


_COMP_FOR = ("comp_for", "sync_comp_for")
_BLOCKS = ("file_input", "suite")


class _Walker:
    def __init__(self, analysis: Analysis, special: SpecialScopes, split: set[int]) -> None:
        self.analysis = analysis
        self.special = special
        self.split = split
        self.version = analysis.version
        self.stack: list[tuple[NodeOrLeaf, Scope, bool]] = []

    def run(self, statements: Sequence[NodeOrLeaf], enclosing: Sequence[NodeOrLeaf]) -> None:
        scope = self.analysis.module
        for node in enclosing:
            scope = Scope(Kind.CLASS, node, scope)
        self.statements(statements, scope, False, module_level=not enclosing)
        while self.stack:
            node, scope, doubt = self.stack.pop()
            self.visit(node, scope, doubt)

    def push(self, nodes: Iterable[NodeOrLeaf], scope: Scope, doubt: bool) -> None:
        # Reversed so that children are visited in source order (not needed for
        # correctness, but it keeps events ordered).
        self.stack.extend((node, scope, doubt) for node in reversed(list(nodes)))

    # -- dispatch -------------------------------------------------------------------------

    def visit(self, node: NodeOrLeaf, scope: Scope, doubt: bool) -> None:
        if self.special:
            kind = self.special.pop((node.start_pos, node.end_pos), None)
            if kind is not None:
                scope = Scope(kind, node, scope, doubtful=doubt)
        type_ = node.type
        if isinstance(node, Leaf):
            if type_ == "error_leaf":
                self.analysis.has_errors = True
            elif type_ == "keyword" and node.value == "yield" and node.parent.type != "yield_expr":  # type: ignore[union-attr,attr-defined,arg-type]
                scope.yields.append(Event(node, doubt))
            return
        handler = _HANDLERS.get(type_)
        if handler is not None:
            handler(self, node, scope, doubt)  # type: ignore[union-attr,attr-defined,arg-type]
        else:
            self.push(node.children, scope, doubt)  # type: ignore[union-attr,attr-defined,arg-type]

    def error_node(self, node: BaseNode, scope: Scope, doubt: bool) -> None:
        self.analysis.has_errors = True
        self.push(node.children, scope, True)

    def block(self, node: BaseNode, scope: Scope, doubt: bool) -> None:
        self.statements(node.children, scope, doubt, module_level=node.type == "file_input")

    def statements(
        self,
        children: Sequence[NodeOrLeaf],
        scope: Scope,
        doubt: bool,
        *,
        module_level: bool,
    ) -> None:
        """A module or suite: statements error recovery put at the wrong indentation are in
        doubt (parso moves the body of a broken ``def`` header to the enclosing block)."""
        column = None
        seen_error = False
        previous: NodeOrLeaf | None = None
        for child in children:
            if child.type in ("newline", "endmarker"):
                self.push([child], scope, doubt)
                continue
            if child.type in ("error_leaf", "error_node"):
                seen_error = True
                self.push([child], scope, doubt)
                previous = child
                continue
            indent = self.indentation(child)
            if column is None:
                column = 0 if module_level else indent
            misplaced = (seen_error or module_level) and indent != column
            # A ``def`` right after a stray ``async`` (``x = (async`` then ``def f():`` on
            # the next line) may be an ``async def`` that error recovery split: whether its
            # body is a coroutine is then unknown.
            if child.type == "funcdef" and previous is not None:
                misplaced = misplaced or previous.get_last_leaf().value == "async"
            previous = child
            self.push([child], scope, doubt or misplaced)

    def indentation(self, statement: NodeOrLeaf) -> int:
        """The statement's indentation as CPython's tokenizer measures it: a form feed in the
        leading whitespace resets the count (parso counts it as a column, and then reports
        an indentation error that CPython does not)."""
        line, column = statement.start_pos
        if column and line <= len(self.analysis.lines):
            leading = self.analysis.lines[line - 1][:column]
            feed = leading.rfind("\x0c")
            if feed >= 0:
                return column - feed - 1
        return column

    def async_stmt(self, node: BaseNode, scope: Scope, doubt: bool) -> None:
        if node.children[1].type in ("for_stmt", "with_stmt"):
            scope.async_statements.append(Event(node, doubt))
        self.push(node.children[1:], scope, doubt)

    def atom_expr(self, node: BaseNode, scope: Scope, doubt: bool) -> None:
        first = node.children[0]
        if first.type == "keyword" and first.value == "await":  # type: ignore[union-attr]
            scope.awaits.append(Event(node, doubt))
        self.push(node.children, scope, doubt)

    def yield_expr(self, node: BaseNode, scope: Scope, doubt: bool) -> None:
        event = Event(node, doubt)
        scope.yields.append(event)
        argument = node.children[1] if len(node.children) > 1 else None
        if argument is not None and argument.type == "yield_arg":
            scope.yield_froms.append(event)
        self.push(node.children[1:], scope, doubt)

    def return_stmt(self, node: BaseNode, scope: Scope, doubt: bool) -> None:
        scope.value_returns.append(Event(node, doubt))
        self.push(node.children[1:], scope, doubt)

    # -- scopes ----------------------------------------------------------------------------

    def funcdef(self, node: BaseNode, scope: Scope, doubt: bool) -> None:
        children = node.children
        parent = node.parent
        is_async = parent is not None and parent.type in ("async_stmt", "async_funcdef")
        type_scope = scope
        annotations: list[NodeOrLeaf] = []
        for index, child in enumerate(children):
            if child.type == "type_params":
                type_scope = self.type_params(child, scope, doubt)
            elif child.type == "parameters":
                annotations.extend(self.parameters(child.children, scope, doubt))
            elif child.type == "operator" and child.value == "->":  # type: ignore[union-attr]
                annotations.append(children[index + 1])
        for annotation in annotations:
            self.annotation(annotation, type_scope, doubt, local=False)
        body = Scope(
            Kind.ASYNC_FUNCTION if is_async else Kind.FUNCTION, node, scope, doubtful=doubt
        )
        body.compiled = scope.compiled
        self.push([children[-1]], body, doubt)

    def parameters(
        self, params: Iterable[NodeOrLeaf], scope: Scope, doubt: bool
    ) -> list[NodeOrLeaf]:
        """Push defaults in ``scope``; return the annotations for the caller to place."""
        annotations: list[NodeOrLeaf] = []
        for param in params:
            if param.type != "param":
                if param.type == "error_node":
                    self.error_node(param, scope, doubt)  # type: ignore[arg-type]
                continue
            items = param.children  # type: ignore[attr-defined,union-attr]
            for index, item in enumerate(items):
                if item.type == "tfpdef":
                    annotations.append(item.children[2])  # type: ignore[union-attr]
                elif item.type == "operator" and item.value == "=":  # type: ignore[union-attr]
                    self.push([items[index + 1]], scope, doubt)
                elif item.type in ("error_node", "error_leaf"):
                    self.push([item], scope, doubt)
        return annotations

    def annotation(
        self, node: NodeOrLeaf, scope: Scope, doubt: bool, *, local: bool, simple: bool = True
    ) -> None:
        """Place an annotation in the scope CPython evaluates it in.

        ``local`` marks a variable annotation inside a function body, which CPython before
        3.14 never compiles (``def f(): x: await y = 1`` compiles).  ``simple`` is false for
        a variable annotation whose target is not a bare name (``v.a: X``, ``(v): X``).
        """
        version = self.version
        future = self.analysis.future_annotations
        if version >= (3, 14):
            # PEP 649/749: every annotation lives in an annotation scope of its own; local
            # variable annotations are checked by the symbol table but never compiled.
            annotation = Scope(Kind.ANNOTATION, node, scope, compiled=not local, doubtful=doubt)
            self.push([node], annotation, doubt)
        elif future:
            if version < (3, 10):
                # Stringified, and 3.8/3.9 have no await check for annotations; but they
                # still compile a non-simple target's annotation at module or class level,
                # as a check, in that scope (compile.c check_annotation; observed: under
                # the future import `v.a: await x` is "'await' outside function").
                if not simple and not local:
                    self.push([node], scope, doubt)
                else:
                    self.symbol_table_only(node, scope, doubt)
                return
            annotation = Scope(Kind.ANNOTATION, node, scope, compiled=False, doubtful=doubt)
            self.push([node], annotation, doubt)
        elif local:
            self.symbol_table_only(node, scope, doubt)
        else:
            self.push([node], scope, doubt)

    def symbol_table_only(self, node: NodeOrLeaf, scope: Scope, doubt: bool) -> None:
        if scope.kind is Kind.FUNCTION:
            # Detached (no parent): no rule sees it among the analysis' scopes.
            shadow = Scope(Kind.FUNCTION, scope.node, None, compiled=False, doubtful=doubt)
            scope.symbol_table_only.append(shadow)
            self.push([node], shadow, doubt)

    def type_params(self, node: BaseNode, scope: Scope, doubt: bool) -> Scope:
        """PEP 695 type parameters: one scope for the generic's definition, and one per
        bound, constraint and default."""
        params = Scope(Kind.TYPE_PARAMS, node, scope, doubtful=doubt)
        for param in node.children:
            if param.type != "type_param":
                if param.type in ("error_node", "error_leaf"):
                    self.push([param], params, doubt)
                continue
            star = param.children[0].value if param.children[0].type == "operator" else ""  # type: ignore[union-attr]
            for part in param.children:  # type: ignore[union-attr]
                if part.type == "type_param_bound":
                    expression = part.children[1]
                    kind = Kind.TYPEVAR_BOUND
                    if self.version >= (3, 13) and _is_tuple(expression):
                        kind = Kind.TYPEVAR_CONSTRAINT
                    self.push([expression], Scope(kind, part, params, doubtful=doubt), doubt)
                elif part.type == "type_param_default":
                    kind = {
                        "": Kind.TYPEVAR_DEFAULT,
                        "*": Kind.TYPEVARTUPLE_DEFAULT,
                        "**": Kind.PARAMSPEC_DEFAULT,
                    }[star]
                    self.push([part.children[1]], Scope(kind, part, params, doubtful=doubt), doubt)
        return params

    def classdef(self, node: BaseNode, scope: Scope, doubt: bool) -> None:
        children = node.children
        bases_scope = scope
        inside = False
        for child in children[2:-1]:
            if child.type == "type_params":
                bases_scope = self.type_params(child, scope, doubt)
            elif child.type == "operator" and child.value in "()":  # type: ignore[union-attr]
                inside = child.value == "("  # type: ignore[union-attr]
            elif inside or child.type in ("error_node", "error_leaf"):
                self.push([child], bases_scope, doubt)
        body = Scope(Kind.CLASS, node, scope, doubtful=doubt)
        body.compiled = scope.compiled
        if id(node) not in self.split:
            self.push([children[-1]], body, doubt)

    def lambdef(self, node: BaseNode, scope: Scope, doubt: bool) -> None:
        children = node.children
        self.parameters(children[1:-2], scope, doubt)
        body = Scope(Kind.LAMBDA, node, scope, doubtful=doubt)
        body.compiled = scope.compiled
        self.push([children[-1]], body, doubt)

    def expr_stmt(self, node: BaseNode, scope: Scope, doubt: bool) -> None:
        for child in node.children:
            if child.type == "annassign":
                annotation = child.children[1]
                local = scope.kind in (Kind.FUNCTION, Kind.ASYNC_FUNCTION)
                simple = node.children[0].type == "name"
                self.annotation(annotation, scope, doubt, local=local, simple=simple)
                self.push(child.children[2:], scope, doubt)
            else:
                self.push([child], scope, doubt)

    # -- comprehensions --------------------------------------------------------------------

    def atom(self, node: BaseNode, scope: Scope, doubt: bool) -> None:
        children = node.children
        if len(children) == 3 and children[1].type in ("testlist_comp", "dictorsetmaker"):
            inner = children[1].children  # type: ignore[union-attr]
            if inner[-1].type in _COMP_FOR:
                bracket = children[0].value  # type: ignore[union-attr]
                if bracket == "[":
                    kind = "list"
                elif bracket == "(":
                    kind = "generator"
                else:
                    kind = "dict" if len(inner) > 2 or inner[0].type == "operator" else "set"
                self.comprehension(node, inner[:-1], inner[-1], kind, scope, doubt)
                return
        self.push(children, scope, doubt)

    def argument(self, node: BaseNode, scope: Scope, doubt: bool) -> None:
        children = node.children
        if len(children) == 2 and children[1].type in _COMP_FOR:
            self.comprehension(node, children[:1], children[1], "generator", scope, doubt)
        else:
            self.push(children, scope, doubt)

    def comprehension(
        self,
        node: BaseNode,
        elements: list[NodeOrLeaf],
        clause: NodeOrLeaf,
        kind: str,
        scope: Scope,
        doubt: bool,
    ) -> None:
        body = Scope(Kind.COMPREHENSION, node, scope, comprehension=kind, doubtful=doubt)
        body.compiled = scope.compiled
        first = True
        current: NodeOrLeaf | None = clause
        while current is not None:
            following: NodeOrLeaf | None = None
            if current.type == "comp_for":
                body.async_clauses.append(Event(current.children[0], doubt))  # type: ignore[attr-defined,union-attr]
                current = current.children[1]  # type: ignore[attr-defined,union-attr]
                continue
            if current.type == "sync_comp_for":
                parts = current.children  # type: ignore[attr-defined,union-attr]
                # for TARGET in ITER [comp_iter]
                self.push([parts[1]], body, doubt)
                self.push([parts[3]], scope if first else body, doubt)
                first = False
                following = parts[4] if len(parts) > 4 else None
            elif current.type == "comp_if":
                parts = current.children  # type: ignore[attr-defined,union-attr]
                self.push([parts[1]], body, doubt)
                following = parts[2] if len(parts) > 2 else None
            else:
                self.push([current], body, doubt)
            current = following
        self.push(elements, body, doubt)


def _is_tuple(node: NodeOrLeaf) -> bool:
    children = getattr(node, "children", None)
    if node.type != "atom" or not children or children[0].value != "(":  # type: ignore[union-attr]
        return False
    inner = children[1] if len(children) == 3 else None
    return (
        inner is not None
        and inner.type == "testlist_comp"
        and any(
            c.type == "operator" and c.value == ","
            for c in inner.children  # type: ignore[union-attr]
        )
    )


_HANDLERS = {
    "file_input": _Walker.block,
    "suite": _Walker.block,
    "error_node": _Walker.error_node,
    "async_stmt": _Walker.async_stmt,
    "atom_expr": _Walker.atom_expr,
    "yield_expr": _Walker.yield_expr,
    "return_stmt": _Walker.return_stmt,
    "funcdef": _Walker.funcdef,
    "classdef": _Walker.classdef,
    "lambdef": _Walker.lambdef,
    "expr_stmt": _Walker.expr_stmt,
    "atom": _Walker.atom,
    "argument": _Walker.argument,
}
