"""Checks on public datasets in ../shared/datasets (read in place); skipped when absent."""

import csv
from pathlib import Path

import pytest

from classifiers.text import language_of

DATASETS = Path(__file__).resolve().parents[2] / ".." / "shared" / "datasets"
GVFC = DATASETS / "gvfc_multimodal" / "GVFC_extension_multimodal.csv"


@pytest.mark.skipif(not GVFC.is_file(), reason="no ../shared/datasets/gvfc_multimodal")
def test_english_news_headlines_are_read():
    with open(GVFC, encoding="utf-8", newline="") as fh:
        headlines = [row["headline"] for row in csv.DictReader(fh) if row["headline"].strip()]
    english = sum(language_of(h) == "en" for h in headlines)
    assert english / len(headlines) >= 0.99
