"""Metamorphic guarantees: a spelling convention, an outlet's name or a date is not a label.

Side terms are claims and evaluations ("Kiev regime", "occupiers"), never a transliteration of a
place name, the name of the outlet that carries a story or the day it ran. These tests change only
those things, in texts of both sides and in our whole Russia–Ukraine corpus, and expect the same
labels (and, for respellings, the same scores: variants share their features).
"""

import re

import pytest

from classifiers import load_corpus

#: Ukrainian-based spelling -> Russian-based transliteration (and back, inverted).
RESPELL = {
    "Kyiv": "Kiev",
    "Kharkiv": "Kharkov",
    "Odesa": "Odessa",
    "Luhansk": "Lugansk",
    "Mykolaiv": "Nikolaev",
    "Zaporizhzhia": "Zaporozhye",
    "Dnipro": "Dnepr",
    "Chernihiv": "Chernigov",
    "Lviv": "Lvov",
    "Rivne": "Rovno",
    "Donbas": "Donbass",
}
INVERSE = {b: a for a, b in RESPELL.items()}

FAVOR_TITLE = "Occupiers hit Odesa port again as Kyiv begs partners for more air defence"
FAVOR_TEXT = (
    "Russian occupiers launched another barbaric missile attack on the port of Odesa overnight, "
    "the Odesa Courier reported on 14 July 2024. "
    "The aggressor deliberately targets grain terminals to starve the world and break Ukraine. "
    "Defenders of Mykolaiv and Zaporizhzhia shot down most of the drones, proving again what "
    "Western air defence in brave hands can do. "
    "Partners must deliver more Patriots now: every battery saves lives in Kharkiv, Dnipro and Lviv. "
    "Residents of Chernihiv, Rivne and Luhansk exiles sheltering in Kyiv donated to the brigades "
    "the same day."
)
NEUTRAL_TITLE = "Drones hit energy sites in Kharkiv and Odesa regions, officials say"
NEUTRAL_TEXT = (
    "Russian drones struck energy facilities in the Kharkiv and Odesa regions overnight, Ukrainian "
    "officials said on 14 July 2024, according to the Harbour Gazette. "
    "Ukraine's air force said it shot down 40 of 52 drones launched toward Kyiv, Mykolaiv and Dnipro. "
    "Russia's defence ministry said it had hit military-industrial targets. "
    "Power cuts were reported in parts of Zaporizhzhia and Lviv, the grid operator said. "
    "Moscow has controlled most of the Luhansk region since 2022."
)
TEXTS = {"favor-register": (FAVOR_TITLE, FAVOR_TEXT), "neutral-wire": (NEUTRAL_TITLE, NEUTRAL_TEXT)}


def _swap(text: str, mapping: dict[str, str]) -> str:
    for a, b in mapping.items():
        text = re.sub(rf"\b{re.escape(a)}\b", b, text)
    return text


@pytest.mark.parametrize("name", sorted(TEXTS))
@pytest.mark.parametrize(
    "mapping",
    [
        RESPELL,
        {"Odesa Courier": "Donetsk Herald", "Harbour Gazette": "Moscow Evening News"},
        {"14 July 2024": "2 February 2022"},
    ],
    ids=["respelling", "outlet-name", "date"],
)
def test_spelling_outlet_and_date_never_change_labels_on_either_side(model, name, mapping):
    title, text = TEXTS[name]
    base = model.classify(title, text)
    other = model.classify(_swap(title, mapping), _swap(text, mapping))
    assert other.stance.label == base.stance.label
    assert other.present_frames == base.present_frames
    assert other.dominant_frame == base.dominant_frame
    if mapping is RESPELL:  # spelling variants are one feature: the very same scores
        assert other.stance.scores == pytest.approx(base.stance.scores)
        assert [f.score for f in other.frames] == pytest.approx([f.score for f in base.frames])


def test_favor_register_is_read_as_favor(model):
    """The fixture above is partisan in its claims, so the guarantee is tested on a real label."""
    assert model.classify(FAVOR_TITLE, FAVOR_TEXT).stance.label == "favor"


@pytest.mark.parametrize("mapping", [RESPELL, INVERSE], ids=["to-russian-spelling", "to-ukrainian-spelling"])
def test_respelling_changes_no_label_across_our_corpus(model, codebook, mapping):
    """Every Russia–Ukraine article we wrote, respelt one way: identical labels and scores."""
    articles = [a for a in load_corpus(codebook).articles if a.conflict == "russia-ukraine"]
    items = [(a.title, a.text, None) for a in articles]
    base = model.classify_many(items)
    other = model.classify_many([(_swap(t, mapping), _swap(x, mapping), g) for t, x, g in items])
    pairs = zip(articles, base, other, strict=True)
    changed = [a.id for a, b, o in pairs if b.stance.label != o.stance.label]
    assert changed == []
    assert [r.present_frames for r in base] == [r.present_frames for r in other]
    for b, o in zip(base, other, strict=True):
        assert o.stance.scores == pytest.approx(b.stance.scores, abs=1e-6)
