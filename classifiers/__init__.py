"""Framescope classifiers: frames and stance of news articles, with evidence sentences.

Plain Python (no Flask, no database, no environment variables); see docs/ARCHITECTURE.md.
"""

from classifiers.article import ArticleClassification, Evidence, FrameResult, ModelRef, StanceResult
from classifiers.build import train
from classifiers.cache import load_or_train
from classifiers.classifier import ArticleClassifier
from classifiers.codebook import Codebook, FrameDef, TargetDef, load_codebook
from classifiers.corpus import Corpus, load_corpus
from classifiers.errors import (
    ClassifierError,
    CorpusError,
    InvalidCodebookError,
    UnknownCodebookError,
    UnknownFrameError,
    UnknownTargetError,
    UntrainedTargetError,
)
from classifiers.text import Sentence, split_sentences

__all__ = [
    "ArticleClassification",
    "ArticleClassifier",
    "ClassifierError",
    "Codebook",
    "Corpus",
    "CorpusError",
    "Evidence",
    "FrameDef",
    "FrameResult",
    "InvalidCodebookError",
    "ModelRef",
    "Sentence",
    "StanceResult",
    "TargetDef",
    "UnknownCodebookError",
    "UnknownFrameError",
    "UnknownTargetError",
    "UntrainedTargetError",
    "load_codebook",
    "load_corpus",
    "load_or_train",
    "split_sentences",
    "train",
]
