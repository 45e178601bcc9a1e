"""Python client for the Framescope API: ``from framescope import Client``.

Every resource has typed methods, lists are iterated page by page, uploads are split into batches the
server accepts, 429/503 answers are retried after ``Retry-After``, tables come back as pandas
DataFrames and long work shows tqdm progress bars. Errors raise :class:`FramescopeError` (or a
subclass) carrying the server's problem+json fields. The ``framescope`` command is in
:mod:`framescope.cli`. Reference: docs/client.md.
"""

from framescope.articles import UploadResult
from framescope.batching import Limits
from framescope.client import Client
from framescope.errors import (
    AuthError,
    ConflictError,
    FramescopeConnectionError,
    FramescopeError,
    NotFoundError,
    RateLimitError,
    ServerError,
    TooLargeError,
    ValidationError,
)
from framescope.jobs import JobFailed
from framescope.tables import Tables

__all__ = [
    "AuthError",
    "Client",
    "ConflictError",
    "FramescopeConnectionError",
    "FramescopeError",
    "JobFailed",
    "Limits",
    "NotFoundError",
    "RateLimitError",
    "ServerError",
    "Tables",
    "TooLargeError",
    "UploadResult",
    "ValidationError",
]
__version__ = "0.1.0"
