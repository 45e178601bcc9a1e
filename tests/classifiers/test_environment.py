"""Training is bit-reproducible whatever BLAS thread count the caller set, and says what it ran on."""

import warnings
from dataclasses import replace

import numpy as np
import pytest
import threadpoolctl

from classifiers import load_corpus, train
from classifiers.environment import (
    TRAINING_BLAS_THREADS,
    environment_line,
    environment_summary,
    fitted_arrays,
    numeric_environment,
)


@pytest.fixture(scope="module")
def models_by_threads(codebook):
    """The same small model trained under 1 and under 2 caller-set BLAS threads.

    ``min_df=1`` gives ~30,000 features: OpenBLAS splits a dot product across threads only above
    ~10,000 elements, so a smaller vocabulary would not show the dependence this guards against.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        corpus = load_corpus(codebook)
    small = replace(corpus, articles=corpus.articles[::4], hash="quarter")
    models = {}
    for n in (1, 2):
        with threadpoolctl.threadpool_limits(limits=n, user_api="blas"):
            models[n] = train(codebook, small, {"n_folds": 2, "min_df": 1})
    return models


def test_weights_do_not_depend_on_the_callers_blas_threads(models_by_threads):
    one, two = (fitted_arrays(models_by_threads[n]) for n in (1, 2))
    assert models_by_threads[1].sentence_model_.frame_head.n_features_in_ > 10_000
    assert one.keys() == two.keys()
    differ = [k for k in one if not np.array_equal(one[k], two[k])]
    assert differ == []
    assert models_by_threads[1].manifest["metrics"] == models_by_threads[2].manifest["metrics"]


def test_training_leaves_the_callers_thread_setting(codebook, models_by_threads):
    with threadpoolctl.threadpool_limits(limits=1, user_api="blas"):
        models_by_threads[1].sentence_model_.frame_head.fit(np.eye(3), np.eye(3, dtype=int))
        blas = [i for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]
        assert {i["num_threads"] for i in blas} == {1}


def test_manifest_records_the_numeric_environment(models_by_threads):
    env = models_by_threads[1].manifest["environment"]
    assert env == numeric_environment()
    assert env["numpy"] == np.__version__ and env["blas_threads"] == TRAINING_BLAS_THREADS
    assert env["blas"] and all(b["architecture"] for b in env["blas"] if b["internal_api"] == "openblas")
    line = environment_summary(env)
    assert f"numpy {np.__version__}" in line and f"{TRAINING_BLAS_THREADS} threads" in line


def test_the_card_line_says_what_trained_the_model_or_that_it_is_unknown(models_by_threads):
    line = environment_line(models_by_threads[1].manifest)
    assert line.startswith("- Numeric environment: numpy ") and "same bits" in line
    assert "not recorded" in environment_line({"version": "old"})
