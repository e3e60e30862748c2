"""Quasi-experiments: effects of changes that were not randomised.

When councils choose (rather than are assigned) whether and when to adopt a change, the engine
compares how outcomes *change* against a counterfactual built from the data:

* :mod:`~infuse.stats.quasi.did`: difference-in-differences, the 2x2 and two-way fixed effects
  regressions (:func:`did_2x2`, :func:`twfe_did`);
* :mod:`~infuse.stats.quasi.event_study`: leads and lags of adoption (:func:`event_study`);
* :mod:`~infuse.stats.quasi.callaway_santanna`: group-time effects for staggered adoption
  (Callaway & Sant'Anna 2021);
* :mod:`~infuse.stats.quasi.sun_abraham`: the interaction-weighted event study (Sun & Abraham
  2021);
* :mod:`~infuse.stats.quasi.its`: interrupted time series, single and comparative, with
  Newey-West errors;
* :mod:`~infuse.stats.quasi.synthetic_control`: synthetic control with placebo inference.

The power of these designs on an outcome's own history is in
:mod:`infuse.stats.power.historical`. Every public name is importable from :mod:`infuse.stats`;
this package itself exports nothing.
"""

__all__: list[str] = []
