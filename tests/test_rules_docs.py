"""README's rules table and rule sections are generated from the rule modules."""

from __future__ import annotations

from pathlib import Path

import pytest

from coro_ls.cli import rules_docs
from coro_ls.engine import rules

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_is_current() -> None:
    readme = README.read_text(encoding="utf-8")
    assert rules_docs.render(readme) == readme, (
        f"README.md's rules table or rule sections are out of date: run `{rules_docs.COMMAND}`"
    )


def test_every_rule_has_its_row_and_section() -> None:
    readme = README.read_text(encoding="utf-8")
    for code, rule in rules.load().items():
        assert f"| [{code}](#{code.lower()}) | `{rule.name}` |" in readme
        # The server links each diagnostic to this heading (GitHub's anchor: #coro101).
        assert f"\n### {code}\n\n{rule.documentation.strip()}\n" in readme
        for message in rule.messages:
            assert f"`{message.text}`" in readme


def test_check_fails_on_a_stale_readme_and_the_command_fixes_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    current = README.read_text(encoding="utf-8")
    stale = tmp_path / "README.md"
    stale.write_text(current.replace("\n### CORO103\n", "\n### CORO103 (old)\n"), "utf-8")
    assert rules_docs.main(["--check", "--readme", str(stale)]) == 1
    assert rules_docs.COMMAND in capsys.readouterr().err
    assert rules_docs.main(["--readme", str(stale)]) == 0
    assert stale.read_text(encoding="utf-8") == current
    assert rules_docs.main(["--check", "--readme", str(stale)]) == 0


def test_a_readme_without_the_markers_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# a project\n", "utf-8")
    assert rules_docs.main(["--readme", str(readme)]) == 2
    assert "begin rules-table" in capsys.readouterr().err
    assert readme.read_text(encoding="utf-8") == "# a project\n"


def test_messages_name_their_versions() -> None:
    (old, new) = rules.load()["CORO107"].messages[:2]
    assert (old.versions(), new.versions()) == ("3.10–3.11", "3.12+")
    assert rules.Message("x").versions() == ""
    assert [old.used_in((3, minor)) for minor in range(8, 15)] == [
        False,
        False,
        True,
        True,
        False,
        False,
        False,
    ]


def test_the_module_map_has_one_line_per_package() -> None:
    readme = README.read_text(encoding="utf-8")
    package = Path(rules_docs.coro_ls.__file__).parent
    layers = sorted(init.parent.name for init in package.glob("*/__init__.py"))
    assert layers == ["cli", "config", "editing", "engine", "server", "syntax"]
    generated = readme.split("<!-- begin module-map")[1].split("<!-- end module-map -->")[0]
    mapped = [line for line in generated.splitlines() if line.startswith("- `coro_ls/")]
    assert [line.split("`")[1] for line in mapped] == [f"coro_ls/{name}/" for name in layers]
