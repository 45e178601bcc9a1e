"""MinHash estimates against exact Jaccard and datasketch; heatmaps legible from 2 to 60 groups (rendered)."""

import io
import random
import struct

import numpy as np
import pytest

from comparison import ArticleRecord, compare_outlets, heatmap_spec
from comparison.syndication import find_syndication, minhash_signatures, shingle_hashes

WORDS = [f"word{i}" for i in range(2000)]


def text(rng, n=150):
    return " ".join(rng.choices(WORDS, k=n))


def test_minhash_estimate_matches_exact_jaccard_and_datasketch():
    datasketch = pytest.importorskip("datasketch")
    rng = random.Random(5)
    base = text(rng).split()
    other = base[:90] + text(rng, 60).split()  # a copy whose last 60 words differ
    hashes, counts = shingle_hashes([" ".join(base), " ".join(other)])
    signatures = minhash_signatures(hashes, counts)
    ours = float((signatures[0] == signatures[1]).mean())
    a, b = set(hashes[: counts[0]].tolist()), set(hashes[counts[0] :].tolist())
    exact = len(a & b) / len(a | b)
    sketches = []
    for shingles in (a, b):
        m = datasketch.MinHash(num_perm=128, seed=3)
        m.update_batch([struct.pack("<I", s) for s in shingles])
        sketches.append(m)
    assert ours == pytest.approx(exact, abs=0.12)  # 3 standard errors at 126 permutations
    assert sketches[0].jaccard(sketches[1]) == pytest.approx(exact, abs=0.12)


def test_unrelated_texts_on_one_topic_are_not_copies():
    rng = random.Random(9)
    texts = [text(rng) for _ in range(200)]
    found = find_syndication(texts, list(range(200)), [f"o{i}" for i in range(200)])
    assert found.clusters == () and found.n_checked == 200
    short = find_syndication(["too short to judge"] * 3, [1, 2, 3], ["a", "b", "c"])
    assert short.clusters == () and short.n_checked == 0  # under 25 words: never called copies


def grouped(n_groups):
    frames = ("humanitarian", "escalation", "economic", "legality-sovereignty")
    records = []
    for g in range(n_groups):
        for i in range(6):
            present = {f: (i + g + j) % 3 == 0 for j, f in enumerate(frames)}
            records.append(ArticleRecord(f"outlet-{g}-{i}", present, model_version="v", codebook_hash="c"))
    group_of = {r.outlet: f"a rather long group name number {r.outlet.split('-')[1]}" for r in records}
    return compare_outlets(
        records, frames, group_of=group_of, group_by="type", vocabulary=False, n_resamples=99
    )


@pytest.mark.parametrize("n_groups", [2, 60])
def test_heatmap_renders_legibly(n_groups):
    vlc = pytest.importorskip("vl_convert")
    png = vlc.vegalite_to_png(heatmap_spec(grouped(n_groups)), scale=1)
    width, height = struct.unpack(">II", png[16:24])
    assert height >= 22 * n_groups  # one 22 px row per group: never squeezed
    assert width >= 4 * 96 + 200  # four 96 px columns plus the untruncated group labels
    svg = vlc.vegalite_to_svg(heatmap_spec(grouped(n_groups)))
    assert "a rather long group name number 1" in svg and "…" not in svg  # labels are not clipped
    assert "–" in io.StringIO(svg).read()  # intervals printed in the cells
    assert np.isfinite(width)


def grouped_trends(n_groups):
    from datetime import UTC, datetime, timedelta

    from comparison import frame_trends

    frames = ("humanitarian", "escalation", "economic", "legality-sovereignty")
    start = datetime(2026, 3, 2, tzinfo=UTC)
    records = []
    for g in range(n_groups):
        for i in range(6):
            present = {f: (i + g + j) % 3 == 0 for j, f in enumerate(frames)}
            when = start + timedelta(weeks=i % 3)
            records.append(
                ArticleRecord(f"o-{g}-{i}", present, published_at=when, model_version="v", codebook_hash="c")
            )
    group_of = {r.outlet: f"a rather long group name number {r.outlet.split('-')[1]}" for r in records}
    return frame_trends(records, frames, interval="week", group_of=group_of, group_by="type")


@pytest.mark.parametrize("n_groups", [2, 60])
def test_trend_chart_renders_legibly(n_groups):
    from comparison import trend_spec

    vlc = pytest.importorskip("vl_convert")
    spec = trend_spec(grouped_trends(n_groups))
    png = vlc.vegalite_to_png(spec, scale=1)
    width, height = struct.unpack(">II", png[16:24])
    if n_groups <= 6:  # a panel per frame, a coloured line per group
        assert spec["facet"]["field"] == "frame" and spec["spec"]["encoding"]["color"]["field"] == "group"
        assert height >= 2 * 160 and width >= 2 * 320
    else:  # a panel per group (four a row), a coloured line per frame
        assert spec["facet"]["field"] == "group" and spec["spec"]["encoding"]["color"]["field"] == "frame"
        assert height >= (n_groups // 4) * 90 and width >= 4 * 180
    svg = vlc.vegalite_to_svg(spec)
    assert f"a rather long group name number {n_groups - 1}" in svg and "…" not in svg
