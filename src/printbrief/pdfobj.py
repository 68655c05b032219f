"""pypdf objects, resolved and checked: pypdf types every value as ``PdfObject``."""

from __future__ import annotations

from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, PdfObject, StreamObject


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
