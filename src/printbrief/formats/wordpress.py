"""WordPress REST API posts (``/wp-json/wp/v2/posts/ID?_embed``): title, content, excerpt, embeds.

The mapping is tabled in ``docs/inputs.md``; fields without an article field are reported.
"""

from __future__ import annotations

from typing import Any

from .mapped import Mapped, byline, list_of, mapping_of, plain, text_of

_READ = {"id", "title", "content", "excerpt", "date", "date_gmt", "modified", "modified_gmt",
         "link", "slug", "lang", "_embedded"}  # fmt: skip
_RESOLVED = {"author": "author", "featured_media": "wp:featuredmedia",
             "categories": "wp:term", "tags": "wp:term"}  # fmt: skip
"""Numeric references the embeds (``?_embed``) resolve: reported only when nothing resolves them."""
_IDENTIFY = {"_links"}
"""The API's own links to related resources: navigation, not article content."""
_EMBEDS = {"author", "wp:featuredmedia", "wp:term"}


def recognise(data: Any) -> bool:
    """A JSON object whose ``title`` and ``content`` carry WordPress's ``rendered`` HTML."""
    return (
        isinstance(data, dict)
        and isinstance(data.get("title"), dict)
        and "rendered" in data["title"]
        and isinstance(data.get("content"), dict)
    )


def read(data: Any, source: str | None) -> Mapped:
    """Map one WordPress post to article fields (:class:`~printbrief.formats.Mapped`)."""
    post = mapping_of(data, "", source)
    out = Mapped("WordPress", names={"headline": "title.rendered", "body": "content.rendered"})
    out.put("headline", plain(_rendered(post, "title", source)), "title.rendered")
    out.put("body", _rendered(post, "content", source), "content.rendered")
    out.fields["body_format"] = "html"
    out.put("standfirst", plain(_rendered(post, "excerpt", source)), "excerpt.rendered")
    out.put("url", text_of(post.get("link"), "link", source), "link")
    out.put("id", text_of(post.get("slug"), "slug", source), "slug")
    if not out.has("id") and isinstance(post.get("id"), int):
        out.put("id", str(post["id"]), "id")
    out.put("lang", text_of(post.get("lang"), "lang", source), "lang")
    _dates(post, out, source)
    embedded = mapping_of(post.get("_embedded"), "_embedded", source)
    _authors(embedded, out, source)
    _featured(embedded, out, source)
    _terms(embedded, out, source)
    _leftovers(post, embedded, out)
    return out


def _leftovers(post: dict[str, Any], embedded: dict[str, Any], out: Mapped) -> None:
    """Report what was not read; a numeric reference only when no embed resolves it."""
    for key, value in post.items():
        resolved = key in _RESOLVED and (_RESOLVED[key] in embedded or value in (0, [], None))
        if key not in _READ | _IDENTIFY and not resolved:
            out.skip(key)
    for key in embedded:
        if key not in _EMBEDS:
            out.skip(f"_embedded.{key}")


def _rendered(post: dict[str, Any], key: str, source: str | None) -> str:
    value = mapping_of(post.get(key), key, source)
    return text_of(value.get("rendered"), f"{key}.rendered", source) or ""


def _dates(post: dict[str, Any], out: Mapped, source: str | None) -> None:
    """``date_gmt`` is UTC without an offset, so it gets one; ``date`` is the site's local time."""
    for ours, key in (("published", "date"), ("updated", "modified")):
        gmt = text_of(post.get(f"{key}_gmt"), f"{key}_gmt", source)
        if gmt:
            out.put(ours, gmt if gmt.endswith("Z") or "+" in gmt else gmt + "+00:00", f"{key}_gmt")
        else:
            out.put(ours, text_of(post.get(key), key, source), key)
    if out.fields.get("updated", "")[:19] == out.fields.get("published", "")[:19]:
        out.fields.pop("updated", None)  # never edited: WordPress repeats the date


def _authors(embedded: dict[str, Any], out: Mapped, source: str | None) -> None:
    names = []
    for index, author in enumerate(list_of(embedded.get("author"), "_embedded.author", source)):
        where = f"_embedded.author.{index}"
        name = text_of(mapping_of(author, where, source).get("name"), f"{where}.name", source)
        if name and name.strip():
            names.append(name.strip())
    lang = out.fields.get("lang")
    out.put("byline", byline(names, lang if isinstance(lang, str) else None), "_embedded.author")


def _featured(embedded: dict[str, Any], out: Mapped, source: str | None) -> None:
    media = list_of(embedded.get("wp:featuredmedia"), "_embedded.wp:featuredmedia", source)
    images = []
    for index, item in enumerate(media):
        where = f"_embedded.wp:featuredmedia.{index}"
        item = mapping_of(item, where, source)
        src = text_of(item.get("source_url"), f"{where}.source_url", source)
        if not src:
            out.skip(where)
            continue
        meta = mapping_of(mapping_of(item.get("media_details"), where, source).get("image_meta"),
                          where, source)  # fmt: skip
        caption = plain(_rendered(item, "caption", source)) if "caption" in item else None
        credit = text_of(meta.get("credit"), f"{where}.media_details.image_meta.credit", source)
        alt = text_of(item.get("alt_text"), f"{where}.alt_text", source)
        images.append({k: v for k, v in
                       {"src": src, "alt": alt, "caption": caption, "credit": credit}.items()
                       if v})  # fmt: skip
    out.put("images", images, "_embedded.wp:featuredmedia")


def _terms(embedded: dict[str, Any], out: Mapped, source: str | None) -> None:
    """Categories and tags: every name a tag; the first real category the section."""
    tags: list[str] = []
    for group_index, group in enumerate(list_of(embedded.get("wp:term"), "wp:term", source)):
        for index, term in enumerate(list_of(group, "_embedded.wp:term", source)):
            where = f"_embedded.wp:term.{group_index}.{index}"
            term = mapping_of(term, where, source)
            name = plain(text_of(term.get("name"), f"{where}.name", source) or "")
            if not name or term.get("slug") == "uncategorized":  # WordPress's default category
                continue
            if term.get("taxonomy") == "category" and not out.has("section"):
                out.put("section", name, f"{where}.name")
            if name not in tags:
                tags.append(name)
    out.put("tags", tags, "_embedded.wp:term")
