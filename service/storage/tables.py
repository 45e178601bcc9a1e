"""SQLAlchemy 2 typed models: the whole storage schema in one place.

Dedup rules live here as unique constraints (``uq_articles_url``, ``uq_articles_outlet_id_content_hash``)
so they hold under concurrency. ``classifications`` (one per article x model version) and
``article_frames`` (one per classification x frame) hold the classifier's answers.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only auto-increments INTEGER PRIMARY KEY, so BIGINT ids fall back to INTEGER there.
BigId = BigInteger().with_variant(Integer, "sqlite")
# A list of floats: a native array on PostgreSQL (read by subscript), a JSON array on SQLite.
FloatList = ARRAY(Float).with_variant(JSON(), "sqlite")


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite has no time zones: store naive UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    """Default for created/updated columns (a function, so tests may override the clock)."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON()}


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, server_default=func.now())


class Outlet(TimestampMixin, Base):
    __tablename__ = "outlets"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    domain: Mapped[str | None] = mapped_column(String(253))
    country: Mapped[str | None] = mapped_column(String(2))
    language: Mapped[str | None] = mapped_column(String(16))
    # User-supplied descriptors (ownership, leaning, ...): never used by the statistics themselves.
    extra: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)
    # Researcher-defined flat string attributes (type, leaning, ownership): what ``group_by`` reads.
    attributes: Mapped[dict[str, Any] | None] = mapped_column(default=dict)


class Event(TimestampMixin, Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    starts_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]


class Article(TimestampMixin, Base):
    __tablename__ = "articles"
    __table_args__ = (
        UniqueConstraint("outlet_id", "content_hash"),
        Index(None, "outlet_id", "published_at"),
        Index(None, "event_id", "published_at"),
        Index(None, "published_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    outlet_id: Mapped[int] = mapped_column(BigId, ForeignKey("outlets.id", ondelete="RESTRICT"))
    event_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("events.id", ondelete="SET NULL"))
    url: Mapped[str | None] = mapped_column(String(2048), unique=True)
    title: Mapped[str] = mapped_column(String(1000))  # "" when the article has none
    published_at: Mapped[datetime | None]
    # year / month / day / datetime: how much of ``published_at`` is known (a month: its first instant).
    published_precision: Mapped[str | None] = mapped_column(String(8))
    author: Mapped[str | None] = mapped_column(String(300))
    language: Mapped[str | None] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    # sha256 of the normalised text (see service.storage.text): the per-outlet dedup key.
    content_hash: Mapped[str] = mapped_column(String(64))
    word_count: Mapped[int] = mapped_column(Integer)

    outlet: Mapped[Outlet] = relationship(lazy="joined", innerjoin=True)
    event: Mapped[Event | None] = relationship(lazy="joined")
    signature: Mapped[ArticleSignature | None] = relationship(lazy="joined", viewonly=True)


class Classification(Base):
    """One stored classifier output per article and model version (filled by the classifier step).

    Frames live in ``article_frames`` (one row per frame); this row holds the article-level
    fields, the stance and the evidence sentences (``{"frames": {key: [...]}, "stance": [...]}``),
    and a summary of the frame rows written with them (revision 0013): ``frame_mask`` has bit j set
    when the j-th frame key in sorted (code point) order is present, ``frame_shares`` the shares
    in that order. Counted comparisons read one row per article instead of ~9 frame rows.
    """

    __tablename__ = "classifications"
    __table_args__ = (
        UniqueConstraint("article_id", "model_version"),
        Index(None, "model_version", "dominant_frame"),
        Index(None, "model_version", "stance_label"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    article_id: Mapped[int] = mapped_column(BigId, ForeignKey("articles.id", ondelete="CASCADE"))
    model_version: Mapped[str] = mapped_column(String(100))
    codebook_key: Mapped[str] = mapped_column(String(64))
    codebook_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(32))
    language: Mapped[str | None] = mapped_column(String(16))
    n_sentences: Mapped[int] = mapped_column(Integer, default=0)
    dominant_frame: Mapped[str | None] = mapped_column(String(64))
    stance_target: Mapped[str | None] = mapped_column(String(64))
    stance_label: Mapped[str | None] = mapped_column(String(16))
    stance_scores: Mapped[dict[str, Any]] = mapped_column(default=dict)
    evidence: Mapped[dict[str, Any]] = mapped_column(default=dict)
    frame_mask: Mapped[int | None] = mapped_column(BigInteger)  # None: more than 62 frames
    frame_shares: Mapped[list[float]] = mapped_column(FloatList)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())


class ArticleFrame(Base):
    """One row per classified article x frame: the one stored form of frame labels.

    Frame filters and prevalence counts are index scans; comparisons pivot these rows in SQL.
    """

    __tablename__ = "article_frames"
    __table_args__ = (Index(None, "frame_key", "present", "article_id"),)

    classification_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("classifications.id", ondelete="CASCADE"), primary_key=True
    )
    frame_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    article_id: Mapped[int] = mapped_column(BigId, ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    present: Mapped[bool] = mapped_column(Boolean)
    score: Mapped[float] = mapped_column(Float)
    share: Mapped[float] = mapped_column(Float)


class StoredCodebook(Base):
    """One immutable codebook version uploaded through the API (the shipped ones stay in fixtures/).

    A new version of a key is a new row; ``content`` is the validated codebook (``Codebook.to_dict``).
    """

    __tablename__ = "codebooks"
    __table_args__ = (UniqueConstraint("key", "hash"), UniqueConstraint("key", "version"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    content: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())


class Annotation(TimestampMixin, Base):
    """One coder's codes for one article under one codebook key (re-posting replaces them).

    ``codebook_hash`` is the codebook version the codes were made under; ``spans`` holds the
    sentence-level codes (``[{"start", "end", "frames", "stance"}]``, offsets into the article text).
    """

    __tablename__ = "annotations"
    __table_args__ = (
        UniqueConstraint("article_id", "coder", "codebook_key"),
        Index(None, "codebook_key", "coder"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    article_id: Mapped[int] = mapped_column(BigId, ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    coder: Mapped[str] = mapped_column(String(64))
    codebook_key: Mapped[str] = mapped_column(String(64))
    codebook_hash: Mapped[str] = mapped_column(String(64))
    frames: Mapped[list[str]] = mapped_column(JSON, default=list)
    dominant: Mapped[str | None] = mapped_column(String(64))
    stance_target: Mapped[str | None] = mapped_column(String(64))
    stance: Mapped[str | None] = mapped_column(String(16))
    spans: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    article: Mapped[Article] = relationship(lazy="joined", innerjoin=True)


class ArticleSignature(Base):
    """Syndication at ingest: an article's MinHash signature and its cluster of near-copies.

    ``cluster_id`` is the id of the cluster's earliest stored article (``None``: no copy known);
    ``similarity`` the article's best containment with another member when it joined.
    """

    __tablename__ = "article_signatures"

    article_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    n_shingles: Mapped[int] = mapped_column(Integer)
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    cluster_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    similarity: Mapped[float | None] = mapped_column(Float)


class ArticleBand(Base):
    """One LSH band key per article and band (42 per article): stored copies are found by key."""

    __tablename__ = "article_bands"

    band_key: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    article_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Job(Base):
    """One background job (issue 13): classify stored articles or export them, in committed chunks.

    ``cursor`` is the last article id whose chunk is committed, so a rerun skips what is done;
    ``upto`` bounds the work to the articles stored when the job started. ``attempt`` grows with
    every claim and fences each chunk's commit: a runner that lost the job (cancelled, or taken over
    after its heartbeat ``updated_at`` went stale) cannot commit another chunk.
    """

    __tablename__ = "jobs"
    __table_args__ = (Index(None, "status", "updated_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    total: Mapped[int | None] = mapped_column(Integer)
    done: Mapped[int] = mapped_column(Integer, default=0)
    cursor: Mapped[int] = mapped_column(BigInteger, default=0)
    upto: Mapped[int | None] = mapped_column(BigInteger)
    attempt: Mapped[int] = mapped_column(Integer, default=0)
    rate: Mapped[float | None] = mapped_column(Float)  # articles per second of the current attempt
    n_errors: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    result: Mapped[dict[str, Any] | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    resumed_done: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # done at claim
    parts: Mapped[list[JobPart]] = relationship(viewonly=True, order_by="JobPart.lo")  # lazy: answers only


class JobPart(Base):
    """One id range ``(lo, hi]`` of a classify job, worked by one runner at a time (revision 0012).

    Several workers run one job by each claiming a part; ``cursor``, ``attempt`` and ``heartbeat``
    do for a part what the job's own columns do for a single-runner job (see ``Job``).
    """

    __tablename__ = "job_parts"
    __table_args__ = (UniqueConstraint("job_id", "lo"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    job_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("jobs.id", ondelete="CASCADE"))
    lo: Mapped[int] = mapped_column(BigInteger)
    hi: Mapped[int] = mapped_column(BigInteger)
    cursor: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))  # pending, running, done
    attempt: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    heartbeat: Mapped[datetime | None]


class TrainedModel(Base):
    """A model trained here from coded articles (issue 11): its manifest and its pickled estimator.

    The artifact lives in the database so every web host and worker can load it; the shipped model
    is not stored here (each process trains or loads it from the repository's fixtures).
    """

    __tablename__ = "trained_models"

    version: Mapped[str] = mapped_column(String(80), primary_key=True)
    codebook: Mapped[str] = mapped_column(String(64), index=True)
    base_version: Mapped[str] = mapped_column(String(80))
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    manifest: Mapped[dict[str, Any]] = mapped_column(default=dict)
    artifact: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    job_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())


class ModelActivation(Base):
    """Which model serves a codebook: the latest row wins; rolling back activates the one before."""

    __tablename__ = "model_activations"
    __table_args__ = (Index(None, "codebook", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    codebook: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(80))
    activated_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())


class Manifest(Base):
    """What produced one analysis answer (issue 12): its id is the hash of everything in ``document``.

    ``document`` holds the input article set's hash (and ids), model version, codebook hash,
    parameters, seeds and software versions; ``result_hash`` the hash of the answer's tables, so a
    re-run (the same request again) is checked: ``reproduced`` turns false if the numbers ever differ.
    """

    __tablename__ = "manifests"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    endpoint: Mapped[str] = mapped_column(String(300))
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    result_hash: Mapped[str] = mapped_column(String(64))
    n_runs: Mapped[int] = mapped_column(Integer, default=1)
    reproduced: Mapped[bool | None] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    last_run_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
