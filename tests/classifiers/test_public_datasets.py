"""Checks on public datasets in ../shared/datasets (read in place); skipped when absent."""

import csv
import json

import pytest

from classifiers.public_datasets import DATASETS_DIR as DATASETS
from classifiers.public_datasets import RESPELL
from classifiers.public_datasets import respell as _respell
from classifiers.text import language_of

GVFC = DATASETS / "gvfc_multimodal" / "GVFC_extension_multimodal.csv"


@pytest.mark.skipif(not GVFC.is_file(), reason="no ../shared/datasets/gvfc_multimodal")
def test_english_news_headlines_are_read():
    with open(GVFC, encoding="utf-8", newline="") as fh:
        headlines = [row["headline"] for row in csv.DictReader(fh) if row["headline"].strip()]
    english = sum(language_of(h) == "en" for h in headlines)
    assert english / len(headlines) >= 0.99


UKRAINE_BIAS = DATASETS / "ukraine_news_bias" / "all-data-as-json"


@pytest.mark.skipif(not UKRAINE_BIAS.is_dir(), reason="no ../shared/datasets/ukraine_news_bias")
def test_respelling_place_names_changes_no_label_on_ukraine_news_bias(model):
    items = []
    for path in sorted(UKRAINE_BIAS.glob("article_*.json")):
        sents = [s["content"] for s in json.loads(path.read_text())["sentences"]]
        items.append((sents[0], " ".join(sents[1:]), None))
    inverse = {b: a for a, b in RESPELL.items()}
    for mapping in (inverse, RESPELL):  # old spellings -> new, and new -> old
        base = model.classify_many(items)
        other = model.classify_many([(_respell(t, mapping), _respell(x, mapping), g) for t, x, g in items])
        assert [r.stance.label for r in base] == [r.stance.label for r in other]
        assert [r.present_frames for r in base] == [r.present_frames for r in other]
