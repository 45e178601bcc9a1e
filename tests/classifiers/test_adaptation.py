"""Adaptation to coded articles: consensus of coders, weak sentence labels, a deterministic adapted model."""

from __future__ import annotations

import pytest

from classifiers import load_codebook
from classifiers.adaptation import CodedArticle, adapt, consensus, extend_corpus, to_corpus_article
from classifiers.corpus import load_corpus

DAM = (
    "Floodwater forced thousands of residents from their homes after the dam collapsed. "
    "Aid agencies warned of drinking water shortages and disease in the flooded villages. "
    "Ukrainian forces shelled Russian positions on the left bank overnight, the army said."
)


def coded(i: int, frames=("humanitarian-impact",), **kw) -> CodedArticle:
    return CodedArticle(
        id=str(i), event=f"event-{i % 3}", title=f"Dam breach {i}", text=DAM, frames=frames, **kw
    )


def test_consensus_is_a_majority_and_a_tie_goes_to_the_first_coder():
    a = {
        "frames": ["escalation-risk", "military-operations"],
        "dominant": "escalation-risk",
        "stance": "favor",
    }
    b = {"frames": ["military-operations"], "dominant": "military-operations", "stance": "neutral"}
    c = {"frames": ["military-operations"], "dominant": "military-operations", "stance": "neutral"}
    assert consensus([a, b]) == a | {"frames": ["escalation-risk", "military-operations"]}
    assert consensus([b, a]) == b
    assert consensus([a, b, c]) == {
        "frames": ["military-operations"],
        "dominant": "military-operations",
        "stance": "neutral",
    }
    with pytest.raises(ValueError):
        consensus([])


def test_weak_labels_put_coded_frames_on_sentences_and_nothing_else(classifier):
    codebook = load_codebook()
    row = to_corpus_article(classifier, codebook, coded(1, stance="neutral"))
    carried = {f for s in row.sentences for f in s.frames} | set(row.title_frames)
    assert "humanitarian-impact" in carried and carried <= {"humanitarian-impact"}
    assert row.frames == ("humanitarian-impact",) and row.event == "event-1"
    assert {s.stance for s in row.sentences} == {"neutral"}
    spans = ((0, 10, ("economic-cost",), "against"),)
    with_span = to_corpus_article(classifier, codebook, coded(1, spans=spans, stance="against"))
    assert with_span.sentences[0].frames == ("economic-cost",) and with_span.sentences[0].stance == "against"


def test_extended_corpus_counts_each_coded_article_weight_times_and_changes_the_hash(classifier):
    codebook = load_codebook()
    corpus = load_corpus(codebook)
    extended = extend_corpus(corpus, classifier, codebook, [coded(1), coded(2)], weight=3)
    assert len(extended.articles) == len(corpus.articles) + 6 and extended.hash != corpus.hash
    assert extend_corpus(corpus, classifier, codebook, [coded(1), coded(2)], weight=3).hash == extended.hash


def test_adapted_model_is_deterministic_and_names_its_base(classifier):
    codebook = load_codebook()
    corpus = load_corpus(codebook)
    articles = [coded(i, frames=("humanitarian-impact", "military-operations")) for i in range(6)]
    first = adapt(classifier, codebook, corpus, articles, weight=2)
    second = adapt(classifier, codebook, corpus, articles, weight=2)
    assert first.version == second.version and first.version.startswith("conflict-adapted-")
    assert first.manifest["base_version"] == classifier.version
    assert first.manifest["adaptation"]["n_used"] == 6
    a, b = first.classify("Dam", DAM), second.classify("Dam", DAM)
    assert [f.score for f in a.frames] == [f.score for f in b.frames]
    assert adapt(classifier, codebook, corpus, articles, weight=3).version != first.version
    with pytest.raises(ValueError, match="weight"):
        adapt(classifier, codebook, corpus, articles, weight=0)
    with pytest.raises(ValueError, match="enough English"):
        adapt(classifier, codebook, corpus, [CodedArticle("x", "e", "", "Kurz.", ())], weight=1)
