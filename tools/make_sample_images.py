"""Draw the sample articles' pictures (original, procedural, deterministic) into samples/images/.

    python tools/make_sample_images.py

Needs only Pillow. Every random choice comes from a seeded ``random.Random`` and nothing else
varies between runs, so the same Pillow build writes byte-identical JPEGs each time. The
scenes are drawn from simple shapes, blurred light layers and film grain: a harbour at dawn
(1600×1000, the feature's lead picture) and a night market under paper lanterns (1200×900).
"""

from __future__ import annotations

import itertools
import math
import random
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter

OUT = Path(__file__).resolve().parents[1] / "samples" / "images"
QUALITY = 82

RGB = tuple[int, int, int]
Point = tuple[float, float]


# --------------------------------------------------------------------------- helpers


def gradient(size: tuple[int, int], stops: Sequence[tuple[float, RGB]]) -> Image.Image:
    """A vertical gradient through (position 0–1, RGB) stops."""
    _, height = size
    column = Image.new("RGB", (1, height))
    for y in range(height):
        t = y / (height - 1)
        (t0, c0), (t1, c1) = next((a, b) for a, b in itertools.pairwise(stops) if a[0] <= t <= b[0])
        k = (t - t0) / (t1 - t0 or 1)
        column.putpixel((0, y), tuple(round(a + (b - a) * k) for a, b in zip(c0, c1, strict=True)))
    return column.resize(size, Image.Resampling.NEAREST)


def mix(c0: RGB, c1: RGB, k: float) -> RGB:
    """Linear blend of two colours, ``k`` = 0 gives ``c0``."""
    r, g, b = (round(a + (b - a) * k) for a, b in zip(c0, c1, strict=True))
    return (r, g, b)


def light(
    img: Image.Image, blur: float, paint: Callable[[ImageDraw.ImageDraw], None]
) -> Image.Image:
    """Screen-blend a blurred layer of light, drawn by ``paint`` on black, over ``img``."""
    layer = Image.new("RGB", img.size)
    paint(ImageDraw.Draw(layer))
    return ImageChops.screen(img, layer.filter(ImageFilter.GaussianBlur(blur)) if blur else layer)


def finish(img: Image.Image, rng: random.Random, grain: int, vignette: float) -> Image.Image:
    """Lens softness, a darkened frame and monochrome film grain (seeded, so reproducible)."""
    w, h = img.size
    img = img.filter(ImageFilter.GaussianBlur(0.7))
    mask = Image.new("L", (w, h))
    ImageDraw.Draw(mask).ellipse((-w * 0.2, -h * 0.3, w * 1.2, h * 1.3), fill=255)
    mask = mask.filter(ImageFilter.GaussianBlur(min(w, h) * 0.2))
    mask = mask.point(lambda v: round(255 - (255 - v) * vignette))
    img = Image.composite(img, Image.new("RGB", (w, h)), mask)
    noise = Image.frombytes("L", (w, h), rng.randbytes(w * h)).filter(
        ImageFilter.GaussianBlur(0.45)
    )
    noise = noise.point(lambda v: max(0, min(255, 128 + (v - 128) * grain // 40)))
    return ImageChops.add(img, Image.merge("RGB", (noise, noise, noise)), scale=1, offset=-128)


def ridge(rng: random.Random, x0: int, x1: int, base: int, height: float) -> list[Point]:
    """A hill line from ``x0`` to ``x1`` that rises from and returns to ``base``."""
    phases = [rng.uniform(0, 2 * math.pi) for _ in range(5)]
    points: list[Point] = [(x0, base)]
    for x in range(x0, x1 + 1, 6):
        t = (x - x0) / (x1 - x0)
        envelope = math.sin(math.pi * t) ** 0.6
        wave = sum(math.sin(x / (210 / (k + 1)) + phases[k]) / (k + 1.3) for k in range(5))
        points.append((x, base - envelope * height * (0.72 + 0.22 * wave) - rng.uniform(0, 3)))
    return [*points, (x1, base)]


# --------------------------------------------------------------------------- harbour at dawn


def harbour_dawn(rng: random.Random) -> Image.Image:
    """A harbour at dawn: low sun, lit cloud streaks, hazy hills, moorings and a breakwater."""
    w, h, sea = 1600, 1000, 590  # sea: the horizon line
    sky = [(0.0, (26, 34, 74)), (0.22, (66, 62, 112)), (0.42, (156, 104, 130)),
           (0.52, (232, 146, 112)), (sea / h, (252, 204, 146))]  # fmt: skip
    water = [(sea / h + 0.001, (150, 118, 128)), (0.72, (62, 64, 96)), (1.0, (16, 22, 40))]
    img = gradient((w, h), [*sky, *water])
    sun = (1130.0, sea - 36.0)

    def clouds(draw: ImageDraw.ImageDraw) -> None:
        for _ in range(16):
            y = rng.uniform(90, 470)
            x = rng.uniform(-200, w)
            length = rng.uniform(220, 620)
            warmth = y / 470
            colour = mix((92, 70, 120), (255, 170, 120), warmth)
            for _ in range(7):
                cx = x + rng.uniform(0, length)
                ry = rng.uniform(4, 11) * (0.6 + warmth)
                draw.ellipse((cx - length / 5, y - ry, cx + length / 5, y + ry), fill=colour)

    img = light(img, 9, clouds)

    def sun_glow(draw: ImageDraw.ImageDraw) -> None:
        x, y = sun
        for radius, colour in ((330, (90, 50, 22)), (170, (150, 96, 44)), (80, (210, 150, 80))):
            draw.ellipse((x - radius, y - radius * 0.8, x + radius, y + radius * 0.8), fill=colour)

    img = light(img, 70, sun_glow)
    draw = ImageDraw.Draw(img)
    draw.ellipse((sun[0] - 44, sun[1] - 44, sun[0] + 44, sun[1] + 44), fill=(255, 242, 212))

    # Hills: two hazy ranges on the left, a low headland with a lighthouse on the right. They
    # are drawn on their own layer so that the water can mirror them.
    hills = Image.new("RGBA", (w, h))
    hd = ImageDraw.Draw(hills)
    hd.polygon(ridge(rng, -40, 1060, sea, 150), fill=(136, 100, 134, 255))
    hd.polygon(ridge(rng, -60, 760, sea, 96), fill=(76, 58, 90, 255))
    hd.polygon(ridge(rng, 1330, 1700, sea, 52), fill=(96, 72, 104, 255))
    hd.polygon(
        [(1450, sea - 40), (1464, sea - 40), (1461, sea - 76), (1453, sea - 76)],
        fill=(84, 64, 92, 255),
    )
    hd.rectangle((1451, sea - 84, 1463, sea - 76), fill=(255, 226, 168, 255))
    hd.polygon([(1450, sea - 84), (1464, sea - 84), (1457, sea - 91)], fill=(84, 64, 92, 255))
    for _ in range(26):  # a shoreline town: low roofs and a few lit windows
        x = rng.uniform(60, 640)
        bh = rng.uniform(5, 16)
        hd.rectangle((x, sea - bh, x + rng.uniform(8, 26), sea), fill=(58, 44, 70, 255))
    for _ in range(30):
        x, y = rng.uniform(60, 660), sea - rng.uniform(2, 12)
        hd.rectangle((x, y, x + 2, y + 2), fill=(255, 206, 140, 255))
    img.paste(hills, (0, 0), hills)
    mirror = hills.transpose(Image.Transpose.FLIP_TOP_BOTTOM).crop((0, h - sea, w, 2 * h - sea))
    mirror = mirror.resize((w, round(sea * 0.55))).filter(ImageFilter.GaussianBlur(3))
    fade = mirror.getchannel("A").point(lambda v: v * 45 // 100)
    img.paste(mirror.convert("RGB"), (0, sea), fade)

    # Water: ripples that widen towards the viewer, and a glitter path under the sun.
    draw = ImageDraw.Draw(img, "RGBA")
    y = float(sea + 2)
    while y < h:
        depth = (y - sea) / (h - sea)
        for _ in range(int(60 - 30 * depth)):
            x = rng.uniform(-50, w)
            tone = mix((250, 190, 160), (120, 130, 170), depth)
            draw.line((x, y, x + rng.uniform(12, 40) * (1 + 4 * depth), y),
                      fill=(*tone, rng.randint(16, 44)), width=1 + int(2 * depth))  # fmt: skip
        y += 2 + 9 * depth

    def glitter(draw: ImageDraw.ImageDraw) -> None:
        y = float(sea + 1)
        while y < h:
            depth = (y - sea) / (h - sea)
            spread = 26 + 330 * depth
            for _ in range(int(26 - 12 * depth)):
                x = sun[0] + rng.gauss(0, spread / 2.2)
                size = (4 + 30 * depth) * rng.uniform(0.4, 1.2)
                fall = math.exp(-(((x - sun[0]) / spread) ** 2))
                draw.line((x - size, y, x + size, y), fill=mix((0, 0, 0), (255, 214, 150), fall),
                          width=1 + int(2 * depth))  # fmt: skip
            y += 1.5 + 6 * depth

    img = light(img, 0.8, glitter)

    # Moored boats, far to near, backlit: silhouettes with a warm rim, mirrored in the water.
    boats = Image.new("RGBA", (w, h))
    reflections = Image.new("RGBA", (w, h))
    bd, rd = ImageDraw.Draw(boats), ImageDraw.Draw(reflections)
    placed: list[tuple[float, float, float, float]] = []
    for depth in sorted(rng.uniform(0, 1) for _ in range(15)):
        length = 46 + 190 * depth
        y = sea + 22 + 360 * depth
        for _ in range(40):  # find a free spot, clear of the breakwater and the other boats
            x = rng.uniform(40, w - 40 - length)
            box = (x - 20, y - length * 1.2, x + length + 20, y + 10)
            on_breakwater = (x < 770 and 640 < y < 910) or (x < 750 < x + length + 40 and y < 700)
            if not on_breakwater and not any(
                box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in placed
            ):
                break
        else:
            continue
        placed.append(box)
        draw_boat(bd, rd, x, y, length, sailing=rng.random() < 0.7, rng=rng)
    rows = Image.new("RGBA", (w, h))
    for row in range(0, h, 3):  # wobble the reflections, three pixel rows at a time
        rows.paste(reflections.crop((0, row, w, row + 3)), (rng.randint(-5, 5), row))
    rows = rows.filter(ImageFilter.GaussianBlur(1.6))
    img.paste(rows.convert("RGB"), (0, 0), rows.getchannel("A").point(lambda v: v * 55 // 100))

    # The breakwater: a stone arm from the left edge with a beacon at its end.
    draw = ImageDraw.Draw(img, "RGBA")
    top = [(-10.0, 790.0), (745.0, 668.0)]
    front = [top[0], top[1], (745, 682), (-10, 858)]
    draw.polygon([front[3], front[2], (745, 700), (-10, 900)], fill=(12, 16, 28, 110))
    draw.polygon(front, fill=(34, 32, 44))
    draw.polygon([top[0], top[1], (735, 664), (-10, 780)], fill=(92, 74, 82))
    for _ in range(260):  # stone blocks on the face
        x = rng.uniform(0, 745)
        t = x / 745
        ytop = 790 - 122 * t
        yfoot = 858 - 176 * t
        yy = rng.uniform(ytop, yfoot)
        size = 14 - 9 * t
        draw.rectangle(
            (x, yy, x + size * 1.6, yy + size * 0.5),
            fill=(*mix((26, 24, 34), (72, 62, 70), rng.random()), 190),
        )
    draw.rectangle((716, 600, 732, 668), fill=(40, 36, 46))
    draw.rectangle((714, 588, 734, 602), fill=(150, 42, 38))
    draw.ellipse((718, 590, 730, 600), fill=(255, 226, 170))
    img.paste(boats, (0, 0), boats)

    # Gulls.
    draw = ImageDraw.Draw(img)
    for _ in range(6):
        x, y, s = rng.uniform(300, 1300), rng.uniform(140, 420), rng.uniform(6, 13)
        draw.line(
            [(x - s, y - s * 0.4), (x - s * 0.3, y - s * 0.1), (x, y + s * 0.2)],
            fill=(44, 36, 58),
            width=2,
        )
        draw.line(
            [(x, y + s * 0.2), (x + s * 0.3, y - s * 0.1), (x + s, y - s * 0.5)],
            fill=(44, 36, 58),
            width=2,
        )
    return finish(img, rng, grain=5, vignette=0.42)


def draw_boat(
    bd: ImageDraw.ImageDraw,
    rd: ImageDraw.ImageDraw,
    x: float,
    y: float,
    length: float,
    *,
    sailing: bool,
    rng: random.Random,
) -> None:
    """One moored boat with its waterline at ``y`` on ``bd`` and its mirror image on ``rd``."""
    dark, rim = (18, 18, 28, 255), (214, 150, 110, 255)
    mast, top = x + length * 0.45, y - length * (0.95 + rng.uniform(0, 0.25))
    width = max(1, round(length / 70))

    def shapes(draw: ImageDraw.ImageDraw, fy: Callable[[float], float]) -> None:
        draw.polygon([(x, fy(y - length * 0.13)), (x + length, fy(y - length * 0.17)),
                      (x + length * 0.9, fy(y)), (x + length * 0.08, fy(y))], fill=dark)  # fmt: skip
        draw.polygon([(x + length * 0.3, fy(y - length * 0.25)), (x + length * 0.58, fy(y - length * 0.25)),
                      (x + length * 0.58, fy(y - length * 0.12)), (x + length * 0.3, fy(y - length * 0.12))],
                     fill=dark)  # fmt: skip
        if sailing:
            draw.line((mast, fy(y - length * 0.2), mast, fy(top)), fill=dark, width=width)
            draw.line(
                (mast, fy(y - length * 0.32), x + length * 0.9, fy(y - length * 0.3)),
                fill=dark,
                width=width + 1,
            )
            draw.line((mast, fy(top), x + length * 0.98, fy(y - length * 0.18)), fill=dark, width=1)

    shapes(bd, lambda v: v)
    shapes(rd, lambda v: 2 * y - v)
    bd.line([(x, y - length * 0.13), (x + length, y - length * 0.17)], fill=rim, width=width)


# --------------------------------------------------------------------------- night market


class Street:
    """One-point perspective for a street: metres in the world, pixels on the picture."""

    def __init__(self, width: int, height: int) -> None:
        self.vx, self.vy, self.focal, self.eye = width / 2, height * 0.46, 620.0, 1.6

    def at(self, x: float, height: float, z: float) -> Point:
        """Where a point ``x`` metres from the street's middle, ``height`` up, ``z`` ahead lands."""
        return (self.vx + self.focal * x / z, self.vy + self.focal * (self.eye - height) / z)

    def poly(self, *corners: tuple[float, float, float]) -> list[Point]:
        """The picture outline of a flat patch given by its (x, height, z) corners."""
        return [self.at(*c) for c in corners]

    def side(self, x: float, h0: float, h1: float, z0: float, z1: float) -> list[Point]:
        """A patch of a wall facing across the street at ``x``: ``h0``→``h1`` up, ``z0``→``z1`` along."""
        return self.poly((x, h0, z0), (x, h0, z1), (x, h1, z1), (x, h1, z0))


def market_lanterns(rng: random.Random) -> Image.Image:
    """A night market street: stalls, a crowd and strings of paper lanterns, on wet paving."""
    w, h = 1200, 900
    st = Street(w, h)
    sky = [(0, (6, 8, 22)), (0.3, (22, 18, 40)), (0.46, (40, 26, 40)), (1, (10, 8, 10))]
    img = gradient((w, h), sky)
    draw = ImageDraw.Draw(img, "RGBA")
    glow = Image.new("RGB", (w, h))  # light sources, blurred and screened over the result
    gd = ImageDraw.Draw(glow)
    half, far = 4.2, 70.0

    # Facades on both sides, a few lit windows above the stalls, the street's far end.
    for side in (-1, 1):
        draw.polygon(st.side(side * half, 0, 13, 0.5, far), fill=(22, 16, 22))
        for z in [5.0 + 2.2 * i for i in range(30)]:
            for floor in range(3):
                base = 3.8 + floor * 3.0
                window = st.side(side * half, base, base + 1.3, z, z + 0.9)
                if rng.random() < 0.28:
                    draw.polygon(window, fill=(*rng.choice([(206, 136, 76), (170, 104, 62)]), 90))
                    gd.polygon(window, fill=(40, 24, 12))
                    mid = [
                        st.at(side * half, base + 0.65, z),
                        st.at(side * half, base + 0.65, z + 0.9),
                    ]
                    draw.line(mid, fill=(22, 16, 22), width=max(1, round(12 / z)))
                    mid = [
                        st.at(side * half, base, z + 0.45),
                        st.at(side * half, base + 1.3, z + 0.45),
                    ]
                    draw.line(mid, fill=(22, 16, 22), width=max(1, round(12 / z)))
                else:
                    draw.polygon(window, fill=(32, 26, 34))
    end = st.poly((-half, 0, far), (half, 0, far), (half, 13, far), (-half, 13, far))
    draw.polygon(end, fill=(26, 20, 28))
    ground = st.poly((-half, 0, 0.5), (half, 0, 0.5), (half, 0, far), (-half, 0, far))
    draw.polygon(ground, fill=(34, 26, 30))
    for k in range(-5, 6):  # paving joints, running away from the camera and across
        draw.line([st.at(k * 0.6, 0, 0.8), st.at(k * 0.6, 0, far)], fill=(20, 14, 18, 70), width=1)
    for k in range(40):
        z = 1.0 + k * 0.5 + k * k * 0.02
        draw.line([st.at(-half, 0, z), st.at(half, 0, z)], fill=(20, 14, 18, 60), width=1)

    # Stalls along both sides, far ones first: a lit opening under an awning, a counter.
    awnings: list[RGB] = [(168, 34, 36), (196, 60, 40), (140, 28, 44), (186, 112, 46), (40, 96, 90)]
    stalls = [(side, 5.0 + 2.7 * i) for i in range(24) for side in (-1, 1)]
    for side, z in sorted(stalls, key=lambda s: -s[1]):
        stall(draw, gd, st, rng, side * half, z, z + 2.4, rng.choice(awnings))

    # Lantern strings and people, interleaved by distance (far first), and two passers-by
    # close to the camera.
    things = [(z, "string") for z in (4.4, 6.2, 8.6, 12.0, 16.5, 23.0, 32.0)]
    things += [(rng.uniform(3.6, 45), "person") for _ in range(80)]
    things += [(2.6, "near"), (3.1, "near")]
    hues: list[RGB] = [(232, 52, 38), (244, 110, 40), (248, 168, 62), (220, 40, 50)]
    for z, kind in sorted(things, key=lambda t: -t[0]):
        if kind != "string":
            across = (1.3 if z < 3 else -1.5) if kind == "near" else None
            person(draw, st, rng, z, half, across)
            continue
        top, sag = 5.0, 0.7
        xs = [half * (2 * i / 40 - 1) for i in range(41)]
        line = [st.at(x, top - sag * (1 - (x / half) ** 2), z) for x in xs]
        draw.line(line, fill=(96, 64, 52), width=max(1, round(5 / z)))
        for i in range(9):
            x = half * (2 * (i + 0.5) / 9 - 1)
            hang = top - sag * (1 - (x / half) ** 2) - 0.3
            lantern(draw, gd, st, x, hang, z, rng.choice(hues))

    halo = glow.filter(ImageFilter.GaussianBlur(14)).point(lambda v: v * 7 // 10)
    wide = glow.filter(ImageFilter.GaussianBlur(60)).point(lambda v: v * 4 // 10)
    img = ImageChops.screen(ImageChops.screen(img, halo), wide)
    return finish(img, rng, grain=7, vignette=0.55)


def stall(
    draw: ImageDraw.ImageDraw,
    glow: ImageDraw.ImageDraw,
    st: Street,
    rng: random.Random,
    wall: float,
    z0: float,
    z1: float,
    hue: RGB,
) -> None:
    """One market stall against the facade at ``wall`` (±metres), from ``z0`` to ``z1``."""
    side = 1 if wall > 0 else -1
    inner = wall - side * 1.6  # the counter's front, facing the street
    draw.polygon(st.side(wall, 0, 2.3, z0, z1), fill=(70, 40, 28))
    back = wall - side * 0.4
    for k in range(8):  # the lit back wall, warmer towards the lamp at the top
        h0 = 0.9 + k * 0.17
        draw.polygon(
            st.side(back, h0, h0 + 0.18, z0, z1), fill=mix((120, 64, 32), (246, 190, 110), k / 7)
        )
    for _ in range(6):  # goods on the shelves
        zz, hh = rng.uniform(z0 + 0.1, z1 - 0.4), rng.uniform(1.0, 1.9)
        colour = rng.choice([(120, 48, 30), (200, 150, 60), (70, 36, 30), (230, 220, 190)])
        draw.polygon(st.side(back - side * 0.05, hh, hh + 0.25, zz, zz + 0.3), fill=colour)
    lx, ly = st.at(wall - side * 0.8, 2.15, (z0 + z1) / 2)
    r = st.focal * 0.09 / z0
    draw.ellipse((lx - r, ly - r, lx + r, ly + r), fill=(255, 236, 190))
    glow.ellipse((lx - 5 * r, ly - 5 * r, lx + 5 * r, ly + 5 * r), fill=(120, 80, 40))
    glow.polygon(st.side(back, -2.4, -0.9, z0, z1), fill=(34, 20, 10))  # mirrored in the paving
    draw.polygon(st.side(inner, 0.0, 1.0, z0, z1), fill=(40, 24, 22))
    draw.polygon(st.side(inner, 0.95, 1.02, z0, z1), fill=(230, 180, 120))
    for post in (z0, z1):
        line = [st.at(inner, 0, post), st.at(inner, 2.35, post)]
        draw.line(line, fill=(30, 20, 20), width=max(1, round(40 / z0)))
    edge = inner - side * 0.3
    roof = st.poly((edge, 2.3, z0), (edge, 2.3, z1), (wall, 2.9, z1), (wall, 2.9, z0))
    draw.polygon(roof, fill=mix(hue, (0, 0, 0), 0.35))
    for k in range(6):  # a striped valance along the awning's front edge
        za = z0 + (z1 - z0) * k / 6
        colour = hue if k % 2 else mix(hue, (240, 228, 210), 0.75)
        draw.polygon(st.side(edge, 2.02, 2.32, za, za + (z1 - z0) / 6), fill=colour)


def lantern(
    draw: ImageDraw.ImageDraw,
    glow: ImageDraw.ImageDraw,
    st: Street,
    x: float,
    height: float,
    z: float,
    hue: RGB,
) -> None:
    """A round paper lantern hanging at (x, height, z), its light, and its reflection below."""
    cx, cy = st.at(x, height, z)
    r = st.focal * 0.2 / z
    draw.line((cx, cy - r * 1.6, cx, cy - r), fill=(70, 40, 36), width=max(1, round(r / 12)))
    draw.ellipse((cx - r, cy - r * 1.1, cx + r, cy + r * 1.1), fill=mix(hue, (0, 0, 0), 0.15))
    draw.ellipse((cx - r * 0.8, cy - r, cx + r * 0.8, cy + r), fill=hue)
    core = mix(hue, (255, 240, 190), 0.6)
    draw.ellipse((cx - r * 0.45, cy - r * 0.75, cx + r * 0.45, cy + r * 0.75), fill=core)
    for sign in (-1, 1):
        cap = cy + sign * r * 1.05
        draw.rectangle(
            (cx - r * 0.42, cap - r * 0.12, cx + r * 0.42, cap + r * 0.12), fill=(54, 26, 22)
        )
    tassel = mix(hue, (0, 0, 0), 0.35)
    draw.line((cx, cy + r * 1.15, cx, cy + r * 1.9), fill=tassel, width=max(1, round(r / 7)))
    glow.ellipse(
        (cx - r * 2, cy - r * 2.2, cx + r * 2, cy + r * 2.2), fill=mix((0, 0, 0), hue, 0.55)
    )
    rx, ry = st.at(x, -height, z)  # mirrored in the wet paving
    glow.ellipse(
        (rx - r * 0.4, ry - r * 3.5, rx + r * 0.4, ry + r * 3.5), fill=mix((0, 0, 0), hue, 0.45)
    )


def person(
    draw: ImageDraw.ImageDraw,
    st: Street,
    rng: random.Random,
    z: float,
    half: float,
    across: float | None = None,
) -> None:
    """A dark figure standing ``z`` metres away, between the stalls (``across`` from the middle)."""
    x = rng.uniform(-half + 1.9, half - 1.9) if across is None else across
    tall = rng.uniform(1.5, 1.85)
    shade = (*mix((12, 9, 12), (70, 46, 50), min(1.0, z / 40)), 255)
    feet, head = st.at(x, 0, z), st.at(x, tall, z)
    px = st.focal / z
    wide = rng.uniform(0.2, 0.27)
    neck, hips = head[1] + 0.25 * px, feet[1] - 0.8 * px
    draw.ellipse((feet[0] - wide * px, neck, feet[0] + wide * px, neck + 0.3 * px), fill=shade)
    draw.polygon([(feet[0] - wide * px, neck + 0.15 * px), (feet[0] + wide * px, neck + 0.15 * px),
                  (feet[0] + wide * 0.8 * px, hips), (feet[0] - wide * 0.8 * px, hips)], fill=shade)  # fmt: skip
    for leg in (-1, 1):
        lx = feet[0] + leg * 0.08 * px
        draw.line(
            (lx, feet[1] - 0.85 * px, lx, feet[1]), fill=shade, width=max(1, round(0.13 * px))
        )
    draw.ellipse((head[0] - 0.1 * px, head[1], head[0] + 0.1 * px, head[1] + 0.25 * px), fill=shade)
    if rng.random() < 0.3:  # a shopping bag breaks up the outline
        bx = feet[0] + rng.choice((-1, 1)) * (wide + 0.05) * px
        draw.rectangle(
            (bx - 0.06 * px, feet[1] - 0.95 * px, bx + 0.06 * px, feet[1] - 0.65 * px), fill=shade
        )


def main() -> int:
    """Write both JPEGs."""
    OUT.mkdir(parents=True, exist_ok=True)
    harbour_dawn(random.Random(7)).save(OUT / "harbour-dawn.jpg", quality=QUALITY, optimize=True)
    market_lanterns(random.Random(11)).save(
        OUT / "market-lanterns.jpg", quality=QUALITY, optimize=True
    )
    for name in ("harbour-dawn.jpg", "market-lanterns.jpg"):
        print(f"{OUT / name}: {(OUT / name).stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
