"""The one article shape: every endpoint that takes articles accepts every article field.

``POST /v1/articles``, ``/v1/classify`` and ``/v1/compare`` read the same JSON object, so one file
of articles can go to all three; a field an endpoint does not need (``url`` when classifying,
``outlet`` when classifying, ``target`` when storing) is validated like everywhere else and then
ignored. Subclasses only say which fields they require. An article brings its body as ``text`` or
as ``html`` (a saved page, turned into text, title, date and author here).
"""

from __future__ import annotations

import contextlib
from typing import Any

import marshmallow as ma
from flask import current_app, g
from marshmallow import fields, validate

from service.html_text import HtmlExtractionError, extract_page
from service.limits import TEXT_LENGTH, ConfiguredMax
from service.schemas.attributes import Attributes
from service.schemas.checks import check_target, has_words
from service.schemas.common import FullMatch, Key, OutletRef
from service.schemas.dates import PartialDate, PublishedAt, parse_published

LANGUAGE = FullMatch(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$", error="Use a BCP 47 tag such as 'en' or 'pt-BR'.")
URL = [validate.URL(schemes={"http", "https"}), validate.Length(max=2048)]
HTML_LENGTH = ConfiguredMax("MAX_HTML_CHARS", unit="characters of HTML")
#: What the smallest page costs against ``MAX_HTML_REQUEST_ELEMENTS``: extraction has a fixed cost
#: (up to ~17 ms for a tiny page on a loaded 2-core machine), so 10,000 one-line pages must not pass
#: as 10,000 elements; with the default budget a request carries at most 250 pages.
PAGE_MIN_ELEMENTS = 200


def _check_id(value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int | str) or len(str(value)) > 100:
        raise ma.ValidationError("Use a string or an integer of up to 100 characters.")


class ArticleShapeSchema(ma.Schema):
    """Every field an article may carry; each endpoint uses the ones it needs and ignores the rest."""

    id = fields.Raw(
        validate=_check_id,
        metadata={
            "description": "Your id for the article (string or integer). `/v1/compare` names articles "
            "by it; elsewhere ignored (stored articles get their own `id`).",
            "example": "hg-0314-a",
        },
    )
    outlet = OutletRef()
    outlet_attributes = Attributes(
        metadata={
            "description": 'Attributes of the outlet (e.g. `{"type": "state-aligned"}`) that `group_by` '
            "reads. Stored articles add them to the outlet if it has none under these keys (with "
            "`create_missing=true` a new outlet starts with them); a contradiction is a 422."
        }
    )
    event = Key(allow_none=True, metadata={"description": "Event key.", "example": "zarichne-strike"})
    url = fields.String(allow_none=True, validate=URL, metadata={"format": "uri"})
    title = fields.String(
        allow_none=True,
        validate=validate.Length(max=1000),
        metadata={
            "description": "Headline (optional; empty means none; taken from `html` when not given).",
            "example": "Drones hit power station near Zarichne",
        },
    )
    published_at = PublishedAt(allow_none=True)
    language = fields.String(allow_none=True, validate=LANGUAGE, metadata={"example": "en"})
    author = fields.String(allow_none=True, validate=validate.Length(max=300))
    text = fields.String(
        validate=[TEXT_LENGTH, has_words],
        metadata={
            "description": "The article's text (or send `html` instead).",
            "maxLength": 500_000,
            "example": "Russian drones struck a power station near Zarichne overnight ...",
        },
    )
    html = fields.String(
        validate=HTML_LENGTH,
        metadata={
            "description": "A saved page instead of `text`: its main text is extracted (navigation, "
            "footers, cookie banners and related links dropped), and its title, date and author fill "
            "`title`, `published_at` and `author` when those are not given. At most "
            "`FRAMESCOPE_MAX_HTML_CHARS` characters and `FRAMESCOPE_MAX_HTML_ELEMENTS` elements.",
        },
    )
    target = fields.String(
        allow_none=True,
        validate=check_target,
        metadata={"description": "Stance target key for `/v1/classify` (default: the codebook's)."},
    )

    @ma.validates_schema(pass_original=True, skip_on_field_errors=False)
    def check_body(self, data: dict[str, Any], original: Any, **_kwargs: Any) -> None:
        """Exactly one of ``text`` and ``html`` (as sent, so a bad ``text`` is not also "missing")."""
        if not isinstance(original, dict):  # already refused as "Invalid input type."
            return
        sent = original
        if "text" in sent and "html" in sent:
            raise ma.ValidationError("Send either `text` or `html` (a saved page), not both.", "html")
        if "text" not in sent and "html" not in sent:
            raise ma.ValidationError(
                "Missing data for required field: send the article's `text`, or a saved page as `html`.",
                "text",
            )

    @ma.post_load(pass_collection=True)
    def complete(self, data: Any, many: bool, **_kwargs: Any) -> Any:
        """Text and metadata from ``html``; empty titles as none; dates split into time and precision.

        Over the whole collection, so a bad page is reported with its item's index (marshmallow
        reports a per-item post-load error without it, and stops at the first).
        """
        errors: dict[int, Any] = {}
        for index, item in enumerate(data if many else [data]):
            try:
                _complete(item)
            except ma.ValidationError as exc:
                errors[index] = exc.normalized_messages()
        if errors:
            raise ma.ValidationError(errors if many else errors[0])
        return data


def _complete(item: dict[str, Any]) -> None:
    if "html" in item:
        _take_page(item, item.pop("html"))
    if "title" in item and not (item["title"] or "").strip():
        item["title"] = None
    split_published(item)


def split_published(data: dict[str, Any]) -> None:
    """``published_at`` as the period's start plus ``published_precision`` (what storage keeps)."""
    value = data.get("published_at")
    if isinstance(value, PartialDate):
        data["published_at"], data["published_precision"] = value.at, value.precision
    elif "published_at" in data:
        data["published_precision"] = None


def _take_page(data: dict[str, Any], html: str) -> None:
    """Fill ``text`` (and missing title, date, author) from a saved page; 422 naming ``html`` if it
    has no main text or too many elements, alone or with the request's other pages."""
    limit = int(current_app.config["MAX_HTML_ELEMENTS"])
    budget = int(current_app.config["MAX_HTML_REQUEST_ELEMENTS"])
    if g.get("html_elements", 0) >= budget:  # checked before the work, so refused pages cost nothing
        raise ma.ValidationError(
            f"The request's pages have over {budget} elements in all (limit "
            "FRAMESCOPE_MAX_HTML_REQUEST_ELEMENTS; each page counts at least "
            f"{PAGE_MIN_ELEMENTS}); send fewer pages per request.",
            "html",
        )
    try:
        page = extract_page(
            html, max_elements=limit, max_content_chars=int(current_app.config["MAX_HTML_CONTENT_CHARS"])
        )
    except HtmlExtractionError as exc:
        g.html_elements = g.get("html_elements", 0) + max(exc.n_elements, PAGE_MIN_ELEMENTS)
        raise ma.ValidationError(str(exc), "html") from None
    g.html_elements = g.get("html_elements", 0) + max(page.n_elements, PAGE_MIN_ELEMENTS)
    try:
        TEXT_LENGTH(page.text)
    except ma.ValidationError as exc:
        raise ma.ValidationError(exc.messages, "html") from None
    data["text"] = page.text
    if not (data.get("title") or "").strip() and page.title:
        data["title"] = page.title[:1000]
    if data.get("published_at") is None and page.published:
        with contextlib.suppress(ValueError):  # a date the page states badly is left out, not an error
            data["published_at"] = parse_published(page.published)
    if not data.get("author") and page.author:
        data["author"] = page.author[:300]
