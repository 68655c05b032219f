"""IPTC ninjs 2.x (News in JSON): headlines, bodies, by, subjects, dates, picture associations.

ninjs 1.x's singular fields (``headline``, ``body_html`` …) are read where the 2.x arrays are
absent. The mapping is tabled in ``docs/inputs.md``; fields without an article field are
reported.
"""

from __future__ import annotations

from typing import Any

from .mapped import Mapped, byline, list_of, mapping_of, plain, text_of

_READ = {
    "uri", "headlines", "bodies", "descriptions", "by", "bylines", "subjects", "language",
    "firstcreated", "versioncreated", "slugline", "associations",
}  # fmt: skip
_IDENTIFY = {"standard", "type", "version", "$schema"}
"""Fields that say what the file is, not what the article says: read, never reported."""
_MAIN_ROLES = (None, "main", "headline")
_SUMMARY_ROLES = (None, "summary", "abstract", "description", "standfirst")
_ALT_ROLES = ("alt", "alttext", "alt-text", "alternativetext", "alternative-text", "accessibility")
_PICTURES = ("picture", "graphic")
_BEST_RENDITIONS = ("original", "highres", "hires", "baseimage", "full", "print")


def recognise(data: Any) -> bool:
    """A JSON object with a ``uri`` and ninjs content or version fields."""
    return (
        isinstance(data, dict)
        and isinstance(data.get("uri"), str)
        and any(k in data for k in ("headlines", "bodies", "version", "standard", "body_html"))
    )


def read(data: Any, source: str | None) -> Mapped:
    """Map one ninjs object to article fields (:class:`~printbrief.formats.Mapped`)."""
    item = mapping_of(data, "", source)
    out = Mapped("ninjs", names={"headline": "headlines", "body": "bodies"})
    out.put("id", text_of(item.get("uri"), "uri", source), "uri")
    out.put("lang", text_of(item.get("language"), "language", source), "language")
    out.put("section", text_of(item.get("slugline"), "slugline", source), "slugline")
    _headlines(item, out, source)
    _bodies(item, out, source)
    _descriptions(item, out, source)
    _by(item, out, source)
    _subjects(item, out, source)
    _legacy(item, out, source)
    _dates(item, out, source)
    _associations(item, out, source)
    for key in item:
        if key not in _READ | _IDENTIFY and key not in out.names.values():
            out.skip(key)
    return out


def _legacy(item: dict[str, Any], out: Mapped, source: str | None) -> None:
    """ninjs 1.x's singular fields, for what the 2.x fields left unset."""
    for theirs, ours in (("headline", "headline"), ("byline", "byline"),
                         ("description_text", "standfirst")):  # fmt: skip
        if not out.has(ours):
            out.put(ours, text_of(item.get(theirs), theirs, source), theirs)
    if not out.has("standfirst"):
        html = text_of(item.get("description_html"), "description_html", source)
        out.put("standfirst", plain(html or ""), "description_html")
    for theirs, kind in (("body_html", "html"), ("body_text", "text")):
        if not out.has("body") and text_of(item.get(theirs), theirs, source):
            out.put("body", item[theirs], theirs)
            out.fields["body_format"] = kind
    if not out.has("tags"):
        _subjects(item, out, source, key="subject")


def _entries(item: dict[str, Any], key: str, source: str | None) -> list[dict[str, Any]]:
    entries = list_of(item.get(key), key, source)
    return [mapping_of(e, f"{key}.{i}", source) for i, e in enumerate(entries)]


def _value(entry: dict[str, Any], where: str, source: str | None) -> str:
    """An entry's ``value`` as text (HTML reduced to text unless the caller keeps markup)."""
    value = text_of(entry.get("value"), f"{where}.value", source) or ""
    return plain(value) if "html" in str(entry.get("contenttype", "")) else value


def _pick(entries: list[dict[str, Any]], roles: tuple[str | None, ...]) -> int | None:
    for index, entry in enumerate(entries):
        if entry.get("role") in roles:
            return index
    return None


def _headlines(item: dict[str, Any], out: Mapped, source: str | None) -> None:
    entries = _entries(item, "headlines", source)
    chosen = _pick(entries, _MAIN_ROLES)
    chosen = 0 if chosen is None and entries else chosen
    for index, entry in enumerate(entries):
        where = f"headlines.{index}"
        if index == chosen:
            out.put("headline", _value(entry, where, source), f"{where}.value")
        else:
            out.skip(where)


def _bodies(item: dict[str, Any], out: Mapped, source: str | None) -> None:
    entries = _entries(item, "bodies", source)
    kinds = [str(e.get("contenttype") or "text/plain") for e in entries]
    chosen = next((i for i, k in enumerate(kinds) if "html" in k), None)  # HTML keeps markup
    if chosen is None:
        chosen = next((i for i, k in enumerate(kinds) if k.startswith("text/plain")), None)
    for index, entry in enumerate(entries):
        where = f"bodies.{index}"
        if index != chosen:
            out.skip(where)
            continue
        out.put("body", text_of(entry.get("value"), f"{where}.value", source), f"{where}.value")
        out.fields["body_format"] = "html" if "html" in kinds[index] else "text"


def _descriptions(item: dict[str, Any], out: Mapped, source: str | None) -> None:
    entries = _entries(item, "descriptions", source)
    chosen = _pick(entries, _SUMMARY_ROLES)
    for index, entry in enumerate(entries):
        where = f"descriptions.{index}"
        if index == chosen:
            out.put("standfirst", _value(entry, where, source), f"{where}.value")
        else:
            out.skip(where)


def _by(item: dict[str, Any], out: Mapped, source: str | None) -> None:
    out.put("byline", text_of(item.get("by"), "by", source), "by")
    entries = _entries(item, "bylines", source)
    if entries and out.has("byline"):
        out.skip("bylines")
        return
    names = [text_of(e.get("byline") or e.get("name"), "bylines", source) or "" for e in entries]
    if [n for n in names if n.strip()]:
        lang = out.fields.get("lang")
        out.put("byline", byline([n.strip() for n in names if n.strip()], lang), "bylines")


def _subjects(item: dict[str, Any], out: Mapped, source: str | None, key: str = "subjects") -> None:
    tags: list[str] = []
    for index, entry in enumerate(_entries(item, key, source)):
        name = text_of(entry.get("name"), f"{key}.{index}.name", source)
        if name and name.strip() and name.strip() not in tags:
            tags.append(name.strip())
        elif not name:
            out.skip(f"{key}.{index}")
    out.put("tags", tags, key)


def _dates(item: dict[str, Any], out: Mapped, source: str | None) -> None:
    first = text_of(item.get("firstcreated"), "firstcreated", source)
    latest = text_of(item.get("versioncreated"), "versioncreated", source)
    out.put("published", first or latest, "firstcreated" if first else "versioncreated")
    if first and latest and latest != first:
        out.put("updated", latest, "versioncreated")


def _associations(item: dict[str, Any], out: Mapped, source: str | None) -> None:
    value = item.get("associations")
    if isinstance(value, dict):  # ninjs 1.x: an object keyed by name
        value = list(value.values())
    images = []
    for index, entry in enumerate(list_of(value, "associations", source)):
        where = f"associations.{index}"
        entry = mapping_of(entry, where, source)
        if entry.get("type") in _PICTURES and (image := _picture(entry, where, out, source)):
            images.append(image)
        else:
            out.skip(where)
    out.put("images", images, "associations")


_PICTURE_READ = {"uri", "name", "type", "version", "renditions", "descriptions", "headlines",
                 "by", "byline", "copyrightholder", "standard", "description_text", "headline"}  # fmt: skip


def _picture(entry: dict[str, Any], where: str, out: Mapped, source: str | None) -> dict[str, Any]:
    renditions = entry.get("renditions")
    if isinstance(renditions, dict):  # ninjs 1.x: an object keyed by rendition name
        renditions = [{"name": k, **mapping_of(v, where, source)} for k, v in renditions.items()]
    rendition = _rendition(_entries({"renditions": renditions}, "renditions", source))
    if rendition is None:
        return {}
    texts = _entries(entry, "descriptions", source)
    alt, caption = _pick(texts, _ALT_ROLES), _pick(texts, ("caption", *_SUMMARY_ROLES))
    image = {
        "src": text_of(rendition.get("href"), f"{where}.renditions.href", source),
        "alt": _value(texts[alt], where, source) if alt is not None else None,
        "caption": _value(texts[caption], where, source) if caption is not None else None,
        "credit": text_of(_credit(entry), f"{where}.by", source),
    }
    image["caption"] = image["caption"] or _legacy_caption(entry, where, source)
    for key in entry:
        if key not in _PICTURE_READ:
            out.skip(f"{where}.{key}")
    return {k: v for k, v in image.items() if v}


def _credit(entry: dict[str, Any]) -> Any:
    return entry.get("by") or entry.get("byline") or entry.get("copyrightholder")


def _legacy_caption(entry: dict[str, Any], where: str, source: str | None) -> str | None:
    """A caption from the first headline (2.x) or ``description_text``/``headline`` (1.x)."""
    titles = _entries(entry, "headlines", source)
    if titles:
        return _value(titles[0], f"{where}.headlines.0", source)
    text = entry.get("description_text") or entry.get("headline")
    return text_of(text, f"{where}.description_text", source)


def _rendition(renditions: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The rendition to print: a named original, else the largest, else the first with a link."""
    usable = [r for r in renditions if isinstance(r.get("href"), str) and r["href"].strip()]
    for rendition in usable:
        if str(rendition.get("name", "")).lower() in _BEST_RENDITIONS:
            return rendition
    sized = [r for r in usable if _number(r.get("width"))]
    if sized:
        return max(sized, key=lambda r: _number(r["width"]) * (_number(r.get("height")) or 1))
    return usable[0] if usable else None


def _number(value: Any) -> float:
    """A rendition's size in pixels (0 when it is not a number)."""
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0
