"""Stage 2 — body: markdown, html or text to print-safe HTML (sanitized, scripts tagged by lang)."""

from __future__ import annotations

import functools
import html
import re

import nh3

from . import i18n, quotes
from .errors import LimitError
from .limits import DEFAULT_LIMITS, Limits
from .markup import check_depth, check_layout, check_markdown
from .model import Article

_ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "em", "strong", "b", "i", "u", "s", "sub", "sup",
    "small", "mark", "q", "cite", "abbr", "code", "pre", "span", "a", "ul", "ol", "li",
    "dl", "dt", "dd", "blockquote", "figure", "figcaption", "img", "aside", "table",
    "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "ruby", "rt", "rp",
}  # fmt: skip
_GLOBAL_ATTRS = {"lang", "dir", "title"}
_ALLOWED_ATTRS = {
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "ol": {"start"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "abbr": {"title"},
}
_ALIGN = {"align-left", "align-right", "align-center"}
_ALLOWED_CLASSES = {
    "aside": {"pull-quote", "fact-box"},
    "p": {"note"},
    "span": {"smallcaps"},
    "th": _ALIGN,
    "td": _ALIGN,
}
# Classes printbrief itself adds after sanitizing: "cjk" (a Han run), "cjk-gap-start" and
# "cjk-gap-end" (Latin next to Han or kana), "cjk-keep" (a paragraph's last two characters),
# "url-text" (a URL that may break after / . - ? &).
_LINK_SCHEMES = ("http://", "https://", "mailto:")
_MAX_SPAN = 20  # colspan/rowspan: WeasyPrint allocates grid cells for each


def body_html(article: Article, limits: Limits = DEFAULT_LIMITS) -> str:
    """The article body as sanitized HTML, with inline runs of other scripts tagged by ``lang``.

    >>> from printbrief.model import Article
    >>> body_html(Article(headline="h", body="He said \\"hello\\"...", lang="en"))
    '<p>He said “hello”…</p>\\n'
    """
    if len(article.body) > limits.max_body_chars:
        bound = limits.max_body_chars
        raise LimitError(f"body: longer than {bound:,} characters", limit="max_body_chars")
    script = i18n.script_key(article.lang)
    if article.body_format == "text":
        raw = _text_to_html(article.body, script)
    elif article.body_format == "markdown":
        check_markdown(article.body, limits, field="body")
        raw = quotes.markdown(script).render(article.body)
        raw = _figures_from_titled_images(raw)
    else:
        raw = article.body
    # Before the sanitizer parses it: depth, and the start tags its time grows with.
    check_depth(raw, limits.max_depth, field="body", max_elements=limits.max_elements)
    clean = sanitize(alignment_classes(raw))
    check_depth(clean, limits.max_depth, field="body")  # exact on well-formed output
    check_layout(clean, limits, field="body")  # what layout would do, bounded before it runs
    tagged = tag_scripts(clean, article.lang)
    return no_lone_last_character(tagged) if script in GAPPED_SCRIPTS else tagged


def _text_to_html(text: str, script: str) -> str:
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if p.strip()]
    typeset = (quotes.typeset_plain(p, script) for p in paragraphs)
    return "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>\n" for p in typeset)


_TITLED_IMG = re.compile(r'<p>(<img src="[^"]*" alt="[^"]*" title="([^"]*)" />)</p>')


def _figures_from_titled_images(rendered: str) -> str:
    """A Markdown image alone in a paragraph with a title becomes a figure with that caption."""
    return _TITLED_IMG.sub(r"<figure>\1<figcaption>\2</figcaption></figure>", rendered)


def sanitize(markup: str) -> str:
    """Keep only the print-safe allowlist: no scripts, styles, forms, frames, event handlers."""
    return nh3.clean(
        markup,
        tags=_ALLOWED_TAGS,
        attributes={"*": _GLOBAL_ATTRS, **_ALLOWED_ATTRS},
        allowed_classes=_ALLOWED_CLASSES,
        url_schemes={"http", "https", "mailto", "data"},
        attribute_filter=_filter_attribute,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


# Table cell alignment as Markdown writes it (style="text-align:right") or old HTML does
# (align="right"): the sanitizer drops both attributes, so they become a class it keeps.
_CELL_ALIGN = re.compile(
    r'<(t[dh])\b([^>]*?)\s(?:style="text-align:\s*(left|right|center);?"|align="(left|right|center)")',
    re.IGNORECASE,
)


def alignment_classes(markup: str) -> str:
    """Turn a table cell's text alignment into ``class="align-…"`` before sanitizing.

    >>> alignment_classes('<td style="text-align:right">4.10</td>')
    '<td class="align-right">4.10</td>'
    """
    return _CELL_ALIGN.sub(
        lambda m: f'<{m[1]}{m[2]} class="align-{(m[3] or m[4]).lower()}"', markup
    )


def _filter_attribute(tag: str, attr: str, value: str) -> str | None:
    if attr == "href":
        return value if value.lower().startswith(_LINK_SCHEMES) or value.startswith("#") else None
    if attr == "src":
        lowered = value.strip().lower()
        # Relative paths, data:image/ and https: go on to the locked fetcher, which decides
        # (and warns, naming the URL); every other scheme can never load, so it goes here.
        kept = lowered.startswith(("data:image/", "https:"))
        return value if kept or not re.match(r"^[a-z][a-z0-9+.-]*:", lowered) else None
    if attr in ("colspan", "rowspan", "start", "width", "height"):
        return value if value.isdigit() and 0 < int(value) <= _bound(attr) else None
    if attr == "lang":
        return value if i18n.is_valid_tag(value) else None
    return value


def _bound(attr: str) -> int:
    return _MAX_SPAN if attr in ("colspan", "rowspan") else 100_000


# Runs that name their own script: Han and kana with at least one kana is Japanese, Hangul
# is Korean. Runs are found whole and then tested: a pattern that looks for kana inside a
# Han run backtracks over the run from every start, quadratic on a long Han text. The two
# runs are pattern text, compiled only as _RUNS: `re` compiles a class of Han code points
# into a bitmap of every one of them, milliseconds each (patterns used only for Chinese or
# Japanese are compiled on first use for that reason).
_CJK_RUN = r"[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\u3005\uf900-\ufaff\U00020000-\U0003ffff]+"
_KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff]")
_HANGUL_RUN = r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]+(?:[ \t]+[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]+)*"
_RUNS = re.compile(f"(?P<cjk>{_CJK_RUN})|(?P<ko>{_HANGUL_RUN})")
# Tags in sanitized output: attribute values are double-quoted and may hold '>'.
_SPLIT_TAGS = re.compile(r'(<[^>"]*+(?:"[^"]*+"[^>"]*+)*+>)')


def _traditional(run: str) -> bool:
    """Han text that GB 2312 cannot spell but Big5 can: a Traditional name, set in one face."""
    try:
        run.encode("gb2312")
        return False
    except UnicodeEncodeError:
        pass
    try:
        run.encode("big5")
        return True
    except UnicodeEncodeError:
        return False


def tag_scripts(markup: str, lang: str) -> str:
    """Mark runs whose script names their language, so they get that language's font.

    Kana → ``ja`` and Hangul → ``ko`` (unless the text is in that language); in Latin or
    Korean text, a Han run only Big5 can spell → ``zh-Hant``, so a name is set in one face.
    Text inside an element with its own ``lang`` is in that language: the way to choose
    Japanese or Traditional forms for a name of Han characters only.

    >>> tag_scripts("<p>Mayor 山田はなこ met 陳建國</p>", "en")
    '<p>Mayor <span lang="ja">山田はなこ</span> met <span lang="zh-Hant">陳建國</span></p>'
    >>> tag_scripts('<p><span lang="ja">高橋</span> met 高橋</p>', "en")
    '<p><span lang="ja">高橋</span> met <span lang="zh-Hant">高橋</span></p>'
    """
    stack = [("", i18n.script_key(lang))]  # (element, script key) of each open element
    parts = _SPLIT_TAGS.split(markup)
    for i in range(0, len(parts), 2):  # even indexes are text between tags
        key = stack[-1][1]
        spaced = mark_latin_runs(parts[i]) if key in GAPPED_SCRIPTS else parts[i]
        parts[i] = breakable_urls(_tag_text(spaced, key))
        if i + 1 < len(parts):
            _follow(stack, parts[i + 1])
    return "".join(parts)


_TAG = re.compile(r"<(/?)([a-zA-Z][\w-]*)")
_LANG = re.compile(r'\slang="([^"]*)"')  # sanitized output: values double-quoted, " escaped
_VOID = frozenset({"br", "img", "wbr", "hr", "col", "source", "area"})


def _follow(stack: list[tuple[str, str]], tag: str) -> None:
    """Open or close ``tag`` on the stack of elements, each with the script key of its text."""
    match = _TAG.match(tag)
    if not match or match[2].lower() in _VOID or tag.endswith("/>"):
        return
    name, lang = match[2].lower(), _LANG.search(tag)
    if not match[1]:
        stack.append((name, i18n.script_key(lang[1]) if lang else stack[-1][1]))
    elif any(open_name == name for open_name, _ in stack[1:]):
        while stack.pop()[0] != name:
            pass


# Latin letters and digits next to Han or kana get a gap on that side (W3C jlreq and clreq:
# about a quarter em between ideographs or kana and Western text), printed as the margin
# of a span the theme sizes with --pb-cjk-latin-gap: spacing, never characters, is added.
# Korean is set with word spaces and takes no gap (klreq).
GAPPED_SCRIPTS = frozenset({"zh-Hans", "zh-Hant", "ja"})
_LATIN_RUN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.,:%/+'’\- ]*[A-Za-z0-9%])?")


@functools.cache
def _cjk_letter() -> re.Pattern[str]:
    return re.compile("[\u3005\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def mark_latin_runs(text: str) -> str:
    """Wrap Latin runs that touch Han or kana in spans naming the touching side(s).

    >>> mark_latin_runs("约5.6米的 GW，和")
    '约<span class="cjk-gap-start cjk-gap-end">5.6</span>米的 GW，和'
    """

    def mark(match: re.Match[str]) -> str:
        letter = _cjk_letter()
        before = match.start() > 0 and letter.match(text[match.start() - 1])
        after = match.end() < len(text) and letter.match(text[match.end()])
        sides = [c for c, on in (("cjk-gap-start", before), ("cjk-gap-end", after)) if on]
        return f'<span class="{" ".join(sides)}">{match[0]}</span>' if sides else match[0]

    return _LATIN_RUN.sub(mark, text)


# A paragraph's last two Han or kana characters, with the closing marks after them, ending
# the paragraph: kept on one line, so the paragraph never ends on a lone character and its
# full stop (a widow character, which Chinese and Japanese desks avoid).
_LAST_TWO_CHARACTERS = (
    "([\u3005\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2}[、。，．！？」』）》”’]*)"
)


@functools.cache
def _last_two(end: str) -> re.Pattern[str]:
    """The last two characters before ``end`` (compiled on first use: CJK text only)."""
    return re.compile(_LAST_TWO_CHARACTERS + end)


def no_lone_last_character(markup: str) -> str:
    """Keep the last two characters of each Chinese or Japanese paragraph together.

    >>> no_lone_last_character("<p>舊倉庫變身圖書館。</p>")
    '<p>舊倉庫變身圖<span class="cjk-keep">書館。</span></p>'
    """
    return _last_two("(</p>)").sub(r'<span class="cjk-keep">\1</span>\2', markup)


def no_lone_last_character_of_text(markup: str) -> str:
    """The same for one paragraph's text without its ``<p>`` (a standfirst, a caption).

    >>> no_lone_last_character_of_text("舊倉庫變身圖書館。")
    '舊倉庫變身圖<span class="cjk-keep">書館。</span>'
    """
    return _last_two("()$").sub(r'<span class="cjk-keep">\1</span>\2', markup)


def _tag_text(text: str, key: str) -> str:
    return _RUNS.sub(lambda match: _tag_run(match[0], match.lastgroup == "ko", key), text)


def _tag_run(run: str, hangul: bool, key: str) -> str:
    tag = "ko" if hangul else "ja" if _KANA.search(run) else None
    if tag is None:  # Han only
        if key not in ("latin", "ko"):
            return run
        if not _traditional(run):  # Chinese or Japanese: unknown, but it must stay upright
            return f'<span class="cjk">{run}</span>'
        tag = "zh-Hant"
    return run if tag == key else f'<span lang="{tag}">{run}</span>'


# A URL in running text: scheme or www., then anything up to a space, a tag or a quote.
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")
_URL_CHAR = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z]\w*);|.", re.S)  # entity or character
_URL_SEPARATORS = frozenset("/.?&-")


def breakable_urls(text: str) -> str:
    """Mark URLs in escaped text so they break only after ``/ . - ? &``, never hyphenated.

    >>> breakable_urls("see https://example.com/a-b?x&amp;y now")
    'see <span class="url-text">https://example.<wbr>com/a-b?x&amp;<wbr>y</span> now'
    """
    return _URL.sub(lambda m: f'<span class="url-text">{_marked_url(m[0])}</span>', text)


@functools.lru_cache(maxsize=512)
def _marked_url(url: str) -> str:
    """``url`` with a ``<wbr>`` after each separator where the line breaker (Pango) finds none.

    Pango already breaks after most ``/``, ``-`` and ``?``; each ``<wbr>`` is an element
    and a box to lay out (a fifth of an article's render time when every separator had
    one), so only the missing break points get one. No character is inserted.
    """
    chars = _URL_CHAR.findall(url)
    plain = [html.unescape(char) for char in chars]
    breaks = line_breaks("".join(plain))
    out, at = [], 0
    for i, char in enumerate(plain):
        out.append(chars[i])
        at += len(char)
        following = plain[i + 1] if i + 1 < len(plain) else "/"
        if char in _URL_SEPARATORS and following not in _URL_SEPARATORS and at not in breaks:
            out.append("<wbr>")
    return "".join(out)


def line_breaks(text: str) -> frozenset[int]:
    """Character offsets in ``text`` before which Pango (through WeasyPrint) may break a line."""
    from weasyprint.text.line_break import get_log_attrs

    attrs = get_log_attrs(text, None)
    return frozenset(i for i in range(1, len(text)) if attrs[i].is_line_break)


def plain_text(markup: str) -> str:
    """Visible text of sanitized HTML (for coverage checks and metadata)."""
    return html.unescape(_SPLIT_TAGS.sub(" ", markup))


def count_images(markup: str) -> int:
    """Number of ``<img>`` elements in sanitized HTML."""
    return sum(1 for part in _SPLIT_TAGS.findall(markup) if part.startswith("<img"))
