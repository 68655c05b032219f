"""IPTC ninjs 2.x (News in JSON): headlines, bodies, by, subjects, dates, picture associations.

The mapping is tabled in ``docs/inputs.md``; fields without an article field are reported.
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
        and any(k in data for k in ("headlines", "bodies", "version", "standard"))
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
    _dates(item, out, source)
    _associations(item, out, source)
    for key in item:
        if key not in _READ | _IDENTIFY:
            out.skip(key)
    return out


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
        out.put("byline", byline([n.strip() for n in names if n.strip()], None), "bylines")


def _subjects(item: dict[str, Any], out: Mapped, source: str | None) -> None:
    tags: list[str] = []
    for index, entry in enumerate(_entries(item, "subjects", source)):
        name = text_of(entry.get("name"), f"subjects.{index}.name", source)
        if name and name.strip() and name.strip() not in tags:
            tags.append(name.strip())
        elif not name:
            out.skip(f"subjects.{index}")
    out.put("tags", tags, "subjects")


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
                 "by", "copyrightholder", "standard"}  # fmt: skip


def _picture(entry: dict[str, Any], where: str, out: Mapped, source: str | None) -> dict[str, Any]:
    rendition = _rendition(_entries(entry, "renditions", source))
    if rendition is None:
        return {}
    texts = _entries(entry, "descriptions", source)
    alt, caption = _pick(texts, _ALT_ROLES), _pick(texts, ("caption", *_SUMMARY_ROLES))
    titles = _entries(entry, "headlines", source)
    image = {
        "src": text_of(rendition.get("href"), f"{where}.renditions.href", source),
        "alt": _value(texts[alt], where, source) if alt is not None else None,
        "caption": _value(texts[caption], where, source) if caption is not None else None,
        "credit": text_of(entry.get("by") or entry.get("copyrightholder"), where, source),
    }
    if image["caption"] is None and titles:
        image["caption"] = _value(titles[0], f"{where}.headlines.0", source)
    for key in entry:
        if key not in _PICTURE_READ:
            out.skip(f"{where}.{key}")
    return {k: v for k, v in image.items() if v}


def _rendition(renditions: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The rendition to print: a named original, else the largest, else the first with a link."""
    usable = [r for r in renditions if isinstance(r.get("href"), str) and r["href"].strip()]
    for rendition in usable:
        if str(rendition.get("name", "")).lower() in _BEST_RENDITIONS:
            return rendition
    sized = [r for r in usable if isinstance(r.get("width"), int | float)]
    if sized:
        return max(sized, key=lambda r: r["width"] * (r.get("height") or 1))
    return usable[0] if usable else None
