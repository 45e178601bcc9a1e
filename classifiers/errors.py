"""Domain errors of the classifiers package (the service maps them to 422)."""


class ClassifierError(ValueError):
    """Base class: a request the classifiers cannot serve as asked."""


class UnknownCodebookError(ClassifierError):
    """The codebook key or path does not name a codebook."""


class InvalidCodebookError(ClassifierError):
    """The codebook file exists but breaks the codebook schema."""


class UnknownFrameError(ClassifierError):
    """The frame key is not defined in the codebook."""


class UnknownTargetError(ClassifierError):
    """The stance target is not defined in the codebook."""


class UntrainedTargetError(ClassifierError):
    """The codebook defines the stance target, but the fitted model has no stance model for it."""


class CorpusError(ClassifierError):
    """The training corpus is missing, malformed or uses labels outside the codebook."""
