"""The one options value every entry point builds: library, batch, issues, workers, CLI, HTTP.

A new option is one field here, one CLI flag (``cli/options.py``) and one query parameter
(``service/app.py``); every path that renders reads it from this value.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .limits import DEFAULT_LIMITS, Limits

_PATHS = ("theme_paths", "assets")
_TUPLES = (*_PATHS, "allow_hosts")


@dataclass(frozen=True)
class RenderOptions:
    """How to render: frozen, hashable and picklable, so it keys caches and travels to workers.

    >>> options = RenderOptions(paper="A5", variant="pdf/a-2b")
    >>> options.check().paper
    'A5'
    >>> RenderOptions(paper="A9").check()
    Traceback (most recent call last):
    ...
    printbrief.errors.UsageError: paper: unknown paper 'A9' (use one of A3, A4, A5, B5, Letter, Legal, Tabloid, Berliner, or WIDTHxHEIGHT in mm, cm or in)
    """

    theme: str = "newsbrief"
    """A theme name on the search path, or a theme folder."""
    paper: str = "A4"
    """A name from :data:`printbrief.paper.PAPER_SIZES` or ``WIDTHxHEIGHTmm`` (cm, in)."""
    variant: str | None = None
    """A PDF standard from :data:`printbrief.variants.VARIANTS` (``pdf/a-3b`` …), None for plain."""
    bleed: str | None = None
    """Bleed around the trim box for press output, a length such as ``3mm``."""
    marks: str | None = None
    """Printer's marks: ``crop``, ``cross`` or ``crop,cross``."""
    strict: bool = False
    """Characters no font covers are an error instead of a warning."""
    system_fonts: bool = True
    """Use the system's Noto CJK as a fallback; False gives the same output on every machine."""
    lossless_images: bool = False
    """Embed PNG, WebP and GIF photographs as they are instead of as JPEG (quality 92)."""
    theme_paths: tuple[str, ...] = ()
    """Extra folders of themes, searched before the built-in ``styles/``."""
    assets: tuple[str, ...] = ()
    """Folders article pictures may come from (besides an article file's own folder)."""
    allow_hosts: tuple[str, ...] = ()
    """Hosts article pictures may come from over HTTPS; empty means no network."""
    input_format: str | None = None
    """How article files and mappings are read: a name from :data:`printbrief.load.FORMATS`
    (``ninjs``, ``newsml``, ``nitf``, ``wordpress`` …); None recognises each from its content."""
    output_profile: str | None = None
    """PDF/X-4's output intent and colour conversion: a CMYK printer (``prtr``) ICC profile
    file, such as the printer's own; None is the shipped FOGRA39 (ISO 12647-2 coated)."""
    output_condition: str | None = None
    """The output intent's print condition (a registered name such as ``FOGRA51``); None is
    ``FOGRA39`` for the shipped profile, else the profile's own description."""
    limits: Limits = field(default=DEFAULT_LIMITS)
    """Bounds on input, pages and time (:class:`~printbrief.limits.Limits`)."""

    def __post_init__(self) -> None:
        # Lists and Paths from callers become tuples of str: hashable, picklable, JSON-able.
        object.__setattr__(self, "theme", str(self.theme))
        if self.output_profile is not None:
            object.__setattr__(self, "output_profile", str(self.output_profile))
        for name in _TUPLES:
            value = getattr(self, name)
            items = (value,) if isinstance(value, str | Path) else tuple(value)
            object.__setattr__(self, name, tuple(str(v) for v in items))

    @classmethod
    def of(cls, options: RenderOptions | None = None, **changes: Any) -> RenderOptions:
        """``options`` (or the defaults) with ``changes``; None values in ``changes`` are ignored."""
        given = {k: v for k, v in changes.items() if v is not None}
        unknown = set(given) - {f.name for f in fields(cls)}
        if unknown:
            from .errors import UsageError

            raise UsageError(f"unknown render option {', '.join(sorted(unknown))}")
        return replace(options or cls(), **given)

    def check(self) -> RenderOptions:
        """Validate theme, paper, variant, bleed and marks without WeasyPrint; return ``self``.

        Raises a :class:`~printbrief.errors.UsageError` naming the field.
        """
        from .errors import UsageError
        from .load import format_named
        from .paper import page_css
        from .themes import resolve_theme
        from .variants import get_variant

        for name, check in (
            ("theme", lambda: resolve_theme(self.theme, self.theme_paths)),
            ("paper", lambda: page_css(self.paper, None, None)),
            ("variant", lambda: get_variant(self.variant)),
            ("bleed", lambda: page_css(self.paper, self.bleed, None)),
            ("marks", lambda: page_css(self.paper, None, self.marks)),
            ("input_format", lambda: format_named(self.input_format)),
            ("output_profile", lambda: _check_profile(self.output_profile)),
            ("output_condition", lambda: _check_condition(self.output_condition)),
        ):
            try:
                check()
            except UsageError as exc:
                exc.message = f"{name}: {exc.message}"
                raise
        return self

    def absolute(self) -> RenderOptions:
        """Folders given relative to this process's working directory made absolute.

        Workers may run elsewhere (another process's cwd, a Dask node).
        """
        changes: dict[str, Any] = {name: _absolute_all(getattr(self, name)) for name in _PATHS}
        if Path(self.theme).exists():
            changes["theme"] = str(Path(self.theme).resolve())
        if self.output_profile and Path(self.output_profile).exists():
            changes["output_profile"] = str(Path(self.output_profile).resolve())
        return replace(self, **changes)

    def record(self) -> dict[str, Any]:
        """What decides the PDF's bytes, as stable JSON-able data: the cache keys' options part.

        Limits decide pass or fail, not what a PDF looks like, so they are left out. The
        theme is recorded by the digest of its files, so an edited theme is a new record, and
        by the package it comes from, if one (an upgraded theme package is a new record).
        """
        from .themes import resolve_theme

        record: dict[str, Any] = {
            f.name: list(v) if isinstance(v := getattr(self, f.name), tuple) else v
            for f in fields(self)
            if f.name != "limits"
        }
        theme = resolve_theme(self.theme, self.theme_paths)
        record["theme_sha256"] = theme.digest()
        record["theme_package"] = theme.package  # an installed theme package's name and version
        record["fonts_sha256"] = _fonts_digest(self.system_fonts, theme.cjk_text)
        # Dates an article does not give come from SOURCE_DATE_EPOCH (themes.document_dates).
        record["source_date_epoch"] = os.environ.get("SOURCE_DATE_EPOCH", "").strip() or None
        if self.output_profile:  # the profile's content, wherever the file lies
            record["output_profile"] = _file_digest(self.output_profile)
        return record


def _file_digest(path: str) -> str:
    import hashlib

    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _check_profile(path: str | None) -> None:
    """A given output profile is a CMYK one (colour management is loaded only then)."""
    if path is not None:
        from .cmyk import check_profile

        check_profile(path)


def _check_condition(name: str | None) -> None:
    from .errors import UsageError

    if name is not None and not (0 < len(name.strip()) <= 100 and name.isprintable()):
        raise UsageError(f"expected a print condition name such as FOGRA39, got {name!r}")


def _absolute_all(paths: Iterable[str]) -> tuple[str, ...]:
    return tuple(str(Path(p).resolve()) if Path(p).exists() else p for p in paths)


def _fonts_digest(system_fonts: bool, cjk_text: str) -> str:
    """The fonts a render can use: the bundled faces' CSS, and which system fallbacks exist.

    The CSS names the bundled files by absolute URL; the folder printbrief is installed in is
    left out (the files come with the version), so the same input keys the same everywhere.
    """
    import hashlib

    from . import fonts
    from .assets import asset_dir

    css = fonts.font_face_css(system_fonts, cjk_text)
    parts = [css.replace(asset_dir("fonts").as_uri(), "printbrief-fonts:")]
    if system_fonts:  # installing fonts-noto-cjk changes what the fallback draws
        parts += [str(fonts.system_font(f)) for f in fonts.SYSTEM_FALLBACK.values()]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()
