"""Statistics over classified articles: compare outlets' framing and stance (no Flask, no SQL).

See docs/ARCHITECTURE.md for the contract. Every result is a frozen ``*Result`` dataclass with
``tables()`` (tidy rows for JSON/CSV) and ``summary()``.
"""

from comparison.compare import compare_outlets
from comparison.comparison_result import ComparisonResult, DivergenceResult
from comparison.contingency import IndependenceTestResult, independence_test, prevalence_test
from comparison.corrected_tables import CorrectionSettings, ValidationFigures, correct_tables
from comparison.correction import (
    BinaryValidation,
    CorrectedShare,
    CorrectionError,
    StanceValidation,
    correct_distribution,
    correct_share,
)
from comparison.counted import LabelCounts, compare_counts
from comparison.errors import (
    ComparisonError,
    DegenerateTableError,
    InvalidParameterError,
    InvalidRecordError,
    MixedModelVersionsError,
    MixedStanceTargetsError,
    NotEnoughDataError,
    UnknownFrameError,
)
from comparison.export import heatmap_spec, to_csv, trend_spec
from comparison.profile import ProfileResult, StratifiedFrameResult, outlet_profile
from comparison.records import DEFAULT_STANCE_LABELS, ArticleRecord, ComparisonWarning, check_model_versions
from comparison.results import FrameTestResult, Omission, ShareEstimate
from comparison.stats import (
    ConfidenceInterval,
    MultipleTestingResult,
    Proportion,
    benjamini_hochberg,
    jensen_shannon_divergence,
    wilson_interval,
)
from comparison.trends import TrendResult, bucket_of, frame_trends
from comparison.unit_calibration import (
    UnitCalibration,
    ValidationUnit,
    calibrated_share,
    fit_unit_calibration,
)
from comparison.vocabulary import (
    DistinctiveTerm,
    TermCounts,
    VocabularyResult,
    count_document_terms,
    count_terms,
    fightin_words,
)

__all__ = [
    "BinaryValidation",
    "CorrectedShare",
    "CorrectionError",
    "CorrectionSettings",
    "StanceValidation",
    "ValidationFigures",
    "correct_distribution",
    "correct_share",
    "correct_tables",
    "UnitCalibration",
    "ValidationUnit",
    "calibrated_share",
    "fit_unit_calibration",
    "DEFAULT_STANCE_LABELS",
    "ArticleRecord",
    "ComparisonError",
    "ComparisonResult",
    "ComparisonWarning",
    "ConfidenceInterval",
    "DegenerateTableError",
    "DistinctiveTerm",
    "DivergenceResult",
    "FrameTestResult",
    "IndependenceTestResult",
    "InvalidParameterError",
    "InvalidRecordError",
    "LabelCounts",
    "MixedModelVersionsError",
    "MixedStanceTargetsError",
    "MultipleTestingResult",
    "NotEnoughDataError",
    "Omission",
    "Proportion",
    "ShareEstimate",
    "TermCounts",
    "UnknownFrameError",
    "VocabularyResult",
    "benjamini_hochberg",
    "check_model_versions",
    "compare_counts",
    "compare_outlets",
    "count_document_terms",
    "count_terms",
    "fightin_words",
    "independence_test",
    "jensen_shannon_divergence",
    "prevalence_test",
    "wilson_interval",
    "ProfileResult",
    "StratifiedFrameResult",
    "TrendResult",
    "bucket_of",
    "frame_trends",
    "heatmap_spec",
    "outlet_profile",
    "to_csv",
    "trend_spec",
]
