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


# Each layer may import the layers listed here (and itself); the package docstrings say the same.
ALLOWED = {
    "syntax": {"engine"},  # engine.versions: the version each masked construct needs
    "engine": {"syntax"},
    "editing": {"engine", "syntax"},
    "config": {"engine"},
    "server": {"engine", "syntax", "editing", "config"},
    "cli": {"engine", "syntax", "editing", "config", "server"},
}


def coro_ls_layers_imported(path: Path) -> set[str]:
    layers = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "coro_ls" and len(parts) > 1 and parts[1] in ALLOWED:
                layers.add(parts[1])
    return layers


def test_every_module_of_the_package_belongs_to_a_layer() -> None:
    loose = sorted(
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.glob("*.py")
        if path.name not in {"__init__.py", "__main__.py"}
    )
    assert loose == []
    assert {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()} == set(ALLOWED)


def test_each_layer_imports_only_the_layers_beneath_it() -> None:
    breaches = {}
    for layer, allowed in ALLOWED.items():
        for path in (PACKAGE / layer).rglob("*.py"):
            extra = coro_ls_layers_imported(path) - allowed - {layer}
            if extra:
                breaches[str(path.relative_to(PACKAGE))] = sorted(extra)
    assert breaches == {}
    # the scan does see cross-layer imports
    assert "engine" in coro_ls_layers_imported(PACKAGE / "editing" / "fixes.py")


def test_every_layer_says_what_it_is_and_what_it_may_import() -> None:
    for layer in ALLOWED:
        doc = ast.get_docstring(ast.parse((PACKAGE / layer / "__init__.py").read_text("utf-8")))
        assert doc and "import" in doc.lower(), layer
