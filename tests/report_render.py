"""Test helper: render a report's three tables in the official printed layout as an HTML page or an .xlsx."""

from __future__ import annotations

import html
import io
from collections.abc import Mapping, Sequence

from gikai_desk.formlayout import TableLayout, table_layout
from gikai_desk.forms import TABLE_NAMES, formbook

Value = int | float | str | None


def cell_text(value: Value) -> str:
    """A value as a form cell prints it (blank for None, 3 for 3.0)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def layout_rows(layout: TableLayout, values: Mapping[str, Value]) -> list[list[tuple[str, int, int]]]:
    """Rows of (text, rowspan, colspan) cells, each merged cell once in the row where it starts."""
    rows: list[list[tuple[str, int, int]]] = [[] for _ in range(layout.n_rows)]
    for cell in sorted(layout.cells, key=lambda c: (c.row, c.col)):
        text = cell_text(values.get(cell.key)) if cell.key is not None else cell.text
        rows[cell.row].append((text, cell.rowspan, cell.colspan))
    return rows


def table_title(table: str) -> str:
    return f"{formbook().table(table).title}（{TABLE_NAMES[table]}）"


def report_html(
    prose_before: Sequence[str],
    forms: Mapping[str, str],
    values: Mapping[str, Value],
    prose_after: Sequence[str] = (),
    charset: str = "utf-8",
    blank_as_nbsp: bool = True,
) -> bytes:
    """A page like the ones saved from government sites: meta charset, rowspan/colspan tables, &nbsp; blanks."""
    parts = [
        "<!DOCTYPE html><html><head>",
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">',
        f"<title>{html.escape(prose_before[0]) if prose_before else ''}</title>",
        "<style>td{border:1px solid #000}</style><script>var nav = '<td>x</td>';</script></head><body>",
    ]
    parts.extend(f"<p>{html.escape(line)}</p>" for line in prose_before)
    for table in ("t2", "t3", "t4"):
        variant = forms.get(table)
        if variant is None:
            continue
        layout = table_layout(table, variant)
        parts.append(f"<p><strong>{html.escape(table_title(table))}</strong></p>")
        parts.append('<table border="1" cellspacing="0">')
        for row in layout_rows(layout, values):
            parts.append("<tr>")
            for text, rowspan, colspan in row:
                spans = (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (
                    f' colspan="{colspan}"' if colspan > 1 else ""
                )
                body = html.escape(text) if text else ("&nbsp;" if blank_as_nbsp else "")
                parts.append(f"<td{spans}><p>{body}</p></td>")
            parts.append("</tr>")
        parts.append("</table>")
    parts.extend(f"<p>{html.escape(line)}</p>" for line in prose_after)
    parts.append("</body></html>")
    return "\n".join(parts).encode(charset, errors="xmlcharrefreplace")


def report_xlsx(
    prose_before: Sequence[str], forms: Mapping[str, str], values: Mapping[str, Value]
) -> bytes:
    """One sheet per table in the official layout with merged cells; the first sheet starts with the prose."""
    import openpyxl

    workbook = openpyxl.Workbook()
    first = True
    for table in ("t2", "t3", "t4"):
        variant = forms.get(table)
        if variant is None:
            continue
        if first:
            sheet = workbook.active
            assert sheet is not None
            sheet.title = TABLE_NAMES[table]
        else:
            sheet = workbook.create_sheet(TABLE_NAMES[table])
        top = 1
        if first:
            for line in prose_before:
                sheet.cell(row=top, column=1, value=line)
                top += 1
            first = False
        sheet.cell(row=top, column=1, value=table_title(table))
        top += 1
        layout = table_layout(table, variant)
        for cell in layout.cells:
            row, column = top + cell.row, 1 + cell.col
            value = values.get(cell.key) if cell.key is not None else cell.text
            sheet.cell(row=row, column=column, value=value if value != "" else None)
            if cell.rowspan > 1 or cell.colspan > 1:
                sheet.merge_cells(
                    start_row=row, start_column=column,
                    end_row=row + cell.rowspan - 1, end_column=column + cell.colspan - 1,
                )  # fmt: skip
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def report_docx(prose_before: Sequence[str], forms: Mapping[str, str], values: Mapping[str, Value]) -> bytes:
    """A Word document: prose paragraphs, then each table with gridSpan and vMerge as Word writes them."""
    from hostile.make_hostile import document_xml, docx_bytes

    def paragraph(text: str) -> str:
        return f'<w:p><w:r><w:t xml:space="preserve">{html.escape(text)}</w:t></w:r></w:p>'

    body = [paragraph(line) for line in prose_before]
    for table in ("t2", "t3", "t4"):
        variant = forms.get(table)
        if variant is None:
            continue
        layout = table_layout(table, variant)
        body.append(paragraph(table_title(table)))
        body.append("<w:tbl>")
        for row in range(layout.n_rows):
            body.append("<w:tr>")
            column = 0
            while column < layout.n_cols:
                cell = layout.cell_at(row, column)
                if cell is None:
                    body.append(f"<w:tc>{paragraph('')}</w:tc>")
                    column += 1
                    continue
                props = f'<w:gridSpan w:val="{cell.colspan}"/>' if cell.colspan > 1 else ""
                if cell.rowspan > 1:
                    props += '<w:vMerge w:val="restart"/>' if cell.row == row else "<w:vMerge/>"
                text = ""
                if cell.row == row:
                    text = cell_text(values.get(cell.key)) if cell.key is not None else cell.text
                body.append(f"<w:tc><w:tcPr>{props}</w:tcPr>{paragraph(text)}</w:tc>")
                column = cell.col + cell.colspan
            body.append("</w:tr>")
        body.append("</w:tbl>")
    return docx_bytes(document_xml("".join(body)))
