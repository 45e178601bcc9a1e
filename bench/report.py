"""Write bench/RESULTS.md from the JSON files in bench/results/ (run_all.py calls this last).

usage: python bench/report.py    # re-render the report from the last results, without re-running
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("BENCH_RESULTS_DIR", str(Path(__file__).resolve().parent / "results" / "latest"))

from common import REPO, RESULTS  # noqa: E402

OUT = REPO / "bench" / "RESULTS.md"
MB_300_IN_MIB = 300e6 / 2**20  # the memory goal is 300 MB; /proc reports KiB


def _load(name: str) -> dict[str, Any] | None:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.is_file() else None


def _n(value: Any, digits: int = 0) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def _met(ok: bool | None) -> str:
    return "–" if ok is None else ("yes" if ok else "**no**")


def _status(runs: dict, name: str) -> str:
    run = (runs.get("runs") or {}).get(name) or {}
    return run.get("status", "not run")


def write_report() -> Path:
    """Render the summary (each figure next to its goal) and the detail tables; returns the path."""
    m = _load("machine") or {}
    runs = _load("runs") or {}
    cls, texts, cmp_, http, stored = (
        _load(n) for n in ("classify", "classify_texts", "comparison", "http", "stored")
    )
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(runs.get("started", time.time())))
    libs = ", ".join(f"{k} {v}" for k, v in (m.get("libraries") or {}).items())
    lines = [
        "# Benchmark results",
        "",
        f"Measured **{when}** by `make bench` in {_n(runs.get('seconds'))} s. "
        "Regenerated on every run; see [docs/performance.md](../docs/performance.md) for what the "
        "numbers mean and what limits them.",
        "",
        f"- Machine: {m.get('cores')} cores ({m.get('cpu_model') or 'unknown CPU'}), "
        f"{m.get('memory_gib')} GiB memory, {m.get('os')}",
        f"- Python {m.get('python')}; {libs}",
        f"- PostgreSQL {m.get('postgresql')}; load generator: {m.get('wrk')} "
        "(wrk; `absent` means the Python fallback was used)",
        f"- Load average (1 min) at start {m.get('load_average')}, at end {runs.get('load_avg_end')}: "
        f"other work on the machine inflates times (values above {m.get('cores')} mean contention).",
        "",
        "## Against the goals",
        "",
        "| figure | measured | goal | met | load avg |",
        "|---|---|---|---|---|",
    ]
    rows: list[tuple[str, str, str, bool | None, Any]] = []
    if cls:
        for procs in (1, 2):
            r = cls.get(f"processes_{procs}")
            if not r:
                continue
            c = r["classify"]
            rows.append(
                (
                    f"classification in-process, ~{cls['mean_words']:.0f}-word articles, {procs} process(es)",
                    f"{_n(c['articles_per_s'])} articles/s ({_n(c['sentences_per_s'])} sentences/s; "
                    f"{_n(c.get('articles_per_cpu_s'))} per CPU-second)",
                    "≥ 1,000 articles/s",
                    c["articles_per_s"] >= 1000,
                    _first(cls.get("load_avg")),
                )
            )
            rows.append(
                (
                    f"classification / featurisation limit, {procs} process(es)",
                    f"{r['ratio']:.2f} (limit {_n(r['featurise']['articles_per_s'])} articles/s)",
                    "≥ 0.5",
                    r["ratio"] >= 0.5,
                    _first(cls.get("load_avg")),
                )
            )
    else:
        rows.append(("classification in-process", _status(runs, "classify"), "≥ 1,000 articles/s", None, "–"))
    phases = [
        (k, http[k])
        for k in ("classify", "classify_close")
        if http and isinstance(http.get(k), dict) and "req_per_s" in http[k]
    ]
    side = (http or {}).get("side_by_side") or {}
    for name, c in phases:
        how = "keep-alive" if name == "classify" else "new connection per request"
        split = f"; worker CPU s {c['worker_cpu_seconds']}" if c.get("worker_cpu_seconds") else ""
        if name == "classify" and "ratio" in side:
            rows.append(
                (
                    "`POST /v1/classify` / bare Flask TF-IDF + LR endpoint (`bench/bare_app.py`), "
                    "same gunicorn config, keep-alive, rounds alternated",
                    f"{side['ratio']:.2f} ({_n(side['service']['req_per_s'])} vs "
                    f"{_n(side['bare']['req_per_s'])} req/s){split}",
                    "≥ 0.5",
                    side["ratio"] >= 0.5,
                    c["load_avg_before"],
                )
            )
        else:
            rows.append(
                (
                    f"`POST /v1/classify`, one article, gunicorn 2 workers, {how}",
                    f"{_n(c['req_per_s'])} req/s{split}",
                    "(report)",
                    None,
                    c["load_avg_before"],
                )
            )
        goal_ms = 50 if name == "classify" else 100
        rows.append(
            (
                f"`POST /v1/classify` p99 latency, {how}"
                + (" (worst round)" if name == "classify" and side else ""),
                f"{_n(c['p99_ms'], 1)} ms (p50 {_n(c['p50_ms'], 1)} ms; {c['tool']})",
                f"< {goal_ms} ms",
                c["p99_ms"] < goal_ms,
                c["load_avg_before"],
            )
        )
    job = (http or {}).get("during_job") or {}
    if "p99_ms" in job:
        rows.append(
            (
                f"`POST /v1/classify` p99 while a classify job runs ({job['job_executor']}; "
                f"{_n(job['job_articles_during_load'])} articles labelled meanwhile)",
                f"{_n(job['p99_ms'], 1)} ms (p50 {_n(job['p50_ms'], 1)} ms; {_n(job['req_per_s'])} req/s)",
                "< 100 ms",
                job["p99_ms"] < 100,
                job["load_avg_before"],
            )
        )
    if not phases:
        rows.append(("`POST /v1/classify`", _status(runs, "http"), "≥ 300 req/s, p99 < 100 ms", None, "–"))
    lib10k = _level(cmp_, 10_000)
    if lib10k:
        rows.append(
            (
                "`compare_outlets`, 10,000 articles (library)",
                f"{lib10k['compare']:.2f} s ({lib10k['cpu']:.2f} s CPU)",
                "< 1 s",
                lib10k["compare"] < 1,
                lib10k.get("load_avg"),
            )
        )
        g = (cmp_.get("growth_exponent") or {}).get("compare")
        rows.append(
            (
                "`compare_outlets` growth exponent (fit 1k → 100k; 10k → 100k alone)",
                f"{_n(g, 2)}; {_n(_pair_slope(cmp_, 'compare'), 2)}",
                "≤ 1 (linear, ±0.1 noise)",
                _linear(g, _pair_slope(cmp_, "compare")),
                cmp_.get("load_avg_end"),
            )
        )
    st_levels = [lv for lv in (stored or {}).get("levels", []) if lv.get("all_events_seconds") is not None]
    if st_levels:
        for n, goal in ((100_000, 1.0), (1_000_000, 10.0)):
            lv = _level(stored, n)
            if lv and lv.get("all_events_seconds") is not None:
                rows.append(
                    (
                        f"stored comparison of {n:,} articles (`GET /v1/comparisons?events=all`, HTTP; "
                        "group_by=type / one event alongside)",
                        f"{lv['all_events_seconds']:.2f} s ({_n(lv.get('all_events_by_type_seconds'), 2)} s; "
                        f"{_n(lv.get('one_event_seconds'), 2)} s)",
                        f"< {goal:g} s",
                        lv["all_events_seconds"] < goal,
                        lv.get("load_avg_before"),
                    )
                )
        peak = max(lv["worker_peak_rss_mib"] for lv in st_levels)
        rows.append(
            (
                "worker peak RSS, stored comparisons at every size ("
                + ", ".join(f"{lv['n']:,}" for lv in st_levels)
                + ")",
                f"{_n(peak)} MiB",
                "< 300 MB (286 MiB)",
                peak < MB_300_IN_MIB,
                st_levels[-1].get("load_avg_after"),
            )
        )
    elif stored is None:
        rows.append(
            ("comparison over stored articles", _status(runs, "stored"), "< 1 s at 10,000", None, "–")
        )
    if http and http.get("memory_after_start"):
        start = max(w["rss"] for w in http["memory_after_start"])
        after = [w["hwm"] for k, v in http.items() if k.startswith("memory_after_") for w in v]
        after_batch = [w["hwm"] for w in http.get("memory_after_batch") or http["memory_after_start"]]
        rows.append(
            (
                "RSS of one gunicorn worker with the model loaded (after start)",
                f"{_n(start)} MiB",
                "< 300 MB (286 MiB)",
                start < MB_300_IN_MIB,
                http.get("load_avg_start"),
            )
        )
        rows.append(
            (
                "peak RSS of one worker during the HTTP phases (batches, then the comparison)",
                f"{_n(max(after_batch))} MiB after the batches; {_n(max(after))} MiB after the comparison",
                "< 300 MB (286 MiB)",
                max(after_batch) < MB_300_IN_MIB,
                http.get("load_avg_start"),
            )
        )
    lib100k = _level(cmp_, 100_000)
    st100k = _level(stored, 100_000)
    if lib100k or st100k:
        parts = []
        if lib100k and lib100k.get("rss") is not None:
            parts.append(
                f"library: +{_n(lib100k['rss'])} MiB over the records "
                f"({_n(lib100k.get('rss_with_records'))} MiB process peak)"
            )
        if st100k and st100k.get("worker_peak_rss_mib") is not None:
            parts.append(f"service: worker peak {_n(st100k['worker_peak_rss_mib'])} MiB")
        rows.append(
            (
                "memory of a 100,000-article comparison",
                "; ".join(parts) or "–",
                "(report)",
                None,
                (st100k or lib100k).get("load_avg_after") or (lib100k or {}).get("load_avg"),
            )
        )
    html, bulk, bulk_1m = _load("html"), _load("bulk"), _load("bulk_1m")
    if html:
        worst = html["worst"]
        rows.append(
            (
                "saved HTML: worst hostile page within the limits (`bench_html.py`)",
                f"{worst['seconds']} s ({worst['page']}); peak RSS {html['peak_rss_mib']} MiB",
                "bounded (seconds)",
                worst["seconds"] < 5,
                html.get("load"),
            )
        )
    if bulk:
        job = bulk["classify_job"]
        rows.append(
            (
                "classify job over stored articles, one runner (`bench_bulk.py`)",
                f"{_n(job['articles_per_s'])} articles/s ({job['articles']} articles)",
                "(report)",
                None,
                bulk.get("load_before"),
            )
        )
    workers = _load("workers")
    worker_runs = (workers or {}).get("classify_job_workers") or []
    if len(worker_runs) > 1:
        one, two = worker_runs[0], worker_runs[-1]
        rows.append(
            (
                f"classify job over {_n(two['articles'])} stored articles, {two['workers']} worker "
                f"processes vs {one['workers']} (`bench_bulk.py --workers`)",
                f"{two['speedup']}x ({one['seconds']} s -> {two['seconds']} s; CPU s per worker "
                f"{one['worker_cpu_seconds']} -> {two['worker_cpu_seconds']}; cores the machine gave "
                f"{one['cores_available']} / {two['cores_available']}; worker peak RSS "
                f"{max(two['worker_peak_rss_mib'])} MiB)",
                ">= 1.8x",
                two["speedup"] >= 1.8,
                two.get("load_before"),
            )
        )
    for part in (bulk, bulk_1m):
        for n, formats in (part or {}).get("exports", {}).items():
            for format_, e in formats.items():
                rows.append(
                    (
                        f"streamed export of {int(n):,} articles as {format_}, one gunicorn worker",
                        f"{e['seconds']} s, {e['mib']} MiB; worker peak RSS {e['worker_peak_rss_mib']} MiB "
                        f"(before {e['worker_rss_before_mib']})",
                        "< 300 MB (286 MiB)",
                        e["worker_peak_rss_mib"] < 286,
                        e.get("load_before") or part.get("load_after"),
                    )
                )
    for figure, measured, goal, ok, load in rows:
        lines.append(f"| {figure} | {measured} | {goal} | {_met(ok)} | {load} |")

    lines += [
        "",
        "## Classification in-process",
        "",
        "`featurise` is the limit: sentence splitting + vectorising alone. Ratio = classify / featurise.",
        "",
        "| texts | articles (distinct) | words/article | processes | classify articles/s | "
        "sentences/s | classify articles per CPU-s | featurise articles/s | ratio | load |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    sets, skipped = [], []
    if cls:
        sets.append(("fixtures (generated ~600 words)", cls, _first(cls.get("load_avg"))))
    for name in ("eval", "datasets"):
        part = (texts or {}).get(name)
        if part and "skipped" not in part:
            label = (
                "`../shared/eval`" if name == "eval" else "`../shared/datasets` (BASIL, Ukraine bias, FNC-1)"
            )
            sets.append((label, part, part.get("load_avg")))
        elif part:
            skipped.append(f"| `{name}` | skipped: {part['skipped']} ||||||||| ")
    for label, part, load in sets:
        for procs in (1, 2):
            r = part.get(f"processes_{procs}")
            if r:
                distinct = part.get("n_distinct", part["n_articles"])
                lines.append(
                    f"| {label} | {_n(part['n_articles'])} ({_n(distinct)}) | {part['mean_words']:.0f} "
                    f"| {procs} | {_n(r['classify']['articles_per_s'])} | "
                    f"{_n(r['classify']['sentences_per_s'])} | "
                    f"{_n(r['classify'].get('articles_per_cpu_s'))} | "
                    f"{_n(r['featurise']['articles_per_s'])} | {r['ratio']:.2f} | {load} |"
                )
    lines += skipped
    if not sets:
        lines.append(f"| {_status(runs, 'classify')} ||||||||| ")

    lines += ["", "## HTTP (gunicorn, 2 workers, gunicorn.conf.py, PostgreSQL; load from 127.0.0.1)", ""]
    if http:
        lines += [
            "| request | tool | requests | req/s | p50 ms | p95 ms | p99 ms | non-2xx | load |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        if side.get("bare"):
            http = {**http, "bare": {**side["bare"], "tool": side["bare"]["tool"]}}
        labels = {
            "classify": "`POST /v1/classify`, 1 article (~600 words)",
            "bare": "bare Flask endpoint (TF-IDF + LR only, `bench/bare_app.py`), same article, rounds "
            "alternated with the row above",
            "classify_close": "`POST /v1/classify`, same, a new connection per request",
            "batch": "`POST /v1/articles/batch`, 1,000 fresh articles (classified + stored)",
            "comparison": "`GET /v1/events/{key}/comparison`",
            "during_job": "`POST /v1/classify` while a classify job relabels the stored articles",
        }
        for name, label in labels.items():
            r = http.get(name) or {}
            if "req_per_s" in r:
                extra = ""
                if r.get("cpu_ms_per_request") and not r.get("worker_cpu_seconds"):
                    extra = f" — {r['cpu_ms_per_request']} ms CPU/request"
                if name in ("classify", "classify_close", "during_job") and r.get("worker_cpu_seconds"):
                    extra = (
                        f" — worker CPU s {r['worker_cpu_seconds']}, {r['cpu_ms_per_request']} ms CPU/request"
                    )
                if name == "batch":
                    extra = f" — {_n(r['articles_per_s'])} articles/s"
                if name == "comparison":
                    extra = f" over {_n(r.get('n_articles'))} articles"
                lines.append(
                    f"| {label}{extra} | {r['tool']} | {_n(r['requests'])} | {_n(r['req_per_s'], 1)} | "
                    f"{_n(r.get('p50_ms'), 1)} | {_n(r.get('p95_ms'), 1)} | {_n(r.get('p99_ms'), 1)} | "
                    f"{r['non_2xx']} | {r['load_avg_before']} → {r['load_avg_after']} |"
                )
            else:
                lines.append(f"| {label} | {r.get('skipped') or r.get('error') or 'not run'} ||||||||")
        mem = ", ".join(f"{_n(w['rss'])}" for w in http.get("memory_after_start") or [])
        peak = ", ".join(f"{_n(w['hwm'])}" for w in http.get("memory_after_comparison") or [])
        lines += [
            "",
            f"Worker RSS after start (model loaded): {mem} MiB; peak after all phases: {peak} MiB. "
            f"Workers ready {http.get('ready_seconds')} s after launch.",
        ]
    else:
        lines.append(f"Not measured: {_status(runs, 'http')}.")

    lines += [
        "",
        "## Comparison at scale",
        "",
        "Library: `compare_outlets` on synthetic ~600-word records (20 outlets, 8 frames); best of 2 "
        "below 100,000, one run at 100,000. Traced peak = tracemalloc (not run at 100,000: it "
        "slows allocation ~20x); RSS growth = rise of the kernel's peak RSS over one run.",
        "",
    ]
    if cmp_:
        lines += [
            "| articles | wall s | CPU s | traced peak MiB | RSS growth MiB | load |",
            "|---|---|---|---|---|---|",
        ]
        for lv in cmp_["levels"]:
            lines.append(
                f"| {_n(lv['n'])} | {_n(lv.get('compare'), 3)} | {_n(lv.get('cpu'), 3)} | "
                f"{_n(lv.get('peak'), 1)} | {_n(lv.get('rss'), 1)} | {lv.get('load_avg')} |"
            )
        lines.append(
            f"\nGrowth exponent (log-log slope of wall time on n): "
            f"{_n((cmp_.get('growth_exponent') or {}).get('compare'), 2)}."
        )
    else:
        lines.append(f"Library: {_status(runs, 'comparison')}.")
    lines += [
        "",
        "Stored articles (PostgreSQL, five events, signed and clustered at ingest, ~8 % syndicated "
        "copies): `new` = counted in SQL (`stored_counts` + `compare_counts`, what the endpoints run), "
        "`old` = one record and text head per article (`stored_records` + `compare_outlets`), both "
        "in-process over every article, stratified by event, with the growth of the process's peak "
        "RSS; `rows` = counted rows the new path read. HTTP against gunicorn (2 workers): all events, "
        "all events by type, one event; worker peak RSS over the level. Up to 10,000 articles go "
        "through ingest + signing + the storage DAO; larger sizes copy rows inside PostgreSQL.",
        "",
    ]
    if stored:
        lines += [
            "| articles | fill s | new s | new peak MiB | rows | old s | old peak MiB | old/new | "
            "HTTP all events s | by type s | one event s | worker peak RSS MiB | load before/after |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for lv in stored["levels"]:
            lines.append(
                f"| {_n(lv['n'])} | {_n(lv['fill_seconds'], 1)} ({lv.get('fill', 'DAO')}) | "
                f"{_n(lv.get('new_seconds'), 3)} | {_plus(lv.get('new_rss_growth_mib'))} | "
                f"{_n(lv.get('aggregated_rows'))} | {_n(lv.get('old_seconds'), 3)} | "
                f"{_plus(lv.get('old_rss_growth_mib'))} | {_n(lv.get('old_over_new'), 1)} | "
                f"{_n(lv.get('all_events_seconds'), 3)} | {_n(lv.get('all_events_by_type_seconds'), 3)} | "
                f"{_n(lv.get('one_event_seconds'), 3)} | {_n(lv.get('worker_peak_rss_mib'))} | "
                f"{lv['load_avg_before']} / {lv.get('load_avg_after')} |"
            )
    else:
        lines.append(f"Stored: {_status(runs, 'stored')}.")
    lines += ["", "## Runs", "", "| benchmark | status | seconds |", "|---|---|---|"]
    for name, run in (runs.get("runs") or {}).items():
        lines.append(f"| {name} | {run.get('status')} | {_n(run.get('seconds'))} |")
    OUT.write_text("\n".join(lines) + "\n")
    return OUT


def _plus(value: float | None) -> str:
    """A growth figure with its sign, or a dash when not measured."""
    return "–" if value is None else f"+{_n(value)}"


def _pair_slope(data: dict, key: str, lo: int = 10_000, hi: int = 100_000) -> float | None:
    """Growth exponent between two sizes only: fixed per-request costs flatter the fit at 1,000."""
    a, b = _level(data, lo), _level(data, hi)
    if not (a and b and a.get(key) and b.get(key)):
        return None
    return math.log(b[key] / a[key]) / math.log(hi / lo)


def _linear(*exponents: float | None) -> bool | None:
    known = [e for e in exponents if e is not None]
    return max(known) <= 1.1 if known else None


def _first(value: Any) -> Any:
    """bench_classify records the 3 load averages; the report shows the 1-minute one."""
    return round(value[0], 2) if isinstance(value, list) and value else value


def _level(data: dict | None, n: int) -> dict | None:
    for lv in (data or {}).get("levels", []):
        if lv.get("n") == n:
            return lv
    return None


if __name__ == "__main__":
    print(write_report().read_text())
