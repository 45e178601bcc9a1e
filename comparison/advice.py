"""Warnings and advice: say once, in plain words, what the counts cannot support and what to do instead."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

ADVICE_OUTLETS = (
    "Per-outlet counts are too small for outlet-level statistics ({detail}). Group outlets by an "
    "attribute (group_by=country, or one you set such as type or leaning) or pool events "
    "(events=a,b,c) so that each compared unit has at least {min_articles} articles."
)
ADVICE_GROUPS = (
    "Per-group counts are too small ({detail}). Pool more events (events=a,b,c or events=all), or "
    "group by an attribute with fewer, larger groups, so each group has at least {min_articles} articles."
)


@dataclass(frozen=True)
class ComparisonWarning:
    """A reason to be careful with part of a result; ``code`` is stable, ``message`` is for people."""

    code: str
    message: str
    outlet: str | None = None
    frame: str | None = None
    items: tuple[str, ...] = ()

    def row(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "outlet": self.outlet,
            "frame": self.frame,
            "items": list(self.items),
            "message": self.message,
        }


def merge_warnings(warnings: Sequence[ComparisonWarning]) -> tuple[ComparisonWarning, ...]:
    """One warning per code: 27 ``small_sample`` warnings read as one list, not as 27 alarms.

    A code that occurs once is kept as it is; repeated codes become one warning whose ``items`` are
    the outlets (or frames) concerned and whose message quotes the first few messages.
    """
    by_code: dict[str, list[ComparisonWarning]] = {}
    for w in warnings:
        by_code.setdefault(w.code, []).append(w)
    merged = []
    for code, found in by_code.items():
        if len(found) == 1:
            merged.append(found[0])
            continue
        items = tuple(dict.fromkeys(i for w in found for i in (w.items or (w.outlet or w.frame or "",)) if i))
        shown = "; ".join(w.message for w in found[:3])
        more = f"; and {len(found) - 3} more like these" if len(found) > 3 else ""
        merged.append(ComparisonWarning(code, f"{len(found)} cases: {shown}{more}", items=items))
    return tuple(merged)


def small_sample_warnings(
    outlets: Sequence[str], n_articles: Sequence[int], min_articles: int, unit: str = "outlet"
) -> list[ComparisonWarning]:
    """One warning naming every outlet (or group) with fewer than ``min_articles`` articles."""
    small = [(o, n) for o, n in zip(outlets, n_articles, strict=True) if n < min_articles]
    if not small:
        return []
    names = ", ".join(f"{o} ({n})" for o, n in small[:10]) + (" ..." if len(small) > 10 else "")
    return [
        ComparisonWarning(
            "small_sample",
            f"{len(small)} of {len(outlets)} {unit}s have fewer than {min_articles} articles: {names}; "
            "their proportions have wide intervals and they should not be ranked",
            outlet=small[0][0] if len(small) == 1 else None,
            items=tuple(o for o, _ in small),
        )
    ]


def small_sample_advice(
    units: Sequence[str], n_articles: Sequence[int], min_articles: int, unit: str = "outlet"
) -> str | None:
    """One top-level advice when fewer than two units have ``min_articles`` articles, else ``None``."""
    big = sum(n >= min_articles for n in n_articles)
    if len(units) < 2 or big >= 2:
        return None
    ordered = sorted(n_articles)
    median = ordered[len(ordered) // 2]
    detail = (
        f"{len(units) - big} of {len(units)} {unit}s have fewer than {min_articles} articles; median {median}"
    )
    template = ADVICE_OUTLETS if unit == "outlet" else ADVICE_GROUPS
    return template.format(detail=detail, min_articles=min_articles)
