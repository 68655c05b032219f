"""IPTC NewsML-G2: a ``newsItem`` (alone or in a ``newsMessage``) with contentMeta and XHTML.

The text item gives the article; picture items of the same message (``remoteContent``) give its
pictures. The mapping is tabled in ``docs/inputs.md``; elements without an article field are
reported by their path.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from ..errors import InputError
from . import nitf
from .mapped import Mapped, byline
from .safexml import inner_html, text

ROOTS = ("newsMessage", "newsItem")
_IDENTIFY = {"catalogRef", "catalog", "itemMeta/itemClass"}
"""Elements that say what the file is, not what the article says: read, never reported."""
_CONTENT_META = {"headline", "slugline", "by", "creator", "subject", "keyword", "language",
                 "description"}  # fmt: skip


def recognise(root: Any) -> bool:
    """An XML root element named ``newsMessage`` or ``newsItem``."""
    return isinstance(root, ET.Element) and root.tag in ROOTS


def read(root: Any, source: str | None) -> Mapped:
    """Map a NewsML-G2 document's text item (and its pictures) to article fields."""
    if not recognise(root):
        raise InputError(f"root element <{root.tag}> is not newsMessage or newsItem", source=source)
    out = Mapped("NewsML-G2", names={"headline": "contentMeta/headline", "body": "contentSet"})
    items = [root] if root.tag == "newsItem" else root.findall("itemSet/newsItem")
    texts = [n for n, item in enumerate(items) if not _is_picture(item)]
    if not texts:
        raise InputError("no text newsItem (itemClass ninat:text)", source=source)
    _item(items[texts[0]], out)
    images = out.fields.pop("images", [])  # an NITF payload's own pictures come first
    for number, item in enumerate(items, start=1):
        where = f"itemSet/newsItem[{number}]"
        if _is_picture(item) and (image := _picture(item, where, out)):
            images.append(image)
        elif number - 1 != texts[0]:
            out.skip(where)  # a second story, or a picture without a picture file
    out.put("images", images, "newsItem/contentSet/remoteContent")
    if root.tag == "newsMessage":
        for child in root:
            if child.tag != "itemSet":
                out.skip(child.tag)
        for child in root.findall("itemSet/*"):
            if child.tag != "newsItem":
                out.skip(f"itemSet/{child.tag}")
    return out


def _is_picture(item: ET.Element) -> bool:
    kind = item.find("itemMeta/itemClass")
    qcode = kind.get("qcode", "") if kind is not None else ""
    return qcode.endswith(("picture", "graphic"))


def _item(item: ET.Element, out: Mapped) -> None:
    out.put("id", item.get("guid"), "newsItem@guid")
    out.put("lang", item.get("xml:lang"), "newsItem@xml:lang")
    _item_meta(item.find("itemMeta"), out)
    _content_meta(item.find("contentMeta"), out)
    _content(item.find("contentSet"), out)
    for child in item:
        if child.tag not in {"itemMeta", "contentMeta", "contentSet"} | _IDENTIFY:
            out.skip(child.tag)


def _item_meta(meta: ET.Element | None, out: Mapped) -> None:
    if meta is None:
        return
    first, latest = text(meta.find("firstCreated")), text(meta.find("versionCreated"))
    out.put(
        "published",
        first or latest,
        "itemMeta/firstCreated" if first else "itemMeta/versionCreated",
    )
    if first and latest and latest != first:
        out.put("updated", latest, "itemMeta/versionCreated")
    for child in meta:
        path = f"itemMeta/{child.tag}"
        if child.tag not in ("firstCreated", "versionCreated") and path not in _IDENTIFY:
            out.skip(path)


def _content_meta(meta: ET.Element | None, out: Mapped) -> None:
    if meta is None:
        return
    language = meta.find("language")
    if language is not None and language.get("tag"):
        out.put("lang", language.get("tag"), "contentMeta/language@tag")
    _headlines(meta, out)
    out.put("section", text(meta.find("slugline")), "contentMeta/slugline")
    out.put("byline", text(meta.find("by")), "contentMeta/by")
    if not out.has("byline"):
        names = [text(c.find("name")) for c in meta.findall("creator") if text(c.find("name"))]
        out.put("byline", byline(names, out.fields.get("lang")), "contentMeta/creator")
    _tags(meta, out)
    _descriptions(meta, out)
    for child in meta:
        if child.tag not in _CONTENT_META:
            out.skip(f"contentMeta/{child.tag}")


def _headlines(meta: ET.Element, out: Mapped) -> None:
    for index, headline in enumerate(meta.findall("headline")):
        main = index == 0 or not out.has("headline")
        if main and headline.get("role") in (None, "hlrole:main", "main"):
            out.put("headline", text(headline), "contentMeta/headline")
        elif headline.get("role", "").endswith(("sub", "subtitle")) and not out.has("standfirst"):
            out.put("standfirst", text(headline), "contentMeta/headline")
        else:
            out.skip(f"contentMeta/headline[{index + 1}]")


def _tags(meta: ET.Element, out: Mapped) -> None:
    tags: list[str] = []
    for index, subject in enumerate(meta.findall("subject"), start=1):
        name = text(subject.find("name"))
        if not name:
            out.skip(f"contentMeta/subject[{index}]")  # a code without a name: nothing to print
        elif name not in tags:
            tags.append(name)
    tags += [k for k in (text(e) for e in meta.findall("keyword")) if k and k not in tags]
    out.put("tags", tags, "contentMeta/subject")


def _descriptions(meta: ET.Element, out: Mapped) -> None:
    for index, description in enumerate(meta.findall("description"), start=1):
        role = description.get("role", "")
        if not out.has("standfirst") and role in ("", "drol:summary", "summary"):
            out.put("standfirst", text(description), "contentMeta/description")
        else:
            out.skip(f"contentMeta/description[{index}]")


def _content(content: ET.Element | None, out: Mapped) -> None:
    if content is None:
        return
    for index, child in enumerate(content, start=1):
        kind = child.get("contenttype", "")
        if out.has("body"):
            out.skip(f"contentSet/{child.tag}[{index}]")
        elif child.tag == "inlineXML":
            _inline_xml(child, out)
        elif child.tag == "inlineData" and kind.startswith("text/plain"):
            out.put("body", child.text or "", "contentSet/inlineData")
            out.fields["body_format"] = "text"
        else:
            out.skip(f"contentSet/{child.tag}[{index}]")


def _inline_xml(inline: ET.Element, out: Mapped) -> None:
    """XHTML (its ``body``) or an NITF document as the article body."""
    payload = inline.find("nitf")
    if payload is not None:
        _nitf_payload(nitf.read(payload, None), out)
        return
    body = inline.find("html/body")
    out.put("body", inner_html(body if body is not None else inline), "contentSet/inlineXML")
    out.fields["body_format"] = "html"


def _nitf_payload(inner: Mapped, out: Mapped) -> None:
    """An NITF payload's fields where contentMeta left them unset (its tags added to them)."""
    where = "contentSet/inlineXML/nitf"
    for key, value in inner.fields.items():
        if key == "tags" and out.has("tags"):
            out.fields["tags"] += [t for t in value if t not in out.fields["tags"]]
        elif not out.has(key):
            out.fields[key] = value
            out.names[key] = f"{where}/{inner.names.get(key, key)}"
    for path in inner.unmapped:
        out.skip(f"{where}/{path}")


_PICTURE_READ = {"itemMeta", "contentMeta", "contentSet"} | _IDENTIFY
_PICTURE_META = {"description", "creditline", "by", "headline"}


def _picture(item: ET.Element, where: str, out: Mapped) -> dict[str, str]:
    """A picture item: its widest ``remoteContent``, caption, alternative text and credit."""
    remotes = [r for r in item.findall("contentSet/remoteContent") if r.get("href")]
    if not remotes:
        return {}
    best = max(remotes, key=lambda r: _number(r.get("width")))
    meta = item.find("contentMeta")
    image = {"src": best.get("href", "")}
    _picture_leftovers(item, where, out)
    if meta is not None:
        for description in meta.findall("description"):
            role = description.get("role", "")
            key = "alt" if "alt" in role.lower() else "caption"
            image.setdefault(key, text(description))
        credit = text(meta.find("creditline")) or text(meta.find("by"))
        if credit:
            image["credit"] = credit
        if "caption" not in image and text(meta.find("headline")):
            image["caption"] = text(meta.find("headline"))
    return {k: v for k, v in image.items() if v}


def _picture_leftovers(item: ET.Element, where: str, out: Mapped) -> None:
    for child in item:
        if child.tag not in _PICTURE_READ:
            out.skip(f"{where}/{child.tag}")
    for child in item.findall("contentMeta/*"):
        if child.tag not in _PICTURE_META:
            out.skip(f"{where}/contentMeta/{child.tag}")


def _number(value: str | None) -> float:
    try:
        return float(value or 0)
    except ValueError:
        return 0.0
