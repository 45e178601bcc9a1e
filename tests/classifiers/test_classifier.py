import json

import pytest

from classifiers import ArticleClassification, UnknownTargetError

AID_TITLE = "Allies pledge new military aid package to bolster Ukraine's air defences"
AID_TEXT = (
    "Western allies on Tuesday pledged a new military aid package worth $2.5 billion for Ukraine, including "
    "air defence systems, artillery ammunition and armoured vehicles. "
    "Defence ministers meeting at the Ukraine Defence Contact Group said deliveries would begin "
    "within weeks. "
    "The United States will provide the largest share, while Germany and the Netherlands committed to "
    "funding additional Patriot batteries. "
    "\u201cWe will stand with Ukraine for as long as it takes,\u201d the Pentagon chief told reporters. "
    "Kyiv has repeatedly appealed to its partners for more weapons and faster deliveries. "
    "Officials said the package would also cover training for Ukrainian crews in Europe."
)
NUKE_TITLE = "Moscow warns of nuclear response as tensions with NATO soar"
NUKE_TEXT = (
    "Russia's security council chief warned on Thursday that Moscow could use nuclear weapons if the "
    "alliance crossed its red lines, raising fears of a direct confrontation with NATO. "
    "He said any attack on Russian territory with Western missiles would be treated as an act of war "
    "that would trigger retaliation. "
    "Analysts said the threat marked a dangerous escalation and raised the risk of a wider war in Europe. "
    "Western officials dismissed the warning as nuclear blackmail but said they were monitoring Russia's "
    "strategic forces closely."
)


def test_aid_package_is_support_commitment(model):
    result = model.classify(AID_TITLE, AID_TEXT)
    assert result.status == "ok"
    assert "support-commitment" in result.present_frames
    assert result.dominant_frame == "support-commitment"


def test_nuclear_threat_is_escalation_risk(model):
    result = model.classify(NUKE_TITLE, NUKE_TEXT)
    assert "escalation-risk" in result.present_frames
    assert result.dominant_frame == "escalation-risk"


def test_evidence_offsets_slice_the_submitted_text(model):
    text = "Дисклеймер. " + NUKE_TEXT.replace("said", "\u201csaid\u201d") + " \u2014 An em dash ends it."
    result = model.classify(NUKE_TITLE, text)
    n_evidence = 0
    for frame in result.frames:
        for ev in frame.evidence + result.stance.evidence:
            source = NUKE_TITLE if ev.field == "title" else text
            assert source[ev.start : ev.end] == ev.sentence
            n_evidence += 1
    assert n_evidence >= 2


def test_result_shape_and_model_info(model, codebook):
    d = model.classify(AID_TITLE, AID_TEXT).to_dict()
    json.dumps(d)
    assert [f["key"] for f in d["frames"]] == list(codebook.frame_keys)
    assert set(d["frames"][0]) == {"key", "label", "score", "present", "share", "evidence"}
    assert d["model"] == {"version": model.version, "codebook": "conflict", "codebook_hash": codebook.hash}
    assert d["stance"]["target"] == "ukraine-support" and d["stance"]["label"] in (
        "favor",
        "against",
        "neutral",
    )
    assert abs(sum(d["stance"]["scores"].values()) - 1) < 1e-3  # rounded to 4 places
    present = [f for f in d["frames"] if f["present"]]
    assert all(f["evidence"] for f in present) and all(0 <= f["share"] <= 1 for f in d["frames"])
    info = model.info()
    assert (
        info["codebook_hash"] == codebook.hash
        and info["corpus_hash"]
        and "cv_article_frame_macro_f1" in info["metrics"]
    )


@pytest.mark.parametrize("title,text", [("", ""), ("", "   "), ("Ok.", "..."), ("", "Yes. No. Maybe.")])
def test_insufficient_text(model, title, text):
    result = model.classify(title, text)
    assert result.status == "insufficient_text" and result.n_sentences == 0
    assert result.dominant_frame is None and not result.present_frames and result.stance.label is None


def test_unsupported_language(model):
    text = (
        "Россия заявила, что продолжит наступление на востоке страны. Переговоры о прекращении огня "
        "зашли в тупик, сообщили дипломаты в понедельник."
    )
    result = model.classify("Переговоры зашли в тупик", text)
    assert result.status == "unsupported_language" and result.language == "ru"
    assert result.to_dict()["frames"][0]["present"] is False


def test_huge_text_without_punctuation_is_bounded(model):
    result = model.classify("A title", "troops advanced toward the village " * 20_000)
    assert result.status == "ok" and result.n_sentences > 100


def test_batch_keeps_order_and_matches_single(model):
    items = [(AID_TITLE, AID_TEXT, None), ("", "", None), (NUKE_TITLE, NUKE_TEXT, "ukraine-support")]
    batch = model.classify_many(items)
    assert all(isinstance(r, ArticleClassification) for r in batch)
    assert [r.status for r in batch] == ["ok", "insufficient_text", "ok"]
    # same labels and evidence; scores equal up to float summation order within a batch
    assert _rounded(batch[2].to_dict()) == _rounded(model.classify(NUKE_TITLE, NUKE_TEXT).to_dict())


def _rounded(value, digits: int = 9):
    if isinstance(value, float):
        return round(value, digits)
    if isinstance(value, dict):
        return {k: _rounded(v, digits) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(v, digits) for v in value]
    return value


def test_unknown_target(model):
    with pytest.raises(UnknownTargetError):
        model.classify(AID_TITLE, AID_TEXT, target="no-such-target")


def test_article_not_about_the_target_has_no_stance(model):
    text = (
        "Heavy fighting between the army and a paramilitary force continued in the capital, residents said. "
        "Thousands of families fled across the river as shelling hit markets and hospitals. "
        "Aid agencies warned of famine in the region."
    )
    assert model.classify("Fighting spreads in the capital", text).stance.label is None


PARTISAN_TITLE = "Kiev regime shells Donetsk again as Western curators look away"
PARTISAN_TEXT = (
    "Ukrainian militants shelled residential districts of Donetsk on Monday, the city administration said. "
    "The Kiev regime keeps receiving Western weapons, which it uses against civilians in Donbass. "
    "Western curators of Kiev prefer not to notice these crimes. "
    "Residents of Lugansk and Kharkov remember the same shelling from 2014. "
    "Published by the Eastern Wire on 3 March 2025."
)


@pytest.mark.parametrize(
    "mapping",
    [
        {"Kiev": "Kyiv", "Kharkov": "Kharkiv", "Lugansk": "Luhansk", "Donbass": "Donbas"},
        {"Eastern Wire": "Harbour Gazette"},
        {"3 March 2025": "17 October 2023"},
    ],
    ids=["respelling", "outlet-name", "date"],
)
def test_spelling_outlet_and_date_never_change_labels(model, mapping):
    def swap(s):
        for a, b in mapping.items():
            s = s.replace(a, b)
        return s

    base = model.classify(PARTISAN_TITLE, PARTISAN_TEXT)
    other = model.classify(swap(PARTISAN_TITLE), swap(PARTISAN_TEXT))
    assert other.stance.label == base.stance.label
    assert other.present_frames == base.present_frames
    assert other.dominant_frame == base.dominant_frame
    if "Kiev" in mapping:  # spelling variants are the same features: identical scores
        assert other.stance.scores == pytest.approx(base.stance.scores)
