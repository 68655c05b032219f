"""IPTC NITF 3.x (News Industry Text Format): head metadata, hedline, byline, body.content.

``body.content`` becomes HTML (NITF's ``hl2`` a subheading, ``bq`` a block quote, names and
places plain text); its ``media`` pictures become the article's pictures. The mapping is
tabled in ``docs/inputs.md``; elements without an article field are reported by their path.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html import escape
from typing import Any

from ..errors import InputError
from .mapped import Mapped
from .safexml import text

_HTML = {"p": "p", "hl2": "h2", "bq": "blockquote", "ul": "ul", "ol": "ol", "li": "li",
         "dl": "dl", "dt": "dt", "dd": "dd", "pre": "pre", "table": "table", "caption": "caption",
         "thead": "thead", "tbody": "tbody", "tfoot": "tfoot", "tr": "tr", "th": "th", "td": "td",
         "em": "em", "q": "q", "a": "a", "br": "br", "hr": "hr", "sub": "sub", "sup": "sup",
         "credit": "cite", "lang": "span"}  # fmt: skip
_TEXT = {"block", "person", "org", "location", "chron", "event", "function", "money", "num",
         "object.title", "postaddr", "virtloc", "classifier", "copyrite", "frac", "pronounce",
         "alt-code", "city", "country", "region", "sublocation", "state", "delivery.point",
         "postcode", "name.given", "name.family", "frac-num", "frac-den"}  # fmt: skip
"""Inline NITF elements whose text is printed as it is (they mark meaning, not looks)."""
_BASIC_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})?(Z|[+-]\d{4})?)?$")
_HEAD_READ = {"title", "docdata", "pubdata", "tobject"}


def recognise(root: Any) -> bool:
    """An XML root element named ``nitf``."""
    return isinstance(root, ET.Element) and root.tag == "nitf"


def read(root: Any, source: str | None) -> Mapped:
    """Map an NITF document to article fields (:class:`~printbrief.formats.Mapped`)."""
    if not recognise(root):
        raise InputError(f"root element <{root.tag}> is not nitf", source=source)
    out = Mapped("NITF", names={"headline": "body.head/hedline/hl1", "body": "body.content"})
    body_head = root.find("body/body.head")
    if body_head is not None:
        _body_head(body_head, out)
    _head(root.find("head"), out)
    out.put("lang", root.get("xml:lang") or root.get("lang"), "nitf@xml:lang")
    content = root.find("body/body.content")
    if content is not None:
        _content(content, out)
    for child in root.find("body") if root.find("body") is not None else ():
        if child.tag not in ("body.head", "body.content"):
            out.skip(f"body/{child.tag}")
    return out


def _head(head: ET.Element | None, out: Mapped) -> None:
    if head is None:
        return
    if not out.has("headline"):
        out.put("headline", text(head.find("title")), "head/title")
    _docdata(head.find("docdata"), out)
    pubdata = head.find("pubdata")
    if pubdata is not None:
        out.put("publication", pubdata.get("name"), "head/pubdata@name")
        out.put("section", pubdata.get("position.section"), "head/pubdata@position.section")
        link = pubdata.get("ex-ref", "")
        out.put("url", link if link.startswith(("http://", "https://")) else None,
                "head/pubdata@ex-ref")  # fmt: skip
    for subject in head.findall("tobject/tobject.subject"):
        _tag(out, subject.get("tobject.subject.type") or subject.get("tobject.subject.matter"))
    _head_leftovers(head, out)


def _head_leftovers(head: ET.Element, out: Mapped) -> None:
    for child in head:
        if child.tag not in _HEAD_READ:
            out.skip(f"head/{child.tag}")
    for index, _ in enumerate(head.findall("pubdata")[1:], start=2):
        out.skip(f"head/pubdata[{index}]")  # another edition: the first one is printed
    for child in head.findall("tobject/*"):
        if child.tag != "tobject.subject":
            out.skip(f"head/tobject/{child.tag}")


def _docdata(docdata: ET.Element | None, out: Mapped) -> None:
    if docdata is None:
        return
    id_element = docdata.find("doc-id")
    out.put("id", id_element.get("id-string") if id_element is not None else None,
            "head/docdata/doc-id@id-string")  # fmt: skip
    issued = docdata.find("date.issue")
    if issued is not None:
        out.put("published", iso_date(issued.get("norm", "")), "head/docdata/date.issue@norm")
    for keyword in docdata.findall("key-list/keyword"):
        _tag(out, keyword.get("key"))
    read = {"doc-id", "date.issue", "key-list"}
    for child in docdata:
        if child.tag not in read:
            out.skip(f"head/docdata/{child.tag}")


def _tag(out: Mapped, name: str | None) -> None:
    tags = out.fields.setdefault("tags", [])
    out.names.setdefault("tags", "head/docdata/key-list")
    if name and name.strip() and name.strip() not in tags:
        tags.append(name.strip())


def _body_head(body_head: ET.Element, out: Mapped) -> None:
    out.put("headline", text(body_head.find("hedline/hl1")), "body.head/hedline/hl1")
    out.put("standfirst", text(body_head.find("hedline/hl2")), "body.head/hedline/hl2")
    if not out.has("standfirst"):
        out.put("standfirst", text(body_head.find("abstract")), "body.head/abstract")
    elif body_head.find("abstract") is not None:
        out.skip("body.head/abstract")
    out.put("byline", _byline(body_head.find("byline")), "body.head/byline")
    dateline = body_head.find("dateline")
    date = dateline.find("story.date") if dateline is not None else None
    if date is not None and date.get("norm"):
        out.put("published", iso_date(date.get("norm", "")), "body.head/dateline/story.date@norm")
    for child in body_head:
        if child.tag not in ("hedline", "byline", "abstract"):
            out.skip(f"body.head/{child.tag}")


def _byline(element: ET.Element | None) -> str:
    """The byline's text with its title (``byttl``) after a comma: ``By Ana Ruiz, Harbour reporter``."""
    if element is None:
        return ""
    title = text(element.find("byttl"))
    parts = [element.text or ""]
    for child in element:
        parts += [text(child) if child.tag != "byttl" else "", child.tail or ""]
    name = " ".join("".join(parts).split())
    return f"{name}, {title}" if title and name else name or title


def iso_date(norm: str) -> str:
    """NITF's ISO 8601 basic form as the extended form the article model reads.

    >>> iso_date("20260501T083000Z"), iso_date("20260501"), iso_date("2026-05-01")
    ('2026-05-01T08:30:00+00:00', '2026-05-01', '2026-05-01')
    """
    match = _BASIC_DATE.match(norm.strip())
    if not match:
        return norm  # extended already, or wrong: the model's date check names the field
    y, mo, d, h, mi, s, zone = match.groups()
    if h is None:
        return f"{y}-{mo}-{d}"
    offset = "+00:00" if zone in (None, "Z") else f"{zone[:3]}:{zone[3:]}"
    return f"{y}-{mo}-{d}T{h}:{mi}:{s or '00'}{offset}"


def _content(content: ET.Element, out: Mapped) -> None:
    images: list[dict[str, str]] = []
    body = _children_html(content, out, images)
    out.put("body", body, "body.content")
    out.fields["body_format"] = "html"
    out.put("images", images, "body.content/media")


def _children_html(element: ET.Element, out: Mapped, images: list[dict[str, str]]) -> str:
    parts = [escape(element.text or "")]
    for child in element:
        parts += [_html(child, out, images), escape(child.tail or "")]
    return "".join(parts)


def _html(element: ET.Element, out: Mapped, images: list[dict[str, str]]) -> str:
    if element.tag == "media":
        _media(element, out, images)
        return ""
    tag = _HTML.get(element.tag)
    if tag is None and element.tag not in _TEXT:
        out.skip(f"body.content/{element.tag}")  # reported with its content (a table's cells)
        return ""
    inner = _children_html(element, out, images)
    if tag is None:
        return inner
    attrs = ""
    if tag == "a" and element.get("href"):
        attrs = f' href="{escape(element.get("href", ""))}"'
    if element.get("xml:lang") or element.get("lang"):
        attrs += f' lang="{escape(element.get("xml:lang") or element.get("lang") or "")}"'
    return f"<{tag}{attrs}>" if tag in ("br", "hr") else f"<{tag}{attrs}>{inner}</{tag}>"


def _media(media: ET.Element, out: Mapped, images: list[dict[str, str]]) -> None:
    reference = media.find("media-reference")
    if media.get("media-type") != "image" or reference is None or not reference.get("source"):
        out.skip("body.content/media")
        return
    for child in media:
        if child.tag not in ("media-reference", "media-caption", "media-producer"):
            out.skip(f"body.content/media/{child.tag}")
    image = {
        "src": reference.get("source", ""),
        "alt": reference.get("alternate-text", ""),
        "caption": text(media.find("media-caption")),
        "credit": text(media.find("media-producer")),
    }
    images.append({k: v for k, v in image.items() if v})
