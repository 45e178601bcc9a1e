import warnings
from dataclasses import replace
from pathlib import Path

import pytest

from classifiers import load_codebook, load_corpus, load_or_train, train

REPO = Path(__file__).resolve().parents[2]
TWO_TARGETS = Path(__file__).resolve().parent / "data" / "two-targets.yaml"


@pytest.fixture(scope="session")
def codebook():
    return load_codebook()


@pytest.fixture(scope="session")
def model(codebook):
    """The production model, trained once (cached in instance/models, as the service does)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # corpus files may still be growing
        return load_or_train(codebook, REPO / "instance" / "models")


@pytest.fixture(scope="session")
def two_target_codebook():
    return load_codebook(TWO_TARGETS)


@pytest.fixture(scope="session")
def two_target_model(two_target_codebook):
    """A small model for the two-target test codebook: a quarter of the corpus, two folds (a few seconds)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        corpus = load_corpus(two_target_codebook)
    small = replace(corpus, articles=corpus.articles[::4], hash="quarter")
    return train(two_target_codebook, small, {"n_folds": 2})
