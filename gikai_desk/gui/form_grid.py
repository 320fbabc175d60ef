"""The grid's picture of the official forms (表二/表三/表四), derived from formbook(): rows, merged cells, keys.

Qt-free: the grid model reads it. Layout: three label columns (group, sub-group, item) then up to seven value
columns. 表四 is shown with one row per group (行政复议 / 行政诉讼·未经复议直接起诉 / 复议后起诉).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from gikai_desk.forms import TABLES, FormBook, LabelDef, TableDef, formbook
from gikai_desk.model import Report

LABEL_COLUMNS = 3
VALUE_COLUMNS = 7
COLUMNS = LABEL_COLUMNS + VALUE_COLUMNS

BALANCE_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
"""Printed in the top-left corner of the official 表三."""

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
    """Rows of GridCells (each row COLUMNS long), merged areas, and where every cell key sits."""

    rows: list[list[GridCell]] = field(default_factory=list)
    spans: list[GridSpan] = field(default_factory=list)
    positions: dict[str, tuple[int, int]] = field(default_factory=dict)
    variants: dict[str, str] = field(default_factory=dict)

    def cell(self, row: int, column: int) -> GridCell:
        return self.rows[row][column]

    def row_keys(self, row: int) -> list[str]:
        """Value keys of one grid row, left to right."""
        return [c.key for c in self.rows[row] if c.key is not None]

    def cell_keys(self) -> list[str]:
        return list(self.positions)

    def _new_row(self) -> list[GridCell]:
        row = [GridCell() for _ in range(COLUMNS)]
        self.rows.append(row)
        return row

    def _span(self, row: int, column: int, rows: int, columns: int) -> None:
        if rows > 1 or columns > 1:
            self.spans.append(GridSpan(row, column, rows, columns))


def _label(definition: LabelDef, template: str) -> str:
    if template == "2021" and definition.label_2021:
        return definition.label_2021
    return definition.label


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


def _title_row(layout: GridLayout, tdef: TableDef) -> None:
    row = layout._new_row()
    row[0] = GridCell("title", tdef.title)
    layout._span(len(layout.rows) - 1, 0, 1, COLUMNS)


def _table_two(layout: GridLayout, tdef: TableDef, variant: str) -> None:
    template = tdef.variants[variant].template
    for section in tdef.variants[variant].layout():
        row = layout._new_row()
        row[0] = GridCell("section", section.label)
        layout._span(len(layout.rows) - 1, 0, 1, COLUMNS)
        header = layout._new_row()
        header[0] = GridCell("header", "信息内容")
        layout._span(len(layout.rows) - 1, 0, 1, LABEL_COLUMNS)
        for i, column in enumerate(section.columns):
            header[LABEL_COLUMNS + i] = GridCell("header", _label(tdef.columns[column], template))
        for row_key in section.rows:
            _data_row(layout, "t2", tdef, template, row_key, section.columns, groups=())


def _data_row(
    layout: GridLayout,
    table: str,
    tdef: TableDef,
    template: str,
    row_key: str,
    columns: tuple[str, ...],
    groups: tuple[str, ...],
) -> None:
    row = layout._new_row()
    index = len(layout.rows) - 1
    depth = min(len(groups), LABEL_COLUMNS - 1)
    for level in range(depth):
        row[level] = GridCell("group", "")
    row[depth] = GridCell("label", _label(tdef.rows[row_key], template))
    layout._span(index, depth, 1, LABEL_COLUMNS - depth)
    for i, column in enumerate(columns):
        key = f"{table}.{row_key}.{column}"
        row[LABEL_COLUMNS + i] = GridCell("value", "", key)
        layout.positions[key] = (index, LABEL_COLUMNS + i)


def _merge_groups(layout: GridLayout, first_row: int, row_groups: list[tuple[str, ...]]) -> None:
    """Write each group label once and merge it down over the consecutive rows it covers."""
    for level in range(LABEL_COLUMNS - 1):
        start = 0
        while start < len(row_groups):
            groups = row_groups[start]
            if len(groups) <= level:
                start += 1
                continue
            end = start
            while end + 1 < len(row_groups) and row_groups[end + 1][: level + 1] == groups[: level + 1]:
                end += 1
            layout.rows[first_row + start][level] = GridCell("group", groups[level])
            layout._span(first_row + start, level, end - start + 1, 1)
            start = end + 1


def _groups_of(tdef: TableDef, row_key: str, rows: tuple[str, ...]) -> tuple[str, ...]:
    out: list[str] = []
    for group in tdef.groups:
        if row_key in group.rows and any(r in rows for r in group.rows):
            out.append(group.label)
    return tuple(out)


def _column_headers(layout: GridLayout, tdef: TableDef, template: str, columns: tuple[str, ...]) -> None:
    """One header row of column labels, or two/three when columns carry groups (申请人情况 / 法人或其他组织)."""
    groups = [tdef.columns[c].group for c in columns]
    first = len(layout.rows)
    if not any(groups):
        header = layout._new_row()
        layout._span(first, 0, 1, LABEL_COLUMNS)
        for i, column in enumerate(columns):
            header[LABEL_COLUMNS + i] = GridCell("header", _label(tdef.columns[column], template))
        return
    outer = groups[0]
    top, middle, bottom = layout._new_row(), layout._new_row(), layout._new_row()
    top[0] = GridCell("header", BALANCE_NOTE if tdef is formbook().tables.get("t3") else "")
    layout._span(first, 0, 3, LABEL_COLUMNS)
    top[LABEL_COLUMNS] = GridCell("header", outer or "")
    layout._span(first, LABEL_COLUMNS, 1, len(columns))
    i = 0
    while i < len(columns):
        group = groups[i]
        if group == outer:
            middle[LABEL_COLUMNS + i] = GridCell("header", _label(tdef.columns[columns[i]], template))
            layout._span(first + 1, LABEL_COLUMNS + i, 2, 1)
            i += 1
            continue
        j = i
        while j + 1 < len(columns) and groups[j + 1] == group:
            j += 1
        middle[LABEL_COLUMNS + i] = GridCell("header", group or "")
        layout._span(first + 1, LABEL_COLUMNS + i, 1, j - i + 1)
        for k in range(i, j + 1):
            bottom[LABEL_COLUMNS + k] = GridCell("header", _label(tdef.columns[columns[k]], template))
        i = j + 1
    for cells in (top, middle, bottom):
        for k in range(LABEL_COLUMNS + len(columns), COLUMNS):
            cells[k] = GridCell("header", "")


def _row_table(layout: GridLayout, table: str, tdef: TableDef, variant: str) -> None:
    definition = tdef.variants[variant]
    template = definition.template
    rows, columns = definition.rows, definition.columns
    _column_headers(layout, tdef, template, columns)
    first = len(layout.rows)
    row_groups: list[tuple[str, ...]] = []
    for row_key in rows:
        groups = _groups_of(tdef, row_key, rows)
        if not groups and tdef.rows[row_key].group:
            groups = (tdef.rows[row_key].group or "",)
        row_groups.append(groups)
        _data_row(layout, table, tdef, template, row_key, columns, groups)
    _merge_groups(layout, first, row_groups)


def build_layout(report: Report, book: FormBook | None = None) -> GridLayout:
    """The grid of `report`: its tables in the form variants it uses; cells it has outside them are appended."""
    book = book or formbook()
    layout = GridLayout()
    for table in TABLES:
        variant = variant_of(report, table, book)
        if variant is None:
            continue
        layout.variants[table] = variant
        tdef = book.table(table)
        _title_row(layout, tdef)
        if table == "t2":
            _table_two(layout, tdef, variant)
        else:
            _row_table(layout, table, tdef, variant)
    return layout
