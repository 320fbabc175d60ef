"""Benchmark: the readers alone (text, HTML in UTF-8/GBK with and without site furniture, docx, xlsx, hostile)."""
# Run from the repository: `python bench/bench_ingest.py [--repeat N]`. Prints median and best milliseconds per
# case; the target is a few ms at most for a 100 KB HTML page and well under 1 ms for a plain report page.

from __future__ import annotations

import argparse
import html
import io
import statistics
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from gikai_desk.errors import InputError  # noqa: E402
from gikai_desk.formlayout import table_layout  # noqa: E402
from gikai_desk.ingest.dispatch import read_bytes, read_path  # noqa: E402
from gikai_desk.limits import Limits  # noqa: E402

SEEDS = REPO.parent / "shared" / "seeds"
FORMS = {"t2": "2019", "t3": "2019", "t4": "2019"}
LIMITS = Limits()


def timed(action: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(median, best) wall-clock milliseconds of `action`."""
    action()
    times: list[float] = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), min(times)


def report_page(charset: str, furniture: bool) -> bytes:
    """A report page in the official layout; with `furniture`, a site's navigation, scripts and styles too."""
    prose = ["某市某局2019年政府信息公开工作年度报告", "一、总体情况"] + ["本年度共收到政府信息公开申请45件。" * 8] * 20
    parts = [f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">',
             "<title>年度报告</title>"]  # fmt: skip
    if furniture:
        parts.append("<style>" + ".nav li{float:left;margin:0 4px}" * 300 + "</style>")
        parts.append("<script>" + "var menu = [1, 2, 3]; if (a < b) { go(); }" * 300 + "</script>")
    parts.append("</head><body>")
    if furniture:
        parts.append('<div class="nav"><ul>')
        parts.extend(f'<li><a href="/col/{i}.html" target="_blank">栏目{i}</a></li>' for i in range(700))
        parts.append("</ul></div>")
    parts.extend(f"<p>{html.escape(line)}</p>" for line in prose)
    serial = 0
    for table, variant in FORMS.items():
        layout = table_layout(table, variant)
        parts.append('<table border="1">')
        for row in range(layout.n_rows):
            parts.append("<tr>")
            for cell in sorted((c for c in layout.cells if c.row == row), key=lambda c: c.col):
                serial += 1
                text = str(serial % 50) if cell.key else html.escape(cell.text)
                parts.append(
                    f'<td rowspan="{cell.rowspan}" colspan="{cell.colspan}"><p><span>{text or "&nbsp;"}</span></p></td>'
                )
            parts.append("</tr>")
        parts.append("</table>")
    if furniture:
        parts.append('<div class="footer">' + "<p>版权所有 主办单位 联系我们</p>" * 200 + "</div>")
    parts.append("</body></html>")
    return "\n".join(parts).encode(charset, errors="xmlcharrefreplace")


def docx_report() -> bytes:
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    rows = "".join(
        "<w:tr>" + "".join(f"<w:tc><w:p><w:r><w:t>{r * 10 + c}</w:t></w:r></w:p></w:tc>" for c in range(10)) + "</w:tr>"
        for r in range(60)
    )
    body = "<w:p><w:r><w:t>某市某局2019年政府信息公开工作年度报告</w:t></w:r></w:p>" * 40 + f"<w:tbl>{rows}</w:tbl>"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", f'<w:document xmlns:w="{w}"><w:body>{body}</w:body></w:document>')
    return buffer.getvalue()


def xlsx_report() -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for r in range(60):
        sheet.append([f"行{r}"] + [r * 10 + c for c in range(9)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args(argv)
    repeat: int = args.repeat
    print(f"readers, median / best of {repeat} runs")
    cases: list[tuple[str, bytes]] = []
    for charset in ("utf-8", "gbk"):
        cases.append((f"html {charset} report page", report_page(charset, furniture=False)))
        cases.append((f"html {charset} page with site furniture", report_page(charset, furniture=True)))
    cases.append(("html gbk, charset not declared", report_page("gbk", False).replace(b"charset=gbk", b"")))
    if SEEDS.is_dir():
        for path in sorted(SEEDS.glob("*.txt"))[:5]:
            text = path.read_text(encoding="utf-8")
            cases.append((f"text utf-8 {path.name[:3]}", text.encode("utf-8")))
            cases.append((f"text gbk (detected) {path.name[:3]}", text.encode("gb18030")))
            lines = text.splitlines(keepends=True)
            mixed = b"".join(line.encode("gb18030" if i % 2 else "utf-8") for i, line in enumerate(lines))
            cases.append((f"text utf-8+gbk mixed {path.name[:3]}", mixed))
    cases.append(("docx 40 paragraphs + 60x10 table", docx_report()))
    cases.append(("xlsx 60x10 sheet", xlsx_report()))
    for label, data in cases:
        median, best = timed(lambda data=data: read_bytes(data, "bench", LIMITS), repeat)  # type: ignore[misc]
        print(f"  {label:44s} {len(data) / 1024:7.1f} KB  {median:8.3f} ms  (best {best:.3f})")
    sys.path.insert(0, str(REPO / "tests"))
    from hostile import make_hostile  # type: ignore[import-not-found]

    print("hostile inputs (one run each)")
    with tempfile.TemporaryDirectory() as folder:
        makers = {**make_hostile.SMALL, **make_hostile.BIG}
        for name, make in makers.items():
            path = make(Path(folder))
            start = time.perf_counter()
            try:
                read_path(path, LIMITS)
                outcome = "read"
            except InputError as error:
                outcome = error.reason[:60]
            print(f"  {name:22s} {(time.perf_counter() - start) * 1000:8.1f} ms  {outcome}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
