"""Outlet keys derived from display names: "ABC News" -> ``abc-news``.

Researchers' data names outlets as readers know them ("ABC News", "Le Monde", "Коммерсантъ"); the
API identifies them by a URL-safe key. Deriving the key means both spellings reach one outlet.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

#: Cyrillic letters have no decomposition to ASCII; a plain transliteration keeps their keys readable.
_LATIN = "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch y e yu ya ye i yi g u"
_CYRILLIC = dict(zip("абвгдеёжзийклмнопрстуфхцчшщыэюяєіїґў", _LATIN.split(" "), strict=True))
_CYRILLIC |= {"ъ": "", "ь": ""}
_NOT_KEY = re.compile(r"[^a-z0-9]+")
KEY_MAX = 64


def outlet_key(name: str) -> str:
    """The key of an outlet called ``name``: lower-case ASCII letters and digits joined by ``-``.

    Accents are dropped ("Le Télégramme" -> ``le-telegramme``), Cyrillic is transliterated, and a
    name with nothing left (e.g. only CJK characters) gets ``outlet-<hash>`` so it still has a
    stable key. A name that is already a key maps to itself, lower-cased.
    """
    lowered = "".join(_CYRILLIC.get(ch, ch) for ch in name.strip().lower())
    ascii_ = unicodedata.normalize("NFKD", lowered).encode("ascii", "ignore").decode("ascii")
    ascii_ = ascii_.replace("&", " and ")
    slug = _NOT_KEY.sub("-", ascii_).strip("-")[:KEY_MAX].rstrip("-")
    if slug:
        return slug
    return "outlet-" + hashlib.sha256(name.strip().encode("utf-8")).hexdigest()[:12]
