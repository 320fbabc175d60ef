"""Synthetic, rule-consistent reports (random but reproducible) for workspace tests and benchmarks."""

from __future__ import annotations

import random

from gikai_desk.forms import TABLE_NAMES, formbook, split_key
from gikai_desk.model import Cell, Number, Report

FORMS_BY_TEMPLATE: dict[str, dict[str, str]] = {
    "2019": {"t2": "2019", "t3": "2019", "t4": "2019"},
    "2021": {"t2": "2021", "t3": "2021", "t4": "2021"},
}


def _t3_values(rng: random.Random, forms: dict[str, str]) -> dict[str, int]:
    book = formbook()
    variant = book.table("t3").variants[forms["t3"]]
    rules = book.rules
    parts = rules["T3_ROW_TOTAL"].parts
    result_rows = [r for r in rules["T3_RESULTS_TOTAL"].parts if r in variant.rows]
    values: dict[str, int] = {}
    for col in parts:
        results = {row: rng.choice([0, 0, 0, rng.randint(0, 40)]) for row in result_rows}
        total = sum(results.values())
        carried_out = rng.randint(0, 5)
        carried_in = rng.randint(0, min(5, total + carried_out))
        new = total + carried_out - carried_in
        column = {**results, "total": total, "carried_out": carried_out, "carried_in": carried_in, "new": new}
        for row, value in column.items():
            values[f"t3.{row}.{col}"] = value
    for row in variant.rows:
        values[f"t3.{row}.total"] = sum(values[f"t3.{row}.{col}"] for col in parts)
    return values


def synthetic_report(index: int, template: str = "2021", agency: str | None = None) -> Report:
    """A report whose 表三/表四 satisfy the sum rules, with a TAB-separated source text and real spans."""
    rng = random.Random(index)
    forms = FORMS_BY_TEMPLATE[template]
    book = formbook()
    values: dict[str, Number] = dict(_t3_values(rng, forms))
    for group in book.table("t4").variants[forms["t4"]].rows:
        parts = [rng.randint(0, 6) for _ in range(4)]
        for col, value in zip(("upheld", "corrected", "other", "pending"), parts, strict=True):
            values[f"t4.{group}.{col}"] = value
        values[f"t4.{group}.total"] = sum(parts)
    for key in book.keys("t2", forms["t2"]):
        values[key] = round(rng.uniform(0, 500), 2) if key.endswith(".amount") else rng.randint(0, 300)
    year = 2020 if template == "2019" else 2022
    name = agency or f"测试市第{index}局"
    lines = [f"{name}{year}年政府信息公开工作年度报告", ""]
    offset = sum(len(line) + 1 for line in lines)
    cells: dict[str, Cell] = {}
    for table in ("t2", "t3", "t4"):
        lines.append(TABLE_NAMES[table])
        offset += len(lines[-1]) + 1
        by_row: dict[str, list[str]] = {}
        for key in book.keys(table, forms[table]):
            by_row.setdefault(split_key(key)[1], []).append(key)
        for row, keys in by_row.items():
            label = book.table(table).rows[row].label
            line = label
            for key in keys:
                raw = str(values[key])
                start = offset + len(line) + 1
                line += "\t" + raw
                cells[key] = Cell(
                    key=key, value=values[key], parsed=values[key], raw=raw, spans=[(start, start + len(raw))]
                )
            lines.append(line)
            offset += len(line) + 1
    return Report(
        file=f"synthetic-{index:04d}.txt",
        text="\n".join(lines) + "\n",
        template="2019" if template == "2019" else "2021",
        forms=dict(forms),
        year=year,
        agency=name,
        published=f"{year + 1}-01-20",
        cells=cells,
    )
