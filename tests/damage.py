"""Damage fuzzing (tests, tools): the labelled shared documents' true values printed in text layouts, then
damaged the way readers and converters damage tables (a cell lost or doubled, a stray number, page number or
date, a label lost or damaged, two lines swapped or joined). The reader must read every cell right or flag it.

Damage that makes another consistent document (two value lines of one row swapped where each cell is a line)
is not made: no reader could tell it.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from report_render import cell_text

from gikai_desk.formlayout import table_layout
from gikai_desk.forms import TABLE_NAMES, formbook
from gikai_desk.ingest import SourceDocument
from gikai_desk.parse import parse_document

Value = int | float | str | None
REPO = Path(__file__).resolve().parent.parent
LABELS = REPO.parent / "shared" / "eval" / "labels"
TITLE = "某市某局{year}年政府信息公开工作年度报告"
CLOSING = ["五、存在的主要问题及改进情况", "无。"]



@dataclass(frozen=True)
class Labelled:
    name: str
    year: int
    forms: Mapping[str, str]
    values: Mapping[str, Value]


def forms_of(cells: Mapping[str, Value], template: str) -> dict[str, str]:
    """Each table's form variant, from the cell keys a label file lists (else the report's template)."""
    book = formbook()
    out: dict[str, str] = {}
    for table in ("t2", "t3", "t4"):
        keys = {k for k in cells if k.startswith(table + ".")}
        if not keys:
            continue
        out[table] = template
        for name, variant in book.table(table).variants.items():
            if {f"{table}.{r}.{c}" for s in variant.layout() for r in s.rows for c in s.columns} == keys:
                out[table] = name
                break
    return out


@cache
def labelled() -> tuple[Labelled, ...]:
    """The shared labelled documents (true values per cell); empty when ../shared is absent."""
    out: list[Labelled] = []
    for path in sorted(LABELS.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        cells = {k: v for k, v in data["cells"].items() if not isinstance(v, str)}
        if len(cells) != len(data["cells"]):
            continue  # values written as text (units): the text layouts below print numbers only
        out.append(Labelled(path.stem, int(data["year"]), forms_of(cells, data["template"]), cells))
    return tuple(out)


# ------------------------------------------------------------------------------------------------------
# Layouts: each returns the document's lines; grid lines are lists of cells joined by the layout.


Grid = list[list[str | None]]
"""A table's grid positions: the cell's text, None where a merged cell covers the position."""


def _grids(values: Mapping[str, Value], forms: Mapping[str, str]) -> list[tuple[str, Grid]]:
    out: list[tuple[str, Grid]] = []
    for table in ("t2", "t3", "t4"):
        variant = forms.get(table)
        if variant is None:
            continue
        layout = table_layout(table, variant)
        grid: list[list[str | None]] = [[None for _ in range(layout.n_cols)] for _ in range(layout.n_rows)]
        for cell in layout.cells:  # positions a merged cell covers stay None
            grid[cell.row][cell.col] = cell_text(values.get(cell.key)) if cell.key is not None else cell.text
        out.append((f"{formbook().table(table).title}（{TABLE_NAMES[table]}）", grid))
    return out


def _tab(grid: Grid) -> list[str]:
    """Every grid position a cell (covered positions empty), as HTML and Word readers print merged cells."""
    return ["\t".join(cell or "" for cell in row) for row in grid]


def _markdown(grid: Grid) -> list[str]:
    return ["| " + " | ".join(cell or "" for cell in row) + " |" for row in grid]


def _cell_per_line(grid: Grid) -> list[str]:
    return [cell for row in grid for cell in row if cell]


def _pipe_terminated(grid: Grid) -> list[str]:
    """Seed 001: each real cell on its own line ending with `|`, an empty one a bare `|`; covered positions
    of merged cells print nothing."""
    return [f"{cell} |" if cell else "|" for row in grid for cell in row if cell is not None]


ROW_LAYOUTS: dict[str, Callable[[Grid], list[str]]] = {
    "tab": _tab,
    "markdown": _markdown,
    "cell-per-line": _cell_per_line,
    "pipe-terminated": _pipe_terminated,
}
SHOWS_BLANKS = {"tab", "markdown", "pipe-terminated"}


def render(doc: Labelled, layout: str) -> list[str]:
    lines = [TITLE.format(year=doc.year), "一、总体情况", "本机关认真贯彻落实条例，现将有关情况报告如下。"]
    for title, grid in _grids(doc.values, doc.forms):
        lines.append(title)
        lines.extend(ROW_LAYOUTS[layout](grid))
    return [*lines, *CLOSING]


# ------------------------------------------------------------------------------------------------------
# Damage


_NUMBER = re.compile(r"(?<![\d.])-?\d+(?:\.\d+)?(?![\d.])")
_LABEL_LINE = re.compile(r"[\u4e00-\u9fff]{3,}")
_VALUE_LINE = re.compile(r"[ ]*(?:-?[\d.]+)?[ ]*\|?[ ]*")
"""A line holding one value cell or an empty one (cell per line, pipe-terminated)."""


@dataclass(frozen=True)
class Damaged:
    lines: list[str]
    what: str
    removed: frozenset[str] = frozenset()
    """Numbers (as printed) the damage removed from the text, with the line they stood on."""


def _table_lines(lines: list[str]) -> list[int]:
    """Indices of lines after the first table title (the prose lines are not damaged)."""
    first = next((i for i, line in enumerate(lines) if "（表" in line or "表二" in line), 3)
    return list(range(first, len(lines) - len(CLOSING)))


def damage(lines: list[str], layout: str, rng: random.Random) -> Damaged:
    """One random damage of a rendered document's table lines."""
    lines = list(lines)
    idx = _table_lines(lines)
    sep = {"tab": "\t", "markdown": " | "}.get(layout)
    kind = rng.choice(
        [
            "drop-cell",
            "dup-cell",
            "stray-number",
            "page-number",
            "date",
            "drop-label",
            "damage-label",
            "swap-lines",
            "join-lines",
            "stray-text",
        ]
    )
    i = rng.choice(idx)
    line = lines[i]
    if kind in ("drop-cell", "dup-cell", "stray-number", "stray-text") and sep is not None:
        cells = line.split(sep)
        j = rng.randrange(len(cells))
        if kind == "drop-cell":
            del cells[j]
        elif kind == "dup-cell":
            cells.insert(j, cells[j])
        elif kind == "stray-number":
            cells.insert(j, str(rng.choice([0, 1, 7, 12, 2020])))
        else:
            cells[j] = cells[j] + rng.choice(["x", "、", "件", " 注"])
        lines[i] = sep.join(cells)
        return Damaged(lines, f"{kind}@{i}:{j}")
    if kind in ("drop-cell", "dup-cell", "stray-number", "stray-text"):  # one cell per line
        if kind == "drop-cell":
            del lines[i]
        elif kind == "dup-cell":
            lines.insert(i, line)
        elif kind == "stray-number":
            lines.insert(i, str(rng.choice([0, 1, 7, 12, 2020])))
        else:
            lines[i] = line + rng.choice(["x", "、", "件"])
        return Damaged(lines, f"{kind}@{i}")
    if kind == "page-number":
        lines.insert(i, rng.choice(["- 4 -", "第 2 页 共 6 页", "3/10", "— 5 —"]))
    elif kind == "date":
        lines.insert(i, rng.choice(["2021年1月20日", "2020-01-15"]))
    elif kind == "drop-label":
        m = _LABEL_LINE.search(line)
        if m is None:
            return Damaged(lines, "none")
        lines[i] = line[: m.start()] + line[m.end() :]
    elif kind == "damage-label":
        chars = list(line)
        cjk = [k for k, c in enumerate(chars) if "\u4e00" <= c <= "\u9fff"]
        if len(cjk) < 3:
            return Damaged(lines, "none")
        for k in sorted(rng.sample(cjk, 2), reverse=True):
            del chars[k]
        lines[i] = "".join(chars)
    elif kind == "swap-lines":
        if i + 1 >= len(lines) - len(CLOSING):
            return Damaged(lines, "none")
        if sep is None and _VALUE_LINE.fullmatch(line) and _VALUE_LINE.fullmatch(lines[i + 1]):
            # Two cells of one row swapped where each cell is a line: a consistent document with other
            # values, which no reader can tell from the original.
            return Damaged(lines, "none")
        lines[i], lines[i + 1] = lines[i + 1], lines[i]
    elif kind == "join-lines":
        if i + 1 >= len(lines) - len(CLOSING):
            return Damaged(lines, "none")
        lines[i : i + 2] = [lines[i] + rng.choice(["", " ", sep or " "]) + lines[i + 1]]
    return Damaged(lines, f"{kind}@{i}")


def silent_cells(lines: list[str], values: Mapping[str, Value], one_line: bool = False) -> list[str]:
    """Cells read wrong and not flagged ("key=got want want")."""
    text = "\n".join(lines) + "\n"
    if one_line:
        text = re.sub(r"\s+", " ", text)
    try:
        report = parse_document(SourceDocument(path="damaged.txt", kind="text", text=text))
    except Exception as exc:
        if type(exc).__name__ == "NotAReportError":
            return []
        raise
    out: list[str] = []
    for key, want in values.items():
        cell = report.cells.get(key)
        if cell is None or cell.flag:
            continue
        have = cell.value
        if have is None and want is None:
            continue
        if have is not None and want is not None and abs(float(have) - float(want)) < 1e-6:
            continue
        out.append(f"{key}={have!r} want {want!r}")
    return out
