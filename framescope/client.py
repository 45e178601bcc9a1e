"""``Client``: every Framescope resource as typed methods, tabular answers as pandas DataFrames.

from framescope import Client
fs = Client()                                   # FRAMESCOPE_URL / FRAMESCOPE_API_KEY, or arguments
fs.articles.upload(df, create_missing=True)     # batches sized from GET /v1/limits, progress bar
result = fs.event_comparison("port-selenko-strike", group_by="type")
result.prevalence                               # a DataFrame
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Literal
from urllib.parse import quote

import httpx
import pandas as pd

from framescope.annotations import Annotations
from framescope.articles import Articles
from framescope.batching import Limits, batches, json_array
from framescope.catalog import Codebooks, Events, Keys, Outlets
from framescope.errors import NotFoundError
from framescope.http import HttpSession, clean_params
from framescope.jobs import Jobs
from framescope.progress import bar
from framescope.records import classify_item, compare_item, records
from framescope.tables import Tables, classifications_frame

Syndicated = Literal["once", "each", "off"]


class Client:
    """A Framescope API client.

    Parameters
    ----------
    base_url : default ``$FRAMESCOPE_URL``, else ``http://127.0.0.1:8000``.
    api_key : sent as ``Authorization: Bearer``; default ``$FRAMESCOPE_API_KEY`` (none: keyless server).
    transport : an httpx transport, e.g. ``httpx.WSGITransport(app=service.create_app())`` to run the
        app in-process.
    max_retries, max_retry_wait : 429/503 answers are retried after their ``Retry-After`` (at most
        ``max_retries`` times, never waiting more than ``max_retry_wait`` seconds at once).
    connect_retries : connections that fail before anything was sent are retried this often
        (0.5, 1, 2 s apart).
    progress : tqdm bars on long work; None shows them only on a terminal.
    """

    def __init__(
        self,
        base_url: str | None = None,
        api_key: str | None = None,
        *,
        timeout: float = 300.0,
        max_retries: int = 5,
        max_retry_wait: float = 60.0,
        transport: httpx.BaseTransport | None = None,
        progress: bool | None = None,
        connect_retries: int = 3,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.http = HttpSession(
            base_url,
            api_key,
            timeout=timeout,
            max_retries=max_retries,
            max_retry_wait=max_retry_wait,
            transport=transport,
            connect_retries=connect_retries,
            sleep=sleep,
        )
        self.progress = progress
        self._limits: Limits | None = None
        self.articles = Articles(self.http, self.limits, progress)
        self.annotations = Annotations(self.http, self.limits, progress)
        self.outlets = Outlets(self.http, self.limits)
        self.events = Events(self.http, self.limits)
        self.codebooks = Codebooks(self.http, self.limits)
        self.jobs = Jobs(self.http, self.limits, progress)
        self.keys = Keys(self.http, self.limits)

    @property
    def base_url(self) -> str:
        return self.http.base_url

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Client({self.base_url!r})"

    # -- the server --------------------------------------------------------------------------------

    def limits(self, *, refresh: bool = False) -> Limits:
        """The server's request limits (read once; a server without ``/v1/limits`` gets the defaults)."""
        if self._limits is None or refresh:
            try:
                self._limits = Limits.from_dict(self.http.json("GET", "/v1/limits"))
            except NotFoundError:
                self._limits = Limits()
        return self._limits

    def health(self) -> dict[str, Any]:
        return self.http.json("GET", "/health")

    def ready(self) -> dict[str, Any]:
        """Every readiness check (database, model, Redis); a failing one raises ``ServerError`` (503)."""
        return self.http.json("GET", "/ready")

    def model(self) -> dict[str, Any]:
        """The served model: version, codebook hash, manifest, metrics, versions with stored labels."""
        return self.http.json("GET", "/v1/models")

    def model_versions(self) -> pd.DataFrame:
        """Model versions with stored results and how many articles each labelled."""
        return pd.DataFrame(self.model().get("stored_versions") or [])

    # -- classification ----------------------------------------------------------------------------

    def classify(
        self,
        articles: Mapping[str, Any] | pd.DataFrame | Iterable[Mapping[str, Any]],
        *,
        target: str | None = None,
        progress: bool | None = None,
    ) -> Any:
        """Frames, stance and evidence for each article (nothing stored).

        One dict in gives one result dict; a list (or DataFrame) gives a list in the same order, sent in
        batches that respect the server's item, byte and ``max_classify_chars`` limits.
        """
        if isinstance(articles, Mapping):
            return self.http.json("POST", "/v1/classify", json=classify_item(records([articles])[0], target))
        items = [classify_item(row, target) for row in records(articles)]
        limits = self.limits()
        results: list[dict[str, Any]] = []
        show = self.progress if progress is None else progress
        with bar(show, total=len(items), desc="classify", unit="article") as progress_bar:
            for batch in batches(items, limits, max_chars=limits.max_classify_chars):
                answer = self.http.json(
                    "POST",
                    "/v1/classify",
                    content=json_array(batch),
                    headers={"Content-Type": "application/json"},
                )
                results.extend(answer)
                progress_bar.update(len(batch))
        return results

    def classify_frame(
        self, articles: pd.DataFrame | Iterable[Mapping[str, Any]], **kwargs: Any
    ) -> pd.DataFrame:
        """:meth:`classify` as one row per article: ``<frame>_present/_score/_share``, stance columns."""
        return classifications_frame(self.classify(list(records(articles)), **kwargs))

    # -- comparisons and other tables --------------------------------------------------------------

    def compare(
        self,
        articles: pd.DataFrame | Iterable[Mapping[str, Any]],
        *,
        group_by: str | None = None,
        **options: Any,
    ) -> Tables:
        """Classify the articles and compare their outlets (or ``group_by`` groups) in one call;
        nothing is stored. Options: ``min_articles``, ``n_terms``, ``confidence_level``, ``target``,
        ``syndicated``."""
        rows = [compare_item(row) for row in records(articles)]
        body = {k: v for k, v in {"articles": rows, "group_by": group_by, **options}.items() if v is not None}
        return Tables.from_json(self.http.json("POST", "/v1/compare", json=body))

    def event_comparison(
        self,
        event: str,
        *,
        group_by: str | None = None,
        outlets: Sequence[str] | None = None,
        target: str | None = None,
        model_version: str | None = None,
        min_articles: int | None = None,
        n_terms: int | None = None,
        confidence_level: float | None = None,
        syndicated: Syndicated | None = None,
    ) -> Tables:
        """Outlets (or ``group_by`` groups) compared over one event's stored articles (one model
        version: the served one unless ``model_version``)."""
        params = dict(locals())
        del params["self"], params["event"]
        return self._tables(f"/v1/events/{quote(event, safe='')}/comparison", params)

    def comparisons(
        self,
        events: Sequence[str] | str = "all",
        *,
        group_by: str | None = None,
        outlets: Sequence[str] | None = None,
        target: str | None = None,
        model_version: str | None = None,
        min_articles: int | None = None,
        n_terms: int | None = None,
        confidence_level: float | None = None,
        syndicated: Syndicated | None = None,
    ) -> Tables:
        """Several events pooled, tests stratified by event (``events="all"`` for every event)."""
        params = dict(locals())
        del params["self"]
        return self._tables("/v1/comparisons", params)

    def trends(
        self,
        *,
        interval: Literal["day", "week", "month"] = "week",
        event: str | None = None,
        outlets: Sequence[str] | None = None,
        group_by: str | None = None,
        published_from: datetime | str | None = None,
        published_to: datetime | str | None = None,
        target: str | None = None,
        model_version: str | None = None,
        min_articles: int | None = None,
        confidence_level: float | None = None,
    ) -> Tables:
        """Frame prevalence and stance per outlet (or group) per day, week or month."""
        params = dict(locals())
        del params["self"]
        return self._tables("/v1/trends", params)

    def outlet_profile(
        self,
        outlet: str,
        *,
        group_by: str | None = None,
        published_from: datetime | str | None = None,
        published_to: datetime | str | None = None,
        target: str | None = None,
        model_version: str | None = None,
        min_articles: int | None = None,
        confidence_level: float | None = None,
    ) -> Tables:
        """One outlet (or its ``group_by`` group) across events, against the others within each event."""
        params = dict(locals())
        del params["self"], params["outlet"]
        return self._tables(f"/v1/outlets/{quote(outlet, safe='')}/profile", params)

    def reliability(
        self,
        coders: Sequence[str],
        *,
        codebook: str = "conflict",
        model: str | None = None,
        target: str | None = None,
        n_resamples: int | None = None,
        confidence_level: float | None = None,
        seed: int | None = None,
    ) -> Tables:
        """Krippendorff's alpha among ``coders`` per frame, dominant frame and stance; ``model`` (a
        model version with stored labels) adds it as one more coder, with P/R/F1 in ``model_scores``."""
        params = dict(locals())
        del params["self"]
        return self._tables("/v1/reliability", params)

    def chart(self, kind: str, *args: Any, **params: Any) -> dict[str, Any]:
        """A Vega-Lite v5 spec (data inline): ``chart("event_comparison", "port-selenko-strike")``,
        ``chart("comparisons", "all", group_by="type")``, ``chart("trends", variable="stance")``."""
        paths = {
            "event_comparison": lambda event: f"/v1/events/{event}/comparison",
            "comparisons": lambda events="all": "/v1/comparisons",
            "trends": lambda: "/v1/trends",
        }
        if kind not in paths:
            raise ValueError(f"Unknown chart {kind!r}; use one of {', '.join(paths)}.")
        if kind == "comparisons":
            params["events"] = args[0] if args else params.get("events", "all")
            args = ()
        return self.http.json(
            "GET", paths[kind](*args), params=clean_params({**params, "format": "vega-lite"})
        )

    def _tables(self, path: str, params: Mapping[str, Any]) -> Tables:
        return Tables.from_json(self.http.json("GET", path, params=clean_params(params)))
