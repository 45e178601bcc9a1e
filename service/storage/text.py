"""Text normalisation for deduplication and word counts."""

from __future__ import annotations

import hashlib
import unicodedata
from urllib.parse import urlsplit, urlunsplit


def normalise_text(text: str) -> str:
    """NFKC, case-folded, whitespace collapsed: re-scraped copies of one article hash alike."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def hash_text(text: str) -> str:
    """sha256 hex of the normalised text (the per-outlet dedup key)."""
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()


def fingerprint_text(text: str) -> tuple[str, int]:
    """``(hash_text(text), count_words(text))`` from a single tokenisation (the bulk-ingest hot path)."""
    tokens = unicodedata.normalize("NFKC", text).casefold().split()
    return hashlib.sha256(" ".join(tokens).encode("utf-8")).hexdigest(), len(tokens)


def count_words(text: str) -> int:
    """Whitespace-delimited tokens (as ``wc -w``); computed server-side so every client counts alike."""
    return fingerprint_text(text)[1]


def normalise_url(url: str | None) -> str | None:
    """Lower-case scheme and host, drop the fragment: ``HTTP://X.org/a#c`` and ``http://x.org/a`` are one."""
    if url is None:
        return None
    parts = urlsplit(url.strip())
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, ""))
