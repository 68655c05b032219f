"""Merging separately rendered PDFs: font unions, widths and Unicode maps, pages, the cache."""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import time
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from pypdf.generic import ArrayObject, FloatObject, NumberObject

from conftest import SAMPLES, page_texts, reader
from printbrief import Article, Renderer, load
from printbrief.finish import Rendered
from printbrief.fonts import FACES
from printbrief.identity import article_key
from printbrief.issue.cache import Cache
from printbrief.issue.chunks import RUN_LENGTH, Chunker, runs
from printbrief.issue.load import Entry
from printbrief.issue.plan import plan_pages, slots
from printbrief.pdf.fontmerge import NotMergeable, merge_truetype
from printbrief.pdf.fontpool import parse_to_unicode, parse_widths, to_unicode_cmap, widths_array
from printbrief.pdf.merge import Merger, OutlineItem, Slot, merge


def serif_program(pdf: bytes) -> bytes:
    """The embedded PB Serif subset of a printbrief PDF."""
    for ref in reader(pdf).pages[0]["/Resources"]["/Font"].values():
        font = ref.get_object()
        if str(font["/BaseFont"]).endswith("+PB-Serif"):
            cid = font["/DescendantFonts"][0].get_object()
            return bytes(cid["/FontDescriptor"]["/FontFile2"].get_object().get_data())
    raise AssertionError("no PB Serif in the PDF")


@pytest.fixture(scope="module")
def two(renderer: Renderer) -> tuple[bytes, bytes]:
    first = renderer.render(Article(headline="Alpha", body="abc xyz quick"))
    second = renderer.render(Article(headline="Beta", body="QRS 0123 — “jumps”"))
    return first, second


def outlines(font: TTFont) -> dict[int, object]:
    order, glyf = font.getGlyphOrder(), font["glyf"]
    return {
        gid: glyf[name].getCoordinates(glyf)[0]
        for gid, name in enumerate(order)
        if glyf[name].numberOfContours != 0
    }


def test_union_holds_every_glyph_of_both_subsets_with_the_source_outlines(
    two: tuple[bytes, bytes],
) -> None:
    subsets = [TTFont(io.BytesIO(serif_program(pdf))) for pdf in two]
    merged = TTFont(io.BytesIO(merge_truetype([serif_program(pdf) for pdf in two])))
    union = outlines(merged)
    source = TTFont(str(next(f.path for f in FACES if f.family == "PB Serif" and f.weight == 400)))
    expected = outlines(source)
    for subset in subsets:
        assert outlines(subset).keys() <= union.keys()
    assert len(union) > max(len(outlines(s)) for s in subsets)
    assert all(union[gid] == expected[gid] for gid in union)
    assert merged["maxp"].numGlyphs == max(s["maxp"].numGlyphs for s in subsets)


def test_cff_programs_are_not_merged() -> None:
    with pytest.raises(NotMergeable):
        merge_truetype([b"OTTO" + b"\0" * 64])


def test_widths_both_forms_and_back() -> None:
    array = ArrayObject(
        [
            NumberObject(3),
            ArrayObject([NumberObject(500), FloatObject(250.5)]),
            NumberObject(10),
            NumberObject(12),
            NumberObject(600),
        ]
    )
    widths = parse_widths(array)
    assert widths == {3: 500, 4: 250.5, 10: 600, 11: 600, 12: 600}
    assert parse_widths(widths_array(widths)) == widths


def test_unicode_maps_round_trip_with_ranges_and_ligatures() -> None:
    cmap = to_unicode_cmap({1: "A", 2: "ﬁ", 300: "陳", 301: "fi"})
    assert parse_to_unicode(cmap) == {1: "A", 2: "ﬁ", 300: "陳", 301: "fi"}
    ranged = b"2 beginbfrange\n<0010> <0012> <0041>\n<0020> <0021> [<0061> <0062>]\nendbfrange"
    assert parse_to_unicode(ranged) == {16: "A", 17: "B", 18: "C", 32: "a", 33: "b"}


def test_merged_pages_share_one_font_each_and_keep_links(renderer: Renderer) -> None:
    parts = [
        renderer.render(load(SAMPLES / name))
        for name in ("mixed-en-quotes-cjk.json", "ja.json", "en-news-brief.json")
    ]
    pdf = merge(parts, [Slot(0), Slot(1), Slot(2)], outline=[OutlineItem("Ports", 0)])
    document = reader(pdf)
    names = [
        str(r.get_object()["/BaseFont"])
        for p in document.pages
        for r in p["/Resources"]["/Font"].values()
    ]
    refs = {
        str(r.get_object()["/BaseFont"]): r.idnum
        for p in document.pages
        for r in p["/Resources"]["/Font"].values()
    }
    assert len(refs) == len(set(names))
    links = [a.get_object()["/A"]["/URI"] for a in document.pages[0].get("/Annots", [])]
    href = re.search(r'href="(https://[^"]+)"', load(SAMPLES / "mixed-en-quotes-cjk.json").body)
    assert href and href[1] in links
    assert [page_texts(p)[0] for p in parts] == page_texts(pdf)
    assert document.outline[0].title == "Ports"


def test_the_result_does_not_depend_on_the_order_sources_arrive(renderer: Renderer) -> None:
    parts = [
        renderer.render(load(SAMPLES / "en-news-brief.json")),
        renderer.render(Article(headline="Quiet harbour", body="Only *three* boats left today.")),
        renderer.render(load(SAMPLES / "ja.json")),
        renderer.render(Article(headline="港", body="静かな朝。", lang="ja")),
    ]
    results = []
    for order in (range(4), reversed(range(4))):
        merger, number = Merger(), {}
        for index in order:
            number[index] = merger.add(parts[index])
        results.append(merger.write([Slot(number[i]) for i in range(4)], info_from=number[0]))
    assert results[0] == results[1]


def test_sources_parsed_only_when_needed_merge_to_the_same_bytes(renderer: Renderer) -> None:
    """A cached run of articles is parsed only if the merge is not cached itself; parsed late,
    it must pool its fonts as if parsed at once."""
    parts = [
        renderer.render(load(SAMPLES / "en-news-brief.json")),
        renderer.render(load(SAMPLES / "ja.json")),
        renderer.render(Article(headline="Quiet harbour", body="Only *three* boats left today.")),
    ]
    results = []
    for late in ((), (0, 1), (0, 1, 2)):  # at once; two pulled in by the third; all on writing
        merger = Merger()
        numbers = [merger.add(pdf, parse=i not in late) for i, pdf in enumerate(parts)]
        assert len(merger.readers) == (0 if len(late) == 3 else 3)
        assert merger.sources == parts
        results.append(merger.write([Slot(n) for n in numbers]))
    assert results[0] == results[1] == results[2]


def test_the_same_fonts_three_times_cost_little_more_than_once(renderer: Renderer) -> None:
    one = renderer.render(load(SAMPLES / "ja.json"))
    three = merge([one, one, one], [Slot(0), Slot(1), Slot(2)])
    assert len(three) < 1.4 * len(one), (len(three), len(one))


def test_stamped_page_draws_both_and_blank_slots_are_empty(renderer: Renderer) -> None:
    body = renderer.render(Article(headline="Under", body="Body text."))
    stamp = renderer.render(Article(headline="Over", body="Stamp text."))
    pdf = merge([body, stamp], [Slot(0, folio=(1, 0)), Slot(None)])
    texts = page_texts(pdf)
    assert "Under" in texts[0] and "Over" in texts[0] and texts[1].strip() == ""


def entries(*indexes: int) -> list[Entry]:
    return [Entry(i, None, Article(headline=f"h{i}", body="b")) for i in indexes]


def test_plan_puts_blank_left_hand_pages_before_right_hand_starts() -> None:
    plan = plan_pages(2, entries(0, 1, 2), {0: 2, 1: 1, 2: 1}, right_hand=True)
    assert [p.first for p in plan.placements] == [3, 5, 7] and plan.total == 7
    pages = slots(plan, 0, {0: (1, 0), 1: (2, 0), 2: (3, 0)}, 4)
    assert [s.source for s in pages] == [0, 0, 1, 1, 2, None, 3]
    assert [s.folio for s in pages if s.source not in (None, 0)] == [(4, 0), (4, 1), (4, 2), (4, 3)]
    assert plan_pages(2, entries(0, 1), {0: 2, 1: 1}).total == 5


def test_cache_round_trip_rejects_truncated_files_and_prunes(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.put("ab" * 32, Rendered(b"%PDF-1.7 body %%EOF\n", 3))
    assert Cache(tmp_path).get("ab" * 32) == Rendered(b"%PDF-1.7 body %%EOF\n", 3)
    (tmp_path / "ab" / f"{'ab' * 32}.pdf").write_bytes(b"%PDF-1.7 bo")
    assert Cache(tmp_path).get("ab" * 32) is None
    old = time.time() - 40 * 86400
    os.utime(tmp_path / "ab" / f"{'ab' * 32}.json", (old, old))
    assert Cache(tmp_path).prune() == 1 and not list(tmp_path.glob("??/*"))


def test_article_key_follows_picture_content_not_only_its_name(tmp_path: Path) -> None:
    shutil.copy(SAMPLES / "images" / "harbour-dawn.jpg", tmp_path / "pic.jpg")
    (tmp_path / "a.md").write_text("---\nheadline: H\n---\nText ![x](pic.jpg)\n")
    article = load(tmp_path / "a.md")
    before = article_key("fp", article, {})
    assert article_key("fp", article, {}) == before
    shutil.copy(SAMPLES / "images" / "market-lanterns.jpg", tmp_path / "pic.jpg")
    assert article_key("fp", article, {}) != before
    assert article_key("fp", article, {"issue_head": "x"}) != article_key("fp", article, {})


def test_runs_are_cut_by_key_so_an_insertion_changes_few_runs() -> None:
    keys = {i: hashlib.sha256(str(i).encode()).hexdigest() for i in range(300)}
    before = runs(list(range(300)), keys)
    assert sum(map(len, before)) == 300 and max(map(len, before)) <= 4 * RUN_LENGTH
    after = runs([*range(100), 1000, *range(100, 300)], {**keys, 1000: "00000001" + "0" * 56})
    assert 1 <= len([run for run in after if run not in before]) <= 2


def test_chunker_merges_a_run_without_the_article_that_failed(renderer: Renderer) -> None:
    parts = [renderer.render(Article(headline=f"Story {n}", body="Text.")) for n in range(3)]
    keys = {n: "1" * 64 for n in range(3)}  # no cut: one run
    merger = Merger()
    chunker = Chunker(Cache(None), merger, [0, 1, 2], keys)
    assert chunker.from_cache() == set()
    chunker.offer(0, Rendered(parts[0], 1))
    chunker.offer(1, None)
    assert chunker.positions == {}
    chunker.offer(2, Rendered(parts[2], 1))
    assert chunker.positions == {0: (0, 0), 2: (0, 1)} and chunker.pages == {0: 1, 2: 1}
    texts = page_texts(merger.write([Slot(0, 0), Slot(0, 1)]))
    assert "Story 0" in texts[0] and "Story 2" in texts[1]


def test_chunker_knows_page_counts_on_arrival_before_merging(renderer: Renderer) -> None:
    pdf = renderer.render(Article(headline="Story", body="Text.")).pdf
    keys = {0: "1" * 64, 1: "1" * 64}
    chunker = Chunker(Cache(None), Merger(), [0, 1], keys, {1: (1, 2)})
    chunker.arrive(0, Rendered(pdf, 1))
    chunker.arrive(1, Rendered(pdf, 3, (1, 2)))  # a continuous section's two articles
    assert chunker.pages == {0: 1, 1: 1, 2: 2}
    assert chunker.positions == {} and chunker.merger.sources == []


def _width_mismatches(pdf: bytes) -> list[str]:
    """Glyphs whose advance in the embedded program differs from the font's ``/W`` entry
    (PDF/A-2 §6.2.11.5, PDF/UA-1 §7.21.5: the two shall agree)."""
    wrong = []
    for page in reader(pdf).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            cid = font["/DescendantFonts"][0].get_object()
            program = TTFont(io.BytesIO(cid["/FontDescriptor"]["/FontFile2"].get_data()))
            scale = 1000 / program["head"].unitsPerEm
            order, hmtx = program.getGlyphOrder(), program["hmtx"]
            for gid, width in parse_widths(cid.get("/W", ArrayObject())).items():
                advance = hmtx[order[gid]][0] * scale if gid < len(order) else 0
                if abs(advance - width) > 1:
                    wrong.append(
                        f"{font['/BaseFont']} GID {gid}: hmtx {advance:.0f}, /W {width:.0f}"
                    )
    return sorted(set(wrong))


def test_merged_programs_agree_with_their_widths(two: tuple[bytes, bytes]) -> None:
    assert _width_mismatches(two[0]) == []  # a single render agrees
    merged = merge(list(two), [Slot(0), Slot(1)])
    assert _width_mismatches(merged) == []  # the space (an empty glyph) kept its advance


def test_merged_files_carry_a_reproducible_trailer_id(two: tuple[bytes, bytes]) -> None:
    first = merge(list(two), [Slot(0), Slot(1)])
    ids = reader(first).trailer["/ID"]
    assert len(ids) == 2 and len(bytes(ids[0].original_bytes)) == 16  # an MD5
    assert merge(list(two), [Slot(0), Slot(1)]) == first


def test_stream_data_ending_in_cr_keeps_its_length_unambiguous() -> None:
    """After a CR, "\\n endstream" would read as a CRLF end of line, one byte short of /Length
    (PDF/A-2 §6.1.7.1; page-validation PDFA2B-STREAM-LENGTH-001): the marker is CRLF then."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject

    from printbrief.pdf.writer import write_compact

    writer = PdfWriter()
    stream = DecodedStreamObject()
    stream.set_data(b"ends in a carriage return\r")
    writer._add_object(stream)
    pdf = write_compact(writer)
    assert b"stream\nends in a carriage return\r\r\nendstream" in pdf
