"""The trend and funnel charts: valid SVG with a text alternative, points where the limits say."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from django.utils import translation
from scipy import stats

from infuse.datalab.indicators.charts import (
    TrendPoint,
    build_funnel,
    funnel_svg,
    trend_svg,
)

SVG = "{http://www.w3.org/2000/svg}"


def parse(chart: str) -> ET.Element:
    """The chart's ``<svg>`` (out of the box that scrolls it on a narrow screen)."""
    svg = chart[chart.index("<svg ") : chart.rindex("</svg>") + len("</svg>")]
    return ET.fromstring(  # noqa: S314 - our own output, not untrusted input
        svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
    )


def test_trend_chart_names_what_it_shows():
    points = [
        TrendPoint("2022-23", 12.0, 10.0, 14.0, 11.0),
        TrendPoint("2023-24", None, None, None, 11.5),  # suppressed for the public
        TrendPoint("2024-25", 15.0, 13.0, 17.5, 12.0),
    ]
    with translation.override("en"):
        root = parse(trend_svg(points, council_name="Torfaen", unit_label="Percentage"))
    assert root.get("role") == "img"
    ids = root.get("aria-labelledby", "").split()
    titles = {e.get("id"): e.text for e in root if e.get("id")}
    assert all(i in titles for i in ids)
    assert "Torfaen" in titles[ids[0]] and "2022-23" in titles[ids[1]]
    assert len(root.findall(f"{SVG}circle")) == 2  # no marker for the hidden period
    assert len(root.findall(f"{SVG}rect")) == 3


def test_the_funnel_places_councils_by_the_exact_binomial_limits():
    # Region 20%. At n = 400 the 99.8% exact limits are about 14.6%..25.8%:
    # 21% is inside 95%; 25% between the 95% and 99.8% limits; 30% outside.
    funnel = build_funnel(
        "percentage", 20.0, [("Inside", 400, 21.0), ("Between", 400, 25.0), ("Out", 400, 30.0)]
    )
    assert funnel is not None
    places = {p.name: p.position for p in funnel.points}
    assert places == {"Inside": "within", "Between": "between", "Out": "outside"}
    # Independently, from scipy's binomial quantiles at n = 400, p = 0.2 (the interpolation
    # moves a limit by less than one event, 0.25 points): the chosen values are well clear.
    low95, high95, _low998, high998 = stats.binom.ppf([0.025, 0.975, 0.001, 0.999], 400, 0.2) / 4
    assert low95 + 0.5 < 21.0 < high95 - 0.5
    assert high95 + 0.5 < 25.0 < high998 - 0.5
    assert high998 + 0.5 < 30.0
    at_400 = build_funnel("percentage", 20.0, [("x", 400, 20.0)])
    assert at_400 is not None
    index = int(abs(at_400.curve.denominator - 400).argmin())
    assert abs(at_400.curve.upper[0.998][index] * 100 - high998) < 1.5


def test_rates_use_poisson_limits_and_counts_have_no_funnel():
    funnel = build_funnel(
        "rate_per_100000", 500.0, [("Small", 10_000, 700.0), ("Large", 1_000_000, 520.0)]
    )
    assert funnel is not None
    places = {p.name: p.position for p in funnel.points}
    # 70 events where 50 expected: inside 99.8% (P(X >= 70 | 50) ~ 0.004); 5,200 where
    # 5,000 expected is 2.8 SD out, beyond the 95% but inside the 99.8% limits.
    assert stats.poisson.sf(69, 50) > 0.001
    assert places == {"Small": "between", "Large": "between"}
    assert build_funnel("count", 10.0, [("a", 1.0, 3.0)]) is None
    assert build_funnel("percentage", 10.0, [("a", 0.0, 3.0)]) is None


def test_funnel_svg_has_one_marker_per_council_and_both_limits():
    funnel = build_funnel(
        "percentage",
        20.0,
        [("A", 100, 18.0), ("B", 250, 30.0), ("C", 900, 21.0), ("D", 60, 40.0)],
    )
    assert funnel is not None
    with translation.override("en"):
        root = parse(funnel_svg(funnel, unit_label="Percentage", x_label="Number of people"))
    markers = [e for e in root if e.find(f"{SVG}title") is not None]
    assert sorted(m.find(f"{SVG}title").text.split(":")[0] for m in markers) == [
        "A",
        "B",
        "C",
        "D",
    ]
    classes = [e.get("class") for e in root.iter() if e.get("class")]
    assert classes.count("infuse-chart__limit95") == 2
    assert classes.count("infuse-chart__limit998") == 2
    desc = root.find(f"{SVG}desc").text
    assert "4 councils" in desc
