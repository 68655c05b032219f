"""Whole issues in every variant: one structure tree across the merged articles, contents links
that describe themselves and do not overlap, press boxes and PDF/X document rules kept."""

from __future__ import annotations

import io
from collections import Counter, defaultdict
from itertools import combinations

import pdfplumber
import pytest
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from conftest import reader
from issuekit import sample_issue

pytestmark = pytest.mark.slow


def _kids(element: DictionaryObject) -> list[object]:
    kids = element.get("/K", [])
    return list(kids) if isinstance(kids, ArrayObject) else [kids]


def _elements(element: DictionaryObject) -> list[DictionaryObject]:
    found = []
    for kid in _kids(element):
        value = kid.get_object() if isinstance(kid, IndirectObject) else kid
        if isinstance(value, DictionaryObject) and value.get("/Type") not in ("/MCR", "/OBJR"):
            found += [value, *_elements(value)]
    return found


def test_tagged_issue_has_one_structure_tree_reaching_every_page() -> None:
    doc = reader(sample_issue("pdf/ua-1"))
    catalog = doc.trailer["/Root"]
    root = catalog["/StructTreeRoot"]
    assert bool(catalog["/MarkInfo"]["/Marked"])
    (document,) = [k.get_object() for k in root["/K"]]
    assert document["/S"] == "/Document"
    elements = _elements(document)
    nums = root["/ParentTree"]["/Nums"]
    tree = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    assert int(root["/ParentTreeNextKey"]) == len(tree)
    page_ids = {p.indirect_reference.idnum for p in doc.pages}
    assert all(e.raw_get("/Pg").idnum in page_ids for e in elements if "/Pg" in e)
    keys = [int(page["/StructParents"]) for page in doc.pages if "/StructParents" in page]
    assert len(keys) == len(set(keys)) >= len(doc.pages) - 1  # every page but a blank one
    # Every MCID drawn on a page names a structure element of that page's ParentTree entry.
    with pdfplumber.open(io.BytesIO(sample_issue("pdf/ua-1"))) as plumbed:
        for page, plumbed_page in zip(doc.pages, plumbed.pages, strict=True):
            mcids = {c["mcid"] for c in plumbed_page.chars if c.get("mcid") is not None}
            if not mcids:
                continue
            parents = tree[int(page["/StructParents"])]
            assert max(mcids) < len(parents)
            own = page.indirect_reference.idnum
            assert all(parents[m].get_object().raw_get("/Pg").idnum == own for m in mcids)


def test_each_article_keeps_its_language_in_the_merged_tree() -> None:
    doc = reader(sample_issue("pdf/ua-1"))
    assert doc.trailer["/Root"]["/Lang"] == "en"
    document = doc.trailer["/Root"]["/StructTreeRoot"]["/K"][0].get_object()
    tops = [k.get_object() for k in _kids(document)]
    languages = Counter(str(t.get("/Lang", "en")) for t in tops if t["/S"] == "/Art")
    assert languages["ja"] == 1 and languages["en"] >= 3, languages


def test_contents_links_describe_their_article_and_do_not_overlap() -> None:
    doc = reader(sample_issue("pdf/ua-1"))
    contents = doc.pages[1]
    links = [a.get_object() for a in contents["/Annots"]]
    assert contents["/Tabs"] == "/S"
    targets = Counter(str(link["/Dest"]) for link in links)
    assert len(targets) == 5 and set(targets.values()) == {1}  # one link an entry
    page_text = pdfplumber.open(io.BytesIO(sample_issue("pdf/ua-1"))).pages[1]
    text = page_text.extract_text().replace("\n", " ")
    for link in links:
        assert not str(link["/Contents"]).startswith("pb-"), link["/Contents"]
        assert str(link["/Contents"])[:20] in text
    rects = [[float(v) for v in link["/Rect"]] for link in links]
    for a, b in combinations(rects, 2):
        overlap = (
            min(a[2], b[2]) > max(a[0], b[0])
            and min(a[1], b[1]) < max(a[3], b[3])
            and (min(max(a[1], a[3]), max(b[1], b[3])) > max(min(a[1], a[3]), min(b[1], b[3])))
        )
        assert not overlap, (a, b)


@pytest.mark.parametrize("variant", ["pdf/a-2b", "pdf/a-3b", "pdf/ua-1", "pdf/x-4"])
def test_issue_has_one_xmp_packet_that_matches_the_info_dictionary(variant: str) -> None:
    doc = reader(sample_issue(variant))
    metadata = doc.trailer["/Root"].raw_get("/Metadata")
    assert isinstance(metadata, IndirectObject)  # a stream, not a dictionary inlined
    packet = metadata.get_object().get_data()
    assert packet.count(b"<rdf:RDF") == 1
    assert b"Weekend Edition" in packet and doc.metadata["/Title"] == "Weekend Edition"


def test_press_issue_keeps_slug_boxes_version_and_trapped_name() -> None:
    pdf = sample_issue("pdf/x-4")
    assert pdf.startswith(b"%PDF-1.6")
    doc = reader(pdf)
    assert isinstance(doc.metadata.get("/Trapped"), NameObject)
    sizes: dict[tuple[float, ...], int] = defaultdict(int)
    for page in doc.pages:
        media = [float(v) for v in page["/MediaBox"]]
        bleed = [float(v) for v in page["/BleedBox"]]
        trim = [float(v) for v in page["/TrimBox"]]
        assert media[0] < bleed[0] < trim[0] and media[2] > bleed[2] > trim[2]
        sizes[tuple(round(v, 1) for v in media)] += 1
    assert len(sizes) == 1  # cover, contents, articles and blank pages alike


def test_press_issue_pages_look_like_the_plain_ones() -> None:
    """pdfium's plain CMYK → RGB is no colour proof, but every page's pictures, tints and text
    must sit where the RGB issue has them (blurred: the trim sits a fraction of a pixel off)."""
    import pypdfium2 as pdfium
    from PIL import ImageChops, ImageFilter, ImageStat

    plain, press = (pdfium.PdfDocument(sample_issue(v)) for v in ("plain", "pdf/x-4"))
    trims = [[float(v) for v in p["/TrimBox"]] for p in reader(sample_issue("pdf/x-4")).pages]
    medias = [[float(v) for v in p["/MediaBox"]] for p in reader(sample_issue("pdf/x-4")).pages]
    assert len(plain) == len(press)
    for number, (trim, media) in enumerate(zip(trims, medias, strict=True)):
        rgb = plain[number].render(scale=0.5).to_pil().convert("L")
        shot = press[number].render(scale=0.5).to_pil().convert("L")
        left, top = round((trim[0] - media[0]) * 0.5), round((media[3] - trim[3]) * 0.5)
        cut = shot.crop((left, top, left + rgb.width, top + rgb.height))
        blurred = [im.filter(ImageFilter.GaussianBlur(2)) for im in (rgb, cut)]
        difference = ImageStat.Stat(ImageChops.difference(*blurred)).mean[0]
        assert difference < 8, f"page {number + 1}: mean grey difference {difference:.1f}"
