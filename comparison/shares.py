"""Per-unit share tables of a comparison: frame prevalence, dominant frames, stance (with Wilson CIs)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from comparison.advice import ComparisonWarning
from comparison.records import CellCounts, RecordArrays
from comparison.results import ShareEstimate


def prevalence_rows(
    units: Sequence[str],
    frames: Sequence[str],
    cells: CellCounts,
    confidence_level: float,
    event: str | None = None,
) -> list[ShareEstimate]:
    """One estimate per unit × frame (units without articles skipped)."""
    return [
        ShareEstimate(
            u,
            "frame",
            f,
            int(cells.present[i, j]),
            int(cells.n[i]),
            confidence_level,
            float(cells.share_sums[i, j] / cells.n[i]),
            event=event,
        )
        for i, u in enumerate(units)
        if cells.n[i] > 0
        for j, f in enumerate(frames)
    ]


def dominant_counts(
    arrays: RecordArrays, dominant: np.ndarray, warnings: list[ComparisonWarning]
) -> np.ndarray:
    """(n_units, n_frames + 1) dominant-frame counts; the last column counts articles without one.

    ``dominant[i]`` is row i's frame position, ``n_frames`` for none, negative for a frame not compared.
    """
    n_frames = len(arrays.frames)
    if (dominant < 0).any():
        warnings.append(
            ComparisonWarning(
                "unknown_dominant_frame",
                "some dominant frames are not among the "
                "compared frames; they are left out of the dominant-frame shares",
            )
        )
    counts = np.zeros((len(arrays.outlets), n_frames + 1), dtype=np.int64)
    ok = dominant >= 0
    np.add.at(counts, (arrays.outlet_index[ok], dominant[ok]), arrays.n_weight[ok])
    return counts


def dominant_rows(
    units: Sequence[str], frames: Sequence[str], dominant: np.ndarray, confidence_level: float
) -> list[ShareEstimate]:
    keys = (*frames, "none")
    return [
        ShareEstimate(u, "dominant_frame", k, int(dominant[i, j]), int(dominant[i].sum()), confidence_level)
        for i, u in enumerate(units)
        if dominant[i].sum() > 0
        for j, k in enumerate(keys)
    ]


def stance_rows(
    units: Sequence[str],
    stance_labels: Sequence[str],
    stance_counts: np.ndarray,
    confidence_level: float,
    warnings: list[ComparisonWarning],
) -> list[ShareEstimate]:
    rows: list[ShareEstimate] = []
    for i, u in enumerate(units):
        n_labelled = int(stance_counts[i].sum())
        if n_labelled == 0:
            warnings.append(
                ComparisonWarning("no_stance", f"{u} has no article with a stance label", outlet=u)
            )
            continue
        rows += [
            ShareEstimate(u, "stance", s, int(stance_counts[i, j]), n_labelled, confidence_level)
            for j, s in enumerate(stance_labels)
        ]
    return rows
