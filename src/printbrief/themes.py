"""Stage 4 — themes: find a theme on the search path and turn an Article into HTML (Jinja2).

A theme is a folder with ``theme.json`` (``description``, ``extends``, ``stylesheets``,
``template``, ``headline_steps``, ``fit_steps``, ``picture_gap``, ``table_smallest``,
``cjk_text``: ``"sans"`` or ``"serif"`` CJK reading text), Jinja templates and CSS. A name is looked up in this order: a
folder path as given; the caller's folders (``theme_paths``); the built-in ``styles/``; themes
that installed packages register under the entry-point group ``printbrief.themes``
(:data:`ENTRY_POINT_GROUP`). Installed packages come last so that installing one never changes
what an existing name renders; a name two packages register is an error naming both. A theme
that ``extends`` another searches its own folder first, then the parent's, so it can override a
single template or stylesheet.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import json
import os
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from functools import cached_property
from importlib import metadata
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from . import furniture, i18n
from .assets import asset_dir
from .body import (
    GAPPED_SCRIPTS,
    breakable_urls,
    mark_latin_runs,
    no_lone_last_character_of_text,
)
from .errors import ThemeError
from .fitting import PICTURE_GAP
from .model import Article
from .tables import SMALLEST as TABLE_SMALLEST

THEME_FILE = "theme.json"
ENTRY_POINT_GROUP = "printbrief.themes"
"""Entry-point group of theme packages: ``name = "module"`` (the package's own folder is the
theme) or ``name = "module:attribute"`` (a path to the theme folder)."""
_DIGESTS: dict[tuple[tuple[str, int, int], ...], str] = {}
_MAX_EXTENDS = 8
HEADLINE_STEPS = (60, 110, 180)
MAX_FIT_STEPS = 3
"""At most this many copyfitting layouts after the first (each costs a whole layout)."""
"""Headline lengths (a wide CJK character counts two) past which a theme sets it a step smaller."""
BYTECODE_CACHE: jinja2.BytecodeCache | None = None
"""Compiled templates kept between processes; the command sets one (startup.py), the library none."""
ISSUE_TEMPLATES = ("issue.html.j2", "issue-article.html.j2", "folios.html.j2")
"""The templates ``printbrief compile`` renders: cover and contents, articles, folio sheet."""


@dataclass(frozen=True)
class Theme:
    """A resolved theme: its folders in search order and its stylesheets.

    >>> resolve_theme("newsbrief").name
    'newsbrief'
    """

    name: str
    description: str
    folders: tuple[Path, ...]
    stylesheets: tuple[Path, ...]
    template: str
    headline_steps: tuple[int, ...] = HEADLINE_STEPS
    cjk_text: str = "sans"  # CJK reading text in Hei/Gothic, or in Song/Ming/Mincho/Myeongjo
    fit_steps: int = 0  # copyfitting: html[data-pb-fit="1"…"N"] rules the renderer may try
    picture_gap: float = PICTURE_GAP  # a page may end this fraction empty before a picture
    table_smallest: float = TABLE_SMALLEST  # points: a table too wide steps down to this
    package: str | None = None
    """``distribution version`` of the installed package the theme comes from, if one."""

    @cached_property
    def environment(self) -> jinja2.Environment:
        """The Jinja environment: autoescaping, undefined variables are errors."""
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(f) for f in self.folders]),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            bytecode_cache=BYTECODE_CACHE,
        )
        env.filters["css_string"] = css_string
        env.filters["urls"] = urls
        env.filters["cjk_gaps"] = cjk_gaps
        env.filters["cjk_paragraph"] = cjk_paragraph
        return env

    def render_html(
        self, article: Article, body_html: str, *, template: str | None = None, **extra: Any
    ) -> str:
        """The article as a full HTML document, ready for WeasyPrint."""
        step = headline_step(article.headline, self.headline_steps)
        variables = {**context(article, body_html), "headline_step": step, **extra}
        return self.render_template(template or self.template, **variables)

    def render_template(self, name: str, **variables: Any) -> str:
        """Any template of the theme (issue cover and contents, folio sheet) with ``variables``."""
        try:
            return self.environment.get_template(name).render(**variables)
        except jinja2.TemplateError as exc:
            raise ThemeError(f"theme {self.name!r}: {exc}") from None

    def digest(self) -> str:
        """SHA-256 over every file of the theme's folders (names and bytes), in search order.

        Part of every cache key, so an edited template or stylesheet is a new PDF. Recomputed
        only when a file's size or modification time changes.
        """
        files = [
            (folder, path, path.stat()) for folder in self.folders for path in files_of(folder)
        ]
        stamp = tuple((str(p), s.st_size, s.st_mtime_ns) for _, p, s in files)
        if (known := _DIGESTS.get(stamp)) is None:
            digest = hashlib.sha256()
            for folder, path, _ in files:
                digest.update(f"{path.relative_to(folder)}\0".encode())
                digest.update(path.read_bytes())
            if len(_DIGESTS) >= 64:  # a long-lived service whose themes are edited often
                _DIGESTS.clear()
            known = _DIGESTS[stamp] = digest.hexdigest()
        return known

    def find(self, name: str) -> Path | None:
        """The first file called ``name`` in the theme's folders, or None."""
        return next((f / name for f in self.folders if (f / name).is_file()), None)

    def require(self, *templates: str) -> None:
        """Raise a ThemeError naming every one of ``templates`` the theme's folders lack."""
        missing = [name for name in templates if self.find(name) is None]
        if missing:
            raise ThemeError(f"theme {self.name!r} has no template {', '.join(missing)}")


def files_of(folder: Path) -> list[Path]:
    """Every file of a theme folder, sorted, but for Python's bytecode caches.

    A theme package's folder gains ``__pycache__`` when it is imported (to find the folder);
    that must not change the theme's digest, or caches would miss for nothing.
    """
    found = (p for p in folder.rglob("*") if "__pycache__" not in p.relative_to(folder).parts)
    return sorted(p for p in found if p.is_file())


def search_path(extra: Iterable[str | Path] = ()) -> tuple[Path, ...]:
    """Folders holding themes: the caller's first, then the built-in ``styles/``."""
    return (*(Path(p) for p in extra), asset_dir("styles"))


def resolve_theme(name: str | Path, paths: Iterable[str | Path] = ()) -> Theme:
    """A theme by name (looked up on the search path, then in installed packages) or by folder."""
    roots = search_path(paths)
    first = _find(str(name), roots)
    found: Found | None = first
    chain: list[tuple[Path, dict[str, Any]]] = []
    while found is not None:
        folder = found.folder
        if len(chain) >= _MAX_EXTENDS or folder in [f for f, _ in chain]:
            raise ThemeError(f"theme {name!r}: 'extends' loops or is deeper than {_MAX_EXTENDS}")
        meta = _metadata(folder)
        chain.append((folder, meta))
        parent = meta.get("extends")
        found = _find(parent, roots, below=folder) if parent else None
    return _build(chain, name=first.name, package=first.package)


@dataclass(frozen=True)
class Found:
    """Where a theme name led: its folder, the name it goes by, and the package it came from."""

    folder: Path
    name: str
    package: str | None = None


def _find(name: str, roots: Sequence[Path], below: Path | None = None) -> Found:
    candidate = Path(name)
    if candidate.is_dir() and (candidate / THEME_FILE).is_file():
        return Found(candidate.resolve(), candidate.resolve().name)
    for root in roots:
        folder = root / name
        if folder.resolve() != below and (folder / THEME_FILE).is_file():
            return Found(folder.resolve(), name)
    installed = installed_themes().get(name, ())
    if len(installed) > 1:
        both = " and ".join(package_of(ep) for ep in installed)
        raise ThemeError(f"theme {name!r} is registered by more than one package: {both}")
    if installed and (folder := entry_point_folder(installed[0])) != below:
        return Found(folder, name, package_of(installed[0]))
    known = ", ".join(sorted(available_themes(roots))) or "none"
    raise ThemeError(f"unknown theme {name!r} (available: {known})")


def installed_themes() -> dict[str, tuple[metadata.EntryPoint, ...]]:
    """Theme name → the entry points (group ``printbrief.themes``) of installed packages."""
    found: dict[str, tuple[metadata.EntryPoint, ...]] = {}
    for entry in sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=package_of):
        found[entry.name] = (*found.get(entry.name, ()), entry)
    return found


def package_of(entry: metadata.EntryPoint) -> str:
    """``distribution version`` of the package declaring ``entry``."""
    dist = entry.dist
    return f"{dist.name} {dist.version}" if dist else f"entry point {entry.value}"


def entry_point_folder(entry: metadata.EntryPoint) -> Path:
    """The theme folder an entry point names; a ThemeError naming its package when it cannot.

    ``module`` names the module's package folder (imported to find it); ``module:attribute``
    loads the attribute, which must be a path (``str`` or ``os.PathLike``) to the folder. The
    folder must be a real folder on disk (WeasyPrint and Jinja read files), not inside a zip.
    """
    where = f"theme {entry.name!r} of package {package_of(entry)} ({entry.value!r})"
    try:
        target: Any = entry.load() if entry.attr else importlib.resources.files(entry.module)
        folder = Path(os.fspath(target)).resolve()
    except Exception as exc:  # any import-time error of a third-party package
        raise ThemeError(f"{where}: cannot load: {type(exc).__name__}: {exc}") from None
    if not (folder / THEME_FILE).is_file():
        raise ThemeError(f"{where}: {folder} has no {THEME_FILE}")
    return folder


def _metadata(folder: Path) -> dict[str, Any]:
    try:
        meta = json.loads((folder / THEME_FILE).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise ThemeError(f"{folder / THEME_FILE}: {exc}") from None
    if not isinstance(meta, dict):
        raise ThemeError(f"{folder / THEME_FILE}: expected a JSON object")
    return meta


def _build(chain: list[tuple[Path, dict[str, Any]]], *, name: str, package: str | None) -> Theme:
    folders = tuple(folder for folder, _ in chain)
    names: list[str] = []
    for _, meta in reversed(chain):  # parent's stylesheets first, child's after
        names += [n for n in meta.get("stylesheets", []) if n not in names]
    template = next((m["template"] for _, m in chain if "template" in m), "article.html.j2")
    cjk_text = next((m["cjk_text"] for _, m in chain if "cjk_text" in m), "sans")
    if cjk_text not in ("sans", "serif"):
        raise ThemeError(f"{folders[0] / THEME_FILE}: cjk_text must be 'sans' or 'serif'")
    steps = next((m["headline_steps"] for _, m in chain if "headline_steps" in m), HEADLINE_STEPS)
    fit = next((m["fit_steps"] for _, m in chain if "fit_steps" in m), 0)
    if type(fit) is not int or not 0 <= fit <= MAX_FIT_STEPS:
        raise ThemeError(f"{folders[0] / THEME_FILE}: fit_steps: expected 0 to {MAX_FIT_STEPS}")
    gap = next((m["picture_gap"] for _, m in chain if "picture_gap" in m), PICTURE_GAP)
    if type(gap) not in (int, float) or not 0 <= gap <= 1:
        raise ThemeError(f"{folders[0] / THEME_FILE}: picture_gap: expected a fraction, 0 to 1")
    smallest = next((m["table_smallest"] for _, m in chain if "table_smallest" in m), None)
    smallest = TABLE_SMALLEST if smallest is None else smallest
    if type(smallest) not in (int, float) or not 3 <= smallest <= 24:
        raise ThemeError(f"{folders[0] / THEME_FILE}: table_smallest: expected points, 3 to 24")
    theme = Theme(
        name=name,
        description=chain[0][1].get("description", ""),
        folders=folders,
        stylesheets=tuple(_locate(n, folders) for n in names),
        template=template,
        headline_steps=_steps(steps, folders[0]),
        cjk_text=cjk_text,
        fit_steps=fit,
        picture_gap=float(gap),
        table_smallest=float(smallest),
        package=package,
    )
    theme.require(template, *ISSUE_TEMPLATES)
    return theme


def _steps(value: Any, folder: Path) -> tuple[int, ...]:
    if not (isinstance(value, list | tuple) and all(type(v) is int and v > 0 for v in value)):
        raise ThemeError(f"{folder / THEME_FILE}: headline_steps: expected a list of lengths")
    return tuple(sorted(value))


def _locate(name: str, folders: Sequence[Path]) -> Path:
    for folder in folders:
        if (folder / name).is_file():
            return folder / name
    raise ThemeError(f"theme {folders[0].name!r}: stylesheet {name!r} not found")


def available_themes(paths: Iterable[str | Path] = ()) -> dict[str, str]:
    """Theme name → description for every theme on the search path and in installed packages.

    The first of a name wins, as in :func:`resolve_theme`; see :func:`list_themes` for where
    each comes from and what it shadows.
    """
    return {entry.name: entry.description for entry in list_themes(paths)}


@dataclass(frozen=True)
class Listed:
    """One theme as ``printbrief themes`` shows it."""

    name: str
    description: str
    source: str
    """The folder it was found in, or ``package NAME VERSION``."""
    shadows: tuple[str, ...] = ()
    """Sources of themes of the same name that this one hides (a name clash)."""


def list_themes(paths: Iterable[str | Path] = ()) -> list[Listed]:
    """Every theme on the search path ``paths`` then in installed packages, in lookup order.

    A broken package's theme is listed with the error as its description.
    """
    found: dict[str, Listed] = {}
    for root in paths:
        for folder in sorted(Path(root).glob(f"*/{THEME_FILE}")):
            meta = _metadata(folder.parent)
            _add(found, Listed(folder.parent.name, meta.get("description", ""), str(Path(root))))
    for name, entries in installed_themes().items():
        for entry in entries:
            _add(found, Listed(name, _describe(entry), f"package {package_of(entry)}"))
    return list(found.values())


def _add(found: dict[str, Listed], listed: Listed) -> None:
    first = found.get(listed.name)
    if first is None:
        found[listed.name] = listed
    else:
        found[listed.name] = replace(first, shadows=(*first.shadows, listed.source))


def _describe(entry: metadata.EntryPoint) -> str:
    try:
        description = _metadata(entry_point_folder(entry)).get("description", "")
    except ThemeError as exc:
        return f"(broken: {exc})"
    return str(description)


# ------------------------------------------------------------------------------- context


def context(article: Article, body_html: str) -> dict[str, Any]:
    """Template variables: the article's fields plus what a print page derives from them."""
    key = i18n.script_key(article.lang)
    created, modified = document_dates(article)
    running_head = " · ".join(p for p in (article.publication, article.section) if p)
    headline_short = shorten(article.headline, 28 if key != "latin" else 64)
    return {
        "article": article,
        "body": Markup(body_html),
        "lang": article.lang,
        "script": key,
        "labels": i18n.labels(article.lang),
        "dateline": dateline(article),
        "headline_short": headline_short,
        "lead_image": article.images[0] if article.images else None,
        "more_images": article.images[1:],
        "author": author(article.byline),
        "running_head": running_head,
        "running_head_em": furniture.label_em(running_head),
        "headline_short_em": furniture.headline_em(headline_short),
        "iso": iso,
        "created": created,
        "modified": modified or created,
    }


def dateline(article: Article) -> str:
    """``1 May 2026 · Updated 2 May 2026``, localised; empty without dates."""
    labels = i18n.labels(article.lang)
    parts = []
    if article.published:
        parts.append(i18n.format_date(article.published, article.lang))
    if article.updated:
        updated = i18n.format_date(article.updated, article.lang)
        if parts and parts[0] == updated:
            parts = []
        parts.append(f"{labels.updated} {updated}")
    return " · ".join(parts)


def shorten(text: str, limit: int) -> str:
    """Cut at a word boundary (or a character for CJK) and add one ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut and not text[limit - 1].isspace():
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:—–-…．.") + "…"


def headline_step(headline: str, steps: Sequence[int] = HEADLINE_STEPS) -> int:
    """How many of ``steps`` the headline's length passes; a wide (CJK) character counts two.

    >>> headline_step("Tide tables"), headline_step("x" * 111)
    (0, 2)
    """
    length = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in headline)
    return sum(length > step for step in steps)


def author(byline: str | None) -> str | None:
    """The byline without a leading ``By`` (for PDF metadata)."""
    if not byline:
        return None
    return byline[3:].strip() if byline.lower().startswith("by ") else byline


def document_dates(article: Article) -> tuple[str, str]:
    """Creation and modification dates for PDF metadata, ISO 8601 (empty when unknown).

    Dates the article does not give come from ``SOURCE_DATE_EPOCH`` when it is set
    (reproducible-builds.org), never from the clock: same input, same bytes.
    """
    fallback = ""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        fallback = datetime.fromtimestamp(int(epoch), UTC).isoformat().replace("+00:00", "Z")
    created = iso(article.published) or fallback
    return created, iso(article.updated) or created


def iso(value: date | datetime | None) -> str:
    """ISO 8601 text for ``dcterms`` metadata."""
    return value.isoformat() if value else ""


def urls(value: str) -> Markup:
    """Escape text and let the URLs in it break after ``/ . - ? &`` (``{{ caption | urls }}``)."""
    return Markup(breakable_urls(str(escape(value))))


@jinja2.pass_context
def cjk_gaps(context: jinja2.runtime.Context, value: str, lang: str | None = None) -> Markup:
    """Escape text and, in Chinese or Japanese (``lang``, else the template's ``script``), mark
    the Latin and digit runs touching Han or kana for the theme's CJK–Latin gap, as in the
    body (``{{ article.headline | cjk_gaps }}``, ``{{ entry.headline | cjk_gaps(entry.lang) }}``;
    a ``urls`` filter goes after it)."""
    text = str(escape(value))
    script = i18n.script_key(lang) if lang else context.get("script")
    return Markup(mark_latin_runs(text) if script in GAPPED_SCRIPTS else text)


@jinja2.pass_context
def cjk_paragraph(context: jinja2.runtime.Context, value: str, lang: str | None = None) -> Markup:
    """:func:`cjk_gaps` for text set as a paragraph (a standfirst, a caption): in Chinese or
    Japanese its last two characters are also kept on one line, as in the body, so it never
    ends on a lone character and its full stop (``{{ article.standfirst | cjk_paragraph }}``)."""
    text = cjk_gaps(context, value, lang)
    script = i18n.script_key(lang) if lang else context.get("script")
    return Markup(no_lone_last_character_of_text(str(text))) if script in GAPPED_SCRIPTS else text


def css_string(value: str) -> Markup:
    """A value quoted as a CSS string (backslash-escaped; newlines and quotes can't break out)."""
    escaped = "".join(
        ch if ch.isalnum() or ch in " .,:;·/()-" else f"\\{ord(ch):x} " for ch in value
    )
    return Markup(f'"{escaped}"')
