"""Benchmark compare_outlets at 1,000 / 10,000 / 100,000 synthetic classified articles.

Run: ``.venv/bin/python bench/bench_comparison.py [--sizes 1000 10000 100000] [--outlets 20]``

Records are generated deterministically (seeded numpy): ~600-word texts drawn from a Zipf-like
vocabulary of 20,000 pseudo-words plus a few words favoured by each outlet, 8 frames with
outlet-specific prevalence, stances, dates over one year and 25 events. Outlet sizes are unequal
(Zipf weights), so some small outlets trigger the exact / Monte Carlo test paths as in real data.

``--variants compare peak`` (what ``make bench`` runs) keeps the run short: only the default
comparison (wall and CPU time from the same runs) and its peak memory, traced and as the growth of the
process's resident set (kernel peak RSS, reset before the run). Results also go to
``bench/results/comparison.json``.

For each size the script reports the best of ``--repeat`` wall-clock runs of ``compare_outlets``
(defaults, i.e. vocabulary from the first 2,000 characters, and full texts), the term counting alone,
the statistics without vocabulary, ``frame_trends``, and the peak traced memory of one run
(tracemalloc, measured in a separate run because tracing slows allocation). It ends with the fitted
growth exponent: the slope of log(time) on log(n); 1.0 means linear.
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import load_average, reset_peak_rss, rss_mib, write_result  # noqa: E402

from comparison import ArticleRecord, compare_outlets, count_terms, frame_trends  # noqa: E402

FRAMES = (
    "military",
    "humanitarian",
    "economic",
    "diplomatic",
    "legal",
    "responsibility",
    "morality",
    "human_interest",
)
STANCES = ("favor", "against", "neutral", None)
N_VOCAB = 20_000
WORDS_PER_ARTICLE = 600


def _pseudo_words(rng: np.random.Generator, n: int) -> np.ndarray:
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    lengths = rng.integers(3, 11, size=n)
    words = {"".join(rng.choice(letters, size=k)) for k in lengths}
    while len(words) < n:
        words.add("".join(rng.choice(letters, size=8)))
    return np.array(sorted(words)[:n], dtype=object)


def make_records(n: int, n_outlets: int = 20, seed: int = 0) -> list[ArticleRecord]:
    """``n`` deterministic synthetic records (same n, outlets and seed give the same records)."""
    rng = np.random.default_rng(seed)
    vocab = _pseudo_words(rng, N_VOCAB)
    weights = 1.0 / np.arange(1, N_VOCAB + 1) ** 1.07
    weights /= weights.sum()
    outlets = [f"outlet_{i:02d}" for i in range(n_outlets)]
    outlet_p = 1.0 / np.arange(1, n_outlets + 1) ** 0.8
    outlet_of = rng.choice(n_outlets, size=n, p=outlet_p / outlet_p.sum())
    prevalence = rng.uniform(0.05, 0.7, size=(n_outlets, len(FRAMES)))
    favourites = rng.choice(N_VOCAB, size=(n_outlets, 5), replace=False)
    tokens = rng.choice(N_VOCAB, size=(n, WORDS_PER_ARTICLE), p=weights)
    # every 20th word is one of the outlet's favourites, so Fightin' Words has something to find
    tokens[:, ::20] = favourites[outlet_of[:, None], rng.integers(0, 5, size=(n, WORDS_PER_ARTICLE // 20))]
    present = rng.random((n, len(FRAMES))) < prevalence[outlet_of]
    shares = np.where(present, rng.uniform(0.05, 0.6, size=present.shape), 0.0)
    stance_of = rng.integers(0, len(STANCES), size=n)
    day_of = rng.integers(0, 365, size=n)
    event_of = rng.integers(0, 25, size=n)
    start = datetime(2024, 1, 1)
    records = []
    for i in range(n):
        row_present = present[i]
        dominant = FRAMES[int(np.argmax(shares[i]))] if row_present.any() else None
        records.append(
            ArticleRecord(
                outlet=outlets[outlet_of[i]],
                frames=dict(zip(FRAMES, row_present.tolist(), strict=True)),
                shares=dict(zip(FRAMES, shares[i].tolist(), strict=True)),
                dominant_frame=dominant,
                stance=STANCES[stance_of[i]],
                text=" ".join(vocab[tokens[i]]).capitalize() + ".",
                published_at=start + timedelta(days=int(day_of[i]), hours=i % 24),
                event=f"event_{event_of[i]:02d}",
                model_version="bench-model",
                codebook_hash="0123456789abcdef",
            )
        )
    return records


def best_time(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def best_cpu_time(fn: Callable[[], object], repeat: int) -> float:
    """Process CPU seconds (best of ``repeat``): less disturbed than wall time on a shared machine."""
    times = []
    for _ in range(repeat):
        gc.collect()
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
    return min(times)


def peak_memory_mb(fn: Callable[[], object]) -> float:
    gc.collect()
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def slope(xs: list[float], ys: list[float]) -> float:
    """Least-squares slope of log(y) on log(x): the growth exponent."""
    if len(xs) < 2 or any(math.isnan(y) for y in ys):
        return math.nan
    return float(np.polyfit(np.log(xs), np.log(ys), 1)[0])


def best_wall_and_cpu(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Best wall and best process-CPU seconds over the same ``repeat`` runs."""
    walls, cpus = [], []
    for _ in range(repeat):
        gc.collect()
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return min(walls), min(cpus)


def rss_growth_mb(fn: Callable[[], object]) -> float:
    """Growth of the process's peak resident set over one run (MiB): what the OS must provide."""
    gc.collect()
    base = rss_mib()["rss"]
    if not reset_peak_rss():
        return math.nan
    fn()
    return rss_mib()["hwm"] - base


def measure(n: int, args: argparse.Namespace) -> dict[str, float]:
    """Time the chosen variants at one size; returns seconds (best of ``repeat``) and peak MiB."""
    t0 = time.perf_counter()
    records = make_records(n, args.outlets)
    generated = time.perf_counter() - t0
    texts = [r.text for r in records]
    labels = [r.outlet for r in records]
    repeat = args.repeat if n < args.single_run_from else 1
    variants = {
        "full": lambda: compare_outlets(records, FRAMES, max_chars_per_article=None),
        "terms": lambda: count_terms(texts, labels, max_chars_per_article=2000),
        "novocab": lambda: compare_outlets(records, FRAMES, vocabulary=False),
        "trends": lambda: frame_trends(records, FRAMES, interval="week"),
    }
    out = dict.fromkeys(("compare", "cpu", *variants, "peak", "rss"), math.nan)
    if "compare" in args.variants:
        out["compare"], out["cpu"] = best_wall_and_cpu(lambda: compare_outlets(records, FRAMES), repeat)
    for name, fn in variants.items():
        if name in args.variants:
            out[name] = best_time(fn, repeat)
    if "peak" in args.variants and not args.no_memory:
        if n <= args.trace_max:  # tracemalloc makes allocation ~20x slower: 86 s at 100,000
            out["peak"] = peak_memory_mb(lambda: compare_outlets(records, FRAMES))
        out["rss"] = rss_growth_mb(lambda: compare_outlets(records, FRAMES))
        out["rss_with_records"] = rss_mib()["hwm"]
    out["generate"] = generated
    out["load_avg"] = load_average()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--outlets", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc run")
    parser.add_argument(
        "--variants",
        nargs="+",
        help="what to time (default: everything)",
        default=["compare", "full", "terms", "novocab", "trends", "peak"],
    )
    parser.add_argument(
        "--trace-max",
        type=int,
        default=10**9,
        help="largest size whose peak is traced with tracemalloc (RSS is always read)",
    )
    parser.add_argument(
        "--single-run-from",
        type=int,
        default=10**9,
        help="sizes from this one up are run once instead of --repeat times",
    )
    args = parser.parse_args()

    print(
        f"python {sys.version.split()[0]}, numpy {np.__version__}, {os.cpu_count()} CPUs; "
        f"{args.outlets} outlets, {len(FRAMES)} frames, ~{WORDS_PER_ARTICLE} words/article; "
        f"best of {args.repeat}"
    )
    columns = ("compare", "cpu", "full", "terms", "novocab", "trends", "peak", "rss", "generate")
    print(" ".join(f"{c:>10}" for c in ("n", *columns)))
    series: dict[str, list[float]] = {c: [] for c in columns}
    rows = []
    for n in args.sizes:
        row = measure(n, args)
        rows.append(
            {
                "n": n,
                **{
                    k: (None if isinstance(v, float) and math.isnan(v) else round(v, 4))
                    for k, v in row.items()
                },
            }
        )
        for c in columns:
            series[c].append(row[c])
        print(" ".join([f"{n:>10}"] + [f"{row[c]:>10.3f}" for c in columns]), flush=True)
    print(
        "columns: compare = compare_outlets defaults (vocabulary on the first 2,000 chars), wall s;\n"
        "  cpu = the same, process CPU s (robust to other load on the machine);\n"
        "  full = full texts; terms = count_terms alone (2,000 chars); novocab = vocabulary=False;\n"
        "  trends = frame_trends(week); peak = tracemalloc peak MiB of compare_outlets;\n"
        "  rss = growth of the process's peak resident set over one compare_outlets, MiB;\n"
        "  generate = seconds to generate the records"
    )
    print(
        "growth exponent (log-log slope of time on n): "
        + ", ".join(f"{c} {slope(args.sizes, series[c]):.2f}" for c in columns[:6])
    )
    if 10_000 in args.sizes:
        i = args.sizes.index(10_000)
        verdict = "met" if series["compare"][i] < 1 else "NOT met"
        print(
            f"goal compare_outlets(10,000) < 1 s: {verdict} ({series['compare'][i]:.3f} s wall, "
            f"{series['cpu'][i]:.3f} s CPU; full texts {series['full'][i]:.3f} s)"
        )
    print(f"load average at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    exponents = {c: slope(args.sizes, series[c]) for c in columns[:6]}
    write_result(
        "comparison",
        {
            "outlets": args.outlets,
            "frames": len(FRAMES),
            "words_per_article": WORDS_PER_ARTICLE,
            "repeat": args.repeat,
            "single_run_from": args.single_run_from,
            "levels": rows,
            "growth_exponent": {c: None if math.isnan(v) else round(v, 2) for c, v in exponents.items()},
            "load_avg_end": load_average(),
        },
    )


if __name__ == "__main__":
    main()
