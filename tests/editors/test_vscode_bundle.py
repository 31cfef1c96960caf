"""The coro-ls the VS Code extension carries (``editors/vscode/bundled``), under the oldest and
the newest Python it serves, with nothing else importable.

``scripts/bundle.py`` installs coro-ls (built from this checkout) and the hash-pinned closure of
its dependencies into ``bundled/libs``, as ``vsce package`` does; here each Python imports the
bundle in isolation (``-I -S``: no site-packages, no PYTHONPATH, no working directory), checks
that every bundled distribution has the dependencies it declares for that Python, and runs the
bundled ``coro-ls check`` through the extension's launcher against this environment's.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from editor_harness import REPO, missing
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import coro_ls

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

EXTENSION = REPO / "editors" / "vscode"
BUNDLED = EXTENSION / "bundled"
LIBS = BUNDLED / "libs"
PYENV = Path("/root/.pyenv/versions")

# Run by each Python with the bundle alone on sys.path: what it imported from where, and every
# declared dependency (for this Python) that the bundle does not satisfy.
CHECK = """
import json, sys
sys.path[:0] = [sys.argv[1]]
from importlib import metadata
from packaging.requirements import Requirement
import coro_ls, coro_ls.server, pygls, lsprotocol, parso
dists = metadata.distributions(path=[sys.argv[1]])
found = {d.metadata["Name"].lower().replace("_", "-"): d for d in dists}
unmet = []
for dist in found.values():
    for text in dist.requires or []:
        req = Requirement(text)
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        have = found.get(req.name.lower().replace("_", "-"))
        if have is None or not req.specifier.contains(have.version, prereleases=True):
            unmet.append(f"{dist.metadata['Name']} needs {text}")
modules = {m.__name__: m.__file__ for m in (coro_ls, pygls, lsprotocol, parso)}
print(json.dumps({"modules": modules, "distributions": sorted(found), "unmet": unmet}))
"""


def bundle() -> dict[str, str]:
    subprocess.run(
        [sys.executable, str(EXTENSION / "scripts" / "bundle.py")],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return json.loads((BUNDLED / "bundle.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def manifest() -> dict[str, str]:
    return bundle()


def interpreter(version: str) -> Path:
    """A Python ``version`` (e.g. "3.10") on this machine."""
    for candidate in sorted(PYENV.glob(f"{version}.*/bin/python3")):
        if subprocess.run([candidate, "-c", ""], capture_output=True).returncode == 0:
            return candidate
    missing(f"Python {version}", f"pyenv install {version}")


def newest_python() -> str:
    versions = [p.name.split(".")[:2] for p in PYENV.glob("3.*") if (p / "bin/python3").exists()]
    return max((".".join(v) for v in versions), key=lambda v: tuple(map(int, v.split("."))))


def pinned(requirements: str) -> set[str]:
    return {canonicalize_name(m) for m in re.findall(r"^([A-Za-z0-9._-]+)==", requirements, re.M)}


def test_requirements_pin_every_dependency_for_the_oldest_python(
    manifest: dict[str, str],
) -> None:
    requirements = (EXTENSION / "requirements.txt").read_text(encoding="utf-8")
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    oldest = {"python_version": manifest["python"], "python_full_version": manifest["python"]}
    needed = {
        canonicalize_name(req.name)
        for req in map(Requirement, project["dependencies"])
        if req.marker is None or req.marker.evaluate(oldest)
    }
    assert needed <= pinned(requirements), needed - pinned(requirements)
    # Every pin carries a hash (pip install --require-hashes refuses anything else).
    entries = re.findall(r"^[A-Za-z0-9._-]+==.*?(?=^[^\s#]|\Z)", requirements, re.M | re.S)
    assert len(entries) == len(pinned(requirements)), entries
    assert all("--hash=sha256:" in entry for entry in entries), entries
    # The bundle's oldest Python is no older than the one coro-ls itself asks for.
    lower = re.search(r">=\s*(\d+\.\d+)", project["requires-python"])
    assert lower is not None
    as_tuple = lambda v: tuple(map(int, v.split(".")))  # noqa: E731
    assert as_tuple(manifest["python"]) >= as_tuple(lower.group(1))
    assert not Marker(f"python_version < '{manifest['python']}'").evaluate(oldest)


@pytest.mark.parametrize("which", ["oldest", "newest"])
def test_bundle_imports_alone_under_python(manifest: dict[str, str], which: str) -> None:
    version = manifest["python"] if which == "oldest" else newest_python()
    python = interpreter(version)
    completed = subprocess.run(
        [python, "-I", "-S", "-B", "-c", CHECK, str(LIBS)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=LIBS.parent,
    )
    assert completed.returncode == 0, completed.stderr
    seen = json.loads(completed.stdout)
    assert seen["unmet"] == [], seen
    for module, file in seen["modules"].items():
        assert Path(file).is_relative_to(LIBS), (module, file)
    pins = pinned((EXTENSION / "requirements.txt").read_text(encoding="utf-8"))
    assert set(seen["distributions"]) == pins | {"coro-ls"}
    assert manifest["coro_ls"] == coro_ls.__version__


@pytest.mark.parametrize("which", ["oldest", "newest"])
def test_launcher_runs_the_bundled_check_as_installed_coro_ls_does(
    manifest: dict[str, str], which: str
) -> None:
    version = manifest["python"] if which == "oldest" else newest_python()
    python = interpreter(version)
    launcher = BUNDLED / "tool" / "launch.py"
    shown = subprocess.run(
        [python, "-I", "-B", str(launcher), "--version"], capture_output=True, text=True
    )
    assert shown.stdout.strip() == f"coro-ls {coro_ls.__version__}", shown.stderr
    # The same findings as this environment's coro-ls, for one target version.
    args = ["check", "--target-version", "3.12", "--output-format", "json", "examples"]
    bundled = subprocess.run(
        [python, "-I", "-B", str(launcher), *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    here = subprocess.run(
        [sys.executable, "-m", "coro_ls", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    assert json.loads(here.stdout), "examples/ must have findings for this test to mean anything"
    assert (bundled.returncode, bundled.stdout) == (here.returncode, here.stdout), bundled.stderr
