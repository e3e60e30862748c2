"""The engine's shared pieces (``infuse.stats._common``): the deferred module, seen from fresh
interpreters, and the Wald interval against scipy.stats' distributions."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from infuse.stats._common import wald_interval
from tests.imports import loaded_after

NAMED = (
    "from infuse.stats._common import deferred_module\n"
    "minidom = deferred_module('xml.dom.minidom')\n"
)


def test_a_deferred_module_is_not_imported_when_named():
    code = NAMED + "assert repr(minidom) == \"<module 'xml.dom.minidom', not imported yet>\"\n"
    assert loaded_after(code, {"xml.dom.minidom"}) == []


def test_a_deferred_module_is_imported_on_first_use_and_then_forwards_to_it():
    used = NAMED + (
        "print(minidom.parseString('<a/>').documentElement.tagName)\n"
        "import sys\n"
        "assert minidom.parseString is sys.modules['xml.dom.minidom'].parseString\n"
    )
    assert loaded_after(used, {"xml.dom.minidom"}) == ["xml.dom.minidom"]


@pytest.mark.parametrize("df", [None, 0.3, 1.0, 2.5, 7.0, 31.7, 1e3, 1e7 - 3, math.inf, 0.0])
@pytest.mark.parametrize("conf_level", [0.8, 0.95, 0.999])
def test_wald_interval_is_scipy_stats_t_or_normal_bit_for_bit(df, conf_level):
    """The interval takes its quantiles and tails from scipy.special so as not to import
    scipy.stats: scipy.stats' own t and normal distributions must give the same numbers (and NaN
    where t has no such df), or every published comparison in the suite has shifted."""
    dist = stats.norm if df is None else stats.t(df)
    for estimate, se in [(1.5, 0.4), (-0.02, 0.018968), (40.0, 1.0), (3e-9, 1e-9)]:
        q = float(dist.ppf(0.5 + conf_level / 2))
        expected = (estimate - q * se, estimate + q * se, float(2 * dist.sf(abs(estimate) / se)))
        got = wald_interval(estimate, se, df, conf_level)
        assert got == expected or (math.isnan(q) and all(map(math.isnan, got))), (got, expected)
