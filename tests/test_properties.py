"""Property tests: whatever an article holds, printbrief renders it or raises a PrintbriefError."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from printbrief import Limits, PrintbriefError, Renderer
from printbrief.load import from_mapping

FIELDS = ["headline", "body", "body_format", "section", "standfirst", "byline", "publication",
          "published", "updated", "lang", "url", "images", "tags", "id"]  # fmt: skip
TAGS = ["p", "b", "i", "a", "img", "table", "tr", "td", "ul", "li", "blockquote", "script",
        "style", "svg", "math", "span", "br", "h2", "pre", "code", "base", "link", "title"]  # fmt: skip
ATTRS = ['href="javascript:x"', 'src="file:///etc/passwd"', 'src="https://127.0.0.1/a.png"',
         'colspan="99999"', 'width="1e9"', 'lang="ja"', 'rel="attachment"', "onload=x()",
         'style="width:1e9px"', 'title="<>\\"&"', 'src="data:image/svg+xml,<svg/>"', ""]  # fmt: skip
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=80),
    st.sampled_from(["markdown", "html", "text", "en", "zh-Hant", "ja", "2026-05-01",
                     "https://example.org/a", "data:image/png;base64,iVBORw0KGgo="]),
)  # fmt: skip
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def fragments(draw: st.DrawFn) -> str:
    """HTML-ish soup: tags (opened, closed, unbalanced), attributes, text and stray '<'."""
    pieces = []
    for _ in range(draw(st.integers(0, 30))):
        tag, attr = draw(st.sampled_from(TAGS)), draw(st.sampled_from(ATTRS))
        pieces.append(
            draw(
                st.sampled_from(
                    [
                        f"<{tag} {attr}>",
                        f"</{tag}>",
                        f"<{tag}/>",
                        "<",
                        "<!--",
                        "-->",
                        "&amp;",
                        "&#0;",
                    ]
                )
            )
        )
        pieces.append(draw(st.text(max_size=12)))
    return "".join(pieces)


def outcome(renderer: Renderer, produce: Any) -> None:
    try:
        article = produce()
        pdf = renderer.render(article)
    except PrintbriefError:
        return
    assert pdf.startswith(b"%PDF-")


@pytest.fixture(scope="module")
def quick() -> Renderer:
    return Renderer(limits=Limits(max_pages=5, max_render_seconds=10))


@pytest.fixture(autouse=True)
def _quiet(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.CRITICAL)  # refusals and tofu warnings are expected here


@pytest.mark.allow_warnings
@SETTINGS
@given(st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=6), values, max_size=8))
def test_any_mapping_renders_or_raises_a_printbrief_error(
    quick: Renderer, data: dict[str, Any]
) -> None:
    outcome(quick, lambda: from_mapping(data, name="prop.json"))


@pytest.mark.allow_warnings
@SETTINGS
@given(
    fragments(),
    st.sampled_from(["html", "markdown", "text"]),
    st.sampled_from(["en", "ja", "zh-Hant"]),
)
def test_any_fragment_renders_or_raises_a_printbrief_error(
    quick: Renderer, body: str, fmt: str, lang: str
) -> None:
    data = {"headline": "h", "body": body, "body_format": fmt, "lang": lang}
    outcome(quick, lambda: from_mapping(data, name="prop.json"))
