"""Outlet groups (country, ownership, leaning, ...): relabel records by group and name the unit in tables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from comparison.errors import InvalidParameterError, NotEnoughDataError
from comparison.records import ArticleRecord, ComparisonWarning

_UNIT_KEYS = ("outlet", "outlet_a", "outlet_b")


@dataclass(frozen=True)
class Grouping:
    """Which attribute grouped the outlets, and the outlets in each group (groups and outlets sorted)."""

    attribute: str
    members: tuple[tuple[str, tuple[str, ...]], ...]
    ungrouped: tuple[str, ...] = ()

    def outlets_of(self, group: str) -> tuple[str, ...]:
        return dict(self.members)[group]

    def tables(self) -> dict[str, list[dict[str, Any]]]:
        return {
            "groups": [
                {"group": g, "n_outlets": len(members), "outlets": list(members)}
                for g, members in self.members
            ]
        }


def group_records(
    records: Sequence[ArticleRecord], group_of: Mapping[str, str | None], attribute: str
) -> tuple[list[ArticleRecord], Grouping, list[ComparisonWarning]]:
    """Records with ``outlet`` replaced by the outlet's group; outlets without a group are left out.

    The statistics then run unchanged on groups; each record keeps its outlet in ``source_outlet``
    (syndication tables name outlets, not groups). Outlets without a value for ``attribute`` would
    form a mixed "unknown" group whose tests mean nothing, so they are dropped with one warning.
    """
    group_of_outlet, grouping, warnings = group_outlets([r.outlet for r in records], group_of, attribute)
    out = [
        replace(r, outlet=group_of_outlet[r.outlet], source_outlet=r.source_outlet or r.outlet)
        for r in records
        if r.outlet in group_of_outlet
    ]
    return out, grouping, warnings


def group_outlets(
    outlets: Sequence[str], group_of: Mapping[str, str | None], attribute: str
) -> tuple[dict[str, str], Grouping, list[ComparisonWarning]]:
    """Outlet -> group for the outlets with one, the :class:`Grouping`, and a warning naming the rest.

    ``outlets`` may repeat (one entry per record or row); raises when no outlet has a group.
    """
    if not attribute:
        raise InvalidParameterError("group_by needs an attribute name")
    members: dict[str, set[str]] = {}
    ungrouped: set[str] = set()
    mapping: dict[str, str] = {}
    for outlet in dict.fromkeys(outlets):
        group = group_of.get(outlet)
        if group is None or group == "":
            ungrouped.add(outlet)
            continue
        members.setdefault(group, set()).add(outlet)
        mapping[outlet] = group
    warnings = []
    if ungrouped:
        names = sorted(ungrouped)
        warnings.append(
            ComparisonWarning(
                "missing_group",
                f"{len(names)} outlet(s) have no {attribute!r} attribute and are left out: "
                + ", ".join(names[:10])
                + (" ..." if len(names) > 10 else ""),
                items=tuple(names),
            )
        )
    if not mapping:
        raise NotEnoughDataError(f"no outlet has a {attribute!r} attribute; set it on the outlets first")
    grouping = Grouping(
        attribute, tuple((g, tuple(sorted(o))) for g, o in sorted(members.items())), tuple(sorted(ungrouped))
    )
    return mapping, grouping, warnings


def rename_unit(rows: list[dict[str, Any]], unit: str) -> list[dict[str, Any]]:
    """Rows with ``outlet`` (``outlet_a``/``outlet_b``) keys renamed to the unit compared (``group``)."""
    if unit == "outlet":
        return rows
    names = {k: k.replace("outlet", unit) for k in _UNIT_KEYS}
    return [{names.get(k, k): v for k, v in row.items()} for row in rows]


def maybe_group(
    records: Sequence[ArticleRecord],
    group_of: Mapping[str, str | None] | None,
    group_by: str | None,
    warnings: list[ComparisonWarning],
) -> tuple[list[ArticleRecord], Grouping | None]:
    """:func:`group_records` when ``group_of`` is given (warnings appended), else the records unchanged."""
    if group_of is None:
        return list(records), None
    grouped, grouping, found = group_records(records, group_of, group_by or "group")
    warnings += found
    return grouped, grouping
