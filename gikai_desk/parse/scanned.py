"""Scans read by OCR: a consistency rule that fails flags its least certain cells instead of accusing the report.

On a text layer a failing 勾稽 rule is the report's own error. On a scan it may as well be a digit OCR misread
with confidence, so the cells of the failing rule whose OCR confidence is lowest are flagged (the rule then says
"cannot check"). Once the reviewer confirms those cells, the rule is checked again and, if it still fails, it is
the report's error as everywhere else.
"""

from __future__ import annotations

from gikai_desk.model import Report

FLAG_OCR_RULE = "扫描件：此值参与的勾稽关系不成立，它是其中文字识别最不确定的值，请对照原页面核对"
TIE = 1e-4
"""Confidences this close count as equally uncertain: all of them are flagged."""
DOUBTFUL = 0.995
"""Besides the least certain, every cell of the failing rule read less confidently than this is flagged too (a
clean digit reads at 0.999 and more; a misread one seldom does)."""


def doubt_failing_rules(report: Report, confidence: dict[int, float]) -> int:
    """Flag, for each error rule that fails with only sure cells, its least certain cells; returns how many
    cells were flagged. Each flag turns at least one failing rule into "cannot check", so this ends."""
    from gikai_desk.rules import check

    flagged = 0
    for _ in range(len(report.cells) + 1):
        failing = [v for v in check(report) if v.status == "fail" and v.severity == "error" and v.cells]
        target: list[str] = []
        for violation in failing:
            candidates: list[tuple[float, str]] = []
            for key in violation.cells:
                cell = report.cells.get(key)
                if cell is None or not cell.sure or cell.corrected or cell.value is None or not cell.spans:
                    continue
                candidates.append((confidence.get(cell.spans[0][0], 1.0), key))
            if candidates:
                low = min(conf for conf, _ in candidates)
                target = [key for conf, key in candidates if conf <= low + TIE or conf < DOUBTFUL]
                break
        if not target:
            break
        for key in target:
            report.cells[key] = report.cells[key].model_copy(update={"sure": False, "flag": FLAG_OCR_RULE})
        flagged += len(target)
    if flagged:
        report.notes.append(f"扫描件：勾稽关系不成立处，已把其中文字识别最不确定的 {flagged} 个值标记待核对")
    return flagged
