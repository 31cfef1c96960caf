"""Only the server package speaks LSP: the engine, rules and rewrites never import pygls."""

from __future__ import annotations

import ast
from pathlib import Path

import coro_ls

PACKAGE = Path(coro_ls.__file__).parent
LSP_LIBRARIES = {"pygls", "lsprotocol"}


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.partition(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            roots.add(node.module.partition(".")[0])
    return roots


def test_nothing_outside_the_server_package_imports_pygls_or_lsprotocol() -> None:
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(imported_roots(path) & LSP_LIBRARIES)
        for path in PACKAGE.rglob("*.py")
        if "server" not in path.relative_to(PACKAGE).parts
    }
    assert {name: libs for name, libs in offenders.items() if libs} == {}
    # the scan does see the server's own imports
    assert "pygls" in imported_roots(PACKAGE / "server" / "app.py")
