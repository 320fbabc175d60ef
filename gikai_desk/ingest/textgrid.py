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
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

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
"""Grids larger than this (lines, display columns) are left as text: real report tables are far smaller."""


@dataclass(frozen=True)
class Converted:
    text: str
    notes: list[str]
    grids: int
    """Box grids rewritten into TAB rows."""
    markdown_rows: int
    """Rows of one-line Markdown put on their own lines."""


def convert_text_tables(text: str) -> Converted:
    """The text with its box grids rewritten into TAB rows and its one-line Markdown tables broken into lines."""
    notes: list[str] = []
    grids = rows = 0
    if _may_hold_grid(text) and _MAYBE_GRID.search(text) is not None:
        text, grids, failed = _convert_grids(text)
        if grids:
            notes.append(
                f"文本中的框线表格已转换为制表符分隔的行（{grids} 个表格）box-drawing grid(s) converted to TAB rows"
            )
        if failed:
            notes.append(
                f"文本中有 {failed} 个框线表格的边框未对齐，未转换，按普通文本读取 "
                "box-drawing grid(s) whose borders do not line up were left as text"
            )
    if "---" in text and "|" in text and _MAYBE_ONE_LINE_MD.search(text) is not None:
        text, rows = _split_one_line_markdown(text)
        if rows:
            notes.append(
                f"挤在一行中的Markdown表格已按分隔行拆为 {rows} 行 Markdown table(s) collapsed onto one line "
                "split into rows"
            )
    return Converted(text, notes, grids, rows)


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


_UNICODE = _Style(_BOX_H, _BOX_V, _BOX_ALL - _BOX_H - _BOX_V, _BOX_ALL, 1)
_ASCII = _Style(_ASCII_H, _ASCII_V, _ASCII_J, _ASCII_EDGE, 2)
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
    stripped = line.strip()
    return len(stripped) >= 2 and stripped[0] in style.edge and stripped[-1] in style.edge


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
        spread = re.compile(f"[{re.escape(''.join(wide))}]")
        flat = [spread.sub(f"\\g<0>{FILLER}", line) for line in region]
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


def _convert_grids(text: str) -> tuple[str, int, int]:
    lines = text.split("\n")
    out: list[str] = []
    converted = failed = 0
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
        rows = _read_grid(region, style) if last - index >= 2 else None
        if rows is None:
            if last - index >= 2 and any(not _is_pure_rule(line, style) for line in region):
                failed += 1
            out.extend(lines[index:stop])
            index = stop
            continue
        out.extend(rows)
        converted += 1
        index = last + 1
    if not converted:
        return text, 0, failed
    return "\n".join(out), converted, failed


def _read_grid(region: list[str], style: _Style) -> list[str] | None:
    """TAB-convention lines of one box grid, or None when its borders do not line up."""
    if any("\t" in line for line in region):
        return None
    for ambiguous in (1, 2):
        rows = _read_grid_with(region, style, ambiguous)
        if rows is not None:
            return rows
        if not any(unicodedata.east_asian_width(char) == "A" and char not in _BOX_ALL for line in region for char in line):
            break
    return None


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


def _read_grid_with(region: list[str], style: _Style, ambiguous: int) -> list[str] | None:
    canvases, flat = _canvases(region, ambiguous)
    width = max(len(c) for c in canvases)
    if width > MAX_GRID_WIDTH:
        return None
    for y, canvas in enumerate(canvases):
        if len(canvas) < width:
            canvas.extend([" "] * (width - len(canvas)))
            flat[y] = flat[y].ljust(width)
    v, j = style.v, style.j
    rule_run, border_char, bar_char, h_chars = _patterns(style)
    # column boundaries: junctions and bars on the lines that hold a rule
    rule_lines = [y for y, line in enumerate(flat) if rule_run.search(line) is not None]
    bounds = sorted({m.start() for y in rule_lines for m in border_char.finditer(flat[y])})
    if len(bounds) < 2:
        return None
    n_cols = len(bounds) - 1
    bound_set = set(bounds)
    # ruled[y][i]: the whole width of column i on line y is rule characters
    ruled: list[list[bool]] = []
    spans = list(pairwise(bounds))
    rule_set = set(rule_lines)
    for y, line in enumerate(flat):
        if y in rule_set:
            ruled.append([b > a + 1 and not line[a + 1 : b].strip(h_chars) for a, b in spans])
        else:
            ruled.append([False] * n_cols)
    n_lines = len(canvases)
    for y, canvas in enumerate(canvases):
        bars = [m.start() for m in bar_char.finditer(flat[y])]
        if any(x not in bound_set for x in bars):
            # a bar between boundaries: a cell's text lost or gained width (an edited or damaged label);
            # a line holding no rule is moved back onto the boundaries, else the borders do not line up
            if y in rule_set:
                return None
            realigned = _realign(canvas, bars, bounds, bound_set)
            if realigned is None:
                return None
            canvases[y] = canvas = realigned
        if not any(ruled[y]) and (canvas[bounds[0]] not in v and canvas[bounds[0]] not in j):
            return None
    if not all(ruled[0]) or not all(ruled[-1]):
        return None
    split = _unruled_rows(canvases, ruled, bounds)
    if split:
        # console tables (MySQL, tabulate) rule only under the header: lines stacking numbers in one column are
        # rows of their own, not one cell wrapped over several lines; a rule is drawn between them
        rule = [" "] * width
        for x in range(bounds[0], bounds[-1] + 1):
            rule[x] = "+" if x in bound_set else "-"
        for y in sorted(split, reverse=True):
            canvases.insert(y, list(rule))
            ruled.insert(y, [True] * n_cols)
        n_lines = len(canvases)
    rule_lines = [y for y, row in enumerate(ruled) if any(row)]
    unions = _Unions(n_lines * n_cols)
    for y in range(n_lines):
        canvas = canvases[y]
        for i in range(n_cols):
            if ruled[y][i]:
                continue
            unit = y * n_cols + i
            if i + 1 < n_cols and not ruled[y][i + 1]:
                border = canvas[bounds[i + 1]]
                if border not in v and border not in j:
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
    rule_index = {y: k for k, y in enumerate(rule_lines)}
    n_bands = len(rule_lines) - 1
    placed: list[tuple[int, int, int, int, str]] = []  # top band, bottom band, first col, end col, text
    for y0, y1, c0, c1, count in boxes.values():
        if count != (y1 - y0 + 1) * (c1 - c0 + 1):
            return None  # not a rectangle
        top, bottom = rule_index.get(y0 - 1), rule_index.get(y1 + 1)
        if top is None or bottom is None:
            return None
        text = _cell_text(canvases, y0, y1, bounds[c0] + 1, bounds[c1 + 1])
        placed.append((top, bottom, c0, c1 + 1, text))
    placed.sort()
    # one cell across the whole width in a band of its own: a block boundary
    full_bands = {top for top, bottom, c0, c1, _ in placed if bottom == top + 1 and c0 == 0 and c1 == n_cols}
    out: list[str] = []
    block_start = 0
    for band in [*sorted(full_bands), n_bands]:
        for first, stop in ((block_start, band), (band, min(band + 1, n_bands))):
            if stop > first:
                out.extend(_render_block(placed, first, stop, n_cols))
        block_start = band + 1
    return out


_NUMBER_PIECE = re.compile(r"[+\-]?\d[\d,]*(?:\.\d+)?[ ]*(?:万元|千元|亿元|元|件|项|个)?")


def _unruled_rows(canvases: list[list[str]], ruled: list[list[bool]], bounds: list[int]) -> list[int]:
    """Lines that begin a row of their own inside a run of lines with no rule between them: in a run where
    some column holds a number on two or more lines, every line but the first (w3m wraps a cell's text, never a
    number, and rules every row; console tools rule only under the header)."""
    starts: list[int] = []
    y = 0
    n_cols = len(bounds) - 1
    while y < len(canvases):
        if any(ruled[y]):
            y += 1
            continue
        stop = y
        while stop < len(canvases) and not any(ruled[stop]):
            stop += 1
        if stop - y >= 2:
            for i in range(n_cols):
                numbers = 0
                for line in range(y, stop):
                    piece = "".join(canvases[line][bounds[i] + 1 : bounds[i + 1]]).strip()
                    if piece and _NUMBER_PIECE.fullmatch(piece):
                        numbers += 1
                if numbers >= 2:
                    starts.extend(range(y + 1, stop))
                    break
        y = stop
    return starts


MAX_SHIFT = 8
"""How far (display columns) a bar may stand from its boundary on a line that is moved back into place."""


def _realign(canvas: list[str], bars: list[int], bounds: list[int], bound_set: set[int]) -> list[str] | None:
    """The line with each bar moved onto a boundary (the first boundary near it after the previous bar's, the
    shift that puts most of the following bars on boundaries) and each cell's text kept left-aligned; None when
    a bar has no boundary near it or a cell's text does not fit its new width."""
    targets: list[int] = []
    delta = 0
    for k, x in enumerate(bars):
        floor = targets[-1] if targets else -1
        if x + delta in bound_set and x + delta > floor:
            targets.append(x + delta)
            continue
        best: tuple[int, int, int] | None = None  # (-aligned later bars, distance, shift)
        for bound in bounds:
            if bound <= floor or abs(bound - x - delta) > MAX_SHIFT:
                continue
            shift = bound - x
            aligned = sum(1 for later in bars[k + 1 :] if later + shift in bound_set)
            key = (-aligned, abs(bound - x - delta), shift)
            if best is None or key < best:
                best = key
        if best is None:
            return None
        delta = best[2]
        targets.append(x + delta)
    width = max(len(canvas), targets[-1] + 1) if targets else len(canvas)
    out = [" "] * width
    for k, (x, target) in enumerate(zip(bars, targets, strict=True)):
        out[target] = canvas[x]
        stop = bars[k + 1] if k + 1 < len(bars) else len(canvas)
        segment = canvas[x + 1 : stop]
        while segment and segment[-1] == " ":
            segment.pop()
        room = (targets[k + 1] if k + 1 < len(bars) else width) - target - 1
        if len(segment) > room:
            return None
        out[target + 1 : target + 1 + len(segment)] = segment
    if bars and bars[0] > 0:
        out[: min(bars[0], targets[0])] = canvas[: min(bars[0], targets[0])]
    return out


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


def _render_block(placed: list[tuple[int, int, int, int, str]], first: int, stop: int, n_cols: int) -> list[str]:
    grid: list[Slots] = [[None] * n_cols for _ in range(stop - first)]
    cells: list[PlacedCell] = []
    for top, bottom, c0, c1, text in placed:
        if top < first or top >= stop:
            continue
        index = len(cells)
        cells.append(PlacedCell(c0, c1, text, top - first))
        for band in range(top, min(bottom, stop)):
            for column in range(c0, c1):
                grid[band - first][column] = index
    return render_grid(grid_rows(grid, cells))


_ASCII_WORD_END = re.compile(r"[A-Za-z0-9.,%+\-)]$")
_ASCII_WORD_START = re.compile(r"^[A-Za-z0-9(+\-]")


def _cell_text(canvases: list[list[str]], y0: int, y1: int, x0: int, x1: int) -> str:
    """A cell's text on each of its lines, joined: Chinese pieces directly, ASCII words with a space."""
    text = ""
    for y in range(y0, y1 + 1):
        piece = " ".join("".join(canvases[y][x0:x1]).replace(FILLER, "").split())
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
    for delimiter in _DELIMITER_ROW.finditer(line):
        if delimiter.start() < search_from:
            continue
        n = len(_DASHES.findall(delimiter.group()))
        if n < 2:
            continue
        before = line[: delimiter.start()]
        after = line[delimiter.end() :]
        if not before.strip() and not after.strip():
            continue  # a delimiter row on its own line: ordinary Markdown
        # the header: the N cells before the delimiter, its closing pipe just before it
        head_close = before.rstrip(" \t")
        if not head_close.endswith("|"):
            continue
        close_index = len(head_close) - 1
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
