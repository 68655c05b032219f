"""pypdf objects: resolved and checked (pypdf types every value as ``PdfObject``), compared, keyed."""

from __future__ import annotations

import hashlib

from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    PdfObject,
    StreamObject,
)


def pdf_dict(obj: PdfObject | None) -> DictionaryObject:
    """A dictionary, through a reference if need be."""
    value = obj.get_object() if obj is not None else None
    if not isinstance(value, DictionaryObject):
        raise TypeError(f"expected a PDF dictionary, got {type(value).__name__}")
    return value


def pdf_array(obj: PdfObject) -> ArrayObject:
    """An array, through a reference if need be."""
    value = obj.get_object()
    if not isinstance(value, ArrayObject):
        raise TypeError(f"expected a PDF array, got {type(value).__name__}")
    return value


def pdf_stream(obj: PdfObject) -> StreamObject:
    """A stream, through a reference if need be."""
    value = obj.get_object()
    if not isinstance(value, StreamObject):
        raise TypeError(f"expected a PDF stream, got {type(value).__name__}")
    return value


def pdf_ref(obj: PdfObject) -> IndirectObject:
    """The reference of an object already in a writer (or the reference itself)."""
    ref = obj if isinstance(obj, IndirectObject) else obj.indirect_reference
    if ref is None:
        raise TypeError("expected an object added to the writer")
    return ref


def content_refs(page: DictionaryObject) -> list[PdfObject]:
    """A page's content streams: ``/Contents`` is one stream or an array of them."""
    raw = page.get("/Contents")
    if raw is None:
        return []
    items = raw.get_object()
    return list(items) if isinstance(items, ArrayObject) else [raw]


def identity(obj: PdfObject) -> int:
    """A key for a PDF object: its object number, or for a direct object its Python id."""
    return obj.idnum if isinstance(obj, IndirectObject) else id(obj)


def pure_text(obj: PdfObject) -> str | None:
    """A canonical text of a value without references or streams, else None."""
    if isinstance(obj, (IndirectObject, StreamObject)):
        return None
    if isinstance(obj, DictionaryObject):
        parts = [(str(k), pure_text(v)) for k, v in sorted(obj.items())]
        return (
            None
            if any(t is None for _, t in parts)
            else "{" + ",".join(f"{k}:{t}" for k, t in parts) + "}"
        )
    if isinstance(obj, ArrayObject):
        items = [pure_text(v) for v in obj]
        return None if any(t is None for t in items) else "[" + ",".join(items) + "]"  # type: ignore[arg-type]
    return f"{type(obj).__name__}:{obj!r}"


def combine_resources(first: DictionaryObject, second: DictionaryObject) -> DictionaryObject | None:
    """Two resource dictionaries in one, or None if a name means different things."""
    out = DictionaryObject(first)
    for category in second:
        theirs = second.raw_get(category)
        if category not in out or same_object(out.raw_get(category), theirs):
            out[NameObject(category)] = theirs
            continue
        mine, other = out[category], second[category]
        if not isinstance(mine, DictionaryObject) or not isinstance(other, DictionaryObject):
            return None
        merged = DictionaryObject(mine)
        for name in other:
            if name in merged and not same_object(merged.raw_get(name), other.raw_get(name)):
                return None
            merged[NameObject(name)] = other.raw_get(name)
        out[NameObject(category)] = merged
    return out


def same_object(a: PdfObject, b: PdfObject) -> bool:
    """The same object in the writer, or equal values without references."""
    if isinstance(a, IndirectObject) or isinstance(b, IndirectObject):
        return (
            isinstance(a, IndirectObject) and isinstance(b, IndirectObject) and a.idnum == b.idnum
        )
    text = pure_text(a)
    return text is not None and text == pure_text(b)


def digest(stream: StreamObject) -> bytes:
    """Identity of a picture: its encoded data, its dictionary, and its soft mask's data."""
    hashed = hashlib.sha256(stream._data)
    for key in sorted(stream):
        value = stream[key]
        if key == "/SMask":
            hashed.update(digest(pdf_stream(value)))
        elif key != "/Length":
            hashed.update(f"{key}={value!r}".encode())
    return hashed.digest()


def share_profiles(writer: PdfWriter) -> None:
    """One object for each ICC profile the writer holds several identical copies of.

    Every PDF/X-4 article names its output profile (a 130 KB stream) in its output intent and
    colour spaces, and pypdf clones a stream again for each array that refers to it. The
    copies are freed and every reference points at the first.
    """
    first: dict[bytes, int] = {}
    moved: dict[int, int] = {}
    for number, obj in enumerate(writer._objects, start=1):
        if isinstance(obj, StreamObject) and _is_profile(obj):
            canonical = first.setdefault(digest(obj), number)
            if canonical != number:
                moved[number] = canonical
    if not moved:
        return
    for obj in writer._objects:
        _repoint(obj, moved, writer)
    for number in moved:
        writer._objects[number - 1] = None


def _is_profile(stream: StreamObject) -> bool:
    """An ICC profile stream (ISO 32000-1 §8.6.5.5): /N, and no type of its own."""
    return "/N" in stream and not {"/Type", "/Subtype", "/Length1"} & set(stream)


def _repoint(obj: PdfObject | None, moved: dict[int, int], writer: PdfWriter) -> None:
    """Point references to a freed copy at the object kept, inside ``obj``'s direct values."""
    if isinstance(obj, DictionaryObject):
        for key, value in list(obj.items()):
            obj[key] = _moved(value, moved, writer)
    elif isinstance(obj, ArrayObject):
        for index, value in enumerate(obj):
            obj[index] = _moved(value, moved, writer)


def _moved(value: PdfObject, moved: dict[int, int], writer: PdfWriter) -> PdfObject:
    if isinstance(value, IndirectObject):
        return IndirectObject(moved[value.idnum], 0, writer) if value.idnum in moved else value
    _repoint(value, moved, writer)
    return value
