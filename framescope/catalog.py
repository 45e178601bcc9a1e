"""Outlets, events, codebooks and API keys: the small resources, each a namespace on the client."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pandas as pd

from framescope.batching import Limits
from framescope.http import HttpSession
from framescope.records import records
from framescope.tables import items_frame


class Resource:
    """A collection at ``path`` with keyed items: list (all pages, as a DataFrame), iterate, get,
    create, update and delete (both send the item's ETag in ``If-Match``, read just before)."""

    path = ""

    def __init__(self, http: HttpSession, limits: Callable[[], Limits] | None = None) -> None:
        self.http = http
        self._limits = limits

    def page_size(self) -> int:
        """The largest page the server serves (fewer round trips)."""
        return self._limits().page_size_max if self._limits else 50

    def item_path(self, key: str | int) -> str:
        return f"{self.path}/{quote(str(key), safe='')}"

    def iter(self, **filters: Any) -> Iterator[dict[str, Any]]:
        """Every matching item, one page (``limit`` items) at a time."""
        for page in self.http.pages(self.path, {"limit": self.page_size(), **filters}):
            yield from page

    def list(self, **filters: Any) -> pd.DataFrame:
        """Every matching item as a DataFrame (nested objects flattened to ``a_b`` columns)."""
        return items_frame(self.iter(**filters))

    def get(self, key: str | int) -> dict[str, Any]:
        return self.http.json("GET", self.item_path(key))

    def create(self, item: Mapping[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
        return self.http.json("POST", self.path, json={**(item or {}), **fields})

    def update(
        self, key: str | int, changes: Mapping[str, Any] | None = None, **fields: Any
    ) -> dict[str, Any]:
        """PATCH with ``If-Match``: a 412 (``ConflictError``) means someone changed it since."""
        return self.http.json(
            "PATCH", self.item_path(key), json={**(changes or {}), **fields}, headers=self._if_match(key)
        )

    def delete(self, key: str | int) -> None:
        self.http.request("DELETE", self.item_path(key), headers=self._if_match(key))

    def _if_match(self, key: str | int) -> dict[str, str]:
        etag = self.http.request("GET", self.item_path(key)).headers.get("ETag")
        return {"If-Match": etag} if etag else {}


class Outlets(Resource):
    """``/v1/outlets``: news sources, by key; attributes (``type``, ``leaning``, ...) drive ``group_by``."""

    path = "/v1/outlets"

    def set_attributes(
        self, table: pd.DataFrame | list[Mapping[str, Any]] | str | Path, *, create_missing: bool = False
    ) -> dict[str, Any]:
        """Many outlets' attributes at once (``PUT /v1/outlets/attributes``, all or nothing).

        ``table``: a DataFrame or rows with a ``key`` (or ``name``) column then one column per
        attribute, or a CSV file path. An empty cell removes that attribute.
        """
        body = Path(table).read_text(encoding="utf-8-sig") if isinstance(table, str | Path) else to_csv(table)
        return self.http.json(
            "PUT",
            f"{self.path}/attributes",
            params={"create_missing": "true" if create_missing else "false"},
            content=body.encode("utf-8"),
            headers={"Content-Type": "text/csv"},
        )

    def profile(self, key: str, **params: Any) -> Any:
        """Shortcut for :meth:`framescope.Client.outlet_profile`."""
        from framescope.tables import Tables

        return Tables.from_json(self.http.json("GET", f"{self.item_path(key)}/profile", params=params))


class Events(Resource):
    """``/v1/events``: the stories coverage is compared on."""

    path = "/v1/events"


class Keys(Resource):
    """``/v1/keys`` (admin only): ``create`` answers the token once; ``delete`` revokes."""

    path = "/v1/keys"

    def delete(self, key: str | int) -> None:  # keys have no ETag
        self.http.request("DELETE", self.item_path(key))

    def revoke(self, key_id: int) -> dict[str, Any]:
        return self.http.json("DELETE", self.item_path(key_id))


class Codebooks(Resource):
    """``/v1/codebooks``: the shipped codebook and uploaded ones, each version immutable."""

    path = "/v1/codebooks"

    def iter(self, **_filters: Any) -> Iterator[dict[str, Any]]:
        yield from self.http.json("GET", self.path)["items"]

    def get(self, key: str, *, version: str | None = None, hash: str | None = None) -> dict[str, Any]:  # noqa: A002
        params = {k: v for k, v in (("version", version), ("hash", hash)) if v is not None}
        return self.http.json("GET", self.item_path(key), params=params)

    def versions(self, key: str) -> pd.DataFrame:
        return pd.DataFrame(self.http.json("GET", f"{self.item_path(key)}/versions")["items"])

    def upload(self, codebook: Mapping[str, Any] | str | Path) -> dict[str, Any]:
        """Upload a codebook: a dict (sent as JSON) or a ``.yaml``/``.yml``/``.json`` file path."""
        if isinstance(codebook, Mapping):
            return self.http.json("POST", self.path, json=dict(codebook))
        path = Path(codebook)
        media = "application/json" if path.suffix == ".json" else "application/yaml"
        return self.http.json("POST", self.path, content=path.read_bytes(), headers={"Content-Type": media})

    def update(self, *_args: Any, **_kwargs: Any) -> dict[str, Any]:
        raise TypeError("Codebook versions are immutable: upload a new version instead.")

    def delete(self, *_args: Any, **_kwargs: Any) -> None:
        raise TypeError("Codebooks cannot be deleted.")


def to_csv(table: pd.DataFrame | list[Mapping[str, Any]]) -> str:
    """Rows as CSV text; lists and dicts in cells as JSON (e.g. annotation ``spans``)."""
    rows = records(table)
    columns: list[str] = []
    for row in rows:
        columns.extend(k for k in row if k not in columns)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: json.dumps(v) if isinstance(v, list | dict) else v for k, v in row.items()})
    return out.getvalue()
