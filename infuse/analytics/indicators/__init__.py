"""Indicators as Ibis expressions: one definition, the same numbers on DuckDB and on Spark.

An :class:`IndicatorSpec` says how to turn rows of a dataset version into values per council and
period: a numerator aggregation (count rows, sum a column, count distinct values), an optional
denominator (a column summed over the same rows, or a population table joined by council and
optionally period), filters, the period grain, the unit and the polarity.

:func:`indicator_expression` builds one Ibis expression returning
``council, period, numerator, denominator, value`` with one row per council × period and one
region row per period (``council`` is None), computed from the rows themselves in the same
expression — so a count of distinct people in the region is not the sum of the councils' counts.

Exactness. Numerators and denominators are aggregated in the column's own type: integer sums stay
integers and decimal sums stay decimals (no float rounding in the totals). Only the final value
is computed in float64, as ``(numerator × multiplier) / denominator``; IEEE 754 makes that step
identical on every engine. A zero denominator gives a null value, not an error or infinity.

Semantics worth knowing (the same as SQL's, and therefore the same on both engines):

- Rows whose council or period is null are left out of every row, the region's included: they
  cannot be placed on a council or in time.
- A comparison filter (=, !=, <, in, not in, between …) never matches a null; use ``is null``.
- Financial years run April to March and are labelled ``"2023-24"``; years ``"2023"``, quarters
  ``"2023-Q1"`` (calendar quarters), months ``"2023-04"``. An existing period column is used as
  it is, as text.
- With a population denominator the population table defines the region: the region row
  counts only the rows of councils in that table, its denominator is the sum over all of them,
  and a council with no rows in a period in which other councils have rows gets a numerator of
  0 (a real zero rate), not a missing row. A council in the data but not in the population table
  still gets its own row, with no denominator and no value, so it is seen rather than dropped.

Errors in a specification are found all at once and raised as one :class:`IndicatorSpecError`
carrying a stable message key, parameters and the list of problems.

The package: :mod:`.spec` (the specification, its JSON form and its errors),
:mod:`.validation` (checking a specification against a table's schema) and :mod:`.expressions`
(the Ibis expressions and the one-call computation); its public names are those of
:mod:`infuse.analytics`.
"""
