"""Tests for ``infuse.stats.estimation.binary``.

Sources: statsmodels Table2x2 (Katz RR, Woolf OR) and confint_proportions_2indep (Wald RD).
"""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.stats.contingency_tables import Table2x2
from statsmodels.stats.proportion import confint_proportions_2indep

from infuse.stats.estimation.binary import binary_effect, binary_effect_from_counts


@pytest.mark.parametrize("counts", [(15, 40, 8, 42), (3, 120, 11, 118), (30, 30, 12, 25)])
def test_binary_measures_match_statsmodels(counts: tuple[int, int, int, int]) -> None:
    a, n1, c, n0 = counts
    table = Table2x2(np.array([[a, n1 - a], [c, n0 - c]]))
    if min(a, n1 - a, c, n0 - c) > 0:
        rr = binary_effect_from_counts(a, n1, c, n0, measure="risk_ratio")
        assert rr.estimate == pytest.approx(table.riskratio, rel=1e-12)
        assert rr.std_error == pytest.approx(table.log_riskratio_se, rel=1e-12)
        assert (rr.ci_low, rr.ci_high) == pytest.approx(table.riskratio_confint(), rel=1e-10)
        assert rr.p_value == pytest.approx(table.log_riskratio_pvalue(), rel=1e-10)
        orr = binary_effect_from_counts(a, n1, c, n0, measure="odds_ratio")
        assert orr.estimate == pytest.approx(table.oddsratio, rel=1e-12)
        assert orr.std_error == pytest.approx(table.log_oddsratio_se, rel=1e-12)
        assert (orr.ci_low, orr.ci_high) == pytest.approx(table.oddsratio_confint(), rel=1e-10)
        assert orr.p_value == pytest.approx(table.log_oddsratio_pvalue(), rel=1e-10)
    else:
        # Zero cell: Haldane-Anscombe, 0.5 added to every cell (statsmodels' shift_zeros
        # shifts only the zero cells, so the published formula is written out instead).
        aa, bb, cc, dd = a + 0.5, n1 - a + 0.5, c + 0.5, n0 - c + 0.5
        orr = binary_effect_from_counts(a, n1, c, n0, measure="odds_ratio")
        assert orr.estimate == pytest.approx(aa * dd / (bb * cc), rel=1e-12)
        se = np.sqrt(1 / aa + 1 / bb + 1 / cc + 1 / dd)
        assert orr.std_error == pytest.approx(se, rel=1e-12)
        assert [w.code for w in orr.warnings] == ["zero_cell"]
    rd = binary_effect_from_counts(a, n1, c, n0, measure="risk_difference")
    low, high = confint_proportions_2indep(a, n1, c, n0, method="wald", compare="diff")
    assert rd.estimate == pytest.approx(a / n1 - c / n0, rel=1e-12)
    if rd.std_error > 0:
        assert (rd.ci_low, rd.ci_high) == pytest.approx((low, high), rel=1e-10)
    y = np.r_[np.ones(a), np.zeros(n1 - a), np.ones(c), np.zeros(n0 - c)]
    z = np.r_[np.ones(n1), np.zeros(n0)]
    assert binary_effect(y, z, measure="risk_difference").estimate == rd.estimate
