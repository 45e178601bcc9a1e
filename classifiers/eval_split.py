"""A fixed split of the development evaluation set (``../shared/eval``) by event: tune and test.

Every modelling choice that looks at real articles may look at the *tune* half only; the *test*
half is scored once per final candidate and reported as it is. The split is by event, so no event
has articles in both halves (events that differ only by date, ``frozen-assets-2024`` and
``frozen-assets-2025``, count as one story), and it is committed as event keys and article ids only
(``fixtures/eval-split.json``; never any text of the set).

usage: python -m classifiers.eval_split [--eval-dir ../shared/eval] [--write]

Notes
-----
How the split was made (``make_split``): events are split within two strata, Russia–Ukraine
events (stance labelled) and other conflicts (frames only), so both halves hold both. Among
20,000 seeded random assignments (``random_state=0``) the one with the smallest imbalance is
kept: squared difference of article counts per stratum, of present-frame counts per frame, and of
favor/against/neutral counts, each relative to the total. Events that appear later (articles of an
event not in the file) fall in neither half and are reported by ``check_split``.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from classifiers.codebook import STANCE_LABELS, load_codebook
from classifiers.scoring import EVAL_DIR, read_jsonl

SPLIT_PATH = Path(__file__).resolve().parents[1] / "fixtures" / "eval-split.json"
STANCES = STANCE_LABELS
_DATE_SUFFIX = re.compile(r"-\d{4}(?:-\d{2})?$")


def event_group(event: str) -> str:
    """The story an event key belongs to: its key without the date (frozen-assets-2024 and -2025 join)."""
    return _DATE_SUFFIX.sub("", event)


def _event_table(
    articles: Sequence[Mapping], gold: Mapping[str, Mapping], frames: Sequence[str]
) -> dict[str, np.ndarray]:
    """Per event: [n_articles, frame counts..., stance counts..., has_stance] as one vector."""
    rows: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(1 + len(frames) + len(STANCES) + 1))
    for a in articles:
        g = gold[a["id"]]
        v = rows[event_group(a["event"])]
        v[0] += 1
        for j, f in enumerate(frames):
            v[1 + j] += f in g["frames"]
        if g.get("stance") in STANCES:
            v[1 + len(frames) + STANCES.index(g["stance"])] += 1
            v[-1] = 1
    return dict(rows)


def _imbalance(table: np.ndarray, strata: np.ndarray, in_tune: np.ndarray) -> float:
    total = table.sum(axis=0) + 1.0
    diff = (table[in_tune].sum(axis=0) - table[~in_tune].sum(axis=0)) / total
    cost = float((diff[1:-1] ** 2).sum())
    for s in (0, 1):
        m = strata == s
        n = table[m, 0].sum() + 1.0
        cost += 4 * float(((table[m & in_tune, 0].sum() - table[m & ~in_tune, 0].sum()) / n) ** 2)
    return cost


def make_split(
    articles: Sequence[Mapping],
    gold: Sequence[Mapping],
    frames: Sequence[str],
    *,
    n_tries: int = 20_000,
    random_state: int = 0,
) -> dict:
    """Assign every event to ``tune`` or ``test`` (see the module Notes); deterministic."""
    by_id = {g["id"]: g for g in gold}
    rows = _event_table(articles, by_id, frames)
    events = sorted(rows)
    table = np.vstack([rows[e] for e in events])
    strata = table[:, -1].astype(int)  # 1: Russia–Ukraine (stance labelled), 0: other conflicts
    rng = np.random.RandomState(random_state)
    best, best_cost = None, np.inf
    for _ in range(n_tries):
        in_tune = rng.rand(len(events)) < 0.5
        if not all(in_tune[strata == s].any() and (~in_tune[strata == s]).any() for s in (0, 1)):
            continue
        cost = _imbalance(table, strata, in_tune)
        if cost < best_cost:
            best, best_cost = in_tune, cost
    groups: dict[str, list[str]] = {"tune": [], "test": []}
    for e, t in zip(events, best, strict=True):
        groups["tune" if t else "test"].append(e)
    halves = {
        h: sorted({a["event"] for a in articles if event_group(a["event"]) in g}) for h, g in groups.items()
    }
    return {
        "method": "classifiers.eval_split.make_split",
        "random_state": random_state,
        "n_tries": n_tries,
        "imbalance": round(best_cost, 6),
        "events": halves,
        "other_conflict_events": sorted(
            {a["event"] for a in articles if not strata[events.index(event_group(a["event"]))]}
        ),
        "ids": {
            h: sorted(a["id"] for a in articles if a["event"] in set(halves[h])) for h in ("tune", "test")
        },
    }


def load_split(path: Path | str = SPLIT_PATH) -> dict:
    """The committed split: ``{"events": {"tune": [...], "test": [...]}, "ids": {...}, ...}``."""
    return json.loads(Path(path).read_text())


def subsets(split: Mapping, articles: Sequence[Mapping]) -> dict[str, set[str]]:
    """Article ids of each reported subset: tune, test, and each half's other-conflict part."""
    other = set(split["other_conflict_events"])
    out = {h: set(split["ids"][h]) for h in ("tune", "test")}
    for h in ("tune", "test"):
        out[f"{h}-other"] = {a["id"] for a in articles if a["id"] in out[h] and a["event"] in other}
        out[f"{h}-ru-ua"] = out[h] - out[f"{h}-other"]
    return out


def check_split(split: Mapping, articles: Sequence[Mapping]) -> list[str]:
    """Problems: an event in both halves, or an article id of the set in neither half."""
    problems = []
    both = set(split["events"]["tune"]) & set(split["events"]["test"])
    if both:
        problems.append(f"events in both halves: {sorted(both)}")
    known = set(split["ids"]["tune"]) | set(split["ids"]["test"])
    missing = sorted(a["id"] for a in articles if a["id"] not in known)
    if missing:
        problems.append(f"{len(missing)} article(s) of the set in neither half (new events?)")
    return problems


def describe(
    split: Mapping, articles: Sequence[Mapping], gold: Sequence[Mapping], frames: Sequence[str]
) -> str:
    """Counts per half: events, articles, present frames and stance labels."""
    by_id = {g["id"]: g for g in gold}
    lines = []
    for h in ("tune", "test"):
        ids = set(split["ids"][h])
        ev = split["events"][h]
        n_other = sum(e in split["other_conflict_events"] for e in ev)
        counts = {f: sum(f in by_id[i]["frames"] for i in ids) for f in frames}
        st = {s: sum(by_id[i].get("stance") == s for i in ids) for s in STANCES}
        lines.append(
            f"{h}: {len(ev)} events ({len(ev) - n_other} Russia–Ukraine, {n_other} other), "
            f"{len(ids)} articles; frames {counts}; stance {st}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--eval-dir", type=Path, default=EVAL_DIR)
    ap.add_argument("--write", action="store_true", help=f"(re)write {SPLIT_PATH.name}")
    args = ap.parse_args(argv)
    articles = read_jsonl(args.eval_dir / "articles.jsonl")
    gold = read_jsonl(args.eval_dir / "labels.jsonl")
    if args.write:
        split = make_split(articles, gold, load_codebook().frame_keys)
        SPLIT_PATH.write_text(json.dumps(split, indent=1) + "\n")
    split = load_split()
    print(describe(split, articles, gold, load_codebook().frame_keys))
    for p in check_split(split, articles):
        print("problem:", p)


if __name__ == "__main__":
    main()
