import json

import pytest

from classifiers import CorpusError, load_corpus


def _article(aid, frames=("military-operations",), stance="neutral"):
    return {
        "id": aid,
        "conflict": "sudan",
        "event": "e1",
        "register": "wire",
        "title": "Fighting near the city",
        "title_frames": [],
        "sentences": [{"text": "Troops shelled the city.", "frames": list(frames), "stance": stance}],
        "frames": [],
        "dominant": None,
        "target": None,
        "stance": None,
    }


def test_real_corpus_loads_and_is_labelled_with_codebook_keys(codebook):
    corpus = load_corpus(codebook)
    assert len(corpus.articles) >= 60 and corpus.n_sentences >= 1000
    keys = set(codebook.frame_keys)
    assert all(set(s.frames) <= keys for a in corpus.articles for s in a.sentences)


def test_problems_are_reported_not_skipped_silently(codebook, tmp_path):
    lines = [
        json.dumps(_article("a-1")),
        json.dumps(_article("a-2", frames=("made-up-frame",))),
        json.dumps(_article("a-1")),
    ]
    (tmp_path / "x.jsonl").write_text("\n".join(lines) + "\n" + '{"id": "a-3", "tit')
    with pytest.warns(UserWarning, match="3 problem"):
        corpus = load_corpus(codebook, tmp_path)
    assert [a.id for a in corpus.articles] == ["a-1"]
    text = " ".join(corpus.problems)
    assert "made-up-frame" in text and "duplicate id a-1" in text and "incomplete trailing line" in text
    with pytest.raises(CorpusError):
        load_corpus(codebook, tmp_path, strict=True)


def test_hash_follows_content(codebook, tmp_path):
    (tmp_path / "x.jsonl").write_text(json.dumps(_article("a-1")) + "\n")
    first = load_corpus(codebook, tmp_path).hash
    (tmp_path / "x.jsonl").write_text(json.dumps(_article("a-1", stance="favor")) + "\n")
    assert load_corpus(codebook, tmp_path).hash != first


def test_missing_corpus_dir(codebook, tmp_path):
    with pytest.raises(CorpusError):
        load_corpus(codebook, tmp_path / "nothing")
