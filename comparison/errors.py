"""Domain errors of the comparison package.

Every error is a ``ValueError`` subclass so the service can map the whole family to
HTTP 422 in one table (STYLE rule 7) while still telling the cases apart.
"""

from __future__ import annotations


class ComparisonError(ValueError):
    """Base class: the input cannot support the requested comparison."""


class NotEnoughDataError(ComparisonError):
    """Too few records (or counts) to compute a statistic at all."""


class MixedModelVersionsError(ComparisonError):
    """Records were labelled by different model versions or codebooks.

    Comparing labels from two models mixes two measurement instruments; the difference
    between outlets could be a difference between models. Pass ``allow_mixed_versions=True``
    to compare anyway (a warning is then attached to the result).
    """

    def __init__(self, message: str, versions: tuple[tuple[str | None, str | None], ...]):
        super().__init__(message)
        self.versions = versions


class MixedStanceTargetsError(ComparisonError):
    """Records carry stances toward different targets; one comparison needs one target."""


class UnknownFrameError(ComparisonError):
    """A requested frame occurs in no record (most likely a typo or a different codebook)."""


class InvalidRecordError(ComparisonError):
    """A record carries a value the comparison cannot interpret (e.g. an unknown stance)."""


class DegenerateTableError(ComparisonError):
    """A contingency table has an empty row or column, so no test of independence exists."""


class InvalidParameterError(ComparisonError):
    """A parameter is outside its allowed values; the message lists the allowed ones."""
