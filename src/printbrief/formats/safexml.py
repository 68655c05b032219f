"""XML parsed safely with the standard library's expat: no DTD, no entities, no network, bounded.

A document type declaration is refused outright, before expat reads its internal subset, so
no entity can be declared: the "billion laughs" and quadratic-blowup expansions
(CVE-2003-1564) and external entities (XXE, which could read local files or reach the
network) have nothing to expand. Only XML's five predefined entities and character
references remain. Nesting is bounded by :data:`~printbrief.parsing.MAX_DATA_DEPTH`, the same
bound as JSON, and elements by :data:`MAX_XML_ELEMENTS`; the file's size is bounded before
parsing (:data:`~printbrief.load.MAX_INPUT_BYTES`).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from html import escape
from xml.parsers import expat

from ..errors import InputError, LimitError
from ..parsing import MAX_DATA_DEPTH

MAX_XML_ELEMENTS = 100_000
"""Elements in one XML input. A long NITF story has a few thousand (one per paragraph and
inline name); the bound keeps a 5 MiB file of empty elements from building a huge tree."""
_XML_NS = "http://www.w3.org/XML/1998/namespace"


class _Builder:
    """Expat callbacks that build an ElementTree with local names, counting depth and elements."""

    def __init__(self, source: str | None) -> None:
        self.tree = ET.TreeBuilder()
        self.source = source
        self.depth = 0
        self.count = 0

    def doctype(self, name: str, *_: object) -> None:
        raise InputError(
            f"XML with a document type declaration (<!DOCTYPE {name}>) is refused: "
            "printbrief reads no DTDs and no entities",
            source=self.source,
        )

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        self.count += 1
        if self.depth > MAX_DATA_DEPTH:
            raise LimitError(f"XML nested deeper than {MAX_DATA_DEPTH} levels", source=self.source)
        if self.count > MAX_XML_ELEMENTS:
            raise LimitError(f"XML has more than {MAX_XML_ELEMENTS:,} elements", source=self.source)
        self.tree.start(local(tag), {local(k): v for k, v in attrs.items()})

    def end(self, tag: str) -> None:
        self.depth -= 1
        self.tree.end(local(tag))


def local(name: str) -> str:
    """An expat name without its namespace (``xml:lang`` keeps its prefix).

    >>> local("http://iptc.org/std/nar/2006-10-01/}headline"), local(_XML_NS + "}lang")
    ('headline', 'xml:lang')
    """
    space, _, rest = name.rpartition("}")
    return f"xml:{rest}" if space == _XML_NS else rest


def parse_xml(text: str, *, source: str | None) -> ET.Element:
    """The root element of an XML text, names without namespaces; refuses DTDs, entities, depth.

    >>> parse_xml('<nitf><head><title>Tide &amp; time</title></head></nitf>', source=None)[0][0].text
    'Tide & time'
    >>> parse_xml('<!DOCTYPE x [<!ENTITY a "aaa">]><x>&a;</x>', source="a.xml")
    Traceback (most recent call last):
    printbrief.errors.InputError: a.xml: XML with a document type declaration (<!DOCTYPE x>) is refused: printbrief reads no DTDs and no entities
    """
    builder = _Builder(source)
    parser = expat.ParserCreate(namespace_separator="}")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = builder.doctype
    parser.StartElementHandler = builder.start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.tree.data
    parser.buffer_text = True
    try:
        parser.Parse(text, True)
    except expat.ExpatError as exc:
        where = f"line {exc.lineno} column {exc.offset + 1}"
        message = expat.ErrorString(exc.code) or "not well-formed"
        raise InputError(f"invalid XML at {where}: {message}", source=source) from None
    return builder.tree.close()


def text(element: ET.Element | None) -> str:
    """All the text inside ``element``, white space collapsed ('' for None)."""
    return " ".join("".join(element.itertext()).split()) if element is not None else ""


def inner_html(element: ET.Element) -> str:
    """The markup inside ``element`` (its text and children) as an HTML fragment.

    >>> inner_html(parse_xml('<body><p>One <em>two</em></p><br/></body>', source=None))
    '<p>One <em>two</em></p><br>'
    """
    head = escape(element.text or "")
    return head + "".join(ET.tostring(child, encoding="unicode", method="html")
                          for child in element)  # fmt: skip
