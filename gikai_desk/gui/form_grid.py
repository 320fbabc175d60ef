"""The grid's picture of a report's forms: the printed tables of formlayout stacked in one grid of cells.

Qt-free: the grid model reads it. Every table keeps the printed layout the Excel writer uses
(gikai_desk.formlayout), so the window and the workbook agree: 表二 by 第二十条 sections, 表三 with its merged
column headings and row hierarchy. 表四, which the printed form (and the Excel workbook) sets as one line of
fifteen values under 行政复议 | 行政诉讼 → 未经复议直接起诉 / 复议后起诉, is folded into three rows of five — 行政复议,
行政诉讼 → 未经复议直接起诉 / 复议后起诉 as row labels, 结果维持 … 总计 as columns — so that its fifteen values fit
beside 表三's seven value columns, on a laptop screen too, with no empty label block. Row labels always occupy
the first LABEL_COLUMNS grid columns (a table with fewer label columns has its last one widened), values follow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from gikai_desk.formlayout import TRANSPOSED_TABLES, TableLayout, table_layout
from gikai_desk.formlayout import GridCell as PrintedCell
from gikai_desk.forms import TABLES, FormBook, formbook, split_key
from gikai_desk.model import Report

LABEL_COLUMNS = 3
"""Grid columns reserved for row labels (group, sub-group, item)."""

CellKind = Literal["title", "section", "header", "group", "label", "value", "empty"]


@dataclass
class GridCell:
    kind: CellKind = "empty"
    text: str = ""
    key: str | None = None


@dataclass(frozen=True)
class GridSpan:
    row: int
    column: int
    rows: int
    columns: int


@dataclass
class GridLayout:
    """Rows of GridCells (all rows equally long), merged areas, and where every cell key sits."""

    rows: list[list[GridCell]] = field(default_factory=list)
    spans: list[GridSpan] = field(default_factory=list)
    positions: dict[str, tuple[int, int]] = field(default_factory=dict)
    variants: dict[str, str] = field(default_factory=dict)
    header_rows: set[int] = field(default_factory=set)
    """Grid rows holding column headings (the view sizes them to fit their text)."""

    @property
    def columns(self) -> int:
        return len(self.rows[0]) if self.rows else 0

    def cell(self, row: int, column: int) -> GridCell:
        return self.rows[row][column]

    def row_keys(self, row: int) -> list[str]:
        """Value keys of one grid row, left to right."""
        return [c.key for c in self.rows[row] if c.key is not None]

    def line_keys(self, row: int, column: int) -> list[str]:
        """Value keys of the form row the cell at (row, column) belongs to, left to right.

        Usually the whole grid row; on 表四, where one grid row carries three form rows (行政复议, 未经复议直接起诉,
        复议后起诉), only the five values of the cell's own form row.
        """
        key = self.rows[row][column].key
        keys = self.row_keys(row)
        if key is None:
            return keys
        table, form_row, _column = split_key(key)
        return [k for k in keys if split_key(k)[:2] == (table, form_row)]

    def cell_keys(self) -> list[str]:
        return list(self.positions)

    def paste_targets(self, row: int, column: int) -> list[str]:
        """The cells a pasted line fills from (row, column): the rest of the grid row, and on a folded table
        (表四) the following rows of that table too, so a copied line of fifteen 表四 values fills all three."""
        targets = [c.key for c in self.rows[row][column:] if c.key is not None]
        table = targets[0].split(".", 1)[0] if targets else None
        if table in TRANSPOSED_TABLES:
            for below in range(row + 1, len(self.rows)):
                keys = self.row_keys(below)
                if not keys or not keys[0].startswith(f"{table}."):
                    break
                targets += keys
        return targets

    def _span(self, row: int, column: int, rows: int, columns: int) -> None:
        if rows > 1 or columns > 1:
            self.spans.append(GridSpan(row, column, rows, columns))


def variant_of(report: Report, table: str, book: FormBook | None = None) -> str | None:
    """The form variant of `table` in `report`: as detected, else as its cells suggest, else by its year."""
    book = book or formbook()
    variants = book.table(table).variants
    detected = report.forms.get(table)
    if detected in variants:
        return detected
    present = {k for k in report.cells if k.startswith(table + ".")}
    if present:
        best = max(variants, key=lambda v: len(present & set(book.keys(table, v))))
        if present & set(book.keys(table, best)):
            return best
    if report.forms or report.cells:
        return None
    template = report.template or ("2021" if (report.year or 0) >= 2021 else "2019")
    return template if template in variants else None


def _grid_column(printed: TableLayout, column: int) -> int:
    """Grid column of a printed column: label columns keep their place, values start at LABEL_COLUMNS."""
    if column < printed.label_cols:
        return column
    return LABEL_COLUMNS + column - printed.label_cols


def _place_table(layout: GridLayout, printed: TableLayout, width: int) -> None:
    """Append one printed table (title row first) to the grid."""
    top = len(layout.rows)
    layout.rows.append([GridCell("title", printed.title)] + [GridCell() for _ in range(width - 1)])
    layout._span(top, 0, 1, width)
    first = top + 1
    for _ in range(printed.n_rows):
        layout.rows.append([GridCell() for _ in range(width)])
    layout.header_rows.update(range(first, first + printed.header_rows))
    values_end = LABEL_COLUMNS + printed.n_cols - printed.label_cols
    item_labels = _item_label_columns(printed)
    for cell in printed.cells:
        row = first + cell.row
        column = _grid_column(printed, cell.col)
        end = _grid_column(printed, cell.col + cell.colspan - 1) + 1
        if cell.kind == "section":
            end = values_end
        elif cell.col < printed.label_cols and cell.col + cell.colspan == printed.label_cols:
            end = LABEL_COLUMNS  # the innermost label column takes up the spare label columns
        if cell.kind == "value":
            layout.rows[row][column] = GridCell("value", "", cell.key)
            assert cell.key is not None
            layout.positions[cell.key] = (row, column)
        elif cell.kind == "label":
            is_item = cell.rowspan == 1 and item_labels.get(cell.row) == cell.col
            layout.rows[row][column] = GridCell("label" if is_item else "group", cell.text)
        elif cell.kind == "section":
            layout.rows[row][column] = GridCell("section", cell.text)
        else:
            layout.rows[row][column] = GridCell("header", cell.text)
            layout.header_rows.add(row)
        layout._span(row, column, cell.rowspan, end - column)
    if printed.label_cols == 0:
        layout.rows[first][0] = GridCell("header", "")
        layout._span(first, 0, printed.n_rows, LABEL_COLUMNS)
    if values_end < width:  # one blank area right of a narrower table
        layout._span(first, values_end, printed.n_rows, width - values_end)


def _item_label_columns(printed: TableLayout) -> dict[int, int]:
    out: dict[int, int] = {}
    for cell in printed.cells:
        if cell.kind == "label":
            out[cell.row] = max(out.get(cell.row, -1), cell.col)
    return out


def folded_layout(table: str, variant: str, book: FormBook | None = None) -> TableLayout:
    """A transposed table (表四) as rows of values: the printed column groups (行政复议; 行政诉讼 → 未经复议直接起诉,
    复议后起诉) become row labels, the printed columns of each group (结果维持 … 总计) the columns."""
    book = book or formbook()
    printed = table_layout(table, variant)
    keys = book.keys(table, variant)
    rows = list(dict.fromkeys(split_key(k)[1] for k in keys))
    columns = list(dict.fromkeys(split_key(k)[2] for k in keys))
    tdef = book.table(table)
    # the printed heading above a group's columns with more than one group under it (行政诉讼)
    parents: dict[str, str] = {}
    for cell in printed.cells:
        if cell.kind == "header" and cell.row == 0 and cell.rowspan == 1:
            for child in printed.cells:
                if (
                    child.kind == "header"
                    and child.row == 1
                    and cell.col <= child.col < cell.col + cell.colspan
                ):
                    parents[child.text] = cell.text
    cells: list[PrintedCell] = [PrintedCell(0, 0, "corner", "", colspan=2)]
    cells += [PrintedCell(0, 2 + i, "header", tdef.columns[c].label) for i, c in enumerate(columns)]
    done: set[str] = set()
    for i, row in enumerate(rows, start=1):
        label = tdef.rows[row].label
        parent = parents.get(label)
        if parent is None:
            cells.append(PrintedCell(i, 0, "label", label, colspan=2))
        else:
            if parent not in done:
                span = sum(1 for r in rows if parents.get(tdef.rows[r].label) == parent)
                cells.append(PrintedCell(i, 0, "label", parent, rowspan=span))
                done.add(parent)
            cells.append(PrintedCell(i, 1, "label", label, level=1))
        for j, column in enumerate(columns):
            key = f"{table}.{row}.{column}"
            if key in keys:
                cells.append(PrintedCell(i, 2 + j, "value", key=key))
    return TableLayout(table, variant, printed.title, len(rows) + 1, len(columns) + 2, 1, 2, tuple(cells))


def build_layout(report: Report, book: FormBook | None = None) -> GridLayout:
    """The grid of `report`: its tables (表二, 表三, 表四) as printed, in the form variants it uses."""
    book = book or formbook()
    layout = GridLayout()
    printed: list[TableLayout] = []
    for table in TABLES:
        variant = variant_of(report, table, book)
        if variant is None:
            continue
        layout.variants[table] = variant
        printed.append(
            folded_layout(table, variant, book)
            if table in TRANSPOSED_TABLES
            else table_layout(table, variant)
        )
    width = max((LABEL_COLUMNS + p.n_cols - p.label_cols for p in printed), default=0)
    for one in printed:
        _place_table(layout, one, width)
    return layout
