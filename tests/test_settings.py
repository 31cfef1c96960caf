"""Settings: validation, precedence, pyproject discovery, requires-python, globs, noqa, marker."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest
from packaging.specifiers import InvalidSpecifier, SpecifierSet

from coro_ls.config import pyproject, settings, suppression
from coro_ls.config.settings import CAMEL_KEYS, KEBAB_KEYS, Layer, Settings, merge, parse_layer
from coro_ls.engine.checker import check_source
from coro_ls.engine.versions import SUPPORTED, running_version

# -- validation ----------------------------------------------------------------------------


def test_every_camel_case_setting_is_read() -> None:
    layer, warnings = parse_layer(
        {
            "targetVersion": "3.10",
            "topLevelAwait": True,
            "select": ["coro10"],
            "ignore": ["CORO104"],
            "severity": {"CORO106": "Warning"},
        },
        "editor settings",
    )
    assert warnings == []
    assert layer == Layer((3, 10), True, ("CORO10",), ("CORO104",), (("CORO106", "warning"),))


def test_every_kebab_case_setting_is_read() -> None:
    layer, warnings = parse_layer(
        {
            "target-version": "3.14",
            "top-level-await": "auto",
            "select": ["CORO1"],
            "ignore": [],
            "severity": {},
            "per-file-ignores": {"tests/**": ["CORO101"]},
        },
        "pyproject",
        keys=KEBAB_KEYS,
        strict_keys=True,
    )
    assert warnings == []
    # Empty lists and objects set nothing (an editor's defaults must not hide a pyproject's).
    assert layer == Layer((3, 14), "auto", ("CORO1",), None, None, (("tests/**", ("CORO101",)),))


@pytest.mark.parametrize(
    ("key", "value", "named", "accepted"),
    [
        ("targetVersion", "3.7", "targetVersion", "3.8, 3.9, 3.10, 3.11, 3.12, 3.13, 3.14"),
        ("targetVersion", 3.1, "targetVersion", "3.8"),
        ("topLevelAwait", "sometimes", "topLevelAwait", '"auto", true or false'),
        ("select", ["CORO999"], "select", "CORO101"),
        ("select", 101, "select", "a list of rule codes"),
        ("ignore", ["E501"], "ignore", "CORO107"),
        ("severity", {"CORO101": "fatal"}, "severity", '"warning"'),
        ("severity", {"X1": "hint"}, "severity", "unknown code 'X1'"),
        ("severity", ["CORO101"], "severity", "an object mapping"),
    ],
)
def test_an_invalid_value_is_left_out_with_a_warning_naming_it(
    key: str, value: object, named: str, accepted: str
) -> None:
    layer, warnings = parse_layer({key: value}, "editor settings")
    assert layer == Layer()
    [warning] = warnings
    assert warning.setting == named
    assert warning.value == value
    assert accepted in warning.message
    assert "editor settings" in warning.message
    assert named in warning.message


def test_an_invalid_value_falls_back_to_the_next_source() -> None:
    editor, warnings = parse_layer({"targetVersion": "4.0", "select": ["CORO105"]}, "editor")
    init, _ = parse_layer({"targetVersion": "3.9", "select": ["CORO101"]}, "init")
    merged = merge(editor, init)
    assert warnings and merged.target_version == (3, 9)
    assert merged.select == ("CORO105",)


def test_editor_defaults_do_not_hide_lower_sources() -> None:
    editor, _ = parse_layer(
        {"targetVersion": None, "select": [], "ignore": [], "severity": {}}, "e"
    )
    project, _ = parse_layer(
        {"target-version": "3.9", "ignore": ["CORO105"], "severity": {"CORO1": "hint"}},
        "pyproject",
        keys=KEBAB_KEYS,
    )
    assert editor == Layer()
    merged = merge(editor, project)
    assert merged.target_version == (3, 9) and merged.ignore == ("CORO105",)
    assert merged.select is None and merged.severity_of("CORO101") == "hint"


def test_unknown_keys_warn_only_in_pyproject() -> None:
    assert parse_layer({"serverPath": "/x", "trace": {}}, "editor") == (Layer(), [])
    _, warnings = parse_layer(
        {"target_version": "3.9"}, "pyproject", keys=KEBAB_KEYS, strict_keys=True
    )
    [warning] = warnings
    assert "target-version" in warning.message


def test_a_non_object_is_a_warning() -> None:
    layer, [warning] = parse_layer(["3.9"], "initializationOptions")
    assert layer == Layer() and "an object" in warning.message


def test_camel_and_kebab_spellings_name_the_same_settings() -> None:
    assert set(CAMEL_KEYS.values()) | {"per_file_ignores"} == set(KEBAB_KEYS.values())


# -- precedence ----------------------------------------------------------------------------


def test_each_setting_comes_from_the_highest_source_that_sets_it() -> None:
    sources = [
        Layer(top_level_await=True),
        Layer(target_version=(3, 10), select=("CORO101",)),
        Layer(target_version=(3, 9), ignore=("CORO102",), top_level_await=False),
        Layer(target_version=(3, 8)),
    ]
    merged = merge(*sources)
    assert merged == Settings((3, 10), True, ("CORO101",), ("CORO102",))
    for order in itertools.permutations(sources):
        first_version = next(s.target_version for s in order if s.target_version)
        assert merge(*order).target_version == first_version


def test_defaults_are_every_rule_auto_and_the_fallback_version() -> None:
    assert merge() == Settings(running_version(), "auto", None, ())
    assert merge(Layer(), fallback_version=(3, 12)).target_version == (3, 12)
    assert merge(Layer(target_version=(3, 9)), fallback_version=(3, 12)).target_version == (3, 9)


def test_select_ignore_and_severity_by_prefix() -> None:
    chosen = Settings(
        select=("CORO10",),
        ignore=("CORO104",),
        severity=(("CORO1", "information"), ("CORO106", "hint")),
    )
    assert [c for c in settings.known_codes() if chosen.wants(c)] == [
        "CORO101",
        "CORO102",
        "CORO103",
        "CORO105",
        "CORO106",
        "CORO107",
    ]
    assert chosen.severity_of("CORO106") == "hint"  # the longest prefix wins
    assert chosen.severity_of("CORO101") == "information"
    assert Settings().severity_of("CORO101") == "error"


@pytest.mark.parametrize(
    ("mode", "cell", "marked", "expected"),
    [
        ("auto", False, False, False),
        ("auto", True, False, True),
        ("auto", False, True, True),
        (True, False, False, True),
        (False, True, True, False),
    ],
)
def test_top_level_await_modes(mode: object, cell: bool, marked: bool, expected: bool) -> None:
    chosen = Settings(top_level_await=mode)  # type: ignore[arg-type]
    assert chosen.top_level_await_for(notebook_cell=cell, marked=marked) is expected


# -- per-file-ignores ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("tests/*", "tests/test_a.py", True),
        ("tests/*", "tests/sub/test_a.py", False),
        ("tests/**", "tests/sub/test_a.py", True),
        ("tests/", "tests/sub/test_a.py", True),
        ("**/conftest.py", "conftest.py", True),
        ("**/conftest.py", "a/b/conftest.py", True),
        ("conftest.py", "a/b/conftest.py", True),  # no slash: the file name
        ("*.pyi", "pkg/stubs.pyi", True),
        ("./scripts/*.py", "scripts/run.py", True),
        ("scripts/[ab].py", "scripts/b.py", True),
        ("scripts/[!ab].py", "scripts/b.py", False),
        ("src/*.py", "other/src/a.py", False),
    ],
)
def test_per_file_ignore_globs(pattern: str, path: str, matches: bool) -> None:
    chosen = Settings(per_file_ignores=((pattern, ("CORO101",)),))
    assert settings.ignored_by_path(chosen, path) == (("CORO101",) if matches else ())


# -- pyproject -----------------------------------------------------------------------------


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_the_nearest_pyproject_is_found(tmp_path: Path) -> None:
    outer = _write(tmp_path / "pyproject.toml", "")
    inner = _write(tmp_path / "pkg" / "pyproject.toml", "")
    file = _write(tmp_path / "pkg" / "sub" / "a.py", "")
    other = _write(tmp_path / "b.py", "")
    assert pyproject.find(file) == inner
    assert pyproject.find(other) == outer
    assert pyproject.find(tmp_path / "pkg") == inner


def test_pyproject_tool_section_and_requires_python(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "pyproject.toml",
        '[project]\nrequires-python = ">=3.10"\n'
        '[tool.coro-ls]\nselect = ["CORO101"]\ntop-level-await = true\n'
        '[tool.coro-ls.per-file-ignores]\n"tests/*" = ["CORO101"]\n',
    )
    found = pyproject.load(path)
    assert found.warnings == ()
    assert found.tool == Layer(
        top_level_await=True, select=("CORO101",), per_file_ignores=(("tests/*", ("CORO101",)),)
    )
    assert found.requires_python == Layer(target_version=(3, 10))
    assert found.relative(tmp_path / "tests" / "t.py") == "tests/t.py"
    assert found.relative(tmp_path.parent / "elsewhere.py") is None
    # target-version beats requires-python, which beats the interpreter.
    assert merge(found.tool, found.requires_python).target_version == (3, 10)
    _write(
        path, '[project]\nrequires-python = ">=3.10"\n[tool.coro-ls]\ntarget-version = "3.12"\n'
    )
    edited = pyproject.load(path)  # re-read: the file changed
    assert merge(edited.tool, edited.requires_python).target_version == (3, 12)


def test_a_broken_pyproject_is_a_warning(tmp_path: Path) -> None:
    path = _write(tmp_path / "pyproject.toml", "[tool.coro-ls\n")
    found = pyproject.load(path)
    assert found.tool == Layer() and len(found.warnings) == 1
    path = _write(
        tmp_path / "pyproject.toml",
        '[project]\nrequires-python = "3.9+"\n[tool.coro-ls]\ntarget-version = "py39"\n',
    )
    found = pyproject.load(path)
    assert found.tool == Layer() and found.requires_python == Layer()
    assert {w.setting for w in found.warnings} == {"target-version", "requires-python"}


SPECIFIERS = [
    ">=3.9",
    ">3.8",
    ">=3.8.1",
    "~=3.10",
    "~=3.10.4",
    "==3.11.*",
    "==3.*",
    ">=3.9,<3.13",
    ">=3.9, !=3.9.*, !=3.10.*",
    "<3.12,>=3.10.2",
    ">=3.6",
    ">=3.13.0rc1",
    "==3.12.1",
    "<=3.11",
    ">3.10.99",
    "!=3.8.*",
]


@pytest.mark.parametrize("spec", SPECIFIERS)
def test_requires_python_agrees_with_packaging(spec: str) -> None:
    """The lowest minor with a release the specifiers admit, as ``packaging`` judges it."""
    admitted = SpecifierSet(spec, prereleases=True)
    expected = next(
        (3, minor)
        for minor in range(0, 30)
        if any(admitted.contains(f"3.{minor}.{patch}") for patch in range(0, 101))
    )
    clamped = min(max(expected, SUPPORTED[0]), SUPPORTED[-1])
    assert pyproject.lowest_admitted(spec) == clamped


def _random_specifiers(count: int) -> list[str]:
    rng = random.Random(440)
    operators = ["==", "!=", ">=", "<=", ">", "<", "~="]

    def version() -> str:
        parts = [3, rng.choice([0, 1, 4, 9, 10, 13, 15])]
        if rng.random() < 0.6:
            parts.append(rng.choice([0, 1, 4, 99, 100, 101]))
        text = ".".join(map(str, parts))
        return text + rng.choice(["", "", "", ".*", "rc1"])

    return [
        ",".join(rng.choice(operators) + version() for _ in range(rng.randint(1, 3)))
        for _ in range(count)
    ]


def test_requires_python_agrees_with_packaging_on_random_specifiers() -> None:
    """Every patch of every minor, as packaging judges them, against the few candidates
    lowest_admitted tries; specifiers packaging refuses are refused too.  Past the highest
    minor a specifier names (15), every minor is judged alike."""
    for spec in _random_specifiers(150):
        try:
            admitted = SpecifierSet(spec, prereleases=True)
        except InvalidSpecifier:
            with pytest.raises(ValueError):
                pyproject.lowest_admitted(spec)
            continue
        expected = next(
            (
                (3, minor)
                for minor in range(0, 17)
                if any(admitted.contains(f"3.{minor}.{patch}") for patch in range(0, 101))
            ),
            None,
        )
        if expected is None:
            with pytest.raises(ValueError):
                pyproject.lowest_admitted(spec)
        else:
            clamped = min(max(expected, SUPPORTED[0]), SUPPORTED[-1])
            assert pyproject.lowest_admitted(spec) == clamped, spec


@pytest.mark.parametrize(
    "spec", ["3.9", ">=", "~=3", ">=4", "<3.0,>3.1", ">= 3.9 or 3.10", ">3.*"]
)
def test_requires_python_nonsense_is_rejected(spec: str) -> None:
    with pytest.raises(ValueError):
        pyproject.lowest_admitted(spec)


# -- noqa and the marker -------------------------------------------------------------------


def _codes(source: str) -> list[tuple[int, str]]:
    found = check_source(source, target=(3, 12))
    return [(f.start[0], f.code) for f in suppression.without_suppressed(found, source)]


def test_noqa_silences_the_line_of_a_findings_start() -> None:
    source = (
        "def f():\n"
        "    await a  # noqa\n"
        "    await b  # NOQA:coro101\n"
        "    await c  # noqa: CORO102, CORO101 because\n"
        "    await d  # noqa: CORO102\n"
        "    await e  # noqa CORO102\n"  # no colon: a bare noqa (as in ruff)
        "    s = '# noqa'; await f\n"  # inside a string: not a comment
        "    x = [i async for i in g(\n"
        "    )]  # noqa\n"  # not the finding's first line
    )
    assert _codes(source) == [(5, "CORO101"), (7, "CORO101"), (8, "CORO104")]


def test_noqa_works_in_a_file_that_does_not_tokenize() -> None:
    source = "def f():\n    await a  # noqa\n    await b\n    s = '''\n"
    assert [line for line, _ in _codes(source)] == [3]


@pytest.mark.parametrize(
    ("source", "marked"),
    [
        ("# coro-ls: top-level-await\nawait x\n", True),
        ("#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n\n#coro-ls:top-level-await\n", True),
        ("\ufeff# coro-ls: top-level-await\n", True),
        ("import x\n# coro-ls: top-level-await\n", False),
        ('"""doc"""\n# coro-ls: top-level-await\n', False),
        ("x = 1  # coro-ls: top-level-await\n", False),
        ("# coro-ls: top-level-await please\n", False),
    ],
)
def test_the_marker_counts_only_among_leading_comments(source: str, marked: bool) -> None:
    assert suppression.has_marker(source) is marked


# -- README's examples are valid settings ----------------------------------------------------

README = Path(__file__).resolve().parent.parent / "README.md"


def _configuration_block(language: str) -> str:
    section = README.read_text(encoding="utf-8").split("## Configuration\n", 1)[1]
    section = section.split("\n## ", 1)[0]
    return section.split(f"```{language}\n", 1)[1].split("```", 1)[0]


def test_readme_pyproject_example_is_valid(tmp_path: Path) -> None:
    path = _write(tmp_path / "pyproject.toml", _configuration_block("toml"))
    found = pyproject.load(path)
    assert found.warnings == ()
    assert found.tool.target_version == (3, 12) and found.requires_python.target_version == (3, 10)
    chosen = merge(found.tool, found.requires_python)
    assert settings.ignored_by_path(chosen, "scripts/run.py") == ("CORO101",)
    assert settings.ignored_by_path(chosen, "a/b/conftest.py") == ("CORO104",)
    assert chosen.severity_of("CORO107") == "warning"


def test_readme_vscode_example_is_valid() -> None:
    import json

    data = json.loads(_configuration_block("json"))
    section = {key.removeprefix("coroLs."): value for key, value in data.items()}
    layer, warnings = parse_layer(section, "settings.json")
    assert warnings == []
    assert set(section) == set(CAMEL_KEYS)
    assert layer.target_version == (3, 12) and layer.severity == (("CORO107", "warning"),)


def test_an_empty_lua_table_is_an_empty_object() -> None:
    # Neovim sends `settings = { coroLs = {} }` and `severity = {}` as JSON arrays.
    layer, warnings = parse_layer([], "Neovim", keys=CAMEL_KEYS)
    assert warnings == [] and layer == Layer()
    layer, warnings = parse_layer({"severity": []}, "Neovim", keys=CAMEL_KEYS)
    assert warnings == [] and merge(layer).severity_of("CORO101") == "error"
