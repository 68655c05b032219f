"""Draw the sample articles' pictures (original, procedural, deterministic) into samples/images/."""

from __future__ import annotations

import math
import random
import sys
from itertools import pairwise
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

OUT = Path(__file__).resolve().parents[1] / "samples" / "images"


def gradient(size: tuple[int, int], stops: list[tuple[float, tuple[int, int, int]]]) -> Image.Image:
    """A vertical gradient through (position 0–1, RGB) stops."""
    height = size[1]
    column = Image.new("RGB", (1, height))
    for y in range(height):
        t = y / (height - 1)
        (t0, c0), (t1, c1) = next((a, b) for a, b in pairwise(stops) if a[0] <= t <= b[0])
        k = (t - t0) / (t1 - t0 or 1)
        column.putpixel((0, y), tuple(round(a + (b - a) * k) for a, b in zip(c0, c1, strict=True)))  # type: ignore[arg-type]
    return column.resize(size)


def harbour_dawn(rng: random.Random) -> Image.Image:
    """A harbour at dawn: warm sky, low sun, hills, a breakwater and moored boats."""
    w, h = 1600, 1000
    img = gradient(
        (w, h),
        [
            (0, (46, 62, 104)),
            (0.38, (238, 160, 122)),
            (0.55, (250, 214, 160)),
            (0.56, (86, 112, 140)),
            (1, (24, 40, 62)),
        ],
    )
    draw = ImageDraw.Draw(img, "RGBA")
    draw.ellipse((1040, 430, 1180, 570), fill=(255, 236, 190, 255))
    for layer, (base, color) in enumerate([(520, (92, 84, 110, 255)), (548, (60, 58, 82, 255))]):
        points = (
            [(0, h)]
            + [
                (x, base - 60 * math.sin(x / (260 + 90 * layer)) - rng.randint(0, 12))
                for x in range(0, w + 40, 40)
            ]
            + [(w, h)]
        )
        draw.polygon(points, fill=color)
    draw.rectangle((0, 556, w, h), fill=(40, 62, 90, 255))
    for y in range(560, h, 6):
        for _ in range(14):
            x = rng.randint(0, w)
            shade = 150 + rng.randint(0, 90) if abs(x - 1110) < 160 + (y - 560) // 3 else 90
            draw.line((x, y, x + rng.randint(10, 60), y), fill=(shade + 60, shade + 30, shade, 120))
    draw.polygon([(0, 700), (720, 660), (720, 690), (0, 760)], fill=(30, 30, 38, 255))
    for i in range(7):
        x, y = 180 + i * 190 + rng.randint(-30, 30), 760 + rng.randint(0, 160)
        draw.polygon(
            [(x, y), (x + 150, y), (x + 125, y + 32), (x + 20, y + 32)], fill=(22, 24, 30, 255)
        )
        draw.line((x + 70, y, x + 70, y - 120), fill=(22, 24, 30, 255), width=4)
        draw.polygon(
            [(x + 74, y - 115), (x + 74, y - 10), (x + 130, y - 10)], fill=(230, 220, 205, 230)
        )
    return img.filter(ImageFilter.GaussianBlur(0.8))


def market_lanterns(rng: random.Random) -> Image.Image:
    """A night market: dark street, strings of glowing lanterns, stall awnings."""
    w, h = 1200, 900
    img = gradient((w, h), [(0, (12, 14, 30)), (0.6, (40, 26, 44)), (1, (20, 16, 20))])
    glow = Image.new("RGBA", (w, h))
    draw = ImageDraw.Draw(glow)
    for row in range(4):
        y0 = 120 + row * 95
        for i in range(13):
            x = 40 + i * 92 + (row % 2) * 46
            y = y0 + 28 * math.sin(i / 12 * math.pi)
            r = 26 - row * 3
            hue = rng.choice([(232, 64, 44), (246, 142, 50), (240, 190, 80)])
            draw.ellipse((x - r * 2, y - r * 2, x + r * 2, y + r * 2), fill=(*hue, 60))
            draw.ellipse((x - r, y - r * 1.2, x + r, y + r * 1.2), fill=(*hue, 255))
    img.paste(
        glow.filter(ImageFilter.GaussianBlur(6)), (0, 0), glow.filter(ImageFilter.GaussianBlur(6))
    )
    img.paste(glow, (0, 0), glow)
    draw = ImageDraw.Draw(img, "RGBA")
    for i in range(6):
        x = i * 210 - 20
        draw.polygon(
            [(x, 600), (x + 200, 600), (x + 180, 650), (x + 20, 650)],
            fill=(rng.randint(120, 200), 40, 40, 255),
        )
        draw.rectangle((x + 30, 650, x + 170, 900), fill=(30, 24, 26, 255))
        draw.rectangle((x + 45, 700, x + 155, 760), fill=(250, 210, 140, 200))
    return img.filter(ImageFilter.GaussianBlur(0.6))


def main() -> int:
    """Write both JPEGs."""
    OUT.mkdir(parents=True, exist_ok=True)
    harbour_dawn(random.Random(7)).save(OUT / "harbour-dawn.jpg", quality=82, optimize=True)
    market_lanterns(random.Random(11)).save(OUT / "market-lanterns.jpg", quality=82, optimize=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
