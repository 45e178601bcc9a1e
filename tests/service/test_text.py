"""Dedup keys: what counts as 'the same text' and 'the same URL'."""

import pytest

from service.storage.text import count_words, fingerprint_text, hash_text, normalise_text, normalise_url


def test_normalisation_ignores_case_whitespace_and_compatibility_forms():
    assert normalise_text("  Ｆｕｌｌ-width\u00a0TEXT\n\tand  ﬁne ") == "full-width text and fine"
    assert hash_text("The  Cat") == hash_text("the cat\n")
    assert hash_text("The cat.") != hash_text("The cat!")


def test_fingerprint_matches_the_separate_functions():
    text = "Strikers  marched\non Monday. "
    assert fingerprint_text(text) == (hash_text(text), count_words(text)) == (hash_text(text), 4)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("HTTPS://News.Example.COM/a/B?x=1#comments", "https://news.example.com/a/B?x=1"),
        ("https://news.example.com", "https://news.example.com/"),
        (" https://news.example.com/a ", "https://news.example.com/a"),
        (None, None),
    ],
)
def test_url_normalisation_keeps_path_and_query_case(given, expected):
    assert normalise_url(given) == expected
