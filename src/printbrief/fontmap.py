"""A WeasyPrint font configuration that reads printbrief's bundled fonts where they are installed.

WeasyPrint 70's ``FontConfiguration.add_font_face`` (``text/fonts.py``) reads every
``@font-face`` file through the URL fetcher and writes a copy into a temporary folder, then
registers the copy with fontconfig: 84 MB of bundled fonts for every new configuration (a
renderer, a worker), read and written again before the first render. A bundled TrueType
file needs no decoding, so :class:`FontConfiguration` links it into that folder instead
(a symbolic link, so that each ``@font-face`` rule still has a file of its own for
fontconfig's rules to match) and registers it exactly as WeasyPrint would register the copy;
fontconfig and FreeType then read the installed file in place. Any other ``@font-face``
(a theme's own fonts, WOFF, ``local()``) goes through WeasyPrint unchanged.
"""

from __future__ import annotations

from hashlib import md5
from pathlib import Path
from tempfile import mkdtemp
from typing import Any
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import Element, SubElement, tostring

from weasyprint.text import fonts as wfonts
from weasyprint.text.ffi import ffi, fontconfig, pangoft2

from .assets import asset_dir
from .patching import written_for  # add_font_face as WeasyPrint 70.x has it

_PLAIN = {"font_family", "src", "font_weight", "font_style", "font_stretch", "unicode_range"}
_HEADER = b'<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'


class FontConfiguration(wfonts.FontConfiguration):  # type: ignore[misc]
    """WeasyPrint's font configuration, with bundled TrueType fonts linked, not copied."""

    _folder: Path | None

    def add_font_face(self, rule_descriptors: dict[str, Any], url_fetcher: Any) -> Any:
        """Register a bundled face in place; anything else as WeasyPrint does."""
        source = bundled_file(rule_descriptors)
        if source is None:
            return super().add_font_face(rule_descriptors, url_fetcher)
        if self._folder is None:
            self._folder = Path(mkdtemp(prefix="weasyprint-"))
        digest = md5(str(rule_descriptors).encode(), usedforsecurity=False).hexdigest()
        link = self._folder / digest
        if link.exists() or link.is_symlink():
            return None
        link.symlink_to(source)
        xml = _HEADER + tostring(_rules(link, rule_descriptors), encoding="utf-8")
        fontconfig.FcConfigParseAndLoadFromMemory(self._config, xml, True)
        if not fontconfig.FcConfigAppFontAddFile(self._config, str(link).encode()):
            raise OSError(f"fontconfig cannot read the bundled font {source}")
        return pangoft2.pango_fc_font_map_config_changed(
            ffi.cast("PangoFcFontMap *", self.font_map)
        )


def bundled_file(rule_descriptors: dict[str, Any]) -> Path | None:
    """The installed file of a plain ``@font-face`` naming one bundled TrueType font, or None."""
    sources = rule_descriptors.get("src") or []
    if not written_for() or set(rule_descriptors) - _PLAIN:
        return None
    if len(sources) != 1 or sources[0][0] != "external" or not sources[0][1]:
        return None
    url = urlsplit(sources[0][1])
    if url.scheme != "file" or url.query or url.fragment:
        return None
    path = Path(unquote(url.path)).resolve()
    if path.suffix != ".ttf" or not path.is_relative_to(asset_dir("fonts").resolve()):
        return None
    return path if path.is_file() else None


def _rules(link: Path, descriptors: dict[str, Any]) -> Element:
    """WeasyPrint 70's fontconfig rules for a plain face (as ``add_font_face`` writes them)."""
    root = Element("fontconfig")
    match = SubElement(root, "match", target="scan")
    SubElement(SubElement(match, "test", name="file", compare="eq"), "string").text = str(link)
    # Prepend, as WeasyPrint does: replacing the family breaks Pango (WeasyPrint #2510).
    family = SubElement(match, "edit", name="family", mode="prepend")
    SubElement(family, "string").text = descriptors["font_family"]
    edits = (
        ("font_style", "slant", "const", wfonts.FONTCONFIG_STYLE),
        ("font_weight", "weight", "int", wfonts.FONTCONFIG_WEIGHT),
        ("font_stretch", "width", "const", wfonts.FONTCONFIG_STRETCH),
    )
    for key, name, kind, table in edits:
        if key in descriptors:
            edit = SubElement(match, "edit", name=name, mode="assign_replace")
            SubElement(edit, kind).text = str(table[descriptors[key]])
    match = SubElement(root, "match", target="font")
    SubElement(SubElement(match, "test", name="file", compare="eq"), "string").text = str(link)
    features = SubElement(match, "edit", name="fontfeatures", mode="assign_replace")
    for key, value in wfonts.font_features().items():  # kern 1, as WeasyPrint sets it
        SubElement(features, "string").text = f"{key} {value}"
    if ranges := descriptors.get("unicode_range"):
        plus = SubElement(SubElement(match, "edit", name="charset", mode="assign_replace"), "plus")
        for unicode_range in ranges:
            pair = SubElement(SubElement(plus, "charset"), "range")
            for value in (unicode_range.start, unicode_range.end):
                SubElement(pair, "int").text = f"0x{value:x}"
    return root
