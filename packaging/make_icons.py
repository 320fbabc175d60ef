"""Draw the application icon (PNG sizes, Windows .ico, SVG) into resources/icons/ with the standard library only."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from pathlib import Path

ICON_DIR = Path(__file__).resolve().parent.parent / "resources" / "icons"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
SUPERSAMPLE = 4

RGBA = tuple[int, int, int, int]
BLUE: RGBA = (31, 95, 175, 255)
WHITE: RGBA = (255, 255, 255, 255)
HEADER: RGBA = (206, 222, 242, 255)
GRID: RGBA = (120, 150, 190, 255)
GREEN: RGBA = (46, 160, 67, 255)

CHECK_POINTS = ((0.48, 0.60), (0.60, 0.73), (0.86, 0.43))
CHECK_WIDTH = 0.085
GRID_LINES_Y = (0.32, 0.45, 0.58, 0.71)
GRID_LINE_X = 0.42
LINE = 0.018


def _in_rounded_rect(x: float, y: float, x0: float, y0: float, x1: float, y1: float, r: float) -> bool:
    if not (x0 <= x <= x1 and y0 <= y <= y1):
        return False
    cx = min(max(x, x0 + r), x1 - r)
    cy = min(max(y, y0 + r), y1 - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def _distance_to_segment(px: float, py: float, a: tuple[float, float], b: tuple[float, float]) -> float:
    ax, ay = a
    bx, by = b
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    qx, qy = ax + t * dx, ay + t * dy
    return float(((px - qx) ** 2 + (py - qy) ** 2) ** 0.5)


def _on_check(x: float, y: float, half_width: float) -> bool:
    return any(
        _distance_to_segment(x, y, CHECK_POINTS[i], CHECK_POINTS[i + 1]) <= half_width
        for i in range(len(CHECK_POINTS) - 1)
    )


def icon_colour(x: float, y: float) -> RGBA | None:
    """Colour of the icon at (x, y) in unit coordinates, painted back to front; None = transparent."""
    colour: RGBA | None = None
    if _in_rounded_rect(x, y, 0.06, 0.06, 0.94, 0.94, 0.18):
        colour = BLUE
    if _in_rounded_rect(x, y, 0.20, 0.16, 0.76, 0.84, 0.04):
        colour = HEADER if y < GRID_LINES_Y[0] else WHITE
        if any(abs(y - line) <= LINE / 2 for line in GRID_LINES_Y):
            colour = GRID
        if abs(x - GRID_LINE_X) <= LINE / 2 and y >= GRID_LINES_Y[0]:
            colour = GRID
    if _on_check(x, y, CHECK_WIDTH / 2 + 0.025):
        colour = WHITE
    if _on_check(x, y, CHECK_WIDTH / 2):
        colour = GREEN
    return colour


def render(size: int, shape: Callable[[float, float], RGBA | None] = icon_colour) -> bytes:
    """RGBA rows (with PNG filter bytes) of the icon at `size` pixels, anti-aliased by supersampling."""
    rows = bytearray()
    n = SUPERSAMPLE
    for py in range(size):
        rows.append(0)
        for px in range(size):
            r = g = b = a = 0
            for sy in range(n):
                for sx in range(n):
                    colour = shape((px + (sx + 0.5) / n) / size, (py + (sy + 0.5) / n) / size)
                    if colour is not None:
                        r += colour[0] * colour[3]
                        g += colour[1] * colour[3]
                        b += colour[2] * colour[3]
                        a += colour[3]
            if a:
                rows += bytes((r // a, g // a, b // a, a // (n * n)))
            else:
                rows += b"\0\0\0\0"
    return bytes(rows)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bytes(size: int) -> bytes:
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(render(size), 9))
        + _chunk(b"IEND", b"")
    )


def ico_bytes(images: dict[int, bytes]) -> bytes:
    """A Windows .ico holding PNG-compressed images (supported since Windows Vista)."""
    sizes = sorted(images)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    directory = b""
    payload = b""
    for size in sizes:
        data = images[size]
        dim = 0 if size >= 256 else size
        directory += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset + len(payload))
        payload += data
    return header + directory + payload


def svg_text() -> str:
    lines = "".join(
        f'<rect x="20" y="{(y - LINE / 2) * 100:.1f}" width="56" height="{LINE * 100:.1f}" fill="#7896be"/>'
        for y in GRID_LINES_Y
    )
    points = " ".join(f"{x * 100:.1f},{y * 100:.1f}" for x, y in CHECK_POINTS)
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100" width="256" height="256">'
        '<rect x="6" y="6" width="88" height="88" rx="18" fill="#1f5faf"/>'
        '<rect x="20" y="16" width="56" height="68" rx="4" fill="#ffffff"/>'
        '<rect x="20" y="16" width="56" height="16" rx="4" fill="#cedef2"/>'
        f"{lines}"
        f'<rect x="{(GRID_LINE_X - LINE / 2) * 100:.1f}" y="32" width="{LINE * 100:.1f}" height="52" fill="#7896be"/>'
        f'<polyline points="{points}" fill="none" stroke="#ffffff" stroke-width="{(CHECK_WIDTH + 0.05) * 100:.1f}"'
        ' stroke-linecap="round" stroke-linejoin="round"/>'
        f'<polyline points="{points}" fill="none" stroke="#2ea043" stroke-width="{CHECK_WIDTH * 100:.1f}"'
        ' stroke-linecap="round" stroke-linejoin="round"/>'
        "</svg>\n"
    )


def main() -> int:
    ICON_DIR.mkdir(parents=True, exist_ok=True)
    images = {size: png_bytes(size) for size in sorted(set(PNG_SIZES) | set(ICO_SIZES))}
    for size in PNG_SIZES:
        (ICON_DIR / f"gikai-desk-{size}.png").write_bytes(images[size])
    (ICON_DIR / "gikai-desk.png").write_bytes(images[256])
    (ICON_DIR / "gikai-desk.ico").write_bytes(ico_bytes({s: images[s] for s in ICO_SIZES}))
    (ICON_DIR / "gikai-desk.svg").write_text(svg_text(), encoding="utf-8")
    print(f"icons written to {ICON_DIR}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
