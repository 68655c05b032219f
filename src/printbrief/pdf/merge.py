"""Stage 7 for issues — merge: separately rendered PDFs into one, sharing fonts and pictures.

Articles of an issue are rendered one by one (in parallel, and cached), so each PDF carries
its own font subsets. Merging page by page would embed one subset per article; here each
font is embedded once, as the union of its subsets (see :mod:`printbrief.fontmerge`), and
identical pictures once. A page can have a second page stamped over it (the issue's folio,
"Page N of M", which only the merge can know).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NullObject,
    PdfObject,
    StreamObject,
    TextStringObject,
)

from .fontpool import FontPool
from .objects import (
    combine_resources,
    content_refs,
    digest,
    identity,
    pdf_array,
    pdf_dict,
    pdf_ref,
    pdf_stream,
    pure_text,
    share_profiles,
)
from .structure import Placement, TreeMerger, is_tagged
from .writer import write_compact

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Slot:
    """One page of the result: page ``page`` of source ``source`` (None: a blank page).

    ``folio`` names a (source, page) drawn over it; ``internal_links`` keeps links that point
    to named destinations (the contents), which only make sense in the merged document.
    """

    source: int | None
    page: int = 0
    folio: tuple[int, int] | None = None
    internal_links: bool = False


@dataclass(frozen=True)
class OutlineItem:
    """A bookmark: its title, the 0-based page it opens, and the bookmarks below it."""

    title: str
    page: int
    children: tuple[OutlineItem, ...] = ()


def merge(
    sources: Sequence[bytes],
    slots: Sequence[Slot],
    *,
    outline: Sequence[OutlineItem] = (),
    destinations: Mapping[str, int] | None = None,
    info_from: int = 0,
) -> bytes:
    """One PDF of ``slots``, with bookmarks, named destinations (name → 0-based page) and the
    document information, language and viewer preferences of source ``info_from``.

    >>> merge([front, article], [Slot(0), Slot(1), Slot(1, 1)])  # doctest: +SKIP
    """
    merger = Merger()
    for pdf in sources:
        merger.add(pdf)
    return merger.write(slots, outline=outline, destinations=destinations, info_from=info_from)


class Merger:
    """Sources added one by one (parsed, their fonts pooled), then the pages written.

    Adding is most of the work, so a caller can add each article as it arrives from a
    worker, while the others are still being rendered.
    """

    def __init__(self) -> None:
        self.sources: list[bytes] = []
        self.readers: list[PdfReader] = []
        self.writer = PdfWriter()
        self.fonts = FontPool(self.writer)
        self._resources: dict[tuple[int, int], DictionaryObject] = {}
        self._refs: dict[tuple[int, int, int | None], IndirectObject | None] = {}
        self._pure: dict[str, IndirectObject] = {}
        self._images: dict[bytes, IndirectObject] = {}
        self._forms: dict[tuple[int, int], IndirectObject] = {}
        self._q = self._stream(b"q\n")
        self._end_q = self._stream(b"\nQ\n")
        self._blank_size: tuple[float, float] | None = None
        self._first: DictionaryObject | None = None
        self.placement = Placement()
        self._labels: dict[str, str] = {}

    def add(self, pdf: bytes, *, parse: bool = True) -> int:
        """Take a source, parse it and pool its fonts; return its source number.

        With ``parse=False`` it is parsed only when needed: when a later source is parsed or
        the result written. Sources are parsed in the order they were added, so the fonts pool
        alike and the result is the same; a caller that finds the result cached (keyed by
        :attr:`sources`) parses nothing.
        """
        self.sources.append(pdf)
        if parse:
            self._parse()
        return len(self.sources) - 1

    def _parse(self) -> None:
        """Parse the sources not parsed yet, in order."""
        for pdf in self.sources[len(self.readers) :]:
            reader = PdfReader(io.BytesIO(pdf))
            len(reader.pages)  # parse the page tree now, not when writing
            self.fonts.collect(reader)
            self.readers.append(reader)

    def write(
        self,
        slots: Sequence[Slot],
        *,
        outline: Sequence[OutlineItem] = (),
        destinations: Mapping[str, int] | None = None,
        info_from: int = 0,
    ) -> bytes:
        """The merged document (see :func:`merge`)."""
        self._parse()
        self.fonts.build()
        first = self.readers[0].pages[0] if self.readers and self.readers[0].pages else None
        self._first = first
        self._blank_size = _size(first) if first is not None else None
        self._labels = _labels(outline, destinations or {})
        pages = [self._page(slot) for slot in slots]
        self._finish(pages, outline, destinations or {}, info_from)
        self._structure(slots, info_from)
        # The front matter's version: PDF/X-4 is PDF 1.6 (ISO 15930-7 §6.1.2).
        version = self.readers[info_from].pdf_header[5:] if self.readers else "1.7"
        share_profiles(self.writer)
        return write_compact(self.writer, version=version)

    def _stream(self, data: bytes) -> IndirectObject:
        stream = DecodedStreamObject()
        stream.set_data(data)
        # pypdf has no public call that adds a free-standing object to a writer.
        return self.writer._add_object(stream)

    def _page(self, slot: Slot) -> IndirectObject:
        """Append the slot's page and return its reference."""
        if slot.source is None:
            width, height = self._blank_size or (595.28, 841.89)
            blank = self.writer.add_blank_page(width, height)
            if self._first is not None:  # a press page's boxes (PDF/X wants a TrimBox on each)
                _copy_boxes(self._first, blank)
            return pdf_ref(blank)
        source = self.readers[slot.source].pages[slot.page]
        width, height = _size(source)
        page = self.writer.add_blank_page(width, height)
        self.placement.pages[(slot.source, slot.page)] = pdf_ref(page)
        _copy_boxes(source, page)
        contents = self._contents(source)
        resources: PdfObject = self._resources_ref(slot.source, source)
        if slot.folio:
            # The source page's content leaves its coordinate flip in place: wrap it in q/Q.
            contents = [self._q, *contents, self._end_q]
            folio = self.readers[slot.folio[0]].pages[slot.folio[1]]
            combined = self._resources_ref(slot.source, source, (slot.folio[0], folio))
            if combined is not None:
                contents += self._contents(folio)
                resources = combined
            else:  # a resource name means two things: draw the folio as a form instead
                contents.append(self._stream(b"q /PBFolio Do Q\n"))
                form = self._form(*slot.folio)
                resources = self._with_form(pdf_dict(resources), NameObject("/PBFolio"), form)
        page[NameObject("/Contents")] = ArrayObject(contents)
        page[NameObject("/Resources")] = resources
        annots = self._annotations(slot.source, source, slot.internal_links)
        if annots:
            page[NameObject("/Annots")] = ArrayObject(annots)
            page[NameObject("/Tabs")] = NameObject("/S")  # in structure order (PDF/UA-1 §7.18.3)
        return pdf_ref(page)

    def _contents(self, page: DictionaryObject) -> list[IndirectObject]:
        return [pdf_ref(ref.clone(self.writer)) for ref in content_refs(page)]

    def _resources_ref(
        self,
        index: int,
        page: DictionaryObject,
        folio: tuple[int, DictionaryObject] | None = None,
    ) -> IndirectObject:
        """The page's resources in the writer, with a folio page's merged in if given.

        WeasyPrint gives every page of a document one resources dictionary and names
        resources by what they are (fonts by face, ``a1.0`` by alpha), so an article and
        its folio sheet rarely disagree on a name; when they do this returns None.
        """
        key = (index, identity(page["/Resources"]), folio[0] if folio else None)
        if key not in self._refs:
            own = self.resources(index, page)
            combined = combine_resources(own, self.resources(folio[0], folio[1])) if folio else own
            self._refs[key] = self.writer._add_object(combined) if combined is not None else None
        return self._refs[key]  # type: ignore[return-value]

    def resources(self, index: int, page: DictionaryObject) -> DictionaryObject:
        """A source page's resources for the writer: pooled fonts, shared pictures, the rest
        (graphics states, colour spaces) shared when identical, else cloned."""
        key = (index, identity(page["/Resources"]))
        if key not in self._resources:
            copy = DictionaryObject()
            for name, value in pdf_dict(page["/Resources"]).items():
                if name == "/Font":
                    copy[NameObject(name)] = self._font_dict(pdf_dict(value))
                elif name == "/XObject":
                    copy[NameObject(name)] = self._xobjects(pdf_dict(value))
                else:
                    copy[NameObject(name)] = self._shared(value)
            self._resources[key] = copy
        return self._resources[key]

    def _shared(self, value: PdfObject) -> PdfObject:
        """One object for values every article repeats (``/ExtGState``, lab colour spaces)."""
        resolved = value.get_object()
        text = pure_text(resolved) if resolved is not None else None
        if resolved is None or text is None:
            return value.clone(self.writer)
        if text not in self._pure:
            copy = resolved.clone(self.writer, force_duplicate=True)
            self._pure[text] = self.writer._add_object(copy)
        return self._pure[text]

    def _font_dict(self, fonts: DictionaryObject) -> DictionaryObject:
        out = DictionaryObject()
        for name, ref in fonts.items():
            out[NameObject(name)] = self.fonts.reference(ref) or ref.clone(self.writer)
        return out

    def _xobjects(self, xobjects: DictionaryObject) -> DictionaryObject:
        out = DictionaryObject()
        for name, ref in xobjects.items():
            obj = ref.get_object()
            if isinstance(obj, StreamObject) and obj.get("/Subtype") == "/Image":
                out[NameObject(name)] = self._image(ref, obj)
            else:
                out[NameObject(name)] = ref.clone(self.writer)
        return out

    def _image(self, ref: PdfObject, image: StreamObject) -> IndirectObject:
        """The same picture used by several articles is embedded once."""
        key = digest(image)
        if key not in self._images:
            self._images[key] = pdf_ref(ref.clone(self.writer))
        return self._images[key]

    def _form(self, index: int, page_number: int) -> IndirectObject:
        """A source page as a form XObject (the folio drawn over an article page)."""
        key = (index, page_number)
        if key not in self._forms:
            page = self.readers[index].pages[page_number]
            data = b"".join(pdf_stream(ref).get_data() for ref in content_refs(page))
            form = DecodedStreamObject()
            form.set_data(data)
            form.update(
                {
                    NameObject("/Type"): NameObject("/XObject"),
                    NameObject("/Subtype"): NameObject("/Form"),
                    NameObject("/BBox"): ArrayObject(page.mediabox),
                    NameObject("/Resources"): self._resources_ref(index, page),
                }
            )
            self._forms[key] = self.writer._add_object(form.flate_encode())
        return self._forms[key]

    def _with_form(
        self, shared: DictionaryObject, name: NameObject, form: IndirectObject
    ) -> DictionaryObject:
        copy = DictionaryObject(shared)
        xobjects = DictionaryObject(pdf_dict(shared.get("/XObject", DictionaryObject())))
        xobjects[name] = form
        copy[NameObject("/XObject")] = xobjects
        return copy

    def _annotations(self, index: int, page: DictionaryObject, internal: bool) -> list[PdfObject]:
        kept: list[PdfObject] = []
        covered: dict[str, list[DictionaryObject]] = {}
        annots = page.get("/Annots")
        for ref in pdf_array(annots) if annots is not None else ():
            annot = pdf_dict(ref)
            action = annot.get("/A")
            is_uri = action is not None and pdf_dict(action).get("/S") == "/URI"
            if not (is_uri or (internal and "/Dest" in annot)):
                continue
            target = str(annot.get("/Dest", ""))
            if target and _absorbed(annot, covered.get(target, [])):
                continue  # WeasyPrint links a block and each box in it: one link an entry
            # /P points back at the source page: cloning it would copy that page too.
            copy = pdf_ref(annot.clone(self.writer, ignore_fields=["/P"]))
            covered.setdefault(target, []).append(pdf_dict(copy))
            if target in self._labels:  # a description, not the anchor's name (PDF/UA-1 §7.18.5)
                pdf_dict(copy)[NameObject("/Contents")] = TextStringObject(self._labels[target])
            if isinstance(ref, IndirectObject):
                self.placement.annotations[(index, ref.idnum)] = copy
            kept.append(copy)
        return kept

    def _structure(self, slots: Sequence[Slot], info_from: int) -> None:
        """One structure tree when the sources are tagged (PDF/UA), in the order of the pages."""
        if not self.readers or not is_tagged(self.readers[info_from]):
            return
        root = self.writer._root_object
        lang = root.get("/Lang")
        tree = TreeMerger(self.writer, self.placement, str(lang) if lang else None)
        for index in dict.fromkeys(s.source for s in slots if s.source is not None):
            if is_tagged(self.readers[index]):
                tree.add(index, self.readers[index])
        tree.finish(root)

    def _finish(
        self,
        pages: list[IndirectObject],
        outline: Sequence[OutlineItem],
        destinations: Mapping[str, int],
        info_from: int,
    ) -> None:
        """Bookmarks, named destinations and the document's metadata."""
        for item in outline:
            self._bookmark(item, pages, None)
        root = self.writer._root_object
        if destinations:
            names = ArrayObject()
            for name in sorted(destinations):
                target = ArrayObject(
                    [
                        pages[destinations[name]],
                        NameObject("/XYZ"),
                        NullObject(),
                        NullObject(),
                        NullObject(),
                    ]
                )
                names += [TextStringObject(name), target]
            dests = DictionaryObject({NameObject("/Names"): names})
            root[NameObject("/Names")] = DictionaryObject({NameObject("/Dests"): dests})
        if outline:
            root[NameObject("/PageMode")] = NameObject("/UseOutlines")
        self._metadata(self.readers[info_from] if self.readers else None)

    def _bookmark(
        self, item: OutlineItem, pages: list[IndirectObject], parent: IndirectObject | None
    ) -> None:
        ref = self.writer.add_outline_item(
            title=item.title, page_number=pages[item.page], parent=parent
        )
        for child in item.children:
            self._bookmark(child, pages, ref)

    def _metadata(self, reader: PdfReader | None) -> None:
        if reader is None:
            return
        info = reader.trailer.get("/Info")
        if info is not None:  # its /Producer (printbrief's) replaces pypdf's
            self.writer.add_metadata(pdf_dict(info))
            for key, value in pdf_dict(info).items():
                if isinstance(value, NameObject) and self.writer._info is not None:
                    # add_metadata makes every value a string; /Trapped is a name (PDF/X).
                    pdf_dict(self.writer._info)[NameObject(key)] = NameObject(value)
        catalog = pdf_dict(reader.trailer["/Root"])
        root = self.writer._root_object
        # A variant's XMP and output intent come with the front matter (PDF/A, PDF/UA).
        for key in ("/Lang", "/ViewerPreferences", "/Metadata", "/OutputIntents"):
            if key in catalog:  # raw_get: the metadata stream stays an indirect object
                root[NameObject(key)] = catalog.raw_get(key).clone(self.writer)


def _labels(outline: Sequence[OutlineItem], destinations: Mapping[str, int]) -> dict[str, str]:
    """A link description for each destination: the deepest bookmark opening its page."""
    titles: dict[int, str] = {}

    def visit(items: Sequence[OutlineItem]) -> None:
        for item in items:
            titles[item.page] = item.title
            visit(item.children)

    visit(outline)
    return {name: titles[page] for name, page in destinations.items() if page in titles}


def _rect(annot: DictionaryObject) -> tuple[float, ...]:
    x0, y0, x1, y1 = (float(v) for v in pdf_array(annot["/Rect"]))
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _absorbed(annot: DictionaryObject, kept: list[DictionaryObject]) -> bool:
    """Whether a link overlaps one kept to the same target, which grows to cover both."""
    a = _rect(annot)
    for other in kept:
        b = _rect(other)
        if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]:
            union = (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))
            other[NameObject("/Rect")] = ArrayObject(FloatObject(v) for v in union)
            return True
    return False


def _copy_boxes(source: DictionaryObject, page: DictionaryObject) -> None:
    """The source's boxes as they are: a press page's MediaBox starts below zero (the slug)."""
    for box in ("/MediaBox", "/TrimBox", "/BleedBox"):
        if box in source:
            page[NameObject(box)] = ArrayObject(
                FloatObject(float(v)) for v in pdf_array(source[box])
            )


def _size(page: DictionaryObject) -> tuple[float, float]:
    box = pdf_array(page["/MediaBox"])
    return float(box[2]) - float(box[0]), float(box[3]) - float(box[1])
