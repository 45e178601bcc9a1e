"""compare_outlets end to end on small hand-built records."""

import math
from types import SimpleNamespace

import numpy as np
import pytest
from scipy import stats

from comparison import (
    ArticleRecord,
    ComparisonResult,
    InvalidParameterError,
    InvalidRecordError,
    MixedModelVersionsError,
    MixedStanceTargetsError,
    NotEnoughDataError,
    UnknownFrameError,
    compare_outlets,
    jensen_shannon_divergence,
)

FRAMES = ("military", "humanitarian", "economic")


def make(outlet, n, present, *, stance="neutral", text="", version="v1", codebook="c1"):
    """``n`` articles of ``outlet``; ``present[frame]`` = how many of them use the frame."""
    records = []
    for i in range(n):
        frames = {f: i < present.get(f, 0) for f in FRAMES}
        shares = {f: (0.5 if frames[f] else 0.0) for f in FRAMES}
        dominant = next((f for f in FRAMES if frames[f]), None)
        records.append(
            ArticleRecord(
                outlet,
                frames,
                shares,
                dominant,
                stance,
                text=text,
                model_version=version,
                codebook_hash=codebook,
            )
        )
    return records


@pytest.fixture
def records():
    return (
        make(
            "Guardian",
            20,
            {"military": 10, "humanitarian": 12, "economic": 4},
            stance="against",
            text="civilians shelter hospital civilians",
        )
        + make(
            "Fox",
            20,
            {"military": 14, "humanitarian": 8, "economic": 6},
            stance="favor",
            text="missiles pentagon strike",
        )
        + make(
            "RT",
            20,
            {"military": 15, "humanitarian": 0, "economic": 5},
            stance="against",
            text="provocation denazification kiev regime provocation",
        )
        + make("Tiny", 3, {"military": 1, "humanitarian": 1}, stance=None, text="blog")
    )


def test_per_outlet_prevalence_and_intervals(records):
    result = compare_outlets(records, FRAMES, n_terms=3)
    assert result.outlets == ("Fox", "Guardian", "RT", "Tiny")  # sorted
    assert result.n_articles == (20, 20, 20, 3)
    p = result.prevalence_of("Guardian", "humanitarian")
    assert (p.count, p.n, p.share) == (12, 20, 0.6)
    assert p.mean_share == pytest.approx(0.3)
    assert p.confidence_interval() == pytest.approx(stats.binomtest(12, 20).proportion_ci(method="wilson"))
    assert len(result.tables()["prevalence"]) == 4 * 3


def test_dominant_frame_and_stance_distributions(records):
    result = compare_outlets(records, FRAMES, n_terms=3)
    dom = {(r["outlet"], r["frame"]): r["count"] for r in result.tables()["dominant_frames"]}
    assert dom[("RT", "military")] == 15 and dom[("RT", "none")] == 5
    stance = {(r["outlet"], r["stance"]): (r["count"], r["n"]) for r in result.tables()["stance"]}
    assert stance[("Fox", "favor")] == (20, 20)
    assert stance[("Guardian", "favor")] == (0, 20)
    assert not any(o == "Tiny" for o, _ in stance)  # no stance labels at all
    assert any(w.code == "no_stance" and w.outlet == "Tiny" for w in result.warnings)


def test_divergence_matrix(records):
    result = compare_outlets(records, FRAMES, n_terms=3)
    d = result.divergence
    assert d.distribution == "prevalence"
    m = np.array(d.matrix)
    assert np.allclose(m, m.T) and np.allclose(np.diag(m), 0)
    assert d.value("Fox", "RT") == pytest.approx(jensen_shannon_divergence([14, 8, 6], [15, 0, 5]))
    assert ((m >= 0) & (m <= 1)).all()
    shares = compare_outlets(records, FRAMES, vocabulary=False, distribution="share").divergence
    assert shares.distribution == "share"
    with pytest.raises(InvalidParameterError):
        compare_outlets(records, FRAMES, distribution="mean")


def test_identical_outlets_have_zero_divergence():
    records = make("A", 10, {"military": 5, "economic": 2}) + make("B", 10, {"military": 5, "economic": 2})
    result = compare_outlets(records, FRAMES, vocabulary=False)
    assert result.divergence.value("A", "B") == pytest.approx(0.0, abs=1e-15)


def test_frame_tests_bh_adjusted(records):
    result = compare_outlets(records, FRAMES, n_terms=3)
    tests = {t.frame: t for t in result.frame_tests}
    assert set(tests) == set(FRAMES)
    humanitarian = tests["humanitarian"]
    table = np.array([[8, 12], [12, 8], [0, 20], [1, 2]])
    assert humanitarian.statistic == pytest.approx(stats.chi2_contingency(table, correction=False).statistic)
    assert humanitarian.method == "monte-carlo-chi-square"  # "Tiny" has expected counts below 1
    from statsmodels.stats.multitest import multipletests

    raw = [t.pvalue for t in result.frame_tests]
    assert [t.pvalue_adjusted for t in result.frame_tests] == pytest.approx(
        multipletests(raw, method="fdr_bh")[1].tolist()
    )
    assert all(t.correction_method == "fdr_bh" for t in result.frame_tests)
    assert humanitarian.pvalue_adjusted < 0.01
    assert any(
        w.code == "chi_square_assumptions" and "humanitarian" in (w.items or (w.frame,))
        for w in result.warnings
    )  # one warning lists every frame concerned


def test_omission_found(records):
    result = compare_outlets(records, FRAMES, n_terms=3)
    omissions = [(o.outlet, o.frame) for o in result.omissions]
    assert omissions == [("RT", "humanitarian")]
    o = result.omissions[0]
    assert (o.count, o.n, o.n_other_outlets, o.n_other_outlets_using) == (0, 20, 2, 2)
    assert o.confidence_interval().high < 0.2


def test_small_sample_warning(records):
    result = compare_outlets(records, FRAMES, n_terms=3)
    small = [w for w in result.warnings if w.code == "small_sample"]
    assert [w.outlet for w in small] == ["Tiny"]
    relaxed = compare_outlets(records, FRAMES, min_articles=2, vocabulary=False)
    assert not any(w.code == "small_sample" for w in relaxed.warnings)


def test_distinctive_vocabulary(records):
    result = compare_outlets(records, FRAMES, n_terms=2, min_term_count=1)
    assert result.vocabulary.terms_for("RT")[0].term == "provocation"
    assert result.vocabulary.terms_for("Guardian")[0].term == "civilians"


def test_mixed_model_versions_refused_unless_allowed(records):
    mixed = records + make("Fox", 2, {"military": 1}, version="v2")
    with pytest.raises(MixedModelVersionsError) as info:
        compare_outlets(mixed, FRAMES)
    assert "v2" in str(info.value) and len(info.value.versions) == 2
    result = compare_outlets(mixed, FRAMES, allow_mixed_versions=True, vocabulary=False)
    assert result.model_versions == ("v1", "v2")
    assert any(w.code == "mixed_model_versions" for w in result.warnings)
    with pytest.raises(MixedModelVersionsError):
        compare_outlets(records + make("Fox", 1, {}, codebook="c2"), FRAMES)


def test_input_errors(records):
    with pytest.raises(NotEnoughDataError):
        compare_outlets([], FRAMES)
    with pytest.raises(UnknownFrameError):
        compare_outlets(records, ("military", "miltary"))
    with pytest.raises(InvalidRecordError):
        compare_outlets(records + make("Fox", 1, {}, stance="pro"), FRAMES)


def test_frame_nobody_uses_is_reported_not_nan():
    records = make("A", 10, {"military": 5}) + make("B", 10, {"military": 2})
    result = compare_outlets(records, FRAMES, vocabulary=False)
    assert [t.frame for t in result.frame_tests] == ["military"]
    untested = {i for w in result.warnings if w.code == "test_not_applicable" for i in w.items or (w.frame,)}
    assert untested == {"humanitarian", "economic"}
    for row in result.tables()["frame_tests"]:
        assert all(not (isinstance(v, float) and math.isnan(v)) for v in row.values())


def test_deterministic_and_order_independent(records):
    first = compare_outlets(records, FRAMES)
    second = compare_outlets(list(reversed(records)), FRAMES)
    assert isinstance(first, ComparisonResult)
    assert first.tables() == second.tables()


def test_summary_and_metadata(records):
    result = compare_outlets(records, FRAMES, n_terms=3)
    text = result.summary()
    assert "RT" in text and "monte-carlo-chi-square" in text and "provocation" in text
    assert str(result) == text
    assert result.metadata()["model_versions"] == ["v1"]
    assert result.metadata()["codebook_hashes"] == ["c1"]


def test_single_outlet_gives_description_without_tests():
    result = compare_outlets(make("A", 10, {"military": 5}), FRAMES)
    assert result.frame_tests == () and result.divergence is None and result.vocabulary is None
    assert any(w.code == "single_outlet" for w in result.warnings)


def test_record_from_classifier_output(classifier):
    """The classifier's own answer goes straight into a record (the README's notebook path)."""
    result = classifier.classify(
        "Allies pledge new air-defence package for Ukraine",
        "Germany pledged a new package of air-defence systems for Ukraine on Tuesday. "
        "The package includes two Patriot batteries and missiles worth 1.2 billion euros.",
    )
    record = ArticleRecord.from_classification("Fox", result, text="t", event="atacms")
    assert record.frames == {f.key: f.present for f in result.frames}
    assert record.shares == {f.key: f.share for f in result.frames}
    assert record.dominant_frame == result.dominant_frame and record.event == "atacms"
    assert (record.stance, record.stance_target) == (result.stance.label, result.stance.target)
    assert (record.model_version, record.codebook_hash) == (classifier.version, classifier.codebook.hash)


def test_record_from_any_object_with_the_protocol():
    frame = SimpleNamespace(key="military", present=True, share=0.6)
    answer = SimpleNamespace(
        frames=(frame, SimpleNamespace(key="humanitarian", present=False, share=0.0)),
        dominant_frame="military",
        stance=SimpleNamespace(target="ukraine", label="favor"),
        model=SimpleNamespace(version="conflict-sparse-abc", codebook_hash="f00"),
    )
    record = ArticleRecord.from_classification("Fox", answer)
    assert record.frames == {"military": True, "humanitarian": False}
    assert (record.stance, record.model_version, record.codebook_hash) == (
        "favor",
        "conflict-sparse-abc",
        "f00",
    )


def test_stance_test_across_outlets(records):
    result = compare_outlets(records, FRAMES, vocabulary=False)
    # outlets with labels: Fox (20 favor), Guardian (20 against), RT (20 against); Tiny has none
    table = np.array([[20, 0], [0, 20], [0, 20]])
    reference = stats.chi2_contingency(table, correction=False)
    assert result.stance_test.statistic == pytest.approx(reference.statistic)
    assert result.stance_test.pvalue < 1e-6
    assert result.tables()["stance_test"][0]["method"] == "chi-square"


def test_stances_toward_different_targets_refused():
    a = make("A", 5, {"military": 1}, stance="favor")
    b = [
        ArticleRecord(
            "B",
            {"military": True},
            stance="favor",
            stance_target="russia",
            model_version="v1",
            codebook_hash="c1",
        )
    ]
    a = [
        ArticleRecord(
            r.outlet,
            r.frames,
            r.shares,
            r.dominant_frame,
            r.stance,
            stance_target="ukraine",
            model_version="v1",
            codebook_hash="c1",
        )
        for r in a
    ]
    with pytest.raises(MixedStanceTargetsError):
        compare_outlets(a + b, FRAMES)
    assert compare_outlets(a, FRAMES, vocabulary=False).metadata()["stance_target"] == "ukraine"


def test_no_text_gives_a_warning_not_an_error():
    records = make("A", 6, {"military": 3}) + make("B", 6, {"military": 1})
    result = compare_outlets(records, FRAMES)
    assert result.vocabulary is None
    assert any(w.code == "no_vocabulary" for w in result.warnings)


def test_precomputed_term_counts_are_used(records):
    from comparison import count_terms

    counts = count_terms([r.text for r in records], [r.outlet for r in records])
    reused = compare_outlets(records, FRAMES, term_counts=counts, min_term_count=1)
    assert reused.vocabulary == compare_outlets(records, FRAMES, min_term_count=1).vocabulary
    with pytest.raises(InvalidParameterError):
        compare_outlets(records, FRAMES, term_counts=count_terms(["x y"], ["Fox"]))
