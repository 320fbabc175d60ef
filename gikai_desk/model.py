"""The report model shared by every layer: cells with provenance, narrative figures and violations."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Number = int | float
Template = Literal["2019", "2021"]
Severity = Literal["error", "warning", "info"]


class Cell(BaseModel):
    """One table cell: its current value and where in the source text it came from."""

    key: str
    value: Number | None = None
    """Current value: what the parser read, or the reviewer's correction. None = blank in the document."""
    parsed: Number | None = None
    """What the parser read (never changed by corrections)."""
    raw: str = ""
    """The cell's text exactly as in the source (\"\" for a blank)."""
    spans: list[tuple[int, int]] = Field(default_factory=list)
    """Character spans [start, end) in Report.text the cell was read from (empty for a cell not seen)."""
    sure: bool = True
    """False when the parser could not place or read the value with certainty."""
    flag: str | None = None
    """Why the parser is not sure (Chinese, for the reviewer); None when sure."""
    corrected: bool = False
    """True once a reviewer set the value; a corrected cell counts as settled."""

    @property
    def settled(self) -> bool:
        """The value may be used by rules: parser was sure, or a reviewer decided."""
        return self.sure or self.corrected


class NarrativeFigure(BaseModel):
    """A figure stated in the prose that maps to a table cell (e.g. 共收到申请45件 -> t3.new.total)."""

    key: str
    value: Number
    span: tuple[int, int]
    text: str
    """The phrase it was read from."""


class Violation(BaseModel):
    """One finding of a rule. status 'cannot_check' when an unsure cell takes part."""

    rule: str
    where: str
    """Location key from the DOMAIN.md rule table: row key, column key, group key, cell key or ''."""
    severity: Severity
    status: Literal["fail", "cannot_check"] = "fail"
    cells: list[str] = Field(default_factory=list)
    message: str
    expected: Number | None = None
    """Where one cell would settle the rule: the value that cell would need."""
    target: str | None = None
    """The cell `expected` is for."""
    blanks_as_zero: list[str] = Field(default_factory=list)
    """Blank cells that were counted as 0 inside the sum."""

    @property
    def ident(self) -> str:
        """Stable identity used to remember a reviewer's decision across re-checks and re-parses."""
        return f"{self.rule}@{self.where}"


class Report(BaseModel):
    """A parsed report: metadata, the three tables as cells, narrative figures and parse notes."""

    file: str
    text: str
    """The displayed source text; every span indexes into it."""
    kind: str = "text"
    """Reader that produced `text`: text, html, docx, pdf, xlsx."""
    template: Template | None = None
    """Form of 表二 ('2019' or '2021'); None when no 表二 was found."""
    forms: dict[str, str] = Field(default_factory=dict)
    """Form variant per table: {'t2': '2019'|'2019-local'|'2021', 't3': '2019'|'2021', 't4': ...}."""
    year: int | None = None
    agency: str | None = None
    published: str | None = None
    """Publication date, ISO yyyy-mm-dd (or yyyy-mm when the day is unreadable)."""
    cells: dict[str, Cell] = Field(default_factory=dict)
    narrative: list[NarrativeFigure] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    """Parser remarks for the reviewer (Chinese)."""
    boxes: dict[int, tuple[int, float, float, float, float]] = Field(default_factory=dict)
    """PDFs and scans: where a table cell's text starts in `text` -> (page index, x0, y0, x1, y1), the box of its
    characters on the page in PDF points (y up); the page view draws it."""

    @property
    def mixed_forms(self) -> bool:
        templates = {f.split("-")[0] for f in self.forms.values()}
        return len(templates) > 1

    def value(self, key: str) -> Number | None:
        cell = self.cells.get(key)
        return None if cell is None else cell.value

    def flags(self) -> dict[str, str]:
        return {k: c.flag or "unsure" for k, c in self.cells.items() if not c.sure and not c.corrected}
