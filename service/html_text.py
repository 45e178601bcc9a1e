"""Saved web pages -> article text, title, date and author (trafilatura), with bounded work.

Researchers often have the page, not the text: a browser's "Save as" or a crawler's archive.
trafilatura finds the main text and drops navigation, footers, cookie banners and related-link
lists; its metadata step reads ``<meta>`` tags and bylines for title, date and author.

Extraction time grows with the number of elements (about 0.1 ms each on one core, up to 0.3 ms
for text-heavy ones; ``bench/bench_html.py``), so pages are refused above ``max_elements``
elements before any parsing: elements are counted with a regular expression after scripts,
styles, inline SVG and comments are cut out, which trafilatura discards anyway. Text handling grows
with the characters left (about 1.2 s per million on one core), capped by ``max_content_chars``.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

_INERT_START = re.compile(r"<(script|style|svg|noscript|template)\b|<!--", re.I)
_ELEMENT = re.compile(r"<[A-Za-z]")


class HtmlExtractionError(ValueError):
    """The page is too large to parse within the limits, or has no main text.

    ``n_elements`` is what was parsed (0 when the page was refused before parsing), so callers can
    count the work a refused page cost against a request's budget.
    """

    def __init__(self, message: str, n_elements: int = 0) -> None:
        super().__init__(message)
        self.n_elements = n_elements


@dataclass(frozen=True)
class ExtractedPage:
    """What a saved page says about its article; ``None`` where the page does not say."""

    text: str
    title: str | None
    published: str | None  # ISO 8601 day, as found in the page's metadata
    author: str | None
    n_elements: int


def strip_inert(html: str) -> str:
    """The page without scripts, styles, inline SVG and comments (never article text).

    One pass with ``str.find`` (linear in the page: a lazy regular expression would rescan the rest
    of the page from every unclosed ``<script``); an unclosed one runs to the end, as in a browser.
    """
    lowered = html.lower()
    kept: list[str] = []
    position = 0
    while (match := _INERT_START.search(html, position)) is not None:
        closing = "-->" if match.group(1) is None else f"</{match.group(1).lower()}"
        end = lowered.find(closing, match.end())
        if end < 0:
            kept.append(html[position : match.start()])
            return " ".join(kept)
        after = lowered.find(">", end) + 1 or len(html)
        opening = lowered[match.start() : lowered.find(">", match.start()) + 1]
        keep_metadata = "ld+json" in opening  # JSON-LD carries headline, date and author
        kept.append(html[position : after if keep_metadata else match.start()])
        position = after
    kept.append(html[position:])
    return " ".join(kept)


def count_elements(html: str) -> int:
    """Start tags in ``html`` (an upper bound on the elements a parser builds)."""
    return len(_ELEMENT.findall(html))


def extract_page(html: str, *, max_elements: int, max_content_chars: int = 600_000) -> ExtractedPage:
    """Main text and metadata of a saved article page.

    Raises ``HtmlExtractionError`` when the page has more than ``max_elements`` elements or, once
    scripts and styles are cut out, more than ``max_content_chars`` characters, or when no main
    text is found (e.g. an index page, or a page that only loads its text with JavaScript).
    The headline, when it opens the text, is left out of ``text`` (it is returned as ``title``).
    """
    page = strip_inert(html)
    n_elements = count_elements(page)
    if len(page) > max_content_chars:
        raise HtmlExtractionError(
            f"The page has {len(page)} characters besides scripts and styles; at most "
            f"{max_content_chars} (limit FRAMESCOPE_MAX_HTML_CONTENT_CHARS). Send its text instead."
        )
    if n_elements > max_elements:
        raise HtmlExtractionError(
            f"The page has {n_elements} elements; at most {max_elements} (limit "
            "FRAMESCOPE_MAX_HTML_ELEMENTS). Save the article page itself, or send its text."
        )
    import trafilatura  # imported on first use: it loads dictionaries that most workers never need

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        document = trafilatura.bare_extraction(
            page,
            with_metadata=True,
            favor_precision=True,  # a section front's link lists are not an article
            include_comments=False,
            include_tables=False,  # data tables are not prose; the model reads sentences
            include_images=False,
            include_links=False,
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    text = (getattr(document, "text", None) or "").strip()
    title = _clean(getattr(document, "title", None))
    if title and text.startswith(title):
        text = text[len(title) :].lstrip()
    if not text.strip():
        raise HtmlExtractionError(
            "No article text found in the page (an index page, or text loaded by JavaScript?); "
            "send the text as `text` instead.",
            n_elements,
        )
    return ExtractedPage(
        text=text,
        title=title,
        published=_clean(getattr(document, "date", None)),
        author=_clean(getattr(document, "author", None)),
        n_elements=n_elements,
    )


def _clean(value: str | None) -> str | None:
    return value.strip() or None if isinstance(value, str) else None
