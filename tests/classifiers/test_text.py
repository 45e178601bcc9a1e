import pytest

from classifiers import split_sentences
from classifiers.text import MAX_SENTENCE_CHARS, _byte_to_char, is_english, language_of


@pytest.mark.parametrize(
    "text",
    [
        "“Interception is impossible,” the general declared — officials disagreed. "
        "A second sentence follows!",
        "Київ заявив про атаку. The ministry said «no comment». Then — silence…  Final words?",
        "Emoji 🚀 first sentence here. Second sentence with “curly quotes” and ‘single’ ones.",
        "Headline without a full stop\n\nFirst paragraph sentence one. Sentence two.\nNext paragraph.",
    ],
)
def test_offsets_slice_the_input_back(text):
    sentences = split_sentences(text)
    assert len(sentences) >= 2
    for s in sentences:
        assert text[s.start : s.end] == s.text and s.text.strip() == s.text
    assert [s.start for s in sentences] == sorted(s.start for s in sentences)


def test_byte_offsets_are_mapped_to_characters():
    text = "Київ a. b."
    assert _byte_to_char(text, [(0, 11), (12, 14)]) == [(0, 7), (8, 10)]


def test_text_without_punctuation_is_capped():
    text = "word " * 50_000
    sentences = split_sentences(text)
    assert len(sentences) > 300
    assert max(len(s.text) for s in sentences) <= MAX_SENTENCE_CHARS
    assert all(text[s.start : s.end] == s.text for s in sentences)


def test_empty_and_blank():
    assert split_sentences("") == [] and split_sentences("   \n\t ") == []


def test_english_check():
    assert is_english("The government said on Monday that it would continue to support the talks.")
    assert not is_english("Правительство заявило в понедельник, что продолжит поддерживать переговоры.")
    assert not is_english("Die Regierung sagte am Montag, dass sie die Gespräche weiter unterstützen werde.")
    assert is_english("Ceasefire holds")  # too short to judge: benefit of the doubt


def test_headlines_and_lists_are_english():
    # headline style has few stop words; the stop-word ratio alone called these non-English
    for title in (
        "Florida school failed Parkland shooter, report says",
        "Trump woos NRA gun lobby in Dallas",
        "Prominent Republican Donor Issues Ultimatum on Assault Weapons",
        "Kyiv, Kharkiv, Odesa: overnight drone strikes, power cuts",
    ):
        assert language_of(title) == "en", title


def test_non_english_text_gets_its_language():
    assert (
        language_of("Правительство объявило о новых мерах поддержки. Министр выступил в парламенте.") == "ru"
    )
    assert language_of("Le gouvernement a annoncé mardi une nouvelle aide militaire pour le pays.") == "fr"
    assert language_of("El gobierno anunció nuevas sanciones contra Rusia el martes por la tarde.") == "es"


def test_fast_path_matches_blingfire_offsets(monkeypatch):
    import classifiers.text as text_mod

    text = (
        "“Interception is impossible,” he said —  twice.\n\nКиїв responded.  Then  a  pause! "
        "Finally: the end…  Is it?\n"
    )
    fast = split_sentences(text)
    monkeypatch.setattr(text_mod, "_locate", lambda *_: None)
    slow = split_sentences(text)
    assert fast == slow and len(fast) >= 4
