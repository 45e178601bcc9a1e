"""Stored comparisons aggregated in the database: weighted records, ingest-time clusters, sampled terms.

A comparison of stored articles used to read one row (and a 2,000-character text head) per article
into the worker: 26 s and 2.3 GB at 100,000 articles. Here SQL does the counting
(``service.storage.label_counts``): one weighted ``ArticleRecord`` per outlet × event × frame
pattern × dominant frame × stance, with syndicated copies flagged per unit by a window over the
ingest-time clusters, so ``comparison.compare_outlets`` gives the numbers the per-article records
would (tests/service/test_stored_comparison.py checks that) from a few thousand rows. Distinctive
terms come from a seeded sample of at most ``VOCABULARY_SAMPLE`` texts per unit; a unit with fewer
articles is read whole, so only larger units' terms differ from reading every text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from comparison import ArticleRecord, NotEnoughDataError, count_terms
from comparison.compare import DEFAULT_MAX_CHARS
from comparison.syndication import N_WORDS, THRESHOLD, SyndicationCluster, SyndicationResult
from service.analysis import Selection, checked_version
from service.storage.label_counts import (
    SAMPLE_INCREMENT,
    SAMPLE_MULTIPLIER,
    fetch_cluster_members,
    fetch_label_counts,
    fetch_text_heads,
    outlet_table,
    sample_text_ids,
)
from service.storage.tables import Event

SYNDICATION_METHOD = "stored-at-ingest"


def stored_counts(
    session: Session,
    *,
    group_by: str | None = None,
    syndicated: str = "once",
    model_version: str | None = None,
    target: str | None = None,
    vocabulary: bool = True,
    **filters: Any,
) -> Selection:
    """Weighted records of the stored articles matching ``filters``, for ``compare_outlets``.

    ``group_by`` and ``syndicated`` are the comparison's own options: copies count once per *unit*,
    so SQL must know the units. The selection's ``syndication_source`` is ``"flags"``; pass its
    ``syndication`` and ``term_counts`` on to ``compare_outlets``. ``notes`` says how terms were
    sampled and how many articles had no ingest-time signature (they count as unsyndicated).
    """
    version, stored, frame_keys = checked_version(session, model_version, filters)
    outlets = outlet_table(session)
    unit_of = None
    if group_by:
        unit_of = {oid: _group(o["attributes"].get(group_by)) for oid, o in outlets.items()}
    options = {"unit_of": unit_of, "target": target, **filters}
    rows = fetch_label_counts(
        session, version, frame_keys=frame_keys, flag_copies=syndicated == "once", **options
    )
    if not rows:
        raise NotEnoughDataError(f"no stored article has a stance toward {target!r}")
    events = dict(session.execute(select(Event.id, Event.key)).all()) if rows else {}
    records = [
        ArticleRecord(
            outlet=outlets[r["outlet_id"]]["key"],
            frames=r["frames"],
            shares={k: s / r["n"] for k, s in r["share_sums"].items()},
            dominant_frame=r["dominant_frame"],
            stance=r["stance"],
            event=events.get(r["event_id"]),
            model_version=version,
            codebook_hash=r["codebook_hash"],
            stance_target=r["stance_target"],
            weight=r["n"],
            is_copy=r["is_copy"],
        )
        for r in rows
    ]
    n_articles = sum(r["n"] for r in rows)
    n_unsigned = sum(r["n_unsigned"] for r in rows)
    syndication = None
    if syndicated != "off":
        members = fetch_cluster_members(session, version, **options)
        syndication = _clusters(members, outlets, unit_of, n_articles)
    notes: dict[str, Any] = {"n_aggregated_rows": len(rows), "n_unsigned": n_unsigned}
    if n_unsigned:
        notes["syndication_note"] = (
            f"{n_unsigned} of {n_articles} article(s) were stored before syndication signatures "
            "(revision 0007) and have no ingest-time cluster, so they count as unsyndicated here. "
            "Run `flask sign --missing` to sign them."
        )
    term_counts = None
    if vocabulary:
        names = {oid: o["key"] for oid, o in outlets.items()} if unit_of is None else None
        term_counts, notes["vocabulary_sample"] = _sampled_terms(
            session, version, options, names, skip_copies=syndicated == "once"
        )
    attributes = {
        o["key"]: o["attributes"] for oid, o in outlets.items() if oid in {r["outlet_id"] for r in rows}
    }
    return Selection(records, frame_keys, stored.model, attributes, "flags", syndication, term_counts, notes)


def _group(value: Any) -> str | None:
    return None if value is None or value == "" else value


def _clusters(
    members: list[tuple[int, int, int, float | None]],
    outlets: Mapping[int, Mapping[str, Any]],
    unit_of: Mapping[int, str | None] | None,
    n_articles: int,
) -> SyndicationResult:
    """The ingest-time clusters as ``comparison.copies.clusters_from_records`` would report them."""
    by_cluster: dict[int, list[tuple[int, int, float | None]]] = {}
    for cluster, aid, oid, similarity in members:  # article id order: clusters by first article
        by_cluster.setdefault(cluster, []).append((aid, oid, similarity))
    found = []
    for number, rows in enumerate(by_cluster.values(), start=1):
        scores = [s for _, _, s in rows if s is not None]
        keys = {outlets[oid]["key"] for _, oid, _ in rows}
        units = keys if unit_of is None else {unit_of[oid] for _, oid, _ in rows}
        found.append(
            SyndicationCluster(
                number,
                tuple(aid for aid, _, _ in rows),
                tuple(sorted(keys)),
                tuple(sorted(units)),
                round(min(scores), 4) if scores else 1.0,
            )
        )
    return SyndicationResult(tuple(found), (), THRESHOLD, N_WORDS, n_articles, method=SYNDICATION_METHOD)


def _sampled_terms(
    session: Session,
    version: str,
    options: Mapping[str, Any],
    names: Mapping[int, str] | None,
    *,
    skip_copies: bool,
) -> tuple[Any, dict[str, Any]]:
    """Term counts per unit from at most ``VOCABULARY_SAMPLE`` texts each, and what was read.

    ``names`` maps the SQL unit (an outlet id) to the outlet key; ``None``: units are group values.
    """
    per_unit = int(current_app.config["VOCABULARY_SAMPLE"])
    n_chars = int(current_app.config["VOCABULARY_CHARS"])
    chosen = sample_text_ids(session, version, per_unit=per_unit, skip_copies=skip_copies, **options)
    texts = fetch_text_heads(session, [aid for aid, _ in chosen], n_chars)
    labels = [unit if names is None else names[unit] for _, unit in chosen]
    counts = count_terms(
        [texts.get(aid, "") for aid, _ in chosen], labels, max_chars_per_article=DEFAULT_MAX_CHARS
    )
    sample_hash = hashlib.sha256()
    for aid, _ in chosen:
        sample_hash.update(f"{aid}:".encode() + hashlib.sha256(texts.get(aid, "").encode()).digest())
    note = {
        "max_texts_per_unit": per_unit,
        "n_texts": len(chosen),
        "n_chars_per_text": n_chars,
        "order": f"({SAMPLE_MULTIPLIER} * article id + {SAMPLE_INCREMENT}) mod 2**32, then id",
        "hash": sample_hash.hexdigest()[:32],
    }
    return counts, note
