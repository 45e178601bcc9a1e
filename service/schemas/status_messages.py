"""Human messages for classifications the model could not make (``status`` other than ``ok``)."""

from __future__ import annotations

from typing import Any

#: ISO 639-1 codes the detector commonly returns for news text, with their English names.
LANGUAGE_NAMES = {
    "de": "German", "ru": "Russian", "uk": "Ukrainian", "fr": "French", "es": "Spanish", "it": "Italian",
    "pl": "Polish", "nl": "Dutch", "pt": "Portuguese", "cs": "Czech", "sk": "Slovak", "ro": "Romanian",
    "hu": "Hungarian", "bg": "Bulgarian", "sr": "Serbian", "hr": "Croatian", "be": "Belarusian",
    "lt": "Lithuanian", "lv": "Latvian", "et": "Estonian", "fi": "Finnish", "sv": "Swedish", "da": "Danish",
    "no": "Norwegian", "tr": "Turkish", "ar": "Arabic", "he": "Hebrew", "fa": "Persian", "zh": "Chinese",
    "ja": "Japanese", "ko": "Korean", "ka": "Georgian", "el": "Greek", "kk": "Kazakh",
}  # fmt: skip


def language_name(code: str | None) -> str:
    return LANGUAGE_NAMES.get(code or "", code or "an unknown language")


def status_message(classification: Any) -> str | None:
    """Why a classification has no labels, in a sentence a researcher can act on; None when ``ok``."""
    status = classification.status
    if status == "unsupported_language":
        code = classification.language
        return (
            f"The text looks like {language_name(code)} ({code}); the model reads English only, so no "
            "frames or stance were assigned. Send an English translation to classify it; stored, it is "
            "left out of comparisons."
        )
    if status == "insufficient_text":
        return "No sentence long enough to classify; send the article's full text."
    return None
