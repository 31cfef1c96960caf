"""The version is written once, as ``coro_ls.__version__``; the package metadata reads it from
there, and every other place that has to spell it out agrees with it."""

from __future__ import annotations

import json
import re
import sys

from install_harness import REPO
from packaging.version import Version

from coro_ls import __version__

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


def test_the_version_is_a_release_version() -> None:
    assert str(Version(__version__)) == __version__


def test_pyproject_reads_the_version_from_the_package() -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in pyproject["project"]
    assert "version" in pyproject["project"]["dynamic"]
    dynamic = pyproject["tool"]["setuptools"]["dynamic"]["version"]
    assert dynamic == {"attr": "coro_ls.__version__"}


def test_vscode_extension_version() -> None:
    package = json.loads((REPO / "editors/vscode/package.json").read_text(encoding="utf-8"))
    assert package["version"] == __version__
    lock = json.loads((REPO / "editors/vscode/package-lock.json").read_text(encoding="utf-8"))
    assert lock["version"] == lock["packages"][""]["version"] == __version__


def test_emacs_package_version_header() -> None:
    text = (REPO / "editors/emacs/coro-ls.el").read_text(encoding="utf-8")
    assert re.findall(r"^;; Version: (\S+)$", text, re.M) == [__version__]


def test_pre_commit_revs() -> None:
    """README's pre-commit example and the hook file's comment name this version's tag."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    hooks = (REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    for text in (readme, hooks):
        revs = re.findall(r"\brev: (\S+)", text)
        assert revs and set(revs) == {f"v{__version__}"}
