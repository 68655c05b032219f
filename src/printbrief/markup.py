"""How deep untrusted HTML nests and how much layout it asks for, measured in linear time.

The sanitizer's HTML parser (html5ever, inside nh3) slows down quadratically with nesting
depth (100 000 levels take about 20 s) and WeasyPrint lays out nested blocks recursively, so
depth is checked first, by a scan that follows the WHATWG tokenizer (HTML Living Standard
§13.2.5) where it matters: quoted attribute values, comments, raw-text elements, script
escapes. Tree-building rules that close elements implicitly (``<li>`` after ``<li>``, blocks
after ``<p>``) are followed only where the standard's scope rules say so, and formatting
elements stay counted until their own end tag because the parser re-opens them. Every
other difference makes the count larger, never smaller. SVG and MathML switch the tokenizer
into foreign-content rules (CDATA, breakout tags), so they are refused instead of modelled.

The pre-layout estimate (:func:`check_layout`) reads the sanitizer's well-formed output and
counts what WeasyPrint's layout cannot be interrupted in: elements and the cells of one
table row; :func:`check_markdown` bounds the Markdown converter's work the same way, before
it runs (bounds and measurements in ``limits.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from .errors import InputError, LimitError
from .limits import Limits

_WS = "\t\n\f\r "
# A start or end tag from '<' to '>': name, then attributes (a value is quoted only right
# after '='). Possessive quantifiers keep it linear; it fails only at end of input.
_TAG = re.compile(
    rf"""<(/?)([a-zA-Z][^{_WS}/>]*+)(?:[{_WS}/]++|[^{_WS}/>][^{_WS}/=>]*+"""
    rf"""(?:[{_WS}]*+=[{_WS}]*+(?:"[^"]*+"|'[^']*+'|[^{_WS}>]*+))?)*+>"""
)
_MARKUP = re.compile(r"<(?=[a-zA-Z/!?])")
_RAW_TEXT = {"style", "xmp", "iframe", "noembed", "noframes", "noscript", "textarea", "title"}
_SCRIPT_EVENT = re.compile(rf"<!--|-->|<(/?)script(?=[{_WS}/>])", re.IGNORECASE)
_FOREIGN = {"svg", "math"}
_VOID = {
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "image", "img",
    "input", "keygen", "link", "meta", "param", "source", "track", "wbr",
}  # fmt: skip
_FORMATTING = {
    "a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u",
}  # fmt: skip
_SPECIAL = {
    "address", "applet", "area", "article", "aside", "base", "basefont", "bgsound", "blockquote",
    "body", "br", "button", "caption", "center", "col", "colgroup", "dd", "details", "dir", "div",
    "dl", "dt", "embed", "fieldset", "figcaption", "figure", "footer", "form", "frame",
    "frameset", "h1", "h2", "h3", "h4", "h5", "h6", "head", "header", "hgroup", "hr", "html",
    "iframe", "img", "input", "keygen", "li", "link", "listing", "main", "marquee", "menu",
    "meta", "nav", "noembed", "noframes", "noscript", "object", "ol", "p", "param", "plaintext",
    "pre", "script", "search", "section", "select", "source", "style", "summary", "table",
    "tbody", "td", "template", "textarea", "tfoot", "th", "thead", "title", "tr", "track", "ul",
    "wbr", "xmp",
}  # fmt: skip
_BUTTON_SCOPE = {
    "applet", "caption", "html", "table", "td", "th", "marquee", "object", "template", "button",
}  # fmt: skip
_CLOSES_P = {
    "address", "article", "aside", "blockquote", "center", "details", "dialog", "dir", "div",
    "dl", "fieldset", "figcaption", "figure", "footer", "header", "hgroup", "main", "menu",
    "nav", "ol", "p", "search", "section", "summary", "ul", "h1", "h2", "h3", "h4", "h5", "h6",
    "pre", "listing", "form", "hr", "xmp", "li", "dd", "dt", "plaintext",
}  # fmt: skip
# Start tag → (elements it closes, elements that stop the search), per the tree builder.
_IMPLIED = {
    "li": ({"li"}, _SPECIAL - {"address", "div", "p", "li"}),
    "dd": ({"dd", "dt"}, _SPECIAL - {"address", "div", "p", "dd", "dt"}),
    "dt": ({"dd", "dt"}, _SPECIAL - {"address", "div", "p", "dd", "dt"}),
    "tr": ({"tr"}, {"table", "template", "html"}),
    "td": ({"td", "th"}, {"tr", "table", "template", "html"}),
    "th": ({"td", "th"}, {"tr", "table", "template", "html"}),
    "tbody": ({"tbody", "thead", "tfoot"}, {"table", "template", "html"}),
    "thead": ({"tbody", "thead", "tfoot"}, {"table", "template", "html"}),
    "tfoot": ({"tbody", "thead", "tfoot"}, {"table", "template", "html"}),
}


def check_depth(markup: str, max_depth: int, *, field: str, max_elements: int | None = None) -> int:
    """Raise :class:`LimitError` if ``markup`` nests deeper than ``max_depth``; return the depth.

    With ``max_elements``, more start tags than that are refused too, as soon as the scan
    meets one more: the sanitizer's time grows with them (100,000 links: about 4 s on a
    loaded machine), and :func:`check_layout` counts elements exactly once it has run.

    >>> check_depth("<ul><li>a<li>b</ul><p>x", 48, field="body")
    2
    """
    stack: list[str] = []
    deepest = starts = 0
    for closing, name in tags(markup, field=field):
        if closing:
            _end(stack, name)
            continue
        _start(stack, name)
        deepest = max(deepest, len(stack))
        if len(stack) > max_depth:
            message = f"{field}: HTML nested deeper than {max_depth} levels"
            raise LimitError(message, limit="max_depth")
        starts += 1
        if max_elements is not None and starts > max_elements:
            raise LimitError(_too_many(field, max_elements), limit="max_elements")
    return deepest


def _too_many(field: str, max_elements: int) -> str:
    return f"{field}: more than {max_elements:,} HTML elements"


def tags(markup: str, *, field: str = "body") -> Iterator[tuple[bool, str]]:
    """``(is_end_tag, lowercased name)`` for every tag the HTML tokenizer would emit."""
    pos = 0
    while (start := _MARKUP.search(markup, pos)) is not None:
        pos = start.start()
        tag = _TAG.match(markup, pos)
        if tag is None:
            pos = _skip_other(markup, pos)
            if pos < 0:
                break  # a tag or comment that never ends swallows the rest of the input
            continue
        closing, name = bool(tag.group(1)), tag.group(2).lower()
        yield closing, name
        pos = tag.end() if closing else _after_start(markup, tag.end(), name, field)
        if pos < 0:
            break


def _skip_other(markup: str, pos: int) -> int:
    """Past a comment, doctype, processing instruction or bogus end tag; -1 at end of input."""
    if markup.startswith("<!--", pos):
        if markup.startswith((">", "->"), pos + 4):  # '<!-->' and '<!--->' are empty comments
            return markup.index(">", pos + 4) + 1
        ends = [i for i in (markup.find("-->", pos + 4), markup.find("--!>", pos + 4)) if i >= 0]
        return markup.index(">", min(ends)) + 1 if ends else -1
    if markup.startswith(("<!", "<?", "</"), pos) and not _TAG.match(markup, pos):
        if markup.startswith("</>", pos):
            return pos + 3
        if markup.startswith("</", pos) and markup[pos + 2 : pos + 3].isalpha():
            return -1  # an end tag that never closes
        end = markup.find(">", pos + 2)
        return end + 1 if end >= 0 else -1
    return -1


def _after_start(markup: str, pos: int, name: str, field: str) -> int:
    """Where tokenizing resumes after a start tag: past raw text for style, script and kin."""
    if name in _FOREIGN:
        raise InputError(f"{field}: inline <{name}> is not accepted (use a PNG or JPEG image)")
    if name == "plaintext":
        return -1  # everything after it is text
    if name == "script":
        return _script_end(markup, pos)
    if name in _RAW_TEXT:
        end = re.compile(rf"</{name}(?=[{_WS}/>])", re.IGNORECASE).search(markup, pos)
        return end.start() if end else -1
    return pos


def _script_end(markup: str, pos: int) -> int:
    """Start of the ``</script`` that ends script data, following its escape states."""
    escaped = double = False
    while (event := _SCRIPT_EVENT.search(markup, pos)) is not None:
        text = event.group(0)
        if text == "<!--":
            escaped = True
            pos = event.start() + 2  # '<!-->' closes at once: let '-->' overlap
            continue
        pos = event.end()
        if text == "-->":
            escaped = double = False
        elif event.group(1) == "":  # a '<script' start inside an escaped section
            double = double or escaped
        elif not double:
            return event.start()
        else:
            double = False
    return -1


def _start(stack: list[str], name: str) -> None:
    if name in _VOID:
        return
    if name in _CLOSES_P:
        _close_implied(stack, {"p"}, _BUTTON_SCOPE)
    if name in _IMPLIED:
        _close_implied(stack, *_IMPLIED[name])
    stack.append(name)


def _end(stack: list[str], name: str) -> None:
    """Pop to the nearest open ``name``; formatting elements above it stay (they re-open)."""
    for i in range(len(stack) - 1, -1, -1):
        if stack[i] == name:
            kept = [n for n in stack[i + 1 :] if n in _FORMATTING]
            stack[i:] = kept
            return


def _close_implied(stack: list[str], targets: set[str], boundaries: set[str]) -> None:
    for i in range(len(stack) - 1, -1, -1):
        if stack[i] in targets:
            kept = [n for n in stack[i + 1 :] if n in _FORMATTING]
            stack[i:] = kept
            return
        if stack[i] in boundaries:
            return


# ---------------------------------------------------------------- pre-layout estimate

# A start tag of sanitized HTML, whose text escapes '<' and whose attribute values are
# double-quoted (and may hold '<' or '>'): the whole tag is matched, so a value is skipped.
_TAG_START = re.compile(r'<([a-zA-Z][a-zA-Z0-9]*)[^>"]*+(?:"[^"]*+"[^>"]*+)*+>')
_COLSPAN = re.compile(r'\scolspan="(\d{1,6})"')


@dataclass(frozen=True)
class LayoutEstimate:
    """What the layout of a body will hold that the time bound cannot interrupt."""

    elements: int
    row_cells: int


def estimate_layout(markup: str) -> LayoutEstimate:
    """Count, in one linear pass over sanitized HTML, the elements and the widest table row.

    >>> estimate_layout('<p>Tide <em>high</em></p><table><tr><td colspan="3">1</td><td>2</td>')
    LayoutEstimate(elements=6, row_cells=4)
    """
    elements = cells = widest = 0
    for tag in _TAG_START.finditer(markup):
        elements += 1
        name = tag[1].lower()
        if name == "tr":
            cells = 0
        elif name in ("td", "th"):
            span = _COLSPAN.search(tag[0])
            cells += int(span[1]) if span else 1  # grid columns: the sanitizer caps a span
            widest = max(widest, cells)
    return LayoutEstimate(elements, widest)


def check_markdown(text: str, limits: Limits, *, field: str) -> int:
    """Raise :class:`LimitError` if Markdown has more lines and markers than the converter's bound.

    >>> check_markdown("*Tides* and [charts](https://example.org)", Limits(), field="body")
    3
    """
    marks = text.count("\n") + sum(text.count(mark) for mark in "*_~`[<")
    if marks > limits.max_markdown_marks:
        bound = limits.max_markdown_marks
        message = f"{field}: more than {bound:,} Markdown line breaks and markers ({marks:,})"
        raise LimitError(message, limit="max_markdown_marks")
    return marks


def check_layout(markup: str, limits: Limits, *, field: str) -> LayoutEstimate:
    """Raise :class:`LimitError` if sanitized HTML passes a bound on layout work (see :class:`Limits`)."""
    estimate = estimate_layout(markup)
    if estimate.elements > limits.max_elements:
        raise LimitError(_too_many(field, limits.max_elements), limit="max_elements")
    if estimate.row_cells > limits.max_row_cells:
        found, bound = estimate.row_cells, limits.max_row_cells
        message = f"{field}: more than {bound:,} cells in one table row ({found:,})"
        raise LimitError(message, limit="max_row_cells")
    return estimate
