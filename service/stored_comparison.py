"""Stored comparisons counted in the database: label counts, ingest-time clusters, sampled terms.

A comparison of stored articles used to read one row (and a 2,000-character text head) per article
into the worker: 26 s and 2.3 GB at 100,000 articles. Here SQL does the counting
(``service.storage.label_counts``): one row per outlet × event × frame pattern × dominant frame ×
stance, with syndicated copies flagged per unit by a window over the ingest-time clusters, held as
arrays (``comparison.LabelCounts``), so ``comparison.compare_counts`` gives the numbers the
per-article records would (tests/service/test_stored_comparison.py checks that). Distinctive
terms come from a seeded sample of at most ``VOCABULARY_SAMPLE`` texts per unit; a unit with fewer
articles is read whole, so only larger units' terms differ from reading every text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
from flask import current_app
from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from classifiers import ModelRef
from comparison import NotEnoughDataError, TermCounts, count_terms
from comparison.compare import DEFAULT_MAX_CHARS
from comparison.counted import LabelCounts
from comparison.syndication import N_WORDS, THRESHOLD
from comparison.syndication_page import SyndicationPage, page_clusters
from service.analysis import Selection, checked_version, unchecked_version
from service.storage.classified_rows import count_matching_articles
from service.storage.copy_counts import copy_article_ids, fetch_copy_rows, first_of_clusters
from service.storage.label_counts import fetch_cluster_members, fetch_label_counts, outlet_table
from service.storage.tables import Event
from service.storage.text_sample import (
    SAMPLE_INCREMENT,
    SAMPLE_MULTIPLIER,
    fetch_text_heads,
    sample_text_ids,
    unit_sizes,
)

SYNDICATION_METHOD = "stored-at-ingest"


@dataclass(frozen=True)
class StoredCounts:
    """A stored comparison's input: counted rows, the clusters and sampled terms, and how they were read."""

    counts: LabelCounts
    frame_keys: tuple[str, ...]
    model: ModelRef
    selection: Selection  # outlet attributes (``group_of``); no records
    syndication: SyndicationPage | None
    term_counts: TermCounts | None
    notes: dict[str, Any]

    def group_of(self, group_by: str | None) -> dict[str, str | None] | None:
        return self.selection.group_of(group_by)

    @property
    def n_articles(self) -> int:
        return int(self.counts.n.sum())


def stored_counts(
    session: Session,
    *,
    group_by: str | None = None,
    syndicated: str = "once",
    model_version: str | None = None,
    target: str | None = None,
    vocabulary: bool = True,
    syndication_limit: int | None = None,
    syndication_offset: int = 0,
    **filters: Any,
) -> StoredCounts:
    """Counted rows of the stored articles matching ``filters``, for ``comparison.compare_counts``.

    ``group_by`` and ``syndicated`` are the comparison's own options: copies count once per *unit*,
    so SQL must know the units. ``notes`` says how terms were sampled, how many articles had no
    ingest-time signature (they count as unsyndicated) and, in ``syndication_summary``, the
    clusters' totals: the syndication table is one page (``syndication_limit`` clusters from
    ``syndication_offset``, largest first; ``None``: all), so the answer does not grow with n.
    """
    if target is None:  # coverage checked below from the counts (see ``unchecked_version``)
        version, stored, frame_keys = unchecked_version(session, model_version, filters)
    else:  # counts of one stance target cannot show coverage
        version, stored, frame_keys = checked_version(session, model_version, filters)
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        _analytic_settings(session)
    outlets = outlet_table(session)
    unit_of = None
    if group_by:
        unit_of = {oid: _group(o["attributes"].get(group_by)) for oid, o in outlets.items()}
    options = {"unit_of": unit_of, "target": target, **filters}
    names = {oid: o["key"] for oid, o in outlets.items()} if unit_of is None else None
    sample = {
        "per_unit": int(current_app.config["VOCABULARY_SAMPLE"]),
        "n_chars": int(current_app.config["VOCABULARY_CHARS"]),
        "names": names,
        "skip_copies": syndicated == "once",
    }
    apart = None
    clusters: Future[tuple[np.ndarray | None, list[tuple[Any, ...]]]] = Future()
    copy_options = {"frame_keys": frame_keys, "flag": syndicated == "once"}
    if postgres and isinstance(session.get_bind(), Engine) and (vocabulary or syndicated != "off"):
        # The cluster members, the copies' rows and the term sample do not need the counts: read
        # them on a second connection while the counting query runs (its aggregate is one process,
        # so the other core is mostly idle). Each statement reads committed data as of its start.
        apart = _READER.submit(
            _read_apart,
            session.get_bind(),
            version,
            options,
            syndicated != "off",
            sample if vocabulary else None,
            copy_options,
            clusters,
        )
    else:
        _read_clusters(session, version, options, syndicated != "off", copy_options, clusters)
    tables = fetch_label_counts(
        session,
        version,
        frame_keys=frame_keys,
        copies=(lambda: clusters.result()[1]) if syndicated == "once" else None,
        **options,
    )
    rows, patterns = tables["cells"], tables["patterns"]
    if target is None and (not rows["n"] or sum(rows["n"]) != count_matching_articles(session, **filters)):
        checked_version(session, model_version, filters)  # raises: none match, or some lack the version
    if not rows["n"]:
        raise NotEnoughDataError(f"no stored article has a stance toward {target!r}")
    events = dict(session.execute(select(Event.id, Event.key)).all())
    n_rows, n_patterns, n_frames = len(rows["n"]), len(patterns["n"]), len(frame_keys)
    counts = LabelCounts(
        tuple(frame_keys),
        [outlets[o]["key"] for o in rows["outlet_id"]],
        [events.get(e) for e in rows["event_id"]],
        np.array(rows["present"], dtype=np.int64).reshape(n_rows, n_frames),
        np.array(rows["share_sums"], dtype=float).reshape(n_rows, n_frames),
        rows["dominant_frame"],
        rows["stance"],
        rows["stance_target"],
        [version] * n_rows,
        rows["codebook_hash"],
        np.array(rows["n"], dtype=np.int64),
        np.array(rows["is_copy"], dtype=bool),
        [outlets[o]["key"] for o in patterns["outlet_id"]],
        [events.get(e) for e in patterns["event_id"]],
        np.array(patterns["is_copy"], dtype=bool),
        np.array(patterns["present"], dtype=bool).reshape(n_patterns, n_frames),
        np.array(patterns["n"], dtype=np.int64),
    )
    n_articles = int(counts.n.sum())
    n_unsigned = int(sum(rows["n_unsigned"]))
    syndication = None
    if syndicated != "off":
        members = clusters.result()[0]
        syndication = _clusters(members, outlets, unit_of, n_articles, syndication_limit, syndication_offset)
    notes: dict[str, Any] = {
        "n_aggregated_rows": n_rows + n_patterns,  # cells + presence patterns read from the database
        "n_unsigned": n_unsigned,
    }
    if syndication is not None:
        notes["syndication_summary"] = syndication.page()
    if n_unsigned:
        notes["syndication_note"] = (
            f"{n_unsigned} of {n_articles} article(s) were stored before syndication signatures "
            "(revision 0007) and have no ingest-time cluster, so they count as unsyndicated here. "
            "Run `flask sign --missing` to sign them."
        )
    term_counts = None
    if vocabulary and apart is not None:
        term_counts, notes["vocabulary_sample"] = apart.result()
    elif vocabulary:
        sizes: dict[Any, int] = {}
        for oid, n, copy in zip(rows["outlet_id"], rows["n"], rows["is_copy"], strict=True):
            unit = oid if unit_of is None else unit_of.get(oid)
            if unit is not None and not (copy and syndicated == "once"):
                sizes[unit] = sizes.get(unit, 0) + int(n)
        firsts = _firsts(clusters.result()[0], options, sample)
        term_counts, notes["vocabulary_sample"] = _sampled_terms(
            session, version, {**options, "unit_sizes": sizes, "first_of_clusters": firsts}, **sample
        )
    present = set(rows["outlet_id"])
    attributes = {o["key"]: o["attributes"] for oid, o in outlets.items() if oid in present}
    selection = Selection([], frame_keys, stored.model, attributes)
    return StoredCounts(counts, frame_keys, stored.model, selection, syndication, term_counts, notes)


def _analytic_settings(session: Session) -> None:
    """PostgreSQL planner settings for this read transaction (every connection a comparison uses)."""
    # Analytic reads over whole tables, planned for their worst case. Compiling them (JIT) cost
    # 0.9 s of 1.7 s at 100,000 articles. Nested loops win only when estimates promise few rows,
    # and right after a bulk load stale estimates do: the aggregated frame subquery was then
    # re-aggregated per article (31 s for one event of 2,000). Hash joins are never that wrong.
    session.execute(text("SET LOCAL jit = off"))
    session.execute(text("SET LOCAL enable_nestloop = off"))
    # Room to hash the cell x mask groups in memory: the planner expects one per article, and
    # with 64 MB it sorted a million rows on disk (185 MB); ~275,000 groups hash in ~60 MB.
    session.execute(text("SET LOCAL work_mem = '256MB'"))
    # Scan and join the million rows in parallel workers: the default costs kept one process
    # (side by side at load 14: 16.4 / 15.7 s serial, 11.9 / 14.1 s parallel, at 1,000,000).
    session.execute(text("SET LOCAL parallel_setup_cost = 0"))
    session.execute(text("SET LOCAL parallel_tuple_cost = 0.001"))
    # Planned for its first 10 % of rows (the default), a cursor over the cluster members took
    # merge joins over index scans: ~15 s at a million, against ~1 s hashed (kept for any cursor).
    session.execute(text("SET LOCAL cursor_tuple_fraction = 1.0"))


#: Second readers of stored comparisons (one query each, on their own pooled connection).
_READER = ThreadPoolExecutor(max_workers=4, thread_name_prefix="stored-comparison")


def _read_apart(  # noqa: PLR0913
    engine: Engine,
    version: str,
    options: Mapping[str, Any],
    members: bool,
    sample: Mapping[str, Any] | None,
    copy_options: Mapping[str, Any],
    clusters: Future[tuple[np.ndarray | None, list[tuple[Any, ...]]]],
) -> tuple[Any, dict[str, Any]] | None:
    """Cluster members and the copies' rows (set on ``clusters`` as soon as they are read, for the
    counting query), then sampled terms, in their own read transaction (their own connection).

    Without the counts, the sample's per-unit key limits come from the articles per unit copies
    included (one grouped count): a little tighter, and a unit they leave short is ranked in full,
    so the sample is the same (``sample_text_ids``).
    """
    try:
        with Session(engine) as other:
            _analytic_settings(other)
            _read_clusters(other, version, options, members, copy_options, clusters)
            terms = None
            if sample is not None:
                sizes = unit_sizes(other, version, **options)
                firsts = _firsts(clusters.result()[0], options, sample)
                terms = _sampled_terms(
                    other, version, {**options, "unit_sizes": sizes, "first_of_clusters": firsts}, **sample
                )
            other.rollback()
            return terms
    except BaseException as error:
        if not clusters.done():  # the request thread waits on it: never leave it unset
            clusters.set_exception(error)
        raise


def _read_clusters(  # noqa: PLR0913
    session: Session,
    version: str,
    options: Mapping[str, Any],
    members: bool,
    copy_options: Mapping[str, Any],
    clusters: Future[tuple[np.ndarray | None, list[tuple[Any, ...]]]],
) -> None:
    """Set ``clusters`` to the cluster members and the copies' rows (``service.storage.copy_counts``)."""
    found = fetch_cluster_members(session, version, **options) if members else None
    copies: list[tuple[Any, ...]] = []
    if found is not None and copy_options["flag"]:
        ids = copy_article_ids(found, options.get("unit_of"))
        filters = {k: v for k, v in options.items() if k != "unit_of"}
        copies = fetch_copy_rows(session, version, ids, frame_keys=copy_options["frame_keys"], **filters)
    clusters.set_result((found, copies))


def _firsts(
    members: np.ndarray | None, options: Mapping[str, Any], sample: Mapping[str, Any]
) -> dict[tuple[Any, int], int] | None:
    """Each unit × cluster's first article, from the members the request read anyway (``None``:
    the term sample asks the database)."""
    if members is None or not sample["skip_copies"]:
        return None
    return first_of_clusters(members, options.get("unit_of"))


def counts_digest(counts: LabelCounts) -> str:
    """SHA-256 of the counted rows in a fixed order: what the statistics ran on (for the manifest)."""
    cells = zip(
        counts.outlet,
        counts.event,
        counts.present.tolist(),
        counts.share_sums.round(12).tolist(),
        counts.dominant,
        counts.stance,
        counts.stance_target,
        counts.codebook_hash,
        counts.n.tolist(),
        counts.is_copy.tolist(),
        strict=True,
    )
    patterns = zip(
        counts.pattern_outlet,
        counts.pattern_event,
        counts.pattern_is_copy.tolist(),
        counts.pattern_present.tolist(),
        counts.pattern_n.tolist(),
        strict=True,
    )
    digest = hashlib.sha256()
    for row in sorted(repr(row) for row in cells) + sorted(repr(row) for row in patterns):
        digest.update(row.encode())
    return digest.hexdigest()


def _group(value: Any) -> str | None:
    return None if value is None or value == "" else value


def _clusters(
    members: np.ndarray,
    outlets: Mapping[int, Mapping[str, Any]],
    unit_of: Mapping[int, str | None] | None,
    n_articles: int,
    limit: int | None,
    offset: int,
) -> SyndicationPage:
    """One page of the ingest-time clusters (numbered as ``clusters_from_records`` numbers them)."""
    outlet_ids = members[:, 2].astype(np.int64)
    keys = [outlets[int(oid)]["key"] for oid in outlet_ids]
    units = keys if unit_of is None else [unit_of[int(oid)] for oid in outlet_ids]
    return page_clusters(
        members[:, 0].astype(np.int64),
        members[:, 1].astype(np.int64),
        units,
        keys,
        members[:, 3],
        n_checked=n_articles,
        threshold=THRESHOLD,
        n_words=N_WORDS,
        method=SYNDICATION_METHOD,
        offset=offset,
        limit=limit,
    )


def _sampled_terms(  # noqa: PLR0913
    session: Session,
    version: str,
    options: Mapping[str, Any],
    *,
    names: Mapping[int, str] | None,
    skip_copies: bool,
    per_unit: int,
    n_chars: int,
) -> tuple[Any, dict[str, Any]]:
    """Term counts per unit from at most ``per_unit`` (``VOCABULARY_SAMPLE``) texts each, and what
    was read. ``names`` maps the SQL unit (an outlet id) to the outlet key; ``None``: group values.
    """
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
