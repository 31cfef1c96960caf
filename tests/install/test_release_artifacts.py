"""The release artifacts as CI builds them: ``python -m build`` makes the sdist and the wheel
from a clone, ``twine check`` accepts their metadata, and the wheel alone, installed into a
fresh virtual environment, runs ``coro-ls``.
"""

from __future__ import annotations

import email.parser
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from install_harness import (
    INSTALL_TIMEOUT,
    copy_clone,
    fresh_venv,
    installed_coro_ls_works,
    must_succeed,
    run,
)

from coro_ls import __version__

# Building fetches setuptools into an isolated environment; installing fetches the dependencies.
pytestmark = pytest.mark.slow

NOT_SHIPPED = ("tests/", "fuzz/", "benchmarks/", "examples/", "editors/")


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    clone = copy_clone(tmp_path_factory.mktemp("clone"))
    out = tmp_path_factory.mktemp("dist")
    built = run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(clone)],
        clone,
        timeout=INSTALL_TIMEOUT,
    )
    must_succeed(built)
    artifacts = {path.suffix: path for path in out.iterdir()}
    assert sorted(artifacts) == [".gz", ".whl"], sorted(out.iterdir())
    return {"sdist": artifacts[".gz"], "wheel": artifacts[".whl"]}


def test_names_carry_the_version(dist: dict[str, Path]) -> None:
    assert dist["wheel"].name == f"coro_ls-{__version__}-py3-none-any.whl"
    assert dist["sdist"].name == f"coro_ls-{__version__}.tar.gz"


def test_twine_check_passes(dist: dict[str, Path]) -> None:
    checked = run(
        [sys.executable, "-m", "twine", "check", "--strict", *map(str, dist.values())],
        dist["wheel"].parent,
    )
    must_succeed(checked)
    assert checked.stdout.count("PASSED") == 2, checked.stdout


def wheel_metadata(wheel: Path) -> email.message.Message:
    with zipfile.ZipFile(wheel) as archive:
        text = archive.read(f"coro_ls-{__version__}.dist-info/METADATA").decode()
    return email.parser.Parser().parsestr(text)


def test_wheel_metadata(dist: dict[str, Path]) -> None:
    metadata = wheel_metadata(dist["wheel"])
    assert metadata["Name"] == "coro-ls"
    assert metadata["Version"] == __version__
    assert metadata["Requires-Python"] == ">=3.10"
    assert metadata["License-Expression"] == "MIT"
    # PyPI shows README as the project page.
    assert metadata["Description-Content-Type"] == "text/markdown"
    assert metadata.get_payload().startswith("# coro-ls")


def test_wheel_holds_the_package_and_nothing_else(dist: dict[str, Path]) -> None:
    with zipfile.ZipFile(dist["wheel"]) as archive:
        names = archive.namelist()
    dist_info = f"coro_ls-{__version__}.dist-info/"
    strays = [n for n in names if not n.startswith(("coro_ls/", dist_info))]
    assert strays == []
    assert "coro_ls/__main__.py" in names and "coro_ls/cli/main.py" in names
    assert f"{dist_info}licenses/LICENSE" in names
    assert f"{dist_info}entry_points.txt" in names


def test_sdist_builds_the_wheel_and_carries_no_tests(dist: dict[str, Path]) -> None:
    root = f"coro_ls-{__version__}/"
    with tarfile.open(dist["sdist"]) as archive:
        names = [name.removeprefix(root) for name in archive.getnames()]
    assert "pyproject.toml" in names and "README.md" in names and "LICENSE" in names
    assert "coro_ls/engine/checker.py" in names
    assert [n for n in names if n.startswith(NOT_SHIPPED)] == []


def test_wheel_runs_in_a_fresh_virtual_environment(dist: dict[str, Path], tmp_path: Path) -> None:
    bin_dir = fresh_venv(tmp_path / "venv")
    installed = run(
        [str(bin_dir / "python"), "-m", "pip", "install", str(dist["wheel"])],
        tmp_path,
        timeout=INSTALL_TIMEOUT,
    )
    must_succeed(installed)
    code = "import coro_ls; print(coro_ls.__file__)"
    where = run([str(bin_dir / "python"), "-c", code], tmp_path)
    assert Path(must_succeed(where).strip()).is_relative_to(tmp_path / "venv")
    installed_coro_ls_works(bin_dir / "coro-ls")
