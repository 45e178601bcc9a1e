"""The seeded sample of texts a stored comparison reads for distinctive terms (never every text).

At most ``per_unit`` articles per unit (outlet, or group), the ones with the smallest key in a fixed
permutation of article ids, among the articles the comparison counts (syndicated copies skipped).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from service.storage.label_counts import selected, unit_column
from service.storage.tables import Article, ArticleSignature, Classification

#: The sample order: ``(id mod 2**32) * SAMPLE_MULTIPLIER + SAMPLE_INCREMENT mod 2**32``, a fixed
#: permutation of ids (an odd multiplier), computable in 64-bit integers on SQLite and PostgreSQL.
SAMPLE_MULTIPLIER = 1_103_515_245
SAMPLE_INCREMENT = 12_345
_M32 = 4_294_967_296


def sample_text_ids(
    session: Session,
    model_version: str,
    *,
    per_unit: int,
    unit_of: Mapping[int, str | None] | None = None,
    skip_copies: bool = True,
    target: str | None = None,
    unit_sizes: Mapping[Any, int] | None = None,
    first_of_clusters: Mapping[tuple[Any, int], int] | None = None,
    **filters: Any,
) -> list[tuple[int, Any]]:
    """``(article_id, unit)`` (outlet id, or group) of at most ``per_unit`` articles per unit, by id.

    The articles a comparison counts (copies skipped when ``skip_copies``), ranked within their unit
    by ``SAMPLE_MULTIPLIER * id + SAMPLE_INCREMENT mod 2**32`` (then id): the same request over the
    same articles reads the same texts, and a unit with at most ``per_unit`` articles is read whole.
    ``unit_sizes`` (articles counted per unit) lets SQL return only articles whose key falls in the
    lowest ``3 * per_unit / size`` of the key range; a unit that gets too few that way is read in
    full, so the sample is the same either way. Copies are found among those candidates only (the
    lowest selected id of each candidate's unit × cluster), not by ranking every clustered article;
    ``first_of_clusters`` (``copy_counts.first_of_clusters`` of the cluster members) says which
    that is without a query.
    """
    limits = {u: min(_M32, 3 * per_unit * _M32 // max(n, 1) + 1) for u, n in (unit_sizes or {}).items()}
    limits = {u: t for u, t in limits.items() if t < _M32}
    firsts = first_of_clusters
    chosen = _lowest(session, model_version, target, filters, unit_of, skip_copies, per_unit, limits, firsts)
    if limits:
        got: dict[Any, int] = {}
        for _, u in chosen:
            got[u] = got.get(u, 0) + 1
        short = [u for u in limits if got.get(u, 0) < min(per_unit, (unit_sizes or {})[u])]
        if short:
            kept = {u: t for u, t in limits.items() if u not in short}
            chosen = _lowest(
                session, model_version, target, filters, unit_of, skip_copies, per_unit, kept, firsts
            )
    return chosen


def _lowest(  # noqa: PLR0913
    session: Session,
    model_version: str,
    target: str | None,
    filters: Mapping[str, Any],
    unit_of: Mapping[int, str | None] | None,
    skip_copies: bool,
    per_unit: int,
    limits: Mapping[Any, int],
    firsts: Mapping[tuple[Any, int], int] | None,
) -> list[tuple[int, Any]]:
    """The ``per_unit`` lowest keys per unit among candidates under each unit's limit (if any).

    SQL returns the candidates (a few times ``per_unit`` per limited unit) with their cluster; a
    clustered candidate is a copy unless it is its unit × cluster's lowest selected id, which one
    grouped query over just those clusters tells. Ranking a few thousand rows is then Python's.
    """
    unit = unit_column(unit_of)
    order = ((Article.id % _M32) * SAMPLE_MULTIPLIER + SAMPLE_INCREMENT) % _M32
    stmt = select(Article.id, unit.label("unit"), order.label("rank_key"), ArticleSignature.cluster_id)
    stmt = stmt.select_from(Classification).outerjoin(
        ArticleSignature, ArticleSignature.article_id == Classification.article_id
    )
    stmt = selected(stmt, model_version, target, filters)
    if unit_of is not None:
        stmt = stmt.where(unit.is_not(None))
    if limits:
        stmt = stmt.where(order < case(dict(limits), value=unit, else_=_M32))
    candidates = session.execute(stmt).all()
    if skip_copies and firsts is not None:  # from the cluster members: no query
        candidates = [r for r in candidates if r[3] is None or firsts.get((r[1], r[3]), r[0]) == r[0]]
    elif skip_copies:
        clusters = sorted({c for *_, c in candidates if c is not None})
        first: dict[tuple[Any, int], int] = {}
        for start in range(0, len(clusters), 1000):
            chunk = clusters[start : start + 1000]
            lowest = select(unit.label("unit"), ArticleSignature.cluster_id, func.min(Article.id))
            lowest = lowest.select_from(Classification).join(
                ArticleSignature, ArticleSignature.article_id == Classification.article_id
            )
            lowest = selected(lowest, model_version, target, filters).where(
                ArticleSignature.cluster_id.in_(chunk)
            )
            if unit_of is not None:
                lowest = lowest.where(unit.is_not(None))
            rows = session.execute(lowest.group_by(unit, ArticleSignature.cluster_id))
            first.update(((u, c), aid) for u, c, aid in rows)
        candidates = [r for r in candidates if r[3] is None or first[(r[1], r[3])] == r[0]]
    by_unit: dict[Any, list[tuple[int, int]]] = {}
    for aid, u, key, _ in candidates:
        by_unit.setdefault(u, []).append((int(key), aid))
    chosen = [(aid, u) for u, keyed in by_unit.items() for _, aid in sorted(keyed)[:per_unit]]
    return sorted(chosen)


def unit_sizes(
    session: Session,
    model_version: str,
    *,
    unit_of: Mapping[int, str | None] | None = None,
    target: str | None = None,
    **filters: Any,
) -> dict[Any, int]:
    """Selected articles per unit, copies included: ``sample_text_ids``'s limits without the counts."""
    unit = unit_column(unit_of)
    stmt = selected(select(unit, func.count()).select_from(Classification), model_version, target, filters)
    if unit_of is not None:
        stmt = stmt.where(unit.is_not(None))
    return {u: int(n) for u, n in session.execute(stmt.group_by(unit))}


def fetch_text_heads(session: Session, article_ids: Sequence[int], n_chars: int) -> dict[int, str]:
    """The first ``n_chars`` characters of each article's text, by id (chunked ``IN`` lists)."""
    out: dict[int, str] = {}
    ids = list(article_ids)
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        stmt = select(Article.id, func.substr(Article.text, 1, n_chars)).where(Article.id.in_(chunk))
        out.update((aid, text or "") for aid, text in session.execute(stmt))
    return out
