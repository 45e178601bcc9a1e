"""Public datasets in ``../shared/datasets`` (nobody here wrote them), read in place, mapped to our keys.

Each loader returns a ``PublicSet``: the items to classify (title, text) and gold labels already
mapped to our frame keys or stance labels. The mappings are the approximate ones each dataset's
README suggests, narrowed to what holds up against our codebook's definitions: ``fit`` says whether a
mapped row is a *direct* counterpart or a *loose* one (reported, but read with care). Datasets whose
labels answer a different question (``NOT_MAPPED``) are named with the reason instead.

Nothing here is copied into the repository: ``classifiers.public_eval`` keeps figures only.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path

DATASETS_DIR = Path(__file__).resolve().parents[1] / ".." / "shared" / "datasets"

#: Place names in their Ukrainian and Russian-derived spellings (a house style is not a stance).
RESPELL = {"Kyiv": "Kiev", "Kharkiv": "Kharkov", "Odesa": "Odessa", "Luhansk": "Lugansk", "Donbas": "Donbass"}

#: Frames about war itself: on off-domain news (guns, climate) any of them firing is a false positive.
WAR_ONLY = ("escalation-risk", "support-commitment", "military-operations")

#: Article share of sentences the crowd marked pro-Russia / pro-West at which the article takes that side.
SIDE_SHARE = 0.5

NOT_MAPPED = {
    "fnc1": "stance toward each headline's claim (agree/disagree/discuss), not toward a conflict side;"
    " no frames",
    "newsmtsc": "sentiment toward named persons in US politics, not stance on a conflict; no frames",
    "basil": "stance relative to the two other outlets on US political events (left/right); no frames",
    "fignews2024": "bias toward Israel or Palestine; our only stance target is support for Ukraine's"
    " defence; no frames",
    "babe": "whether a sentence is biased, not in which direction; topics, not frames",
    "biased_sents_lim2020": "bias strength (1-4), not direction; four events, three of them US domestic;"
    " no frames",
}


@dataclass(frozen=True)
class FrameRow:
    """One mapped frame row: our ``keys`` (a prediction counts when any is present) <- source ``codes``."""

    name: str
    keys: tuple[str, ...]
    codes: tuple[str, ...]
    source: str
    fit: str  # "direct" or "loose"


@dataclass(frozen=True)
class PublicSet:
    """Items of one dataset with gold labels mapped to our keys (``frames[i]``: names of ``rows``)."""

    name: str
    unit: str
    items: list[tuple[str, str]]
    rows: tuple[FrameRow, ...] = ()
    frames: list[frozenset[str]] | None = None
    stance: list[str] | None = None
    precision_check: bool = False
    left_out: str = ""


FRAC_ROWS = (
    FrameRow("economic-cost", ("economic-cost",), ("1",), "1 Economic", "direct"),
    FrameRow("legality-sovereignty", ("legality-sovereignty",), ("5",), "5 Legality (+ crime)", "direct"),
    FrameRow(
        "military-operations or escalation-risk",
        ("military-operations", "escalation-risk"),
        ("8",),
        "8 Security & defense",
        "direct",
    ),
    FrameRow(
        "domestic-politics", ("domestic-politics",), ("6", "12"), "6 Political, 12 Public opinion", "direct"
    ),
    FrameRow("humanitarian-impact", ("humanitarian-impact",), ("9",), "9 Health & safety", "loose"),
)
GVFC_ROWS = (
    FrameRow("economic-cost", ("economic-cost",), ("9",), "9 Economic consequences", "direct"),
    FrameRow(
        "domestic-politics", ("domestic-politics",), ("3", "7"), "3 Politics, 7 Public opinion", "direct"
    ),
    FrameRow(
        "legality-sovereignty", ("legality-sovereignty",), ("1", "2"), "1 Gun rights, 2 Gun control", "loose"
    ),
    FrameRow("humanitarian-impact", ("humanitarian-impact",), ("5",), "5 Public/school safety", "loose"),
)
CLIMATE_ROWS = (
    FrameRow("economic-cost", ("economic-cost",), ("EC",), "EC Economic", "direct"),
    FrameRow("humanitarian-impact", ("humanitarian-impact",), ("HI",), "HI Human interest", "loose"),
)


def _mapped(codes: set[str], rows: tuple[FrameRow, ...]) -> frozenset[str]:
    return frozenset(r.name for r in rows if codes & set(r.codes))


def load_frac(root: Path = DATASETS_DIR) -> PublicSet:
    """FrAC gold: 523 single-label sentences (news and reader comments), MFC codes."""
    with open(root / "frac" / "gold_standard_single_label_all.csv", encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["sentence"].strip()]
    return PublicSet(
        "frac",
        "sentence (news and reader comments), one label each",
        [("", r["sentence"]) for r in rows],
        FRAC_ROWS,
        [_mapped({r["label"].strip()}, FRAC_ROWS) for r in rows],
        left_out="3 Morality, 4 Fairness, 11 Cultural identity, 15 Other: no counterpart (all negative)",
    )


def load_gvfc(root: Path = DATASETS_DIR) -> PublicSet:
    """GVFC: 1,300 US gun-violence headlines with up to two expert frame codes (99 = none)."""
    path = root / "gvfc_multimodal" / "GVFC_extension_multimodal.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["headline"].strip()]
    return PublicSet(
        "gvfc",
        "headline alone (US gun violence, off-domain)",
        [(r["headline"], "") for r in rows],
        GVFC_ROWS,
        [_mapped({r["Q3 Theme1"].strip(), r["Q3 Theme2"].strip()}, GVFC_ROWS) for r in rows],
        precision_check=True,
        left_out="4 Mental health, 6 Race/ethnicity, 8 Society/culture: no counterpart",
    )


def load_climate(root: Path = DATASETS_DIR) -> PublicSet:
    """Narrative Frames Corpus: full climate-change articles with binary generic-frame labels."""
    csv.field_size_limit(1 << 26)
    path = root / "narrative_frames_climate" / "articles_metadata.tsv"
    with open(path, encoding="utf-8", newline="") as fh:
        rows = [
            r for r in csv.DictReader(fh, delimiter="\t") if (r.get("text") or "").strip() and r.get("EC")
        ]
    codes = [{c for c in ("EC", "HI") if (r.get(c) or "").strip().startswith("True")} for r in rows]
    return PublicSet(
        "narrative_frames_climate",
        "full article (climate change, off-domain)",
        [("", r["text"]) for r in rows],
        CLIMATE_ROWS,
        [_mapped(c, CLIMATE_ROWS) for c in codes],
        precision_check=True,
        left_out="CO Conflict (any disagreement, mostly political, not war escalation), RE Resolution"
        " (technical and policy fixes, not only talks), MO Moral: no counterpart",
    )


def ukraine_articles(root: Path = DATASETS_DIR) -> list[dict]:
    """The 90 Ukraine-crisis articles: first sentence as headline, the rest as text, crowd bias shares."""
    out = []
    folder = root / "ukraine_news_bias" / "all-data-as-json"
    for path in sorted(folder.glob("article_*.json"), key=lambda p: int(re.sub(r"\D", "", p.stem))):
        raw = json.loads(path.read_text(encoding="utf-8"))
        sents = [s["content"] for s in sorted(raw["sentences"], key=lambda s: s["position_in_article"])]
        bias = raw["bias"]
        out.append(
            {
                "title": sents[0],
                "text": " ".join(sents[1:]),
                "pro_russia": float(bias["pro-russia"]["avg"]),
                "pro_west": float(bias["pro-west"]["avg"]),
            }
        )
    return out


def side_label(pro_russia: float, pro_west: float) -> str | None:
    """Stance toward support for Ukraine's defence from the crowd's article-level bias shares.

    pro-West -> favor, pro-Russia -> against, when that side's share reaches ``SIDE_SHARE`` and
    exceeds the other's; neutral when neither reaches it; None (left out) when both do equally.
    """
    if max(pro_russia, pro_west) < SIDE_SHARE:
        return "neutral"
    if pro_russia == pro_west:
        return None
    return "against" if pro_russia > pro_west else "favor"


def load_ukraine_stance(root: Path = DATASETS_DIR) -> PublicSet:
    """ukraine_news_bias articles with a clear side label (see ``side_label``)."""
    labelled = [(a, side_label(a["pro_russia"], a["pro_west"])) for a in ukraine_articles(root)]
    arts = [(a, s) for a, s in labelled if s is not None]
    return PublicSet(
        "ukraine_news_bias",
        "article (Ukraine crisis 2014, 33 countries)",
        [(a["title"], a["text"]) for a, _ in arts],
        stance=[s for _, s in arts],
        left_out=f"{len(labelled) - len(arts)} articles marked pro-Russia and pro-West alike; no frames",
    )


def respell(text: str, mapping: dict[str, str]) -> str:
    """Replace whole-word spellings of place names (``RESPELL`` or its inverse)."""
    for a, b in mapping.items():
        text = re.sub(rf"\b{a}\b", b, text)
    return text


LOADERS = {
    "frac": load_frac,
    "gvfc": load_gvfc,
    "narrative_frames_climate": load_climate,
    "ukraine_news_bias": load_ukraine_stance,
}


FOLDERS = ("frac", "gvfc_multimodal", "narrative_frames_climate", "ukraine_news_bias")


def available(root: Path = DATASETS_DIR) -> bool:
    """Whether the datasets this module reads are all present (tests skip otherwise)."""
    return all((root / name).is_dir() for name in FOLDERS)
