"""Power, sample size and minimum detectable effect for trial designs.

Why this package exists: a council trial is usually small and clustered, so the question "how
many wards (or councils) do we need?" has to be answered with the clustering and the
few-cluster degrees of freedom built in, not with the individual-level normal formula that
overstates power.

Where to look:

* closed forms, each solving for whichever one of effect, sample size or power is left as
  ``None`` and returning a :class:`~infuse.stats.power.result.PowerResult`:
  :mod:`~infuse.stats.power.two_arm` (individually randomised, continuous or binary),
  :mod:`~infuse.stats.power.cluster` (parallel cluster-randomised trials, design effects) and
  :mod:`~infuse.stats.power.stepped_wedge` (schedules and the Hussey & Hughes variance);
* by simulation, for any design the engine can analyse, with the analysis as planned:
  :mod:`~infuse.stats.power.simulation` (the driver) and
  :mod:`~infuse.stats.power.simulated_designs` (the built-in, vectorised designs);
* from the outcome's own history, for quasi-experiments, by placebo trials on past data:
  :mod:`~infuse.stats.power.historical`.

Every public name is importable from :mod:`infuse.stats`; this package itself exports nothing.
"""

__all__: list[str] = []
