"""Codebooks the API knows: the shipped ones (fixtures/, read-only) and uploaded immutable versions.

Every answer carries the content ``hash``. A key is either shipped or uploaded, never both. A new
version that drops a frame or stance label stored annotations still use is refused (409, naming
the labels and how many annotations use them): nothing is lost, and every annotation stays valid
under the latest version of its codebook (each also records the hash it was made under).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from classifiers import Codebook, InvalidCodebookError
from classifiers.codebook import codebook_from_dict
from service.classifier_registry import codebook_keys, get_codebook, get_model
from service.storage import annotations as annotation_dao
from service.storage import codebooks as dao
from service.storage.errors import ConflictError, InvalidItemsError, NotFoundError
from service.storage.tables import StoredCodebook

_FIELD = re.compile(r"^(?:codebook is missing '(\w+)'|([a-z_]+(?:\[\d+\])?(?:\.[a-z_]+)*) )")


def describe(codebook: Codebook, *, source: str, created_at: datetime | None = None) -> dict[str, Any]:
    """What the codebook endpoints dump: the definitions, hash, where it lives, whether it is served."""
    served = get_model().codebook
    is_served = codebook.key == served.key and codebook.hash == served.hash
    return {**codebook.to_dict(), "source": source, "created_at": created_at, "served": is_served}


def _from_row(row: StoredCodebook) -> Codebook:
    return codebook_from_dict(row.content)


def resolve_codebook(
    session: Session, key: str, *, version: str | None = None, hash_: str | None = None
) -> tuple[Codebook, StoredCodebook | None]:
    """The codebook ``key`` (latest, or the given version string or hash) and its stored row, if any.

    Unknown keys, versions and hashes are a ``NotFoundError`` (404) listing what exists.
    """
    if key in codebook_keys():
        codebook = get_codebook(key)
        if (version is not None and version != codebook.version) or (hash_ not in (None, codebook.hash)):
            raise NotFoundError(
                f"Codebook {key!r} is shipped in one version ({codebook.version}, hash {codebook.hash})."
            )
        return codebook, None
    row = dao.find_codebook_version(session, key, version=version, hash_=hash_)
    if row is None:
        if version is None and hash_ is None:
            known = sorted({*codebook_keys(), *(r.key for r in dao.list_latest_codebooks(session))})
            raise NotFoundError(f"No codebook {key!r}; available: {', '.join(known)}.")
        versions = ", ".join(f"{r.version} ({r.hash})" for r in dao.list_codebook_versions(session, key))
        raise NotFoundError(f"Codebook {key!r} has no such version; versions: {versions or 'none'}.")
    return _from_row(row), row


def latest_codebooks(session: Session) -> list[dict[str, Any]]:
    """The shipped codebooks, then the latest version of every uploaded key."""
    shipped = [describe(get_codebook(key), source="shipped") for key in codebook_keys()]
    uploaded = [
        describe(_from_row(row), source="uploaded", created_at=row.created_at)
        for row in dao.list_latest_codebooks(session)
    ]
    return shipped + uploaded


def codebook_versions(session: Session, key: str) -> list[dict[str, Any]]:
    """Every version of ``key``, oldest first (one for a shipped codebook)."""
    if key in codebook_keys():
        return [describe(get_codebook(key), source="shipped")]
    rows = dao.list_codebook_versions(session, key)
    if not rows:
        resolve_codebook(session, key)  # 404 listing the keys that exist
    return [describe(_from_row(r), source="uploaded", created_at=r.created_at) for r in rows]


def build_codebook(raw: dict[str, Any]) -> Codebook:
    """Validate an uploaded mapping; problems are a 422 naming the codebook field at fault."""
    try:
        return codebook_from_dict(raw)
    except InvalidCodebookError as exc:
        match = _FIELD.match(str(exc))
        field = (match.group(1) or match.group(2)) if match else None
        detail = {"field": field, "location": "json", "pointer": "/" + (field or ""), "detail": str(exc)}
        raise InvalidItemsError([detail], f"The codebook is invalid: {exc}") from exc


def add_codebook(session: Session, codebook: Codebook) -> tuple[dict[str, Any], bool]:
    """Store a new version (or find the identical one); refuses shipped keys and dropped labels (409)."""
    if codebook.key in codebook_keys():
        raise ConflictError(
            f"Codebook {codebook.key!r} ships with Framescope (fixtures/codebooks/{codebook.key}.yaml) and "
            "is read-only; upload your codebook under another key."
        )
    check_labels_kept(session, codebook)
    row, created = dao.add_codebook_version(session, codebook)
    return describe(codebook, source="uploaded", created_at=row.created_at), created


def check_labels_kept(session: Session, codebook: Codebook) -> None:
    """``ConflictError`` naming every frame or stance label stored annotations of this key use that
    the new version lacks, with how many annotations use it."""
    frames, stances = annotation_dao.labels_in_use(session, codebook.key)
    labels = {t.key: set(t.labels) for t in codebook.targets}
    lost = [f"frame {f!r} ({n})" for f, n in sorted(frames.items()) if f not in codebook.frame_keys]
    lost += [
        f"stance {s!r} toward {t!r} ({n})"
        for (t, s), n in sorted(stances.items())
        if s not in labels.get(t, ())
    ]
    if lost:
        raise ConflictError(
            f"Version {codebook.version!r} of codebook {codebook.key!r} lacks labels that stored annotations "
            f"use (number of annotations): {', '.join(lost)}. Nothing was stored: keep these labels, or "
            f"recode or delete those annotations first (GET /v1/annotations?codebook={codebook.key})."
        )
