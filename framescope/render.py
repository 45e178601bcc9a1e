"""Plain-text views for the terminal: a comparison's main tables and a list of jobs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

WIDTH = 200


def _interval(row: Mapping[str, Any]) -> str:
    low, high = row.get("ci_low"), row.get("ci_high")
    if low is None or high is None or pd.isna(low) or pd.isna(high):
        return f"{row['share']:.2f}"
    return f"{row['share']:.2f} ({low:.2f}-{high:.2f})"


def _p(value: Any) -> str:
    return "" if value is None or pd.isna(value) else f"{value:.3g}"


def _block(title: str, frame: pd.DataFrame) -> list[str]:
    if frame.empty:
        return []
    return [title, frame.to_string(index=False, line_width=WIDTH), ""]


def comparison_text(body: Mapping[str, Any]) -> str:
    """Units, frame prevalence (share and 95% interval, frames by units), frame tests, stance test,
    divergence, warnings and advice: what a first look at a comparison needs."""
    meta, tables = body.get("metadata") or {}, body.get("tables") or {}
    unit = meta.get("unit") or "outlet"
    model = (meta.get("model") or {}).get("version") or ", ".join(meta.get("model_versions") or [])
    level = meta.get("confidence_level", 0.95)
    lines = [
        f"{meta.get('n_articles', '?')} articles ({meta.get('n_effective', '?')} after syndicated copies), "
        f"compared by {unit}"
        + (f" ({meta['group_by']})" if meta.get("group_by") else "")
        + f"; model {model}",
        "",
    ]
    units = pd.DataFrame(tables.get("groups" if unit == "group" else "outlets") or [])
    lines += _block(f"{unit}s", units.drop(columns=[c for c in ("outlets",) if c in units.columns]))
    prevalence = pd.DataFrame(tables.get("prevalence") or [])
    if not prevalence.empty:
        prevalence["cell"] = [_interval(row) for row in prevalence.to_dict("records")]
        frames = list(dict.fromkeys(prevalence["frame"]))
        wide = prevalence.pivot(index="frame", columns=unit, values="cell").reindex(frames)
        wide.columns.name = None
        lines += [f"share of articles using each frame ({level:.0%} Wilson interval)"]
        lines += [wide.reset_index().to_string(index=False, line_width=WIDTH), ""]
    tests = pd.DataFrame(tables.get("frame_tests") or [])
    if not tests.empty:
        tests = tests.assign(p=tests["pvalue"].map(_p), adjusted=tests["pvalue_adjusted"].map(_p))
        columns = [c for c in ("frame", "method", "p", "adjusted", "cramers_v", "n") if c in tests.columns]
        lines += _block(
            f"does the frame differ between {unit}s? (p adjusted: Benjamini-Hochberg)", tests[columns]
        )
    stance = pd.DataFrame(tables.get("stance_test") or [])
    if not stance.empty:
        stance = stance.assign(p=stance["pvalue"].map(_p))
        lines += _block(
            "stance test", stance[[c for c in ("variable", "method", "p", "n") if c in stance.columns]]
        )
    divergence = pd.DataFrame(tables.get("divergence") or [])
    if not divergence.empty:
        keep = [c for c in divergence.columns if c.endswith(("_a", "_b")) and not c.startswith("n_")]
        lines += _block(
            "Jensen-Shannon divergence (0 same frame mix, 1 disjoint)",
            divergence[keep + ["jsd", "ci_low", "ci_high"]],
        )
    for row in tables.get("warnings") or []:
        lines.append(f"warning: {row.get('message', '')}")
    if meta.get("advice"):
        lines.append(f"advice: {meta['advice']}")
    return "\n".join(lines).rstrip() + "\n"


def jobs_text(jobs: Sequence[Mapping[str, Any]]) -> str:
    if not jobs:
        return "no jobs"
    rows = [
        {
            "id": job["id"],
            "kind": job["kind"],
            "status": job["status"],
            "done": f"{job.get('done', 0)}/{job['total'] if job.get('total') is not None else '?'}",
            "errors": job.get("n_errors", 0),
            "created_at": job.get("created_at", ""),
        }
        for job in jobs
    ]
    return pd.DataFrame(rows).to_string(index=False)
