"""The seeded sample of texts a stored comparison reads for distinctive terms (never every text).

At most ``per_unit`` articles per unit (outlet, or group), the ones with the smallest key in a fixed
permutation of article ids, among the articles the comparison counts (syndicated copies skipped).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import Session

from service.storage.label_counts import copy_ranks, selected, unit_column
from service.storage.tables import Article, Classification

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
    **filters: Any,
) -> list[tuple[int, Any]]:
    """``(article_id, unit)`` (outlet id, or group) of at most ``per_unit`` articles per unit.

    The articles a comparison counts (copies skipped when ``skip_copies``), ranked within their unit
    by ``SAMPLE_MULTIPLIER * id + SAMPLE_INCREMENT mod 2**32`` (then id): the same request over the
    same articles reads the same texts, and a unit with at most ``per_unit`` articles is read whole.
    ``unit_sizes`` (articles counted per unit) lets SQL rank only articles whose key falls in the
    lowest ``3 * per_unit / size`` of the key range; a unit that gets too few that way is ranked in
    full, so the sample is the same either way.
    """
    unit = unit_column(unit_of)
    order = ((Article.id % _M32) * SAMPLE_MULTIPLIER + SAMPLE_INCREMENT) % _M32
    stmt = select(Article.id.label("aid"), unit.label("unit"), order.label("rank_key")).select_from(
        Classification
    )
    stmt = selected(stmt, model_version, target, filters)
    if unit_of is not None:
        stmt = stmt.where(unit.is_not(None))
    if skip_copies:
        ranks = copy_ranks(unit_of, model_version, target, filters)
        stmt = stmt.outerjoin(ranks, ranks.c.aid == Article.id).where(
            or_(ranks.c.rank.is_(None), ranks.c.rank == 1)
        )
    limits = {u: min(_M32, 3 * per_unit * _M32 // max(n, 1) + 1) for u, n in (unit_sizes or {}).items()}
    limits = {u: t for u, t in limits.items() if t < _M32}
    chosen = _ranked(session, stmt, unit, order, per_unit, limits)
    if limits:
        got: dict[Any, int] = {}
        for _, u in chosen:
            got[u] = got.get(u, 0) + 1
        short = [u for u in limits if got.get(u, 0) < min(per_unit, (unit_sizes or {})[u])]
        if short:
            chosen = _ranked(
                session, stmt, unit, order, per_unit, {u: t for u, t in limits.items() if u not in short}
            )
    return chosen


def _ranked(
    session: Session, stmt: Select, unit: Any, order: Any, per_unit: int, limits: Mapping[Any, int]
) -> list:
    """The ``per_unit`` lowest keys per unit, ranking only keys under each unit's limit (if any)."""
    if limits:
        stmt = stmt.where(order < case(dict(limits), value=unit, else_=_M32))
    kept = stmt.subquery()
    rank = func.row_number().over(partition_by=kept.c.unit, order_by=(kept.c.rank_key, kept.c.aid))
    ranked = select(kept.c.aid, kept.c.unit, rank.label("rank")).subquery()
    rows = session.execute(
        select(ranked.c.aid, ranked.c.unit).where(ranked.c.rank <= per_unit).order_by(ranked.c.aid)
    )
    return [(aid, u) for aid, u in rows]


def fetch_text_heads(session: Session, article_ids: Sequence[int], n_chars: int) -> dict[int, str]:
    """The first ``n_chars`` characters of each article's text, by id (chunked ``IN`` lists)."""
    out: dict[int, str] = {}
    ids = list(article_ids)
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        stmt = select(Article.id, func.substr(Article.text, 1, n_chars)).where(Article.id.in_(chunk))
        out.update((aid, text or "") for aid, text in session.execute(stmt))
    return out
