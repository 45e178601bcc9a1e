"""Tabular answers as pandas DataFrames: comparison, trend, profile and reliability tables."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class Tables:
    """``{metadata, tables}`` answers: each tidy table as a DataFrame (``result["prevalence"]`` or
    ``result.prevalence``), the metadata (model versions, codebook hashes, method, advice) as a dict."""

    metadata: dict[str, Any]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> Tables:
        frames = {name: pd.DataFrame(rows) for name, rows in (body.get("tables") or {}).items()}
        return cls(metadata=dict(body.get("metadata") or {}), tables=frames)

    def __getitem__(self, name: str) -> pd.DataFrame:
        try:
            return self.tables[name]
        except KeyError:
            raise KeyError(f"No table {name!r}; this answer has: {', '.join(self.tables)}") from None

    def __getattr__(self, name: str) -> pd.DataFrame:
        if name.startswith("_") or name in ("metadata", "tables"):
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError as exc:
            raise AttributeError(str(exc)) from None

    def __contains__(self, name: object) -> bool:
        return name in self.tables

    def __iter__(self):
        return iter(self.tables)

    def summary(self) -> str:
        """Each table's name and size, and the advice and warnings the server gave."""
        lines = [f"{name}: {len(frame)} rows" for name, frame in self.tables.items()]
        if self.metadata.get("advice"):
            lines.append(f"advice: {self.metadata['advice']}")
        warnings = self.tables.get("warnings")
        if warnings is not None and "message" in warnings:
            lines.extend(f"warning: {message}" for message in warnings["message"])
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


def items_frame(items: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """List items as a flat DataFrame: nested objects become ``parent_child`` columns."""
    rows = list(items)
    if not rows:
        return pd.DataFrame()
    return pd.json_normalize(rows, sep="_")


def classifications_frame(results: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """One row per classification: status, language, dominant frame, stance, and per frame its
    ``<key>_present``, ``<key>_score`` and ``<key>_share`` columns (evidence left out)."""
    rows = []
    for result in results:
        stance = result.get("stance") or {}
        row: dict[str, Any] = {
            "status": result.get("status"),
            "language": result.get("language"),
            "n_sentences": result.get("n_sentences"),
            "dominant_frame": result.get("dominant_frame"),
            "stance_target": stance.get("target"),
            "stance_label": stance.get("label"),
        }
        for label, score in (stance.get("scores") or {}).items():
            row[f"stance_{label}"] = score
        for frame in result.get("frames") or []:
            for part in ("present", "score", "share"):
                row[f"{frame['key']}_{part}"] = frame.get(part)
        row["model_version"] = (result.get("model") or {}).get("version")
        rows.append(row)
    return pd.DataFrame(rows)
