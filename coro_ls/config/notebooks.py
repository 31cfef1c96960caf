"""Jupyter notebooks (``.ipynb``): the Python code cells, each checked on its own.

Cells run with top-level ``await`` allowed (IPython's autoawait), so the caller checks them in
that mode.  IPython syntax is not Python: a cell magic (``%%bash``) makes the whole cell
something else and it is skipped; a line magic or shell escape (``%time``, ``!pip``) is
replaced by ``pass`` on its own line so the rest of the cell keeps its lines and columns.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

NOTEBOOK_SUFFIX = ".ipynb"

_LINE_MAGIC = re.compile(r"^([ \t]*)[%!].*$", re.MULTILINE)


class InvalidNotebook(ValueError):
    """The text is not a notebook document (nbformat 4 JSON with a ``cells`` list)."""


@dataclass(frozen=True)
class Cell:
    number: int
    """1-based position among all the notebook's cells, as a notebook shows them."""
    source: str


def is_notebook(path: str) -> bool:
    return path.endswith(NOTEBOOK_SUFFIX)


def python_cells(text: str) -> list[Cell]:
    """The code cells worth checking; none when the notebook's kernel is not Python."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidNotebook(f"not a notebook: invalid JSON: {error}") from None
    cells = document.get("cells") if isinstance(document, dict) else None
    if not isinstance(cells, list):
        raise InvalidNotebook("not a notebook: no 'cells' list (only nbformat 4 is read)")
    if not _is_python(document.get("metadata")):
        return []
    found = []
    for number, cell in enumerate(cells, 1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        if source.lstrip().startswith("%%"):
            continue
        found.append(Cell(number, _LINE_MAGIC.sub(r"\1pass", source)))
    return found


def _is_python(metadata: object) -> bool:
    if not isinstance(metadata, dict):
        return True
    for key, field in (("language_info", "name"), ("kernelspec", "language")):
        section = metadata.get(key)
        if isinstance(section, dict) and isinstance(section.get(field), str):
            return section[field].lower() == "python"
    return True
