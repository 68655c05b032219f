"""Running heads, URL footers and page numbers marked as pagination artifacts in tagged PDFs.

WeasyPrint 70 wraps the text of page-margin boxes in marked content with an MCID and builds
structure elements for it that it never links into the structure tree ("could be included
as Artifact, but that's only allowed in PDF 2.0", weasyprint/pdf/tags.py). Assistive
technology then reads the running head and "Page N of M" on every page. PDF/UA-1 (ISO
14289-1 §7.8) and ISO 32000-1 §14.8.2.2 want them as ``/Artifact`` of type ``/Pagination``.

This works on the pydyf objects duck-typed (dictionaries and streams of operators), so the
finisher stays the only module that imports pydyf.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

PAGINATION = b"<</Type /Pagination>>"


def mark_pagination(
    objects: Mapping[bytes, Any], catalog: Mapping[str, Any], pages: Sequence[Any]
) -> int:
    """Turn marked content that no structure element reaches into pagination artifacts.

    ``objects`` maps references (``b"12 0 R"``) to pydyf objects, ``pages`` are the page
    dictionaries in order. Returns how many sequences were turned into artifacts.
    """
    root = objects[_ref(catalog["StructTreeRoot"])]
    reachable = set(_walk(objects, root))
    nums = objects[_ref(root["ParentTree"])]["Nums"]
    changed = 0
    for page_number, page in enumerate(pages):
        orphans = _orphans(objects, nums, page_number, reachable)
        if orphans:
            changed += _to_artifacts(objects[_ref(page["Contents"])].stream, orphans)
    return changed


def _walk(objects: Mapping[bytes, Any], node: Any) -> Iterator[bytes]:
    for kid in node.get("K", ()):
        if isinstance(kid, bytes | str) and _ref(kid) in objects:
            child = objects[_ref(kid)]
            if isinstance(child, dict) and child.get("Type") == "/StructElem":
                yield _ref(kid)
                yield from _walk(objects, child)


def _orphans(
    objects: Mapping[bytes, Any], nums: list[Any], page_number: int, reachable: set[bytes]
) -> set[int]:
    """MCIDs on a page whose structure element is not in the tree; their entries emptied."""
    # WeasyPrint writes the pages' entries first, in page order: key p at index 2p.
    if len(nums) <= 2 * page_number + 1 or nums[2 * page_number] != page_number:
        return set()
    elements = nums[2 * page_number + 1]
    orphans = set()
    for mcid, ref in enumerate(elements):
        if isinstance(ref, bytes | str) and _ref(ref) not in reachable:
            orphans.add(mcid)
            objects[_ref(ref)].clear()  # an unreachable, now empty dictionary
            elements[mcid] = "null"
    return orphans


def _to_artifacts(operators: list[Any], orphans: set[int]) -> int:
    """Rewrite ``/Tag <</MCID n>> BDC`` as ``/Artifact <</Type /Pagination>> BDC``."""
    changed = 0
    for i in range(1, len(operators) - 1):
        item = operators[i]
        if isinstance(item, dict) and item.get("MCID") in orphans and operators[i + 1] == b"BDC":
            operators[i - 1], operators[i] = "/Artifact", PAGINATION
            changed += 1
    return changed


def _ref(value: Any) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode()
