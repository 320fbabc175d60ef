"""Tables drawn as text in a plain-text document: box-drawing grids and Markdown collapsed onto one line.

**Box grids** (`w3m -dump` of a bordered HTML table, console tools: `┌─┬─┐ │ ├─┼─┤ └─┴─┘`, the double and heavy
variants `╔═╦═╗ ║ ╠═╬═╣`, `┏━┳━┓`, and ASCII `+---+---+` / `|`) are rewritten into the TAB convention the
structured readers write (see `gikai_desk.ingest`), so the parser reads them as it reads an HTML table:

- the grid is laid out on display columns (CJK characters are two columns wide, `unicodedata.east_asian_width`;
  ambiguous-width characters such as the box characters themselves and “” one, or two when that is what makes
  the borders line up);
- column boundaries are the junctions of the rule lines; a horizontal rule may cover only some columns (a cell
  merged over several rows runs through the rule of its neighbours, as w3m draws rowspan), so a line is a rule
  for a column when that column's whole width on it is rule characters;
- cells are the connected regions of the grid not separated by a border: a missing vertical separator is a
  colspan, a missing rule a rowspan; a cell's text is its text on each of its physical lines, joined (without a
  space between Chinese pieces, with one between ASCII words, as the renderer broke them);
- merged cells are placed like HTML rowspan/colspan (`ingest/grid.py`): text in the top-left position, covered
  positions empty, sliver columns dropped; a row made of one cell across the whole table (表二's 第二十条第（一）项
  section headings) splits the table into blocks and each block keeps only its own columns, so a column that only
  a merged cell of one section spans (采购项目数量 over two columns) never becomes an empty value cell there.

A grid whose borders do not line up (a misaligned bar, a cell that is not a rectangle, a TAB inside) is left as it
is, with a note. Lines outside grids are kept verbatim.

**One-line Markdown** (a PDF converter's Markdown with every line break lost: `| a | b | |---|---| | 1 | 2 |`):
the delimiter row gives the column count N, so the header is the N cells before it and each following row the
next N cells; the line is broken before the header, around the delimiter and after every row (the space there
becomes the line break, so nothing else moves). Without this the row boundaries (`| |`) read as empty cells and
shift every later value.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import NamedTuple

from gikai_desk.ingest.grid import PlacedCell, Slots, grid_rows, render_grid

_BOX_H = frozenset("─━═╌╍┄┅┈┉╼╾")
_BOX_V = frozenset("│┃║╎╏┆┇┊┋╽╿")
_BOX_ALL = frozenset(chr(c) for c in range(0x2500, 0x2580))
_ASCII_H = frozenset("-=")
_ASCII_V = frozenset("|")
_ASCII_J = frozenset("+")
_ASCII_EDGE = frozenset("+|")

_MAYBE_GRID = re.compile(r"[─━═]{2}|\+[-=]{2,}\+")
"""A quick look for a box grid (a rule of two characters, or an ASCII `+--+`) before any line is examined."""
_MAYBE_ONE_LINE_MD = re.compile(r"\|[ \t]*:?-{3,}:?[ \t]*\|[ \t]*:?-{3,}:?[ \t]*\|")
_DELIMITER_ROW = re.compile(r"\|(?:[ \t]*:?-{3,}:?[ \t]*\|)+")
_DASHES = re.compile(r"-{3,}")
_SPACES = re.compile(r"[ \t]*")
"""A Markdown delimiter row (`|---|:---:|`): one cell per `---`."""

MAX_GRID_LINES = 5000
MAX_GRID_WIDTH = 2000
MAX_GRID_UNITS = 200_000
"""Grids larger than this (lines, display columns, lines x columns) are read line by line: real report tables are
far smaller (a w3m 表三 is about 100 lines x 12 columns)."""
MAX_SNAPPED_BARS = 4000
"""Bars on lines off the boundaries a grid may have before it is read line by line (each costs a small search)."""


@dataclass(frozen=True)
class Converted:
    text: str
    notes: list[str]
    grids: int
    """Box grids rewritten into TAB rows (also those read line by line)."""
    markdown_rows: int
    """Rows of one-line Markdown put on their own lines."""


def convert_text_tables(text: str) -> Converted:
    """The text with its box grids rewritten into TAB rows and its one-line Markdown tables broken into lines."""
    notes: list[str] = []
    grids = rows = failed = 0
    if _may_hold_grid(text) and _MAYBE_GRID.search(text) is not None:
        text, grids, failed, broken = _convert_grids(text)
        if grids:
            notes.append(
                f"文本中的框线表格已转换为制表符分隔的行（{grids} 个表格）box-drawing grid(s) converted to TAB rows"
            )
        if broken:
            notes.append(
                f"框线表格中有 {broken} 处单元格之间的竖线缺失（上下框线都有），无法确定文字所在列，已在其文字后标记 ¦ 以待核对 "
                "cell(s) lost a separator the rules above and below draw: their text is marked ¦ and not read as a value"
            )
        if failed:
            notes.append(
                f"文本中有 {failed} 个框线表格的边框未对齐（或表格过大），已逐行按竖线拆分单元格 "
                "box-drawing grid(s) whose borders do not line up (or too large) were read line by line"
            )
    if "---" in text and "|" in text and _MAYBE_ONE_LINE_MD.search(text) is not None:
        text, rows = _split_one_line_markdown(text)
        if rows:
            notes.append(
                f"挤在一行中的Markdown表格已按分隔行拆为 {rows} 行 Markdown table(s) collapsed onto one line "
                "split into rows"
            )
    return Converted(text, notes, grids + failed, rows)


# ---------------------------------------------------------------------------------------------------- box grids


def _may_hold_grid(text: str) -> bool:
    """A substring test first (a fast scan; the regex's alternation is 20x slower on text without grids)."""
    return "─" in text or "═" in text or "━" in text or "+-" in text or "+=" in text


@dataclass(frozen=True)
class _Style:
    h: frozenset[str]
    v: frozenset[str]
    j: frozenset[str]
    edge: frozenset[str]
    rule_run: int
    """How many rule characters in a row make a line a rule (ASCII: 2, so a lone `-` cell is no rule)."""


_UNICODE = _Style(_BOX_H, _BOX_V | _ASCII_V, _BOX_ALL - _BOX_H - _BOX_V, _BOX_ALL, 1)
_ASCII = _Style(_ASCII_H, _ASCII_V | _BOX_V, _ASCII_J, _ASCII_EDGE, 2)
"""A bar of the other kind inside a grid is a bar too (a stray one, typed into a cell, is read as a space)."""
_ASCII_BORDER = re.compile(r"[ \t]*\+[-=]{2,}(?:\+[-=]*)*\+[ \t]*")


def _style_of_border(line: str) -> _Style | None:
    """The style of a table's top border line (`┌──┬──┐`, `╔══╗`, `+--+--+`), None for any other line."""
    stripped = line.strip()
    if len(stripped) < 3:
        return None
    if stripped[0] in _BOX_ALL and stripped[-1] in _BOX_ALL:
        if all(char in _BOX_ALL for char in stripped) and any(char in _BOX_H for char in stripped):
            return _UNICODE
        return None
    if _ASCII_BORDER.fullmatch(line):
        return _ASCII
    return None


def _is_pure_rule(line: str, style: _Style) -> bool:
    stripped = line.strip()
    return bool(stripped) and all(char in style.h or char in style.j or char in style.v for char in stripped)


def _is_edge_line(line: str, style: _Style) -> bool:
    """A line of a grid: it begins or ends with a border (one of them may have been lost)."""
    stripped = line.strip()
    return len(stripped) >= 2 and (stripped[0] in style.edge or stripped[-1] in style.edge)


def _char_width(char: str, ambiguous: int) -> int:
    if unicodedata.combining(char):
        return 0
    eaw = unicodedata.east_asian_width(char)
    if eaw in ("W", "F"):
        return 2
    if eaw == "A" and char not in _BOX_ALL:
        return ambiguous
    return 1


_WIDTHS: tuple[dict[str, int], dict[str, int]] = ({}, {})
LOST_SEPARATOR = "¦"
"""Written after the text of a cell that lost a separator the rules above and below draw."""
FILLER = "\0"
"""The canvas entry where a wide character's second column is (the readers drop NUL from every text)."""


def _canvases(region: list[str], ambiguous: int) -> tuple[list[list[str]], list[str]]:
    """Per line one entry per display column (the character starting there, FILLER where a wide character
    continues; a combining character joins the entry before it), and the lines as strings of one character per
    display column (for fast scans)."""
    widths = _WIDTHS[ambiguous - 1]
    wide: list[str] = []
    combining = False
    for char in set().union(*region):
        width = widths.get(char)
        if width is None:
            width = widths[char] = _char_width(char, ambiguous)
        if width == 2:
            wide.append(char)
        elif width == 0:
            combining = True
    if not combining:
        if not wide:
            return [list(line) for line in region], list(region)
        spread = {ord(char): char + FILLER for char in wide}
        flat = [line.translate(spread) for line in region]
        return [list(line) for line in flat], flat
    canvases: list[list[str]] = []
    for line in region:
        out: list[str] = []
        for char in line:
            width = widths[char]
            if width == 0 and out:
                out[-1] += char
            elif width:
                out.append(char)
                if width == 2:
                    out.append(FILLER)
        canvases.append(out)
    return canvases, ["".join([entry[:1] for entry in canvas]) for canvas in canvases]


def _convert_grids(text: str) -> tuple[str, int, int, int]:
    """The text with its grids rewritten; how many were read as grids, read line by line, and cells that lost a
    separator."""
    lines = text.split("\n")
    out: list[str] = []
    converted = failed = broken = 0
    index = 0
    while index < len(lines):
        style = _style_of_border(lines[index])
        if style is None:
            out.append(lines[index])
            index += 1
            continue
        stop = index + 1
        while stop < len(lines) and stop - index < MAX_GRID_LINES and _is_edge_line(lines[stop], style):
            stop += 1
        last = stop - 1
        while last > index and not _is_pure_rule(lines[last], style):
            last -= 1
        region = lines[index : last + 1]
        read = _read_grid(region, style) if last - index >= 2 else None
        if read is not None:
            out.extend(read[0])
            broken += read[1]
            converted += 1
            index = last + 1
            continue
        if any(not _is_pure_rule(line, style) for line in lines[index:stop]):
            out.extend(_line_by_line(lines[index:stop], style))
            failed += 1
        index = stop
    if not converted and not failed:
        return text, 0, 0, 0
    return "\n".join(out), converted, failed, broken


def _line_by_line(region: list[str], style: _Style) -> list[str]:
    """A grid whose borders do not line up, read line by line: rule lines dropped, each other line's cells split at
    its bars (a line that lost a bar is narrower than its peers, which the parser flags; left as text, the bars
    and the cells' padding would read as one glued run of digits)."""
    out: list[str] = []
    _, borders, bars, h_chars = _patterns(style)
    splitter = bars if style is _ASCII else borders  # `+` in ASCII cell text is a sign (+5), not a junction
    for line in region:
        if _is_pure_rule(line, style):
            continue
        cells = splitter.split(line.strip())
        if cells and not cells[0]:
            cells = cells[1:]
        if cells and not cells[-1]:
            cells = cells[:-1]
        row = ["" if not cell.strip(h_chars) else " ".join(cell.split()) for cell in cells]
        if any(row):
            out.append("\t".join(row))
    return out


def _read_grid(region: list[str], style: _Style) -> tuple[list[str], int] | None:
    """TAB-convention lines of one box grid and the cells that lost a separator, or None when its borders do not
    line up."""
    if any("\t" in line for line in region):
        return None
    for ambiguous in (1, 2):
        read = _read_grid_with(region, style, ambiguous)
        if read is not None:
            return read
        if not any(
            unicodedata.east_asian_width(char) == "A" and char not in _BOX_ALL
            for line in region
            for char in line
        ):
            break
    return None


_Placed = tuple[int, int, int, int, str, bool]
"""A cell of a box grid: top band, bottom band (exclusive), first column, end column, text, separator lost."""


class _Unions:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, item: int) -> int:
        parent = self.parent
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


class _Segment(NamedTuple):
    """A stretch of one line between two borders: atomic columns [first, stop), its text, whether it is a rule."""

    first: int
    stop: int
    text: str
    rule: bool


def _read_grid_with(region: list[str], style: _Style, ambiguous: int) -> tuple[list[str], int] | None:
    canvases, flat = _canvases(region, ambiguous)
    width = max(len(c) for c in canvases)
    if width > MAX_GRID_WIDTH:
        return None
    for y, canvas in enumerate(canvases):
        if len(canvas) < width:
            canvas.extend([" "] * (width - len(canvas)))
            flat[y] = flat[y].ljust(width)
    rule_run, border_char, bar_char, h_chars = _patterns(style)
    # column boundaries: junctions and bars on the lines that hold a rule
    has_rule = [rule_run.search(line) is not None for line in flat]
    borders_of = [
        [m.start() for m in (border_char if has_rule[y] else bar_char).finditer(line)]
        for y, line in enumerate(flat)
    ]
    support: dict[int, int] = {}
    for borders in borders_of:
        for x in borders:
            support[x] = support.get(x, 0) + 1
    # a boundary is drawn on the rules above and below its cells and on their lines: a junction seen on one line
    # only is a rule line shifted by a lost or extra character, moved back like a shifted bar
    bounds = sorted({x for y in range(len(flat)) if has_rule[y] for x in borders_of[y] if support[x] >= 2})
    if len(bounds) < 2:
        return None
    n_cols = len(bounds) - 1
    if n_cols * len(flat) > MAX_GRID_UNITS:
        return None
    column_at = {x: k for k, x in enumerate(bounds)}
    budget = MAX_SNAPPED_BARS
    lines: list[list[_Segment]] = []
    for y, borders in enumerate(borders_of):
        # a line that lost its left or right border: a border just outside its text stands in for it
        line = flat[y].rstrip()
        if not borders or borders[0] > bounds[0] + 2 or line[: borders[0]].strip():
            borders = [bounds[0] - 1, *borders]
        if borders[-1] < len(line) - 1 and line[borders[-1] + 1 :].strip():
            borders = [*borders, len(line)]
        if all(x in column_at for x in borders):
            targets = borders
        else:
            # a bar between boundaries: a cell's text lost or gained width (an edited or damaged label or value),
            # or a bar typed into a cell's text (read as a space, so digits on both sides never join)
            budget -= len(borders)
            snapped = _snap(borders, bounds, column_at) if budget >= 0 else None
            if snapped is None:
                return None
            targets, strays = snapped
            if strays:
                borders = [x for x in borders if x not in strays]
                canvases[y] = [" " if x in strays else entry for x, entry in enumerate(canvases[y])]
        if len(targets) < 2 or targets[0] != bounds[0] or targets[-1] != bounds[-1]:
            return None
        canvas = canvases[y]
        segments: list[_Segment] = []
        for (left, right), (t_left, t_right) in zip(pairwise(borders), pairwise(targets), strict=True):
            piece = "".join(canvas[left + 1 : right]).replace(FILLER, "")
            rule = has_rule[y] and bool(piece) and not piece.strip(h_chars)
            if not rule and has_rule[y] and piece:
                # a rule a stray character fell into: mostly rule characters, or half of them with the junctions
                # on both sides drawing the line through it
                share = sum(char in style.h for char in piece) / len(piece)
                rule = share >= 2 / 3 or (
                    share >= 1 / 2
                    and _connects(flat[y][left], "RIGHT", style)
                    and _connects(flat[y][right], "LEFT", style)
                )
            first, stop, text = column_at[t_left], column_at[t_right], " ".join(piece.split())
            if stop - first > 1 and not text and not rule and 0 < y < len(flat) - 1:
                # an empty stretch over a boundary whose line runs on above and below lost its bar there: empty
                # either way, it is read with the bar (a lost bar between text is marked later, see `lost`)
                for k in range(first + 1, stop):
                    x = bounds[k]
                    if _connects(flat[y - 1][x], "DOWN", style) and _connects(flat[y + 1][x], "UP", style):
                        segments.append(_Segment(first, k, "", False))
                        first = k
            segments.append(_Segment(first, stop, text, rule))
        lines.append(segments)
    for extra in _unruled_rows(lines, n_cols):
        # console tables (MySQL, tabulate) rule only under the header: lines stacking numbers in one column are
        # rows of their own, not one cell wrapped over several lines; a rule goes between them
        lines.insert(extra, [_Segment(i, i + 1, "", True) for i in range(n_cols)])
        canvases.insert(extra, canvases[extra - 1])  # never read: only rule lines' junctions are looked at
    n_lines = len(lines)
    ruled = [[False] * n_cols for _ in range(n_lines)]
    segment_of = [[-1] * n_cols for _ in range(n_lines)]
    for y, segments in enumerate(lines):
        for index, segment in enumerate(segments):
            for i in range(segment.first, segment.stop):
                segment_of[y][i] = index
                ruled[y][i] = segment.rule
    if not all(ruled[0]) or not all(ruled[-1]):
        return None
    if n_cols == 1:  # a one-column box holds prose (as the HTML reader reads it): its lines, without borders
        return [
            segment.text for segments in lines for segment in segments if segment.text and not segment.rule
        ], 0
    unions = _Unions(n_lines * n_cols)
    for y in range(n_lines):
        for i in range(n_cols):
            if ruled[y][i]:
                continue
            unit = y * n_cols + i
            if i + 1 < n_cols and segment_of[y][i + 1] == segment_of[y][i]:
                unions.union(unit, unit + 1)
            if y + 1 < n_lines and not ruled[y + 1][i]:
                unions.union(unit, unit + n_cols)
    # cells: rectangles of content units
    boxes: dict[int, list[int]] = {}  # root -> [y0, y1, c0, c1, count]
    for y in range(n_lines):
        for i in range(n_cols):
            if ruled[y][i]:
                continue
            root = unions.find(y * n_cols + i)
            box = boxes.get(root)
            if box is None:
                boxes[root] = [y, y, i, i, 1]
            else:
                box[0] = min(box[0], y)
                box[1] = max(box[1], y)
                box[2] = min(box[2], i)
                box[3] = max(box[3], i)
                box[4] += 1
    rule_lines = [y for y in range(n_lines) if any(ruled[y])]
    rule_index = {y: k for k, y in enumerate(rule_lines)}
    n_bands = len(rule_lines) - 1
    placed: list[_Placed] = []
    broken = 0
    for y0, y1, c0, c1, count in boxes.values():
        if count != (y1 - y0 + 1) * (c1 - c0 + 1):
            return None  # not a rectangle
        top, bottom = rule_index.get(y0 - 1), rule_index.get(y1 + 1)
        if top is None or bottom is None:
            return None
        text = _join_pieces(lines[y][segment_of[y][c0]].text for y in range(y0, y1 + 1))
        lost = (c0 > 0 or c1 + 1 < n_cols) and any(
            _line_goes_on(canvases, y0, y1, bounds[k], style) for k in range(c0 + 1, c1 + 1)
        )
        if lost and text:
            # the rules above and below both draw the separator this line lost (a damaged line, not a merged
            # cell). One number per column it covers: each in its column. Otherwise which column the text belongs
            # to cannot be told; the mark makes it text, never a value, so the parser does not place the number in
            # the first column
            parts = text.split()
            if len(parts) == c1 + 1 - c0 and all(_NUMBER_PIECE.fullmatch(part) for part in parts):
                placed.extend((top, bottom, c0 + i, c0 + i + 1, part, False) for i, part in enumerate(parts))
                continue
            text += " " + LOST_SEPARATOR
            broken += 1
        placed.append((top, bottom, c0, c1 + 1, text, lost))
    placed.sort()
    # one cell across the whole width in a band of its own: a block boundary
    full_bands = {
        top for top, bottom, c0, c1, _, _ in placed if bottom == top + 1 and c0 == 0 and c1 == n_cols
    }
    out: list[str] = []
    block_start = 0
    for band in [*sorted(full_bands), n_bands]:
        for first, stop in ((block_start, band), (band, min(band + 1, n_bands))):
            if stop > first:
                out.extend(_render_block(placed, first, stop, n_cols))
        block_start = band + 1
    return out, broken


_NUMBER_PIECE = re.compile(r"[+\-]?\d[\d,]*(?:\.\d+)?[ ]*(?:万元|千元|亿元|元|件|项|个)?")


def _unruled_rows(lines: list[list[_Segment]], n_cols: int) -> list[int]:
    """Lines that begin a row of their own inside a run of lines with no rule between them (descending): in a
    run where some column holds a number on two or more lines, every line but the first (w3m wraps a cell's
    text, never a number, and rules every row; console tools rule only under the header)."""
    starts: list[int] = []
    y = 0
    while y < len(lines):
        if any(segment.rule for segment in lines[y]):
            y += 1
            continue
        stop = y
        while stop < len(lines) and not any(segment.rule for segment in lines[stop]):
            stop += 1
        if stop - y >= 2:
            numbers = [0] * n_cols
            for line in range(y, stop):
                for segment in lines[line]:
                    if segment.stop == segment.first + 1 and _NUMBER_PIECE.fullmatch(segment.text):
                        numbers[segment.first] += 1
            if max(numbers) >= 2:
                starts.extend(range(y + 1, stop))
        y = stop
    return sorted(starts, reverse=True)


MAX_SNAP_BARS = 300
MAX_STRAYS = 4
"""At most this many stray bars in a row between two borders; a line with more bars is not snapped."""
MAX_SHIFT = 8
"""How far (display columns) a bar may stand from its boundary on a line whose text lost or gained width."""


def _nearest(bounds: list[int], x: int, reach: int) -> list[int]:
    """The five boundaries nearest x within `reach`, in order."""
    near = [t for t in bounds if abs(t - x) <= reach]
    near.sort(key=lambda t: abs(t - x))
    return sorted(near[:5])


def _snap(
    bars: list[int], bounds: list[int], column_at: dict[int, int]
) -> tuple[list[int], list[int]] | None:
    """The bars that are borders, each moved onto a boundary, and the stray ones (a bar typed into a cell's text).

    The cheapest reading: every bar a border on a boundary (in order, the first on the left edge, the last on the
    right edge) or a stray; a change of shift between one border and the next costs one, a stray two, a border
    off its place a little (so an aligned junction stays where it is and the typed bar beside it is the stray). A cell's
    text that lost or gained width shifts every bar after it by the same amount, so one change of shift explains
    it. None when no reading fits (a bar more than MAX_SHIFT columns beyond the boundaries)."""
    if len(bars) > MAX_SNAP_BARS:
        return None
    reach = 3 * MAX_SHIFT
    options = [_nearest(bounds, x, reach) for x in bars]
    # best[(i, t)]: (cost, previous (i, t)) for bar i kept as a border on boundary t
    best: dict[tuple[int, int], tuple[float, tuple[int, int] | None]] = {}
    if not bars or bounds[0] not in options[0]:
        return None
    best[(0, bounds[0])] = (abs(bounds[0] - bars[0]) * 0.01, None)
    for i in range(1, len(bars)):
        for t in options[i]:
            found: tuple[float, tuple[int, int] | None] | None = None
            for p in range(i - 1, max(-1, i - 2 - MAX_STRAYS), -1):
                strays = 2.0 * (i - p - 1)
                if found is not None and strays >= found[0]:
                    break
                for t_p in options[p]:
                    before = best.get((p, t_p))
                    if before is None or t_p >= t:
                        continue
                    change = (t - bars[i]) - (t_p - bars[p])
                    cost = (
                        before[0]
                        + strays
                        + (0 if change == 0 else 1 + abs(change) * 0.01)
                        + abs(t - bars[i]) * 0.001
                    )
                    if found is None or cost < found[0]:
                        found = (cost, (p, t_p))
            if found is not None:
                best[(i, t)] = found
    last = best.get((len(bars) - 1, bounds[-1]))
    if last is None:
        return None
    kept: list[tuple[int, int]] = []
    state: tuple[int, int] | None = (len(bars) - 1, bounds[-1])
    while state is not None:
        kept.append(state)
        state = best[state][1]
    kept.reverse()
    kept_bars = {i for i, _ in kept}
    return [t for _, t in kept], [x for i, x in enumerate(bars) if i not in kept_bars]


@lru_cache(maxsize=4)
def _patterns(style: _Style) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], str]:
    """A run of rule characters, a junction or bar, a bar; and the rule characters as a string."""
    h = "".join(sorted(style.h))
    borders = "".join(sorted(style.j | style.v))
    return (
        re.compile(f"[{re.escape(h)}]{{{style.rule_run},}}"),
        re.compile(f"[{re.escape(borders)}]"),
        re.compile(f"[{re.escape(''.join(sorted(style.v)))}]"),
        h,
    )


def _render_block(placed: list[_Placed], first: int, stop: int, n_cols: int) -> list[str]:
    grid: list[Slots] = [[None] * n_cols for _ in range(stop - first)]
    cells: list[PlacedCell] = []
    for top, bottom, c0, c1, text, _ in placed:
        if top < first or top >= stop:
            continue
        index = len(cells)
        cells.append(PlacedCell(c0, c1, text, top - first))
        for band in range(top, min(bottom, stop)):
            for column in range(c0, c1):
                grid[band - first][column] = index
    rows = grid_rows(grid, cells)
    return render_grid(rows)


def _line_goes_on(canvases: list[list[str]], y0: int, y1: int, x: int, style: _Style) -> bool:
    """Whether the vertical line at display column x runs on above and below the cell on lines y0..y1: the rules
    on both sides draw it on (`┼`/`┬` above, `┼`/`┴` below), and in ASCII, whose `+` does not say where its lines
    go, the lines beyond the rules have a bar there too. Not a row merged over a whole table (a section heading)."""
    if not (_connects(canvases[y0 - 1][x], "DOWN", style) and _connects(canvases[y1 + 1][x], "UP", style)):
        return False
    if style is not _ASCII:
        return True
    above = canvases[y0 - 2][x] if y0 >= 2 else "|"  # the grid's top or bottom border: nothing beyond
    below = canvases[y1 + 2][x] if y1 + 2 < len(canvases) else "|"
    return above in style.v and below in style.v


@lru_cache(maxsize=256)
def _connects(char: str, direction: str, style: _Style) -> bool:
    """Whether a rule line's character at a column boundary draws the line on towards UP, DOWN, LEFT or RIGHT."""
    if char in style.v:
        return direction in ("UP", "DOWN")
    if char in style.h:
        return direction in ("LEFT", "RIGHT")
    if style is _ASCII:
        return char == "+"
    if char not in _BOX_ALL:
        return False
    name = unicodedata.name(char, "")
    through = "VERTICAL" if direction in ("UP", "DOWN") else "HORIZONTAL"
    return through in name or direction in name


_ASCII_WORD_END = re.compile(r"[A-Za-z0-9.,%+\-)]$")
_ASCII_WORD_START = re.compile(r"^[A-Za-z0-9(+\-]")


def _join_pieces(pieces: Iterable[str]) -> str:
    """A cell's text from its lines: Chinese pieces joined directly, ASCII words with a space (the renderer broke
    the line at a space there)."""
    text = ""
    for piece in pieces:
        if not piece:
            continue
        if text and _ASCII_WORD_END.search(text) and _ASCII_WORD_START.search(piece):
            text += " "
        text += piece
    return text


# ------------------------------------------------------------------------------------------- one-line Markdown


def _split_one_line_markdown(text: str) -> tuple[str, int]:
    """Break the lines holding a Markdown delimiter row among other cells into one line per table row."""
    breaks: list[int] = []  # positions where a line break goes (a space there is replaced, else inserted)
    rows = 0
    line_start = 0
    for line in text.split("\n"):
        if _MAYBE_ONE_LINE_MD.search(line) is not None:
            found, count = _one_line_breaks(line)
            if count:
                breaks.extend(line_start + position for position in found)
                rows += count
        line_start += len(line) + 1
    if not breaks:
        return text, 0
    pieces: list[str] = []
    position = 0
    for at in sorted(set(breaks)):
        if at < position:
            continue
        if at < len(text) and text[at] in " \t":
            pieces.append(text[position:at])
            position = at + 1
        else:
            pieces.append(text[position:at])
            position = at
        pieces.append("\n")
    pieces.append(text[position:])
    return "".join(pieces), rows


def _one_line_breaks(line: str) -> tuple[list[int], int]:
    """Break positions in one line (before a space to be replaced, or where a break is inserted) and the number
    of table rows found. Only delimiter rows with other cells on the same line are taken."""
    pipes = [i for i, char in enumerate(line) if char == "|"]
    breaks: list[int] = []
    rows = 0
    search_from = 0
    first_text = len(line) - len(line.lstrip())
    last_text = len(line.rstrip())
    for delimiter in _DELIMITER_ROW.finditer(line):
        if delimiter.start() < search_from:
            continue
        n = len(_DASHES.findall(delimiter.group()))
        if n < 2:
            continue
        if first_text >= delimiter.start() and last_text <= delimiter.end():
            continue  # a delimiter row on its own line: ordinary Markdown
        # the header: the N cells before the delimiter, its closing pipe just before it
        close_index = delimiter.start() - 1
        while close_index >= 0 and line[close_index] in " \t":
            close_index -= 1
        if close_index < 0 or line[close_index] != "|":
            continue
        at = bisect_left(pipes, close_index)
        if at - n < 0 or pipes[at - n] < search_from:
            continue
        head_open = pipes[at - n]
        found_breaks = [_break_before(line, head_open), _break_after(line, close_index)]
        position = delimiter.end()
        found_breaks.append(_break_after(line, position - 1))
        table_rows = 1
        while True:
            start = _SPACES.match(line, position).end()  # type: ignore[union-attr]
            if start >= len(line) or line[start] != "|":
                break
            first = bisect_right(pipes, start)
            if first + n - 1 >= len(pipes):
                break
            close = pipes[first + n - 1]
            following = _SPACES.match(line, close + 1).end()  # type: ignore[union-attr]
            if _DELIMITER_ROW.match(line, following) is not None:
                break  # this row is the header of the next table (its delimiter follows)
            found_breaks.append(_break_after(line, close))
            table_rows += 1
            position = close + 1
        if table_rows < 2:
            continue
        breaks.extend(found_breaks)
        rows += table_rows
        search_from = position
    return breaks, rows


def _break_before(line: str, pipe: int) -> int:
    """Where the break before a row's opening pipe goes: on the space before it, else right at the pipe."""
    return pipe - 1 if pipe > 0 and line[pipe - 1] in " \t" else pipe


def _break_after(line: str, pipe: int) -> int:
    """Where the break after a row's closing pipe goes: on the space after it, else right after the pipe."""
    return pipe + 1
