"""compare_counts on counted rows gives compare_outlets' numbers on the same articles one record each."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from comparison import ArticleRecord, InvalidParameterError, compare_outlets, count_terms
from comparison.copies import clusters_from_records
from comparison.counted import LabelCounts, compare_counts
from comparison.divergence import _resampled_sums, distinct_rows

FRAMES = ("conflict", "economy", "humanitarian")
GROUPS = {"a": "left", "b": "left", "c": "right", "d": "right", "e": None}


def make_records(n: int = 400, seed: int = 1) -> list[ArticleRecord]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        present = rng.random(3) < [0.5, 0.3, 0.2]
        shares = np.where(present, rng.uniform(0.1, 0.5, 3), 0.0)
        out.append(
            ArticleRecord(
                outlet="abcde"[int(rng.integers(5))],
                frames=dict(zip(FRAMES, present.tolist(), strict=True)),
                shares=dict(zip(FRAMES, shares.tolist(), strict=True)),
                dominant_frame=FRAMES[int(np.argmax(shares))] if present.any() else None,
                stance=("favor", "against", None)[int(rng.integers(3))],
                text=f"story {i} words{int(rng.integers(4))} term{int(rng.integers(9))}",
                event=f"e{int(rng.integers(3))}",
                model_version="m1",
                codebook_hash="h1",
                stance_target="ukraine",
                article_id=i,
                syndication_cluster=int(rng.integers(30)) if i % 4 == 0 else None,
                syndication_similarity=0.9,
            )
        )
    return out


def copy_flags(records: list[ArticleRecord], unit_of: dict[str, Any] | None) -> tuple[list[bool], list]:
    """Per record: a copy after its unit's first article of the cluster? And the kept (record, unit)."""
    seen: set[tuple] = set()
    flags, kept = [], []
    for r in records:
        unit = unit_of.get(r.outlet) if unit_of is not None else r.outlet
        copy = False
        if r.syndication_cluster is not None:
            copy = (unit, r.syndication_cluster) in seen
            seen.add((unit, r.syndication_cluster))
        flags.append(copy)
        if not copy and (unit_of is None or unit):
            kept.append((r, unit))
    return flags, kept


def counted(records: list[ArticleRecord], unit_of: dict[str, Any] | None) -> tuple[LabelCounts, list]:
    """What a database read returns: cells (outlet x event x dominant x stance x copy flag) with
    per-frame counts and share sums, and presence patterns per outlet x event x copy flag."""
    flags, kept = copy_flags(records, unit_of)
    cells: dict[tuple, list] = defaultdict(lambda: [0, np.zeros(3, dtype=np.int64), np.zeros(3)])
    patterns: dict[tuple, int] = defaultdict(int)
    for r, copy in zip(records, flags, strict=True):
        present = tuple(r.frames[f] for f in FRAMES)
        cell = cells[(r.outlet, r.event, r.dominant_frame, r.stance, copy)]
        cell[0] += 1
        cell[1] += present
        cell[2] += [r.shares[f] for f in FRAMES]
        patterns[(r.outlet, r.event, copy, present)] += 1
    keys, pkeys = list(cells), list(patterns)
    counts = LabelCounts(
        FRAMES,
        [k[0] for k in keys],
        [k[1] for k in keys],
        np.array([cells[k][1] for k in keys]),
        np.array([cells[k][2] for k in keys]),
        [k[2] for k in keys],
        [k[3] for k in keys],
        ["ukraine"] * len(keys),
        ["m1"] * len(keys),
        ["h1"] * len(keys),
        np.array([cells[k][0] for k in keys]),
        np.array([k[4] for k in keys]),
        [k[0] for k in pkeys],
        [k[1] for k in pkeys],
        np.array([k[2] for k in pkeys]),
        np.array([k[3] for k in pkeys]),
        np.array([patterns[k] for k in pkeys]),
    )
    return counts, kept


def assert_same(old: Any, new: Any, path: str = "") -> None:
    if isinstance(old, dict):
        assert old.keys() == new.keys(), path
        for key in old:
            assert_same(old[key], new[key], f"{path}.{key}")
    elif isinstance(old, list | tuple):
        assert len(old) == len(new), path
        for i, (a, b) in enumerate(zip(old, new, strict=True)):
            assert_same(a, b, f"{path}[{i}]")
    elif isinstance(old, float) and not isinstance(new, bool):
        assert math.isclose(old, new, rel_tol=1e-9, abs_tol=1e-12), f"{path}: {old} != {new}"
    else:
        assert old == new, f"{path}: {old!r} != {new!r}"


@pytest.mark.parametrize("grouped", [False, True])
@pytest.mark.parametrize("stratify", [False, True])
@pytest.mark.parametrize("syndicated", ["once", "each", "off"])
@pytest.mark.parametrize("distribution", ["prevalence", "dominant"])
def test_counts_give_the_per_article_numbers(grouped, stratify, syndicated, distribution):
    records = make_records()
    group_of = GROUPS if grouped else None
    options = dict(
        group_of=group_of,
        group_by="side" if grouped else None,
        stratify_by_event=stratify,
        syndicated=syndicated,
        distribution=distribution,
        n_resamples=199,
        min_articles=3,
        min_term_count=1,
    )
    old = compare_outlets(records, FRAMES, syndication_source="records", **options)
    counts, kept = counted(records, group_of)
    if syndicated != "once":  # every grouped article counts
        kept = [(r, group_of.get(r.outlet) if group_of else r.outlet) for r in records]
        kept = [(r, u) for r, u in kept if u]
    terms = count_terms([r.text for r, _ in kept], [u for _, u in kept], max_chars_per_article=2000)
    compared = [_grouped(r, group_of) for r in records if group_of.get(r.outlet)] if group_of else records
    clusters = clusters_from_records(compared) if syndicated != "off" else None
    new = compare_counts(counts, FRAMES, term_counts=terms, syndication=clusters, **options)
    assert_same(old.tables(), new.tables())
    assert old.metadata() == new.metadata()
    assert len(counts) < len(records)


def _grouped(r: ArticleRecord, group_of: dict) -> ArticleRecord:
    return replace(r, outlet=group_of[r.outlet], source_outlet=r.outlet)


def test_multinomial_bootstrap_is_resampling_articles():
    """Drawing how many articles carry each distinct row is the article bootstrap: same mean and spread."""
    rng = np.random.default_rng(5)
    values = (rng.random((300, 3)) < [0.5, 0.2, 0.7]).astype(float)
    rows, n = distinct_rows(values, np.ones(300, dtype=np.int64))
    multinomial = _resampled_sums(rows, n, 4000, np.random.default_rng(1))
    direct = values[np.random.default_rng(2).integers(0, 300, size=(4000, 300))].sum(axis=1)
    assert np.allclose(multinomial.mean(axis=0), direct.mean(axis=0), rtol=0.01)
    assert np.allclose(multinomial.std(axis=0), direct.std(axis=0), rtol=0.06)


def test_counts_refuse_per_article_shares_and_unknown_frames():
    counts, _ = counted(make_records(50), None)
    with pytest.raises(InvalidParameterError):
        compare_counts(counts, FRAMES, distribution="share")
    with pytest.raises(Exception, match="occur in no record"):
        compare_counts(counts, ("nope",))


@pytest.mark.parametrize("grouped", [False, True])
def test_weighted_records_give_the_per_article_numbers(grouped):
    """The same counted rows as weighted ``ArticleRecord``s (mean shares, ``is_copy`` flags)."""
    records = make_records()
    group_of = GROUPS if grouped else None
    options = dict(group_of=group_of, group_by="side" if grouped else None, n_resamples=199, min_articles=3)
    old = compare_outlets(records, FRAMES, syndication_source="records", min_term_count=1, **options)
    flags, kept = copy_flags(records, group_of)
    rows: dict[tuple, list] = defaultdict(lambda: [0, np.zeros(3)])
    for r, copy in zip(records, flags, strict=True):
        key = (r.outlet, r.event, tuple(r.frames[f] for f in FRAMES), r.dominant_frame, r.stance, copy)
        rows[key][0] += 1
        rows[key][1] += [r.shares[f] for f in FRAMES]
    weighted = [
        ArticleRecord(
            outlet=outlet,
            frames=dict(zip(FRAMES, present, strict=True)),
            shares=dict(zip(FRAMES, (rows[key][1] / rows[key][0]).tolist(), strict=True)),
            dominant_frame=dominant,
            stance=stance,
            event=event,
            model_version="m1",
            codebook_hash="h1",
            stance_target="ukraine",
            weight=rows[key][0],
            is_copy=copy,
        )
        for key in rows
        for outlet, event, present, dominant, stance, copy in [key]
    ]
    assert len(weighted) < len(records)
    compared = [_grouped(r, group_of) for r in records if group_of.get(r.outlet)] if group_of else records
    terms = count_terms([r.text for r, _ in kept], [u for _, u in kept], max_chars_per_article=2000)
    new = compare_outlets(
        weighted,
        FRAMES,
        syndication_source="flags",
        syndication=clusters_from_records(compared),
        term_counts=terms,
        min_term_count=1,
        **options,
    )
    assert_same(old.tables(), new.tables())
    with pytest.raises(InvalidParameterError, match="term_counts"):
        compare_outlets(weighted, FRAMES, syndication_source="flags", **options)
