"""Draw the app icons the web app manifest names, with no imaging library.

    .venv/bin/python scripts/make_app_icons.py

writes static/bcbt/icons/app-192.png, app-512.png, app-maskable-512.png and app-apple-180.png
(square: iPhones round the corners themselves and fill transparency with black): a white speech
bubble with three dots on NHS blue (#005EB8), the sign of talking to a therapist. The maskable
icon keeps the bubble inside the central circle of 80% that every launcher's mask leaves
visible, on a background that fills the square. The PNG writer is the smallest correct one:
8-bit RGBA, one IDAT chunk, filter 0 on every row.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

NHS_BLUE = (0, 94, 184, 255)
WHITE = (255, 255, 255, 255)
CLEAR = (0, 0, 0, 0)
OUT = Path(__file__).resolve().parent.parent / "static" / "bcbt" / "icons"


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def png_bytes(pixels: list[list[tuple[int, int, int, int]]]) -> bytes:
    height, width = len(pixels), len(pixels[0])
    raw = b"".join(b"\x00" + bytes(value for pixel in row for value in pixel) for row in pixels)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(raw, 9))
        + _chunk(b"IEND", b"")
    )


def _in_rounded_rect(x: float, y: float, box: tuple[float, float, float, float], r: float) -> bool:
    left, top, right, bottom = box
    if not (left <= x <= right and top <= y <= bottom):
        return False
    cx = min(max(x, left + r), right - r)
    cy = min(max(y, top + r), bottom - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def _in_triangle(
    x: float, y: float, a: tuple[float, float], b: tuple[float, float], c: tuple[float, float]
) -> bool:
    def side(p: tuple[float, float], q: tuple[float, float]) -> float:
        return (x - q[0]) * (p[1] - q[1]) - (p[0] - q[0]) * (y - q[1])

    d1, d2, d3 = side(a, b), side(b, c), side(c, a)
    negative = d1 < 0 or d2 < 0 or d3 < 0
    positive = d1 > 0 or d2 > 0 or d3 > 0
    return not (negative and positive)


def _colour_at(x: float, y: float, scale: float) -> tuple[int, int, int, int]:
    """The colour at (x, y) in a unit square, with the bubble drawn at ``scale`` of full size."""
    # Coordinates relative to the centre, divided by the scale, so the drawing shrinks inwards.
    u = (x - 0.5) / scale + 0.5
    v = (y - 0.5) / scale + 0.5
    for dot in (0.32, 0.5, 0.68):
        if (u - dot) ** 2 + (v - 0.44) ** 2 <= 0.055**2:
            return NHS_BLUE
    if _in_rounded_rect(u, v, (0.12, 0.18, 0.88, 0.7), 0.14):
        return WHITE
    if _in_triangle(u, v, (0.26, 0.66), (0.46, 0.66), (0.24, 0.86)):
        return WHITE
    return NHS_BLUE


def icon(size: int, *, scale: float, rounded: bool) -> bytes:
    # Four samples per pixel smooth the edges.
    offsets = (0.25, 0.75)
    corner = size * 0.18
    rows = []
    for row in range(size):
        pixels = []
        for column in range(size):
            if rounded and not _in_rounded_rect(
                column + 0.5, row + 0.5, (0, 0, size, size), corner
            ):
                pixels.append(CLEAR)
                continue
            samples = [
                _colour_at((column + dx) / size, (row + dy) / size, scale)
                for dx in offsets
                for dy in offsets
            ]
            red, green, blue, alpha = (sum(sample[i] for sample in samples) // 4 for i in range(4))
            pixels.append((red, green, blue, alpha))
        rows.append(pixels)
    return png_bytes(rows)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "app-192.png").write_bytes(icon(192, scale=1.0, rounded=True))
    (OUT / "app-512.png").write_bytes(icon(512, scale=1.0, rounded=True))
    # The safe zone of a maskable icon is a circle of 40% radius: the bubble at 70% fits in it.
    (OUT / "app-maskable-512.png").write_bytes(icon(512, scale=0.7, rounded=False))
    (OUT / "app-apple-180.png").write_bytes(icon(180, scale=0.9, rounded=False))


if __name__ == "__main__":
    main()
