"""Low-level statistics against hand-computed values and scipy / statsmodels references."""

import numpy as np
import pytest
from scipy import stats
from scipy.spatial.distance import jensenshannon
from scipy.stats.contingency import association
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

from comparison import (
    DegenerateTableError,
    InvalidParameterError,
    NotEnoughDataError,
    Proportion,
    benjamini_hochberg,
    independence_test,
    jensen_shannon_divergence,
    prevalence_test,
    wilson_interval,
)
from comparison.contingency import CHI_SQUARE, FISHER_EXACT, MONTE_CARLO


def test_wilson_textbook_8_of_10():
    # By hand: z = 1.95996; centre = (0.8 + z²/20) / (1 + z²/10) = 0.71678;
    # half-width = z / (1 + z²/10) * sqrt(0.016 + z²/400) = 0.22662.
    low, high = wilson_interval(8, 10, 0.95)
    assert low == pytest.approx(0.4902, abs=5e-5)
    assert high == pytest.approx(0.9433, abs=5e-5)


@pytest.mark.parametrize("count,n", [(0, 1), (0, 7), (3, 7), (7, 7), (1, 250), (120, 250), (49, 50)])
@pytest.mark.parametrize("level", [0.8, 0.9, 0.95, 0.99])
def test_wilson_matches_statsmodels(count, n, level):
    expected = proportion_confint(count, n, alpha=1 - level, method="wilson")
    assert wilson_interval(count, n, level) == pytest.approx(expected, abs=1e-12)


def test_wilson_ends_are_exact_for_zero_and_all():
    assert wilson_interval(0, 12).low == 0.0
    assert wilson_interval(12, 12).high == 1.0


def test_wilson_refuses_empty_and_bad_input():
    with pytest.raises(NotEnoughDataError):
        wilson_interval(0, 0)
    with pytest.raises(InvalidParameterError):
        wilson_interval(5, 4)
    with pytest.raises(InvalidParameterError):
        wilson_interval(1, 4, confidence_level=1.0)


def test_proportion_interval_at_other_levels():
    p = Proportion(8, 10)
    assert p.estimate == 0.8
    assert p.confidence_interval() == wilson_interval(8, 10, 0.95)
    assert p.confidence_interval(0.99).low < p.confidence_interval(0.9).low
    assert "8/10" in p.summary()


def test_jsd_identical_is_zero_and_disjoint_is_one():
    assert jensen_shannon_divergence([0.2, 0.3, 0.5], [2, 3, 5]) == pytest.approx(0.0, abs=1e-15)
    assert jensen_shannon_divergence([1, 0], [0, 1]) == pytest.approx(1.0)


def test_jsd_matches_scipy_squared_distance():
    rng = np.random.default_rng(1)
    for _ in range(20):
        p, q = rng.random(6), rng.random(6)
        p[rng.integers(6)] = 0.0
        assert jensen_shannon_divergence(p, q) == pytest.approx(jensenshannon(p, q, base=2) ** 2, abs=1e-12)


def test_jsd_hand_computed():
    # p = (1, 0), q = (1/2, 1/2): m = (3/4, 1/4);
    # KL(p||m) = log2(4/3); KL(q||m) = 1/2 log2(2/3) + 1/2 log2(2); JSD = mean of the two.
    expected = (np.log2(4 / 3) + 0.5 * np.log2(2 / 3) + 0.5) / 2
    assert jensen_shannon_divergence([1, 0], [1, 1]) == pytest.approx(expected)


def test_jsd_refuses_empty_distribution():
    with pytest.raises(NotEnoughDataError):
        jensen_shannon_divergence([0, 0], [1, 1])


def test_bh_matches_statsmodels():
    rng = np.random.default_rng(7)
    pvalues = np.concatenate([rng.random(15), [0.001, 0.004, 0.02, 0.02]])
    result = benjamini_hochberg(pvalues, alpha=0.05)
    reject, adjusted, _, _ = multipletests(pvalues, alpha=0.05, method="fdr_bh")
    assert result.pvalues_adjusted == pytest.approx(adjusted.tolist(), abs=1e-15)
    assert list(result.reject) == reject.tolist()
    assert result.pvalues == pytest.approx(pvalues.tolist())
    assert result.method == "fdr_bh"


def test_bh_hand_computed():
    # sorted p: .01 .02 .03 .04 with m=4 -> .04 .04 .04 .04 ; .5 -> 1 is capped by next; order kept
    result = benjamini_hochberg([0.04, 0.01, 0.03, 0.02, 0.5])
    assert result.pvalues_adjusted == pytest.approx([0.05, 0.05, 0.05, 0.05, 0.5])


def test_chi_square_matches_scipy_and_cramers_v():
    table = np.array([[30, 70], [45, 55], [60, 40]])
    result = independence_test(table)
    reference = stats.chi2_contingency(table, correction=False)
    assert result.method == CHI_SQUARE
    assert result.statistic == pytest.approx(reference.statistic)
    assert result.pvalue == pytest.approx(reference.pvalue)
    assert result.df == reference.dof
    assert result.effect_size == pytest.approx(association(table, method="cramer"))
    assert result.n == 300


def test_chi_square_for_large_2x2_matches_scipy_without_correction():
    table = np.array([[40, 60], [55, 45]])
    result = independence_test(table)
    assert result.method == CHI_SQUARE
    assert result.pvalue == pytest.approx(stats.chi2_contingency(table, correction=False).pvalue)


def test_fisher_used_for_small_2x2():
    table = np.array([[1, 9], [8, 2]])
    result = independence_test(table)
    assert result.method == FISHER_EXACT
    reference = stats.fisher_exact(table)
    assert result.pvalue == pytest.approx(reference.pvalue)
    assert result.odds_ratio == pytest.approx(reference.statistic)
    assert result.min_expected < 5


def test_monte_carlo_for_sparse_larger_table_is_seeded_and_agrees_with_scipy():
    table = np.array([[3, 1], [10, 12], [2, 0], [30, 40]])
    first = independence_test(table, random_state=3)
    assert first.method == MONTE_CARLO
    assert first == independence_test(table, random_state=3)
    reference = stats.chi2_contingency(
        table,
        correction=False,
        method=stats.PermutationMethod(n_resamples=9999, rng=np.random.default_rng(0)),
    )
    assert first.pvalue == pytest.approx(reference.pvalue, abs=0.03)
    assert first.statistic == pytest.approx(stats.chi2_contingency(table, correction=False).statistic)


def test_monte_carlo_three_columns_agrees_with_scipy():
    table = np.array([[3, 1, 0], [10, 12, 8], [2, 0, 1], [30, 40, 20]])
    result = independence_test(table)
    reference = stats.chi2_contingency(
        table,
        correction=False,
        method=stats.PermutationMethod(n_resamples=9999, rng=np.random.default_rng(0)),
    )
    assert result.method == MONTE_CARLO
    assert result.pvalue == pytest.approx(reference.pvalue, abs=0.03)


def test_simulated_tables_keep_margins():
    from comparison.contingency import _simulate_tables

    table = np.array([[3, 1, 4], [10, 12, 8], [2, 0, 1]])
    sims = _simulate_tables(table, 500, np.random.default_rng(0))
    assert (sims >= 0).all()
    assert (sims.sum(axis=2) == table.sum(axis=1)).all()
    assert (sims.sum(axis=1) == table.sum(axis=0)).all()


def test_degenerate_table_raises_instead_of_nan():
    with pytest.raises(DegenerateTableError):
        prevalence_test([0, 0, 0], [10, 12, 9])
    with pytest.raises(InvalidParameterError):
        prevalence_test([11, 0], [10, 12])


def test_prevalence_test_builds_present_absent_table():
    result = prevalence_test([30, 45, 60], [100, 100, 100])
    assert result.statistic == pytest.approx(independence_test([[30, 70], [45, 55], [60, 40]]).statistic)
