"""Parser: SourceDocument text -> Report (三张表的单元格、来源位置、元数据、正文数字)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING

from gikai_desk.errors import NotAReportError
from gikai_desk.forms import TABLE_NAMES, FormBook, formbook
from gikai_desk.ingest import SourceDocument
from gikai_desk.model import Cell, Report
from gikai_desk.parse.aligned import note_source, settle_blank_rows
from gikai_desk.parse.convention import NOTE_BEFORE as BEFORE_NOTE
from gikai_desk.parse.displaced import NOTE as DISPLACED_NOTE
from gikai_desk.parse.meta import read_metadata
from gikai_desk.parse.narrative import read_narrative
from gikai_desk.parse.normalize import fold
from gikai_desk.parse.rows import CellRead, RowRead
from gikai_desk.parse.tables import TableRead, locate, pipe_style, read_labelled_table, read_t4

if TYPE_CHECKING:
    from gikai_desk.parse.glued import Constraint

__all__ = ["NotAReportError", "parse_document"]

NOT_A_REPORT = "未找到年报表格 no annual report tables found"
FLAG_MISSING_ROW = "文档中未找到该行"
FLAG_UNSPLIT = "粘连数字无法拆分为应有的单元格数，请人工核对"


def parse_document(doc: SourceDocument) -> Report:
    """Parse a read document into a Report. Raises NotAReportError when no table is found."""
    text = doc.text
    norm = fold(text)
    note_source(norm, text)
    layout = locate(norm)
    spans = [s for s in (layout.t2, layout.t3, layout.t4) if s is not None]
    if not spans:
        raise NotAReportError(doc.path, NOT_A_REPORT)
    pipes = pipe_style(norm, min(s[0] for s in spans), max(s[1] for s in spans))
    book = formbook()
    notes: list[str] = list(doc.notes)

    t2 = read_labelled_table(norm, "t2", layout.t2, pipes) if layout.t2 else None
    if t2 is not None and not t2.rows:
        t2 = None
    t3 = read_labelled_table(norm, "t3", layout.t3, pipes) if layout.t3 else None
    if t3 is not None and not t3.rows:
        t3 = None
    settle_blank_rows(norm)
    if t2 is None and t3 is None:
        # 表四 alone (its heading words also occur in prose) does not make an annual report.
        raise NotAReportError(doc.path, NOT_A_REPORT)

    forms: dict[str, str] = {}
    cells: dict[str, Cell] = {}
    if t2 is not None:
        _place_labelled(t2, book)
        _solve_t2_glued(norm, t2, book)
        forms["t2"] = t2.variant
        _emit_labelled(text, t2, book, cells, notes)
    if t3 is not None:
        _place_labelled(t3, book)
        _solve_t3_glued(norm, t3, book, notes)
        forms["t3"] = t3.variant
        _emit_labelled(text, t3, book, cells, notes)
    table_spans: list[tuple[int, int]] = []
    if t2 is not None:
        table_spans.append((t2.start, t2.end))
    if t3 is not None:
        table_spans.append((t3.start, t3.end))
    if layout.t4 is not None:
        table_spans.append(layout.t4)
    meta = read_metadata(text)
    narrative = read_narrative(text, table_spans, meta.year)
    if layout.t4 is not None:
        if "t3" in forms:
            variant = forms["t3"]
        elif "t2" in forms:
            variant = book.table("t2").variants[forms["t2"]].template
        else:
            variant = "2019"
        t4_variant = book.table("t4").variants[variant]
        groups = len(t4_variant.rows)
        width = len(t4_variant.columns)
        index = {
            f"t4.{row}.{col}": g * width + c
            for g, row in enumerate(t4_variant.rows)
            for c, col in enumerate(t4_variant.columns)
        }
        stated = {index[f.key]: float(f.value) for f in narrative if f.key in index}
        t4 = read_t4(norm, layout.t4, pipes, groups * width, groups, stated)
        if t4.blob is not None:
            _solve_t4_glued(norm, t4, book, variant)
        elif t4.spare is not None:
            _place_t4(t4, book, variant)
        forms["t4"] = variant
        _emit_t4(text, t4, book, variant, cells, notes)

    template = None
    if "t2" in forms:
        template = book.table("t2").variants[forms["t2"]].template
    elif "t3" in forms:
        template = book.table("t3").variants[forms["t3"]].template

    report = Report.model_construct(
        file=doc.path,
        text=text,
        kind=doc.kind,
        template=template,
        forms=forms,
        year=meta.year,
        agency=meta.agency,
        published=meta.published,
        cells=cells,
        narrative=narrative,
        notes=notes,
        boxes=doc.boxes,
    )
    if doc.confidence:
        from gikai_desk.parse.scanned import doubt_failing_rules

        doubt_failing_rules(report, doc.confidence)
    return report


# --------------------------------------------------------------------------------------------------------
# Cells out of row reads


_ALL_CELL_FIELDS = set(Cell.model_fields)
"""Shared by every fast-built Cell as its fields-set: pydantic only ever adds field names to it (all already
in), and copies it on model_copy, so sharing is safe and saves building a set per cell."""
_new_object = object.__new__
_set_attribute = object.__setattr__


def make_cell(key: str, text: str, read: CellRead) -> Cell:
    """A Cell from a reading, built without validation (what Cell.model_construct does, ~3x faster:
    a report has ~200 cells and the parse budget is about a millisecond)."""
    start = read.start
    cell = _new_object(Cell)
    _set_attribute(
        cell,
        "__dict__",
        {
            "key": key,
            "value": read.value,
            "parsed": read.value,
            "raw": "" if start < 0 else text[start : read.end],
            "spans": [] if start < 0 else [(start, read.end)],
            "sure": read.sure,
            "flag": read.flag,
            "corrected": False,
        },
    )
    _set_attribute(cell, "__pydantic_fields_set__", _ALL_CELL_FIELDS)
    _set_attribute(cell, "__pydantic_extra__", None)
    _set_attribute(cell, "__pydantic_private__", None)
    return cell


@cache
def _row_keys(table: str, variant: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(row, its cell keys in column order) for every row of a table variant, computed once."""
    tdef = formbook().table(table)
    return tuple(
        (row, tuple(f"{table}.{row}.{col}" for col in section.columns))
        for section in tdef.variants[variant].layout()
        for row in section.rows
    )


def _emit_labelled(
    text: str, table: TableRead, book: FormBook, cells: dict[str, Cell], notes: list[str]
) -> None:
    name = TABLE_NAMES[table.table]
    tdef = book.table(table.table)
    unsure_rows: dict[str, list[str]] = {}
    lost_blank_rows: list[str] = []
    placed_rows: list[str] = []
    newer = tdef.variants[table.variant].template == "2021"

    def label(row: str) -> str:
        definition = tdef.rows[row]
        return _short(definition.label_2021 if newer and definition.label_2021 else definition.label)

    rows = table.rows
    for row, keys in _row_keys(table.table, table.variant):
        read = rows.get(row)
        if read is None or len(read.cells) != len(keys):
            why = FLAG_MISSING_ROW if read is None else FLAG_UNSPLIT
            for key in keys:
                cells[key] = make_cell(key, text, CellRead(None, sure=False, flag=why))
            continue
        for key, cell_read in zip(keys, read.cells, strict=True):
            cells[key] = make_cell(key, text, cell_read)
        if read.problem == "lost_blank":
            lost_blank_rows.append(label(row))
        elif read.problem == PLACED:
            placed_rows.append(label(row))
        elif read.problem:
            unsure_rows.setdefault(read.problem, []).append(label(row))
    if table.missing:
        labels = "、".join(label(r) for r in table.missing)
        notes.append(f"{name}未找到以下行，相应单元格已标记：{labels}")
    if unsure_rows:
        count = sum(len(labels) for labels in unsure_rows.values())
        detail = "；".join(f"{problem}：{'、'.join(labels)}" for problem, labels in unsure_rows.items())
        notes.append(f"{name}有{count}行的单元格无法确定，已标记待核对（{detail}）")
    if lost_blank_rows:
        notes.append(
            f"{name}有{len(lost_blank_rows)}行少了空白单元格，其余单元格均为空，按空白读取："
            + "、".join(lost_blank_rows)
        )
    if table.values_before_labels:
        notes.append(name + BEFORE_NOTE)
    if table.displaced:
        notes.append(f"{name}" + DISPLACED_NOTE + "、".join(label(r) for r in table.displaced))
    if table.absent:
        notes.append(f"{name}没有以下行（前后各行齐全），按空白读取：" + "、".join(label(r) for r in table.absent))
    if placed_rows:
        notes.append(
            f"{name}有{len(placed_rows)}行的数值个数与列数不符，符合勾稽关系的各种位置安排读数一致，已按此读取："
            + "、".join(placed_rows)
        )
    if table.extra_rows:
        labels = "、".join(label(r) for r in table.extra_rows)
        notes.append(f"{name}出现了本样式（{table.variant}）没有的行，未读取：{labels}")


def _short(label: str, limit: int = 12) -> str:
    """A row label short enough for a note (the (六) sub-row labels run to forty characters)."""
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _emit_t4(
    text: str, read: RowRead, book: FormBook, variant: str, cells: dict[str, Cell], notes: list[str]
) -> None:
    t4 = book.table("t4").variants[variant]
    per_group = len(t4.columns)
    ok = len(read.cells) == per_group * len(t4.rows)
    for g, row in enumerate(t4.rows):
        for c, col in enumerate(t4.columns):
            key = f"t4.{row}.{col}"
            cell_read = read.cells[g * per_group + c] if ok else CellRead(None, sure=False, flag=FLAG_UNSPLIT)
            cells[key] = make_cell(key, text, cell_read)
    if read.problem == PLACED:
        notes.append("表四的数值个数与列数不符，符合勾稽关系的各种位置安排读数一致，已按此读取")
    elif read.problem and read.problem != "lost_blank":
        notes.append(f"表四{read.problem}，已标记待核对")


# --------------------------------------------------------------------------------------------------------
# Rows whose values do not fit one per cell: placed by the table's own 勾稽关系 (parse/place.py)

PLACED = "placed"
"""RowRead.problem of a row whose values were placed with certainty although they did not fit one per cell."""


def _apply_placement(reads: Sequence[RowRead], placed: Sequence[object]) -> None:
    from gikai_desk.parse.place import Placed

    for read, outcome in zip(reads, placed, strict=True):
        assert isinstance(outcome, Placed)
        if read.spare is None or outcome.cells is None:
            continue
        read.cells = outcome.cells
        read.spare = None
        if outcome.sure:
            read.problem = PLACED


def _place_labelled(table: TableRead, book: FormBook) -> None:
    """Place the values of 表二/表三 rows that lost cells or hold ghost columns, jointly with the table's rules."""
    if not any(read.spare is not None for read in table.rows.values()):
        return
    for row, row_keys in _row_keys(table.table, table.variant):
        read = table.rows.get(row)
        if read is not None and read.spare is not None and _one_reading(read.spare, len(row_keys)):
            # Ghost columns of a row that holds nothing but the same 0 (seed 004's twelve zeros for seven
            # columns): every reading is this one, whatever the rules say (place.py reads it so too).
            read.cells, read.spare, read.problem = read.spare[: len(row_keys)], None, PLACED
    if not any(read.spare is not None for read in table.rows.values()):
        return
    from gikai_desk.parse.place import PlaceRow, place

    keys: list[str] = []
    rows: list[PlaceRow] = []
    reads: list[RowRead] = []
    for row, row_keys in _row_keys(table.table, table.variant):
        read = table.rows.get(row)
        if read is None or read.blob is not None:
            continue
        if read.spare is not None:
            rows.append(PlaceRow(len(row_keys), read.spare, True, _prefers_leading(read), read.problem or ""))
        elif len(read.cells) == len(row_keys):
            rows.append(PlaceRow(len(row_keys), read.cells))
        else:
            continue
        keys.extend(row_keys)
        reads.append(read)
    _apply_placement(reads, place(rows, _rules_over(tuple(keys))))


def _one_reading(cells: Sequence[CellRead], count: int) -> bool:
    """More cells than columns, every one sure and worth the same nothing (0, or blank)."""
    if len(cells) <= count or not all(cell.sure for cell in cells):
        return False
    first = cells[0].value
    return not first and all(cell.value == first and (cell.value is None) == (first is None) for cell in cells)


@cache
def _rules_over(keys: tuple[str, ...]) -> tuple[Constraint, ...]:
    """rule_constraints over these cell keys (the same few key lists recur from report to report)."""
    from gikai_desk.parse.glued import rule_constraints

    return tuple(rule_constraints(keys, formbook()))


def _prefers_leading(read: RowRead) -> bool:
    """Whether the reading shown puts the lost cells first (what rows.fit chose for this row)."""
    cells = read.cells
    return bool(cells) and cells[0].start < 0 and cells[-1].start >= 0


def _place_t4(read: RowRead, book: FormBook, variant: str) -> None:
    from gikai_desk.parse.place import PlaceRow, place

    assert read.spare is not None
    t4 = book.table("t4").variants[variant]
    keys = [f"t4.{row}.{col}" for row in t4.rows for col in t4.columns]
    rows = [PlaceRow(len(keys), read.spare, True, _prefers_leading(read), read.problem or "")]
    _apply_placement([read], place(rows, _rules_over(tuple(keys))))


# --------------------------------------------------------------------------------------------------------
# Glued cells: hand the digit blobs to the solver with the table's own 勾稽关系


def _apply_solution(
    norm: str, rows: Sequence[RowRead], counts: Sequence[int], solution_cells: Sequence[object]
) -> None:
    from gikai_desk.parse.glued import GluedCell

    index = 0
    for read, count in zip(rows, counts, strict=True):
        part = solution_cells[index : index + count]
        index += count
        if read.blob is None:
            continue
        base = read.blob[0]
        out: list[CellRead] = []
        for cell in part:
            assert isinstance(cell, GluedCell)
            if cell.value is None:
                out.append(CellRead(None, sure=False, flag=cell.reason or FLAG_UNSPLIT))
                continue
            out.append(
                CellRead(
                    cell.value,
                    base + cell.start,
                    base + cell.end,
                    cell.sure,
                    None if cell.sure else cell.reason,
                )
            )
        read.cells = out
        if any(not c.sure for c in out):
            read.problem = "粘连数字有多种拆分方式"


def _solve_t2_glued(norm: str, table: TableRead, book: FormBook) -> None:
    from gikai_desk.parse.glued import solve_glued

    columns_of = {
        row: len(s.columns) for s in book.table("t2").variants[table.variant].layout() for row in s.rows
    }
    for row, read in table.rows.items():
        if read.blob is None:
            continue
        count = columns_of[row]
        solution = solve_glued([norm[read.blob[0] : read.blob[1]]], [count], [])
        _apply_solution(norm, [read], [count], solution.cells)


def _fixed_blob(read: RowRead) -> str | None:
    """A row already read, written as space-separated numbers so the solver can use it in column sums."""
    if read.blob is not None or not read.cells or not all(c.sure for c in read.cells):
        return None
    return " ".join("0" if c.value is None else str(c.value) for c in read.cells)


def _solve_t3_glued(norm: str, table: TableRead, book: FormBook, notes: list[str]) -> None:
    if not any(read.blob is not None for read in table.rows.values()):
        return
    from gikai_desk.parse.glued import Constraint, solve_glued

    variant = book.table("t3").variants[table.variant]
    columns = list(variant.columns)
    width = len(columns)
    rows: list[str] = []
    blobs: list[str] = []
    reads: list[RowRead] = []
    for row in variant.rows:
        read = table.rows.get(row)
        if read is None:
            continue
        blob = norm[read.blob[0] : read.blob[1]] if read.blob is not None else _fixed_blob(read)
        if blob is None:
            continue
        rows.append(row)
        blobs.append(blob)
        reads.append(read)
    base = {row: i * width for i, row in enumerate(rows)}
    glued_rows = {row for row, read in zip(rows, reads, strict=True) if read.blob is not None}
    col = {c: i for i, c in enumerate(columns)}
    constraints: list[Constraint] = []
    rules = book.rules
    row_rule = rules["T3_ROW_TOTAL"]
    assert row_rule.total is not None
    for row in glued_rows:
        constraints.append(
            Constraint(
                plus=(base[row] + col[row_rule.total],),
                minus=tuple(base[row] + col[p] for p in row_rule.parts),
            )
        )
    results = rules["T3_RESULTS_TOTAL"]
    result_rows = [r for r in results.parts if r in variant.rows]
    balance = rules["T3_BALANCE"]
    for c in columns:
        if results.total in base and all(r in base for r in result_rows):
            involved = {results.total, *result_rows}
            if involved & glued_rows:
                constraints.append(
                    Constraint(
                        plus=(base[results.total] + col[c],),
                        minus=tuple(base[r] + col[c] for r in result_rows),
                    )
                )
        if (
            all(r in base for r in (*balance.left, *balance.right))
            and set((*balance.left, *balance.right)) & glued_rows
        ):
            constraints.append(
                Constraint(
                    plus=tuple(base[r] + col[c] for r in balance.left),
                    minus=tuple(base[r] + col[c] for r in balance.right),
                )
            )
    solution = solve_glued(blobs, [width] * len(blobs), constraints)
    _apply_solution(norm, reads, [width] * len(reads), solution.cells)
    unsure = sum(1 for read in reads if read.blob is not None for c in read.cells if not c.sure)
    note = "表三的单元格数字粘连在一起（没有分隔），已按表格的勾稽关系拆分"
    if unsure:
        note += f"；其中{unsure}个单元格有多种拆分方式或无法拆分，已标记待核对"
    notes.append(note)


def _solve_t4_glued(norm: str, read: RowRead, book: FormBook, variant: str) -> None:
    from gikai_desk.parse.glued import Constraint, solve_glued

    assert read.blob is not None
    t4 = book.table("t4").variants[variant]
    rule = book.rules["T4_TOTAL"]
    assert rule.total is not None
    width = len(t4.columns)
    col = {c: i for i, c in enumerate(t4.columns)}
    constraints = [
        Constraint(plus=(g * width + col[rule.total],), minus=tuple(g * width + col[p] for p in rule.parts))
        for g in range(len(t4.rows))
    ]
    count = width * len(t4.rows)
    solution = solve_glued([norm[read.blob[0] : read.blob[1]]], [count], constraints)
    _apply_solution(norm, [read], [count], solution.cells)
