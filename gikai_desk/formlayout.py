"""The printed layout of the official forms (表二/表三/表四) as a Qt-free grid, derived from formbook()."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Literal

from gikai_desk.forms import TABLES, LabelDef, TableDef, formbook, split_key

CellKind = Literal["header", "section", "label", "corner", "value"]

TRANSPOSED_TABLES: frozenset[str] = frozenset({"t4"})
"""Tables the official form prints with its rows as column groups and one line of values (表四)."""


@dataclass(frozen=True)
class GridCell:
    row: int
    col: int
    kind: CellKind
    text: str = ""
    rowspan: int = 1
    colspan: int = 1
    key: str | None = None
    """Canonical cell key of a value cell."""
    level: int = 0
    """Row-hierarchy depth of a label (三、本年度办理结果 = 0, （三）不予公开 = 1, 1.属于国家秘密 = 2)."""


@dataclass(frozen=True)
class TableLayout:
    """One table as printed: a grid of rows x columns.

    Every GridCell sits at (row, col) and may span several rows and columns (merged cells). Kinds: "header"
    (column headings), "section" (a 第二十条第（X）项 heading row of 表二), "label" (row labels; `level` is the
    depth in the row hierarchy, 0 = top level), "corner" (the top-left block of 表三) and "value" (a number
    cell; `key` is its canonical cell key). Used by the Excel writer and the GUI's form grid alike.
    """

    table: str
    variant: str
    title: str
    n_rows: int
    n_cols: int
    header_rows: int
    """Rows at the top that hold column headings (to freeze or repeat when printing)."""
    label_cols: int
    """Columns at the left that hold row labels."""
    cells: tuple[GridCell, ...]
    _by_key: dict[str, GridCell] = field(default_factory=dict, compare=False, repr=False)
    _by_pos: dict[tuple[int, int], GridCell] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for cell in self.cells:
            if cell.key is not None:
                self._by_key[cell.key] = cell
            for r in range(cell.row, cell.row + cell.rowspan):
                for c in range(cell.col, cell.col + cell.colspan):
                    self._by_pos[(r, c)] = cell

    @property
    def keys(self) -> list[str]:
        """Value keys in reading order (row by row)."""
        return [c.key for c in sorted(self.cells, key=lambda c: (c.row, c.col)) if c.key is not None]

    def position(self, key: str) -> tuple[int, int] | None:
        """(row, col) of the value cell holding `key`, or None when this form has no such cell."""
        cell = self._by_key.get(key)
        return None if cell is None else (cell.row, cell.col)

    def cell_at(self, row: int, col: int) -> GridCell | None:
        """The grid cell covering (row, col), merged cells included."""
        return self._by_pos.get((row, col))

    def key_at(self, row: int, col: int) -> str | None:
        cell = self._by_pos.get((row, col))
        return None if cell is None else cell.key


def _label(defn: LabelDef, variant: str) -> str:
    if variant.startswith("2021") and defn.label_2021:
        return defn.label_2021
    return defn.label


def _chains(items: Sequence[str], groups: dict[str, list[str]]) -> dict[str, list[str]]:
    """For each item, the labels of the groups containing it, outermost first (containment of positions)."""
    position = {item: i for i, item in enumerate(items)}
    spans: dict[str, tuple[int, int, int]] = {}
    for label, members in groups.items():
        present = [position[m] for m in members if m in position]
        if present:
            spans[label] = (min(present), max(present), len(present))
    out: dict[str, list[str]] = {}
    for item in items:
        i = position[item]
        containing = [(lo, hi, label) for label, (lo, hi, _n) in spans.items() if lo <= i <= hi]
        containing.sort(key=lambda t: (t[0] - t[1], t[2]))
        out[item] = [label for _lo, _hi, label in containing]
    return out


def _row_groups(tdef: TableDef, rows: Sequence[str]) -> dict[str, list[str]]:
    """Row groups of a table restricted to `rows`: the formbook groups, plus each row's own `group` field."""
    groups: dict[str, list[str]] = {g.label: [r for r in g.rows if r in rows] for g in tdef.groups}
    for row in rows:
        group = tdef.rows[row].group
        if group and group not in groups:
            groups[group] = [r for r in rows if tdef.rows[r].group == group]
    return {label: members for label, members in groups.items() if members}


def _column_groups(tdef: TableDef, columns: Sequence[str]) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for col in columns:
        group = tdef.columns[col].group
        if group:
            groups.setdefault(group, []).append(col)
    return groups


def _header_block(
    top: int, left: int, items: Sequence[str], labels: dict[str, str], chains: dict[str, list[str]]
) -> tuple[list[GridCell], int]:
    """Column headings for `items` from `top`: group cells merged across, item labels merged down."""
    depth = 1 + max((len(chains[i]) for i in items), default=0)
    cells: list[GridCell] = []
    for level in range(depth - 1):
        start = 0
        while start < len(items):
            chain = chains[items[start]]
            if len(chain) <= level:
                start += 1
                continue
            end = start
            while end + 1 < len(items) and chains[items[end + 1]][: level + 1] == chain[: level + 1]:
                end += 1
            cells.append(GridCell(top + level, left + start, "header", chain[level], colspan=end - start + 1))
            start = end + 1
    for i, item in enumerate(items):
        level = len(chains[item])
        cells.append(GridCell(top + level, left + i, "header", labels[item], rowspan=depth - level))
    return cells, depth


def _build_sectioned(table: str, variant: str) -> TableLayout:
    """表二: one block per 第二十条 section: a section row, a heading row, then its rows."""
    tdef = formbook().table(table)
    sections = tdef.variants[variant].layout()
    width = max(len(s.columns) for s in sections)
    cells: list[GridCell] = []
    row = 0
    header_rows = 0
    for number, section in enumerate(sections):
        cells.append(GridCell(row, 0, "section", section.label, colspan=width + 1))
        row += 1
        cells.append(GridCell(row, 0, "header", "信息内容"))
        spans = _spread(len(section.columns), width)
        for (col_start, col_span), col in zip(spans, section.columns, strict=True):
            cells.append(
                GridCell(row, 1 + col_start, "header", _label(tdef.columns[col], variant), colspan=col_span)
            )
        row += 1
        if number == 0:
            header_rows = row
        for row_id in section.rows:
            cells.append(GridCell(row, 0, "label", _label(tdef.rows[row_id], variant)))
            for (col_start, col_span), col in zip(spans, section.columns, strict=True):
                cells.append(
                    GridCell(row, 1 + col_start, "value", key=f"{table}.{row_id}.{col}", colspan=col_span)
                )
            row += 1
    return TableLayout(table, variant, tdef.title, row, width + 1, header_rows, 1, tuple(cells))


def _spread(count: int, width: int) -> list[tuple[int, int]]:
    """(start, span) of `count` columns filling `width` grid columns; the last one stretches."""
    return [(i, 1 if i < count - 1 else width - count + 1) for i in range(count)]


def _corner_text(table: str) -> str:
    for rule in formbook().rules.values():
        if rule.table == table and rule.kind == "balance" and rule.formula:
            return f"（本列数据的勾稽关系为：{rule.formula}）"
    return ""


def _build_matrix(table: str, variant: str) -> TableLayout:
    """表三: column headings on top, row labels at the left with the row hierarchy as merged label columns."""
    tdef = formbook().table(table)
    var = tdef.variants[variant]
    rows, columns = list(var.rows), list(var.columns)
    row_chains = _chains(rows, _row_groups(tdef, rows))
    col_chains = _chains(columns, _column_groups(tdef, columns))
    label_cols = 1 + max((len(c) for c in row_chains.values()), default=0)
    col_labels = {c: _label(tdef.columns[c], variant) for c in columns}
    cells, header_rows = _header_block(0, label_cols, columns, col_labels, col_chains)
    cells.append(GridCell(0, 0, "corner", _corner_text(table), rowspan=header_rows, colspan=label_cols))
    for level in range(label_cols - 1):
        start = 0
        while start < len(rows):
            chain = row_chains[rows[start]]
            if len(chain) <= level:
                start += 1
                continue
            end = start
            while end + 1 < len(rows) and row_chains[rows[end + 1]][: level + 1] == chain[: level + 1]:
                end += 1
            cells.append(
                GridCell(
                    header_rows + start, level, "label", chain[level], rowspan=end - start + 1, level=level
                )
            )
            start = end + 1
    for i, row_id in enumerate(rows):
        level = len(row_chains[row_id])
        r = header_rows + i
        cells.append(
            GridCell(
                r, level, "label", _label(tdef.rows[row_id], variant), colspan=label_cols - level, level=level
            )
        )
        for j, col in enumerate(columns):
            cells.append(GridCell(r, label_cols + j, "value", key=f"{table}.{row_id}.{col}"))
    return TableLayout(
        table,
        variant,
        tdef.title,
        header_rows + len(rows),
        label_cols + len(columns),
        header_rows,
        label_cols,
        tuple(cells),
    )


def _build_transposed(table: str, variant: str) -> TableLayout:
    """表四: each row of the table becomes a column group (grouped as the form prints it), one line of values.

    Heading rows, top to bottom: the row groups (行政诉讼), the row labels (行政复议 / 未经复议直接起诉 / 复议后起诉),
    then the column labels (结果维持 ... 总计). A row label with fewer groups above it than others (行政复议)
    is merged downwards so every column label sits on the same bottom heading row.
    """
    tdef = formbook().table(table)
    var = tdef.variants[variant]
    rows, columns = list(var.rows), list(var.columns)
    row_chains = _chains(rows, _row_groups(tdef, rows))
    items = [(r, c) for r in rows for c in columns]
    chains = [[*row_chains[r], _label(tdef.rows[r], variant)] for r, _c in items]
    depth = max(len(chain) for chain in chains)
    cells: list[GridCell] = []
    for level in range(depth):
        start = 0
        while start < len(items):
            chain = chains[start]
            if len(chain) <= level:
                start += 1
                continue
            end = start
            while end + 1 < len(items) and chains[end + 1][: level + 1] == chain[: level + 1]:
                end += 1
            rowspan = depth - level if level == len(chain) - 1 else 1
            cells.append(
                GridCell(level, start, "header", chain[level], rowspan=rowspan, colspan=end - start + 1)
            )
            start = end + 1
    for i, (row_id, col) in enumerate(items):
        cells.append(GridCell(depth, i, "header", _label(tdef.columns[col], variant)))
        cells.append(GridCell(depth + 1, i, "value", key=f"{table}.{row_id}.{col}"))
    return TableLayout(table, variant, tdef.title, depth + 2, len(items), depth + 1, 0, tuple(cells))


@cache
def table_layout(table: str, variant: str) -> TableLayout:
    """The printed grid of one table in one form variant."""
    if table not in formbook().tables or variant not in formbook().table(table).variants:
        raise KeyError(f"no form {table}/{variant}")
    if formbook().table(table).variants[variant].sections:
        return _build_sectioned(table, variant)
    if table in TRANSPOSED_TABLES:
        return _build_transposed(table, variant)
    return _build_matrix(table, variant)


def report_layouts(forms: dict[str, str]) -> list[TableLayout]:
    """Layouts of the tables a report has, in form order (表二, 表三, 表四)."""
    return [table_layout(t, forms[t]) for t in TABLES if t in forms]


@cache
def all_cell_keys() -> tuple[str, ...]:
    """Every cell key of every form variant, in form order: table, then row, then column (formbook order)."""
    book = formbook()
    out: list[str] = []
    for table in TABLES:
        tdef = book.table(table)
        present = {k for v in tdef.variants for k in book.keys(table, v)}
        for row in tdef.rows:
            for col in tdef.columns:
                key = f"{table}.{row}.{col}"
                if key in present:
                    out.append(key)
    return tuple(out)


def key_labels(key: str) -> tuple[str, str]:
    """Two-level Chinese heading of a cell key: ('表三 一、本年新收…', '自然人')."""
    from gikai_desk.forms import TABLE_NAMES

    table, row, col = split_key(key)
    tdef = formbook().table(table)
    row_def = tdef.rows.get(row)
    col_def = tdef.columns.get(col)
    row_text = row_def.label if row_def else row
    if row_def is not None and row_def.group and table == "t4":
        row_text = f"{row_def.group}·{row_text}"
    return f"{TABLE_NAMES[table]} {row_text}", col_def.label if col_def else col
