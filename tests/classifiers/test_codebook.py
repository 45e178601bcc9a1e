import json

import pytest
import yaml

from classifiers import (
    ClassifierError,
    InvalidCodebookError,
    UnknownCodebookError,
    UnknownFrameError,
    UnknownTargetError,
    load_codebook,
)
from classifiers.codebook import CODEBOOK_DIR

FRAME_KEYS = (
    "escalation-risk",
    "support-commitment",
    "military-operations",
    "diplomacy-negotiation",
    "humanitarian-impact",
    "economic-cost",
    "legality-sovereignty",
    "domestic-politics",
)


def test_default_codebook_has_the_fixed_frames_and_target(codebook):
    assert codebook.frame_keys == FRAME_KEYS
    assert codebook.default_target == "ukraine-support"
    target = codebook.target("ukraine-support")
    assert set(target.labels) == {"favor", "against", "neutral"}
    assert "kyiv" in target.aliases and {"favor", "against"} <= set(target.side_terms)
    for frame in codebook.frames:
        assert frame.definition and frame.include and frame.exclude and len(frame.indicators) >= 50


def test_hash_is_stable_and_content_based(codebook, tmp_path):
    assert len(codebook.hash) == 16 and load_codebook("conflict").hash == codebook.hash
    raw = yaml.safe_load((CODEBOOK_DIR / "conflict.yaml").read_text())
    raw["frames"][0]["definition"] += " Changed."
    path = tmp_path / "changed.yaml"
    path.write_text(yaml.safe_dump(raw))
    assert load_codebook(path).hash != codebook.hash


def test_to_dict_is_json_ready(codebook):
    d = json.loads(json.dumps(codebook.to_dict()))
    assert d["hash"] == codebook.hash and [f["key"] for f in d["frames"]] == list(FRAME_KEYS)


def test_errors(codebook, tmp_path):
    with pytest.raises(UnknownCodebookError):
        load_codebook("no-such-codebook")
    with pytest.raises(UnknownCodebookError):
        load_codebook("../etc/passwd")
    with pytest.raises(UnknownTargetError, match="ukraine-support"):
        codebook.target("mars-support")
    bad = tmp_path / "bad.yaml"
    bad.write_text("key: x\nversion: '1'\nlabel: x\nframes: []\ntargets: []\ndefault_target: y\n")
    with pytest.raises(InvalidCodebookError):
        load_codebook(bad)
    assert issubclass(UnknownTargetError, ValueError)


def test_frame_lookup(codebook):
    assert codebook.frame("economic-cost").label
    with pytest.raises(
        UnknownFrameError, match="'economic-costs'.*escalation-risk, support-commitment"
    ) as info:
        codebook.frame("economic-costs")
    assert isinstance(info.value, ClassifierError)


def test_stance_labels_come_from_the_codebook(codebook, two_target_codebook):
    from classifiers.codebook import STANCE_LABELS

    assert STANCE_LABELS == ("favor", "against", "neutral")
    assert all(t.labels == STANCE_LABELS for cb in (codebook, two_target_codebook) for t in cb.targets)
