"""The official forms as data: rows, columns, labels and rule membership, read from resources/forms.json."""

from __future__ import annotations

import json
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from gikai_desk.resources import resource_path

TableId = Literal["t2", "t3", "t4"]
TABLES: tuple[TableId, ...] = ("t2", "t3", "t4")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class LabelDef(_Frozen):
    label: str
    match: tuple[str, ...] = ()
    group: str | None = None
    label_2021: str | None = None


class Section(_Frozen):
    """A 第二十条第（X）项 block of 表二: its own column header and rows."""

    label: str
    columns: tuple[str, ...]
    rows: tuple[str, ...]


class Variant(_Frozen):
    template: Literal["2019", "2021"]
    note: str | None = None
    sections: tuple[Section, ...] = ()
    rows: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()

    def layout(self) -> tuple[Section, ...]:
        """Sections of the table; 表三/表四 are one section with every row."""
        if self.sections:
            return self.sections
        return (Section(label="", columns=self.columns, rows=self.rows),)


class GroupDef(_Frozen):
    label: str
    rows: tuple[str, ...]


class TableDef(_Frozen):
    title: str
    rows: dict[str, LabelDef]
    columns: dict[str, LabelDef]
    variants: dict[str, Variant]
    groups: tuple[GroupDef, ...] = ()


class RuleDef(_Frozen):
    severity: Literal["error", "warning", "info"]
    title: str
    table: TableId | None = None
    kind: str | None = None
    parts: tuple[str, ...] = ()
    total: str | None = None
    left: tuple[str, ...] = ()
    right: tuple[str, ...] = ()
    formula: str | None = None


class FormBook(_Frozen):
    tables: dict[str, TableDef]
    rules: dict[str, RuleDef]

    def table(self, table: str) -> TableDef:
        return self.tables[table]

    def keys(self, table: str, variant: str) -> list[str]:
        """Canonical cell keys of one table in one form variant, in the order the form prints them."""
        out: list[str] = []
        for section in self.tables[table].variants[variant].layout():
            for row in section.rows:
                out.extend(f"{table}.{row}.{col}" for col in section.columns)
        return out

    def all_keys(self, forms: dict[str, str]) -> list[str]:
        """Every cell key of a report whose tables use `forms` ({"t2": "2019", "t3": "2021", ...})."""
        out: list[str] = []
        for table in TABLES:
            variant = forms.get(table)
            if variant is not None:
                out.extend(self.keys(table, variant))
        return out

    def label(self, key: str) -> str:
        """Short Chinese description of a cell key, e.g. '表三 本年新收… / 自然人'."""
        table, row, col = split_key(key)
        tdef = self.tables[table]
        row_label = tdef.rows[row].label if row in tdef.rows else row
        col_label = tdef.columns[col].label if col in tdef.columns else col
        return f"{TABLE_NAMES[table]} {row_label} / {col_label}"


TABLE_NAMES: dict[str, str] = {"t2": "表二", "t3": "表三", "t4": "表四"}


SIGNED_COLUMNS = frozenset({"change"})
"""本年增/减: the only cells that may be negative."""
AMOUNT_COLUMNS = frozenset({"amount"})
"""Money: the only cells that may have decimals."""


def value_problem(key: str, value: float | None) -> str | None:
    """Why `value` cannot stand in cell `key` as the form defines it (None: it can). Counts are whole and
    non-negative; 本年增/减 may be negative; amounts may have decimals."""
    if value is None:
        return None
    column = split_key(key)[2]
    if column in AMOUNT_COLUMNS:
        return "金额不能为负数" if value < 0 else None
    if value != int(value):
        return "件数、项数应为整数" if column not in SIGNED_COLUMNS else "本年增/减应为整数"
    if value < 0 and column not in SIGNED_COLUMNS:
        return "件数、项数不能为负数（只有“本年增/减”可以为负）"
    return None


def split_key(key: str) -> tuple[str, str, str]:
    table, row, col = key.split(".", 2)
    return table, row, col


def _load() -> dict[str, Any]:
    with resource_path("forms.json").open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


@cache
def formbook() -> FormBook:
    """The forms, loaded once."""
    return FormBook.model_validate(_load())
