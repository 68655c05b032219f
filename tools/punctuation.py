"""Bake CJK punctuation compression into a font's default `kern` feature (used by build_fonts.py).

clreq (W3C "Requirements for Chinese Text Layout", 3.1.6) and jlreq (W3C "Requirements for
Japanese Text Layout", 3.1.4) take out the blank half of a punctuation mark next to another one:
`》：`, `，“`, `）」` and `」、` each leave half an em, not a full one. OpenType fonts describe this
with the `chws` feature (contextual half-width spacing) and, per glyph, with `halt`. Neither is
on by default, and asking for them from CSS (`font-feature-settings`) makes WeasyPrint 70 leak a
Pango attribute list per text layout. So the build makes the fonts do it by default:

* a font that has `chws` (Noto Serif CJK 2.003) gets its `chws` lookups added to `kern`, in
  every script and language system;
* a font without it (the Noto Sans SC/TC/JP/KR 2.004 builds) gets a pair-positioning lookup in
  `kern` made from its own `halt` values: a mark whose blank half is on its right (closing
  brackets, and the full stops and commas set in the left half) loses that half before any
  other CJK mark; an opening bracket loses its left half after a mark that is not itself
  compressed. Marks set in the middle of the em (Traditional Chinese `，。：`) keep their
  spaces, except that an opening bracket after them loses its left half.

Line-start and line-end trimming needs to know where lines break, so it is not a font matter.
"""

from __future__ import annotations

from collections.abc import Iterator

from fontTools.otlLib import builder
from fontTools.ttLib import TTFont
from fontTools.ttLib.tables import otTables

# Punctuation that can carry a blank half: CJK Symbols and Punctuation, full-width forms, and
# the quotes that Chinese fonts draw full width.
PUNCTUATION = frozenset(
    [
        *range(0x3001, 0x3004),  # 、。〃
        *range(0x3008, 0x3012),  # 〈〉《》「」『』【】
        *range(0x3014, 0x3020),  # 〔〕〖〗〘〙〚〛〜〝〞〟
        *(0xFF01, 0xFF08, 0xFF09, 0xFF0C, 0xFF0E, 0xFF1A, 0xFF1B, 0xFF1F),  # ！（），．：；？
        *(0xFF3B, 0xFF3D, 0xFF5B, 0xFF5D, 0xFF5F, 0xFF60),  # ［］｛｝｟｠
        *(0x2018, 0x2019, 0x201C, 0x201D),  # ‘’“”
    ]
)


def bake(font: TTFont) -> str:
    """Make `kern` compress consecutive CJK punctuation; return which data it came from."""
    table = font["GPOS"].table
    tags = {record.FeatureTag for record in table.FeatureList.FeatureRecord}
    if "chws" in tags:
        _merge_into_kern(table, "chws", ())
        return "chws"
    lookup = _halt_pairs(font)
    table.LookupList.Lookup.append(lookup)
    table.LookupList.LookupCount = len(table.LookupList.Lookup)
    _merge_into_kern(table, None, (table.LookupList.LookupCount - 1,))
    return "halt"


def halt_values(font: TTFont) -> dict[str, tuple[int, int]]:
    """Glyph name → (XPlacement, XAdvance) of the font's `halt` feature."""
    table = font["GPOS"].table
    found: dict[str, tuple[int, int]] = {}
    for record in table.FeatureList.FeatureRecord:
        if record.FeatureTag != "halt":
            continue
        for index in record.Feature.LookupListIndex:
            for sub in table.LookupList.Lookup[index].SubTable:
                found.update(_single_pos(sub))
    return found


def _single_pos(sub: otTables.SinglePos) -> Iterator[tuple[str, tuple[int, int]]]:
    glyphs = sub.Coverage.glyphs
    values = [sub.Value] * len(glyphs) if sub.Format == 1 else sub.Value
    for glyph, value in zip(glyphs, values, strict=True):
        yield glyph, (getattr(value, "XPlacement", 0) or 0, getattr(value, "XAdvance", 0) or 0)


def _classes(font: TTFont) -> tuple[dict[str, int], dict[str, int], set[str]]:
    """The punctuation glyphs blank on the right, blank on the left, and all of them."""
    halt = halt_values(font)
    cmap = font.getBestCmap()
    right: dict[str, int] = {}
    left: dict[str, int] = {}
    every: set[str] = set()
    for cp in sorted(PUNCTUATION & set(cmap)):
        glyph = cmap[cp]
        placement, advance = halt.get(glyph, (0, 0))
        if advance >= 0:
            continue  # no blank half: not a full-width mark in this font
        every.add(glyph)
        if placement == 0:
            right[glyph] = advance
        elif placement == advance:
            left[glyph] = advance
    return right, left, every


def _halt_pairs(font: TTFont) -> otTables.Lookup:
    """A PairPos lookup applying `halt` to the mark that gives up its blank half."""
    right, left, every = _classes(font)
    pairs: dict[tuple[str, str], tuple[object, object]] = {}
    for first in sorted(every):
        for second in sorted(every):
            if first in right:
                pairs[first, second] = (builder.buildValue({"XAdvance": right[first]}), None)
            elif second in left:
                shift = builder.buildValue({"XPlacement": left[second], "XAdvance": left[second]})
                pairs[first, second] = (None, shift)
    subtables = builder.buildPairPosGlyphs(pairs, font.getReverseGlyphMap())
    return builder.buildLookup(subtables)


def _langsystems(table: otTables.GPOS) -> Iterator[otTables.LangSys]:
    for script in table.ScriptList.ScriptRecord:
        if script.Script.DefaultLangSys is not None:
            yield script.Script.DefaultLangSys
        for record in script.Script.LangSysRecord:
            yield record.LangSys


def _merge_into_kern(table: otTables.GPOS, tag: str | None, extra: tuple[int, ...]) -> None:
    """Give every language system one `kern` feature with its kern, `tag` and `extra` lookups."""
    records = table.FeatureList.FeatureRecord
    made: dict[tuple[int, ...], int] = {}
    for langsys in _langsystems(table):
        merged = [i for i in langsys.FeatureIndex if records[i].FeatureTag in ("kern", tag)]
        lookups = {n for i in merged for n in records[i].Feature.LookupListIndex} | set(extra)
        key = tuple(sorted(lookups))
        if key not in made:
            made[key] = len(records)
            records.append(_feature("kern", key))
        kept = [i for i in langsys.FeatureIndex if records[i].FeatureTag != "kern"]
        langsys.FeatureIndex = sorted([*kept, made[key]])
        langsys.FeatureCount = len(langsys.FeatureIndex)
    _sort_features(table)


def _feature(tag: str, lookups: tuple[int, ...]) -> otTables.FeatureRecord:
    record = otTables.FeatureRecord()
    record.FeatureTag = tag
    record.Feature = otTables.Feature()
    record.Feature.FeatureParams = None
    record.Feature.LookupListIndex = list(lookups)
    record.Feature.LookupCount = len(lookups)
    return record


def _sort_features(table: otTables.GPOS) -> None:
    """Order the FeatureList by tag, as the OpenType spec asks, and renumber the references."""
    records = table.FeatureList.FeatureRecord
    order = sorted(range(len(records)), key=lambda i: (records[i].FeatureTag, i))
    new_index = {old: new for new, old in enumerate(order)}
    table.FeatureList.FeatureRecord = [records[i] for i in order]
    table.FeatureList.FeatureCount = len(order)
    for langsys in _langsystems(table):
        langsys.FeatureIndex = sorted(new_index[i] for i in langsys.FeatureIndex)
        if langsys.ReqFeatureIndex != 0xFFFF:
            langsys.ReqFeatureIndex = new_index[langsys.ReqFeatureIndex]
