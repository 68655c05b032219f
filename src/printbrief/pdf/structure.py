"""One structure tree for a merged PDF: every source's tagged content under one ``Document``.

A tagged PDF has exactly one ``/StructTreeRoot`` (ISO 32000-1 §14.7.2); its ``/ParentTree``
maps each page's ``/StructParents`` key (and each annotation's ``/StructParent``) to the
structure elements its marked content belongs to. Merged sources each bring a tree numbered
from 0, so their elements are copied under one ``Document`` element, their ``/Pg`` and
``/Obj`` references pointed at the merged pages and annotations, and their keys renumbered.
MCIDs are per page (§14.7.4.4) and each source page becomes one merged page, so they stay.
An element from a source whose language differs from the document's gets its own ``/Lang``
(PDF/UA-1, ISO 14289-1 §7.2: natural language of content).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NullObject,
    NumberObject,
    PdfObject,
    TextStringObject,
)

from .objects import pdf_array, pdf_dict


@dataclass
class Placement:
    """Where each source page and annotation landed: (source, page index) → merged page,
    (source, annotation object number) → merged annotation."""

    pages: dict[tuple[int, int], IndirectObject] = field(default_factory=dict)
    annotations: dict[tuple[int, int], IndirectObject] = field(default_factory=dict)


def is_tagged(reader: PdfReader) -> bool:
    """Whether a source has a structure tree."""
    return "/StructTreeRoot" in pdf_dict(reader.trailer["/Root"])


class TreeMerger:
    """Copies the sources' structure trees into ``writer`` as one tree."""

    def __init__(self, writer: PdfWriter, placement: Placement, lang: str | None) -> None:
        self.writer, self.placement, self.lang = writer, placement, lang
        self.document = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/StructElem"),
                NameObject("/S"): NameObject("/Document"),
            }
        )
        self.document_ref = writer._add_object(self.document)
        self.kids = ArrayObject()
        self.nums = ArrayObject()
        self.role_map = DictionaryObject()
        self._copied: dict[int, IndirectObject] = {}  # source object number → copy, per source
        self._numbers: dict[int, int] = {}  # source page object number → page index

    def add(self, index: int, reader: PdfReader) -> None:
        """Source ``index``'s tree: its top elements under the document, its keys renumbered."""
        catalog = pdf_dict(reader.trailer["/Root"])
        root = pdf_dict(catalog["/StructTreeRoot"])
        self._copied = {}
        self._numbers = {
            page.indirect_reference.idnum: n
            for n, page in enumerate(reader.pages)
            if page.indirect_reference is not None
        }
        lang = catalog.get("/Lang")
        for top in _tops(root):
            copy = self._element(index, top, self.document_ref)
            if copy is None:
                continue
            if lang and lang != self.lang and "/Lang" not in pdf_dict(copy):
                pdf_dict(copy)[NameObject("/Lang")] = TextStringObject(str(lang))
            self.kids.append(copy)
        for name, role in pdf_dict(root.get("/RoleMap", DictionaryObject())).items():
            self.role_map.setdefault(NameObject(name), role.clone(self.writer))
        self._parents(index, reader, dict(_numbers(pdf_dict(root["/ParentTree"]))))

    def _element(self, index: int, ref: PdfObject, parent: IndirectObject) -> PdfObject | None:
        """A copy of a structure element (and its kids), or None if none of it was placed."""
        source = pdf_dict(ref)
        copy = DictionaryObject()
        new_ref = self.writer._add_object(copy)
        for key, value in source.items():
            if key not in ("/P", "/Pg", "/K"):
                copy[NameObject(key)] = value.clone(self.writer)
        copy[NameObject("/P")] = parent
        page = self._page(index, source.raw_get("/Pg")) if "/Pg" in source else None
        if page is not None:
            copy[NameObject("/Pg")] = page
        kids = [self._kid(index, kid, new_ref) for kid in _kids(source)]
        if "/K" in source and not any(k is not None for k in kids):
            return None  # every kid was on a page or annotation the merge left out
        copy[NameObject("/K")] = ArrayObject(k for k in kids if k is not None)
        if isinstance(ref, IndirectObject):
            self._copied[ref.idnum] = new_ref
        return new_ref

    def _kid(self, index: int, kid: PdfObject, parent: IndirectObject) -> PdfObject | None:
        if isinstance(kid, NumberObject):  # an MCID on the element's own page
            return kid
        value = pdf_dict(kid)
        kind = value.get("/Type")
        if kind == "/MCR":
            return self._reference(index, value, "/Pg")
        if kind == "/OBJR":
            return self._reference(index, value, "/Obj")
        return self._element(index, kid, parent)

    def _reference(self, index: int, ref: DictionaryObject, target: str) -> PdfObject | None:
        """A marked-content or object reference pointed at the merged page or annotation."""
        copy = DictionaryObject(
            {
                NameObject(k): v.clone(self.writer)
                for k, v in ref.items()
                if k not in ("/Pg", "/Obj")
            }
        )
        if "/Pg" in ref:
            page = self._page(index, ref.raw_get("/Pg"))
            if page is None:
                return None
            copy[NameObject("/Pg")] = page
        if target == "/Obj":
            raw = ref.raw_get("/Obj")
            number = raw.idnum if isinstance(raw, IndirectObject) else -1
            annotation = self.placement.annotations.get((index, number))
            if annotation is None:
                return None
            copy[NameObject("/Obj")] = annotation
        return copy

    def _page(self, index: int, ref: PdfObject) -> IndirectObject | None:
        if not isinstance(ref, IndirectObject) or ref.idnum not in self._numbers:
            return None
        return self.placement.pages.get((index, self._numbers[ref.idnum]))

    def _parents(self, index: int, reader: PdfReader, numbers: Mapping[int, PdfObject]) -> None:
        """New ``/StructParents`` keys for the source's placed pages and annotations."""
        for number, page in enumerate(reader.pages):
            merged = self.placement.pages.get((index, number))
            if merged is not None and "/StructParents" in page:
                elements = numbers.get(_int(page["/StructParents"]))
                pdf_dict(merged)[NameObject("/StructParents")] = self._key(self._mapped(elements))
        for (source, _), annotation in self.placement.annotations.items():
            value = pdf_dict(annotation)
            if source == index and "/StructParent" in value:
                elements = numbers.get(_int(value["/StructParent"]))
                value[NameObject("/StructParent")] = self._key(self._mapped(elements))

    def _mapped(self, elements: PdfObject | None) -> PdfObject:
        if elements is None:
            return ArrayObject()
        value = elements.get_object()
        if isinstance(value, ArrayObject):
            return ArrayObject(self._one(v) for v in value)
        return self._one(elements)

    def _one(self, ref: PdfObject) -> PdfObject:
        copied = self._copied.get(ref.idnum) if isinstance(ref, IndirectObject) else None
        return copied if copied is not None else NullObject()

    def _key(self, value: PdfObject) -> NumberObject:
        key = NumberObject(len(self.nums) // 2)
        self.nums += [key, value]
        return key

    def finish(self, catalog: DictionaryObject) -> None:
        """The one ``/StructTreeRoot``, ``/MarkInfo`` and ``/Lang`` in ``catalog``."""
        self.document[NameObject("/K")] = self.kids
        root = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/StructTreeRoot"),
                NameObject("/K"): ArrayObject([self.document_ref]),
                NameObject("/ParentTree"): self.writer._add_object(
                    DictionaryObject({NameObject("/Nums"): self.nums})
                ),
                NameObject("/ParentTreeNextKey"): NumberObject(len(self.nums) // 2),
            }
        )
        if self.role_map:
            root[NameObject("/RoleMap")] = self.role_map
        root_ref = self.writer._add_object(root)
        self.document[NameObject("/P")] = root_ref
        catalog[NameObject("/StructTreeRoot")] = root_ref
        catalog[NameObject("/MarkInfo")] = DictionaryObject(
            {NameObject("/Marked"): BooleanObject(True)}
        )


def _tops(root: DictionaryObject) -> Iterator[PdfObject]:
    """The elements below the source's ``Document`` (or below the root if it has none)."""
    for top in _kids(root):
        value = pdf_dict(top)
        if value.get("/S") == "/Document":
            yield from _kids(value)
        else:
            yield top


def _kids(element: DictionaryObject) -> Sequence[PdfObject]:
    if "/K" not in element:
        return ()
    raw = element.raw_get("/K")
    value = raw.get_object()
    return list(value) if isinstance(value, ArrayObject) else [raw]


def _numbers(tree: DictionaryObject) -> Iterator[tuple[int, PdfObject]]:
    """A number tree's (key, value) pairs, its ``/Kids`` included."""
    nums = pdf_array(tree["/Nums"]) if "/Nums" in tree else ArrayObject()
    for i in range(0, len(nums) - 1, 2):
        yield int(nums[i]), nums[i + 1]
    for kid in pdf_array(tree["/Kids"]) if "/Kids" in tree else ():
        yield from _numbers(pdf_dict(kid))


def _int(value: PdfObject) -> int:
    resolved = value.get_object()
    if not isinstance(resolved, NumberObject):
        raise TypeError(f"expected a PDF integer, got {type(resolved).__name__}")
    return int(resolved)
