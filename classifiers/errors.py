"""Domain errors of the classifiers package (the service maps them to 422)."""


class ClassifierError(ValueError):
    """Base class: a request the classifiers cannot serve as asked."""


class UnknownCodebookError(ClassifierError):
    """The codebook key or path does not name a codebook."""


class InvalidCodebookError(ClassifierError):
    """The codebook file exists but breaks the codebook schema."""


class UnknownTargetError(ClassifierError):
    """The stance target is not defined in the codebook."""


class CorpusError(ClassifierError):
    """The training corpus is missing, malformed or uses labels outside the codebook."""
