#!/usr/bin/env python3
"""Score the reader on the shared documents' true values re-rendered in layouts nobody wrote the reader for.

The labels in ../shared/eval/labels give every cell's true value. This script prints each labelled report
again in the failure classes of issue 8 (box-drawing grids from `w3m -dump`, wrapped at two widths; borderless
`w3m -dump`; Markdown with a `|---|` delimiter row as PDF converters write it; the whole report on one line;
row labels with dropped characters, bracket and ordinal changes and OCR-like confusions; prose before the
tables that names the same row and column words) and scores the reader like ../shared/eval/score.py:
right / silent (wrong and not flagged) / missed / flagged wrong / needless flags.

    python tools/stress_layouts.py            # every layout, one line per layout
    python tools/stress_layouts.py -v         # also the wrong, missed and needless cells
    python tools/stress_layouts.py --keep DIR # also write the rendered documents to DIR

Needs `w3m` for the w3m layouts and LibreOffice (`soffice`) with `pdftotext` for the PDF ones: a layout whose
tool is absent is skipped. Not a test: a measuring tool; the tests
keep small fixtures of each class.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from damage import forms_of  # noqa: E402
from report_render import cell_text, report_docx, report_html, report_xlsx, table_title  # noqa: E402

from gikai_desk.errors import NotAReportError  # noqa: E402
from gikai_desk.formlayout import table_layout  # noqa: E402
from gikai_desk.forms import formbook  # noqa: E402
from gikai_desk.ingest.dispatch import read_bytes  # noqa: E402
from gikai_desk.limits import Limits  # noqa: E402
from gikai_desk.parse import parse_document  # noqa: E402

Value = int | float | str | None
SHARED = ROOT.parent / "shared"



TITLE = "某市某局{year}年政府信息公开工作年度报告"


def prose(values: Mapping[str, Value], naming: bool) -> list[str]:
    lines = ["一、总体情况", "本机关认真贯彻落实《中华人民共和国政府信息公开条例》，现将有关情况报告如下。"]
    if naming:
        v = {k: cell_text(x) or "0" for k, x in values.items()}
        lines.append(
            f"全年共收到政府信息公开申请{v.get('t3.new.total', '0')}件，其中申请人中自然人"
            f"{v.get('t3.new.natural', '0')}件、商业企业{v.get('t3.new.commercial', '0')}件、科研机构"
            f"{v.get('t3.new.research', '0')}件、社会公益组织{v.get('t3.new.ngo', '0')}件、法律服务机构"
            f"{v.get('t3.new.legal', '0')}件、其他{v.get('t3.new.other_org', '0')}件；上年结转政府信息公开申请"
            f"{v.get('t3.carried_in.total', '0')}件。办理结果：予以公开{v.get('t3.granted.total', '0')}件，"
            f"部分公开{v.get('t3.partial.total', '0')}件，不予公开、无法提供、不予处理等其他情形若干件；"
            f"结转下年度继续办理{v.get('t3.carried_out.total', '0')}件。"
        )
        lines.append(
            f"全年发生政府信息公开行政复议{v.get('t4.review.total', '0')}件（结果维持"
            f"{v.get('t4.review.upheld', '0')}件、结果纠正{v.get('t4.review.corrected', '0')}件），行政诉讼"
            f"{v.get('t4.direct.total', '0')}件。规章、行政规范性文件均已按要求公开，行政许可、行政处罚、"
            "行政强制信息及时公开。"
        )
    return lines


def html_page(values: Mapping[str, Value], forms: Mapping[str, str], year: int, border: bool) -> bytes:
    page = report_html(
        [TITLE.format(year=year), *prose(values, False)],
        forms,
        values,
        ["五、存在的主要问题及改进情况", "无。"],
    )
    if not border:
        page = page.replace(b' border="1"', b"").replace(b"td{border:1px solid #000}", b"")
    return page


def w3m(page: bytes, cols: int) -> str | None:
    exe = shutil.which("w3m")
    if exe is None:
        return None
    out = subprocess.run(
        [exe, "-dump", "-T", "text/html", "-cols", str(cols), "-O", "UTF-8"],
        input=page,
        capture_output=True,
        check=True,
    )
    return out.stdout.decode("utf-8")


def markdown(values: Mapping[str, Value], forms: Mapping[str, str], year: int, naming: bool = False) -> str:
    """Tables as a PDF converter writes Markdown: the first grid line as header, a `|---|` delimiter row,
    merged cells printed once and empty in the cells they cover."""
    lines = [f"# {TITLE.format(year=year)}", "", *prose(values, naming), ""]
    for table in ("t2", "t3", "t4"):
        variant = forms.get(table)
        if variant is None:
            continue
        layout = table_layout(table, variant)
        lines.append(f"**{table_title(table)}**")
        lines.append("")
        grid: list[list[str]] = [["" for _ in range(layout.n_cols)] for _ in range(layout.n_rows)]
        for cell in layout.cells:
            text = cell_text(values.get(cell.key)) if cell.key is not None else cell.text
            grid[cell.row][cell.col] = text.replace("|", "/")
        for i, row in enumerate(grid):
            lines.append("| " + " | ".join(row) + " |")
            if i == 0:
                lines.append("|" + "|".join("---" for _ in row) + "|")
        lines.append("")
    lines += ["五、存在的主要问题及改进情况", "无。"]
    return "\n".join(lines)


_TABLE_PROPERTIES = (
    '<w:tblPr><w:tblW w:w="5000" w:type="pct"/><w:tblBorders>'
    + "".join(
        f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    + "</w:tblBorders></w:tblPr>"
)


def _with_grid(table: re.Match[bytes]) -> bytes:
    """Word's table properties and column grid (LibreOffice needs the grid to place merged cells)."""
    first_row = re.search(rb"<w:tr>(.*?)</w:tr>", table.group(1), re.S)
    assert first_row is not None
    columns = sum(
        int(span or 1)
        for span in re.findall(rb'<w:tc>(?:<w:tcPr>(?:<w:gridSpan w:val="(\d+)"/>)?)?', first_row.group(1))
    )
    # label columns wide, value columns narrow, as the official forms print them (表三: three label columns)
    widths = [2400] + [800] * (columns - 1) if columns < 10 else [700, 900, 1800] + [800] * (columns - 3)
    grid = b"<w:tblGrid>" + b"".join(b'<w:gridCol w:w="%d"/>' % w for w in widths) + b"</w:tblGrid>"
    return b"<w:tbl>" + _TABLE_PROPERTIES.encode() + grid + table.group(1) + b"</w:tbl>"


def _fitted_docx(docx: bytes) -> bytes:
    """Tables as Word users make them: as wide as the page, with borders."""
    import io
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "word/document.xml":
                data = re.sub(rb"<w:tbl>(.*?)</w:tbl>", _with_grid, data, flags=re.S)
            target.writestr(item, data)
    return out.getvalue()


def _soffice_pdf(
    values: Mapping[str, Value], forms: Mapping[str, str], year: int, fitted: bool
) -> bytes | None:
    """The report as a Word file converted to PDF by LibreOffice (None when soffice is absent). Not `fitted`:
    the table has no width, and LibreOffice lets its last columns run off the page."""
    exe = shutil.which("soffice")
    if exe is None:
        return None
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        docx = Path(tmp) / "report.docx"
        data = report_docx([TITLE.format(year=year), *prose(values, False)], forms, values)
        docx.write_bytes(_fitted_docx(data) if fitted else data)
        subprocess.run(
            [
                exe,
                "--headless",
                f"-env:UserInstallation=file://{tmp}/profile",
                "--convert-to",
                "pdf",
                "--outdir",
                tmp,
                str(docx),
            ],
            capture_output=True,
            check=True,
            timeout=120,
        )
        return (Path(tmp) / "report.pdf").read_bytes()


_PDF_CACHE: dict[str, bytes | None] = {}


def pdf_of(
    values: Mapping[str, Value], forms: Mapping[str, str], year: int, fitted: bool = True
) -> bytes | None:
    key = json.dumps([values, forms, year, fitted], sort_keys=True, default=str)
    if key not in _PDF_CACHE:
        _PDF_CACHE[key] = _soffice_pdf(values, forms, year, fitted)
    return _PDF_CACHE[key]


def pdftotext(pdf: bytes | None, *options: str) -> str | None:
    exe = shutil.which("pdftotext")
    if pdf is None or exe is None:
        return None
    out = subprocess.run([exe, *options, "-", "-"], input=pdf, capture_output=True, check=True)
    return out.stdout.decode("utf-8")


def one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


CONFUSIONS = {
    "己": "已",
    "已": "己",
    "未": "末",
    "人": "入",
    "日": "曰",
    "土": "士",
    "千": "干",
    "（": "(",
    "）": ")",
}


def damage_labels(text: str, seed: int) -> str:
    """Drop two characters from some row labels, change brackets and ordinals, swap look-alike characters."""
    rng = random.Random(seed)
    book = formbook()
    labels: set[str] = set()
    for table in ("t2", "t3"):
        for row in book.table(table).rows.values():
            for lab in (row.label, row.label_2021):
                if lab and len(lab) >= 6:
                    labels.add(lab)
    out = text
    for lab in sorted(labels, key=lambda s: (-len(s), s)):
        if lab not in out or rng.random() < 0.4:
            continue
        chars = list(lab)
        kind = rng.randrange(3)
        if kind == 0:  # two characters dropped from the body
            body = [i for i, c in enumerate(chars) if "\u4e00" <= c <= "\u9fff"][2:]
            for i in sorted(rng.sample(body, min(2, len(body))), reverse=True):
                del chars[i]
        elif kind == 1:  # brackets and ordinals
            new = "".join(chars).replace("（", "(").replace("）", ")")
            new = re.sub(r"^\(([一二三四五六七])\)", r"\1、", new)
            new = re.sub(r"^([1-8])\.", r"\1、", new)
            chars = list(new)
        else:  # OCR-like confusion of one character
            idx = [i for i, c in enumerate(chars) if c in CONFUSIONS]
            if idx:
                i = rng.choice(idx)
                chars[i] = CONFUSIONS[chars[i]]
            else:
                i = rng.randrange(2, len(chars))
                del chars[i]
        out = out.replace(lab, "".join(chars), 1)
    return out


def layouts() -> dict[str, Callable[[Mapping[str, Value], Mapping[str, str], int], str | bytes | None]]:
    return {
        "w3m-box-wide": lambda v, f, y: w3m(html_page(v, f, y, True), 220),
        "w3m-box-narrow": lambda v, f, y: w3m(html_page(v, f, y, True), 100),
        "w3m-plain": lambda v, f, y: w3m(html_page(v, f, y, False), 200),
        "markdown-delim": lambda v, f, y: markdown(v, f, y),
        "markdown-prose": lambda v, f, y: markdown(v, f, y, naming=True),
        "one-line": lambda v, f, y: one_line(markdown(v, f, y).replace("|", " ").replace("---", " ")),
        "one-line-md": lambda v, f, y: one_line(markdown(v, f, y)),
        "label-damage-md": lambda v, f, y: damage_labels(markdown(v, f, y), y),
        "label-damage-w3m": lambda v, f, y: (lambda t: damage_labels(t, y) if t else None)(
            w3m(html_page(v, f, y, True), 220)
        ),
        "html": lambda v, f, y: html_page(v, f, y, True),
        "docx": lambda v, f, y: _fitted_docx(report_docx([TITLE.format(year=y), *prose(v, False)], f, v)),
        "xlsx": lambda v, f, y: report_xlsx([TITLE.format(year=y), *prose(v, False)], f, v),
        "pdf-writer": pdf_of,
        "pdf-writer-offpage": lambda v, f, y: pdf_of(v, f, y, fitted=False),
        "pdftotext-layout": lambda v, f, y: pdftotext(pdf_of(v, f, y), "-layout"),
        "pdftotext-raw": lambda v, f, y: pdftotext(pdf_of(v, f, y)),
        "pdftotext-stream": lambda v, f, y: pdftotext(pdf_of(v, f, y), "-raw"),
    }


BLANKS_VANISH = {"one-line"}
"""Layouts where a blank cell leaves no trace: their documents print 0 for every blank."""


def score(values: Mapping[str, Value], got: dict[str, Value], flags: dict[str, str]) -> dict[str, object]:
    n = {"cells": 0, "right": 0, "silent": 0, "missed": 0, "flagwr": 0, "needless": 0}
    wrong: list[str] = []
    for key, want in values.items():
        n["cells"] += 1
        have = got.get(key, "<absent>")
        ok = (have is None and want is None) or (
            have is not None
            and want is not None
            and have != "<absent>"
            and abs(float(have) - float(want)) < 1e-6  # type: ignore[arg-type]
        )
        if ok:
            n["right"] += 1
            if key in flags:
                n["needless"] += 1
                wrong.append(f"{key}={have!r} right but flagged ({flags[key]})")
        elif key in flags:
            n["flagwr"] += 1
            wrong.append(f"{key}={have!r} want {want!r} (flagged: {flags[key]})")
        elif have == "<absent>":
            n["missed"] += 1
            wrong.append(f"{key} absent, want {want!r}")
        else:
            n["silent"] += 1
            wrong.append(f"{key}={have!r} want {want!r} SILENT")
    return {**n, "details": wrong}


def _suffix(data: bytes) -> str:
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"PK"):
        return "xlsx" if b"xl/" in data[:2000] else "docx"
    return "html"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-v", action="store_true", help="list the wrong, missed and needless cells")
    parser.add_argument("--keep", type=Path, help="write the rendered documents here")
    parser.add_argument("--only", help="only layouts whose name contains this")
    parser.add_argument(
        "--cousins",
        action="store_true",
        help="also the values of the project's own fixtures (tests/fixtures goldens)",
    )
    args = parser.parse_args()
    labels_dir = SHARED / "eval" / "labels"
    if not labels_dir.is_dir():
        print(f"no labels at {labels_dir}: put ../shared beside the checkout")
        return 2
    labels = []
    seen_values: set[str] = set()
    for path in sorted(labels_dir.glob("*.json")):
        lab = json.loads(path.read_text(encoding="utf-8"))
        key = json.dumps(lab["cells"], sort_keys=True)
        if key in seen_values:  # the huaian renderings share one set of values
            continue
        seen_values.add(key)
        labels.append((path.stem, lab))
    if args.cousins:
        for path in sorted((ROOT / "tests" / "fixtures").glob("*/*.golden.json")):
            golden = json.loads(path.read_text(encoding="utf-8"))
            key = json.dumps(golden["cells"], sort_keys=True)
            if (
                golden.get("flagged")
                or key in seen_values
                or any(isinstance(v, str) for v in golden["cells"].values())
            ):
                continue
            seen_values.add(key)
            labels.append((path.name.split(".")[0], {**golden, "template": golden.get("template") or "2021"}))
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    print(
        f"{'layout':20} {'docs':>4} {'cells':>6} {'right':>6} {'silent':>6} {'missed':>6} {'flagWr':>6} {'needless':>8} {'refused':>7}"
    )
    grand = {"cells": 0, "right": 0, "silent": 0, "missed": 0, "flagwr": 0, "needless": 0}
    for name, render in layouts().items():
        if args.only and args.only not in name:
            continue
        tot = dict.fromkeys(grand, 0)
        refused = docs = 0
        details: list[str] = []
        for stem, lab in labels:
            values: dict[str, Value] = dict(lab["cells"])
            if name in BLANKS_VANISH:
                values = {k: (0 if v is None else v) for k, v in values.items()}
            forms = forms_of(values, lab["template"])
            text = render(values, forms, int(lab.get("year") or 2021))
            if text is None:
                continue
            docs += 1
            data = text if isinstance(text, bytes) else text.encode("utf-8")
            suffix = "txt" if not isinstance(text, bytes) else _suffix(text)
            if args.keep:
                (args.keep / f"{stem}.{name}.{suffix}").write_bytes(data)
            try:
                report = parse_document(read_bytes(data, f"{stem}.{name}.{suffix}", Limits()))
            except NotAReportError as exc:
                refused += 1
                got: dict[str, Value] = {}
                flags: dict[str, str] = {}
                details.append(f"  {stem}: refused ({exc})")
            else:
                got = {k: c.value for k, c in report.cells.items()}
                flags = report.flags()
            s = score(values, got, flags)
            for k in tot:
                tot[k] += int(s[k])  # type: ignore[call-overload]
            details += [f"  {stem}: {d}" for d in s["details"]]  # type: ignore[attr-defined]
        for k in grand:
            grand[k] += tot[k]
        print(
            f"{name:20} {docs:>4} {tot['cells']:>6} {tot['right']:>6} {tot['silent']:>6} {tot['missed']:>6} "
            f"{tot['flagwr']:>6} {tot['needless']:>8} {refused:>7}"
        )
        if args.v:
            details.sort(key=lambda line: "SILENT" not in line)  # silent errors first
            print("\n".join(details[:400]))
    cells = grand["cells"] or 1
    print(
        f"TOTAL {grand['right']}/{grand['cells']} right ({100 * grand['right'] / cells:.2f}%), {grand['silent']} silent, "
        f"{grand['missed']} missed, {grand['flagwr']} flagged wrong, {grand['needless']} needless "
        f"({100 * grand['needless'] / cells:.2f}%)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
