import warnings
from pathlib import Path

import pytest

from classifiers import load_codebook, load_or_train

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def codebook():
    return load_codebook()


@pytest.fixture(scope="session")
def model(codebook):
    """The production model, trained once (cached in instance/models, as the service does)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # corpus files may still be growing
        return load_or_train(codebook, REPO / "instance" / "models")
