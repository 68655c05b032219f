"""Photos: opaque colour photographs that are not JPEG are embedded as JPEG, once per content."""

from __future__ import annotations

import io
from pathlib import Path

import pypdf
import pytest
from PIL import Image

from printbrief import Article, Renderer, images
from printbrief import Image as ArticleImage
from printbrief.images import PhotoCache


def _photo(size: tuple[int, int] = (640, 480), mode: str = "RGB") -> Image.Image:
    """Random colour per pixel: far more colours than any chart, like a photograph."""
    bands = [Image.effect_noise(size, 90) for _ in range(3)]
    photo = Image.merge("RGB", bands)
    return photo.convert(mode) if mode != "RGB" else photo


def _png(image: Image.Image, **params: object) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", **params)
    return out.getvalue()


def _chart(size: tuple[int, int] = (640, 480)) -> Image.Image:
    chart = Image.new("RGB", size, "white")
    for x in range(0, size[0], 40):  # bars in three colours: a few dozen colours in all
        chart.paste((30, 90, 160) if x % 120 else (200, 60, 40), (x, size[1] // 3, x + 30, size[1]))
    return chart


def test_photo_png_becomes_jpeg_with_same_size() -> None:
    jpeg = PhotoCache().convert(_png(_photo()))
    assert jpeg is not None
    with Image.open(io.BytesIO(jpeg)) as converted:
        assert (converted.format, converted.size, converted.mode) == ("JPEG", (640, 480), "RGB")


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(_png(_chart()), id="chart: few colours keep sharp edges"),
        pytest.param(_png(_photo(mode="RGBA").copy()), id="opaque RGBA is converted"),
        pytest.param(_png(_photo((300, 200))), id="small: re-encoding is cheap"),
        pytest.param(_png(_photo().convert("L")), id="grey"),
    ],
)
def test_what_is_left_alone(data: bytes) -> None:
    converted = PhotoCache().convert(data)
    with Image.open(io.BytesIO(data)) as source:
        opaque_rgba = source.mode == "RGBA"
    assert (converted is not None) == opaque_rgba


def test_transparent_photo_keeps_its_alpha() -> None:
    photo = _photo(mode="RGBA")
    photo.putalpha(Image.linear_gradient("L").resize(photo.size))
    assert PhotoCache().convert(_png(photo)) is None


def test_orientation_survives_conversion() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise when shown
    jpeg = PhotoCache().convert(_png(_photo(), exif=exif.tobytes()))
    assert jpeg is not None
    with Image.open(io.BytesIO(jpeg)) as converted:
        assert converted.getexif()[0x0112] == 6


def test_converted_once_per_content(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = images._as_jpeg
    monkeypatch.setattr(images, "_as_jpeg", lambda data: calls.append(1) or real(data))
    cache, photo, chart = PhotoCache(), _png(_photo()), _png(_chart())
    first = cache.convert(photo)
    assert cache.convert(photo) is first
    assert cache.convert(chart) is None and cache.convert(chart) is None
    assert len(calls) == 2


def test_cache_is_bounded_by_bytes() -> None:
    cache = PhotoCache(max_bytes=1)
    one, two = _png(_photo()), _png(_photo())
    cache.convert(one)
    cache.convert(two)
    assert cache._size <= 1 and len(cache._entries) == 0


def _embedded_filters(pdf: bytes) -> list[str]:
    found = []
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        for obj in page["/Resources"].get("/XObject", {}).values():
            obj = obj.get_object()
            if obj["/Subtype"] == "/Image" and obj["/Width"] == 640:
                found.append(str(obj["/Filter"]))
    return found


@pytest.fixture(scope="module")
def photo_article(tmp_path_factory: pytest.TempPathFactory) -> Article:
    folder = tmp_path_factory.mktemp("photos")
    (folder / "harbour.png").write_bytes(_png(_photo()))
    article = Article(
        headline="Night market", body="Stalls open at dusk.", lang="en",
        images=[ArticleImage(src="harbour.png", caption="The quay", alt="Boats at the quay")],
    )  # fmt: skip
    return article.with_source(folder / "article.json")


def test_render_embeds_photo_as_jpeg(photo_article: Article) -> None:
    assert _embedded_filters(Renderer().render(photo_article)) == ["/DCTDecode"]


def test_lossless_images_keeps_png(photo_article: Article) -> None:
    pdf = Renderer(lossless_images=True).render(photo_article)
    assert _embedded_filters(pdf) == ["/FlateDecode"]


def test_cli_flag_reaches_the_renderer(photo_article: Article, tmp_path: Path) -> None:
    from printbrief.cli import main

    source = tmp_path / "a.json"
    (tmp_path / "harbour.png").write_bytes(_png(_photo()))
    source.write_text(photo_article.model_dump_json())
    for flag, expected in (([], "/DCTDecode"), (["--lossless-images"], "/FlateDecode")):
        out = tmp_path / f"out{len(flag)}.pdf"
        assert main(["-q", "render", str(source), "-o", str(out), *flag]) == 0
        assert _embedded_filters(out.read_bytes()) == [expected]
