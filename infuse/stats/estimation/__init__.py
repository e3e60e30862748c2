"""Effect estimates for randomised trials: the numbers a trial report leads with.

Each function takes plain arrays (one row per unit) and returns an
:class:`~infuse.stats.results.EstimateResult` (or a small frozen dataclass for outputs that
are not one effect), with the method, its assumptions and any data warnings on the result.

Where to look:

* :mod:`~infuse.stats.estimation.means`: difference in means (Welch or classical), also from
  per-arm summaries (:class:`ArmSummary`);
* :mod:`~infuse.stats.estimation.binary`: risk difference, risk ratio and odds ratio;
* :mod:`~infuse.stats.estimation.covariate_adjustment`: Lin (2013) interacted regression and
  CUPED, from unit data or per-arm summaries;
* :mod:`~infuse.stats.estimation.cluster`: cluster-randomised trials (CR2, randomisation
  inference and the wild bootstrap with few clusters);
* :mod:`~infuse.stats.estimation.stepped_wedge`: stepped-wedge trials;
* :mod:`~infuse.stats.estimation.heterogeneity`: effects by subgroup and their interaction test;
* :mod:`~infuse.stats.estimation.meta_analysis`: random-effects pooling of several experiments'
  effects on one outcome (REML or DerSimonian–Laird, Hartung–Knapp);
* :mod:`~infuse.stats.estimation.multiplicity`: Holm and Benjamini-Hochberg adjusted p-values;
* :mod:`~infuse.stats.estimation.sample_ratio`: the sample-ratio-mismatch check.

Design choices:

* Unit-level estimators work from per-arm sufficient statistics (counts, means, centred
  cross-products), so a 10-million-row trial costs a few passes over the columns and no
  design matrix; CUPED reproduces OLS on ``[1, T, X]`` exactly from those sums.
* Anything clustered goes through :mod:`infuse.stats.regression` with CR2 and Bell–McCaffrey
  degrees of freedom, and with fewer than 20 clusters also reports the randomisation-inference
  and wild-bootstrap p-values, because that is where CR1 and normal theory fail.

Every public name is importable from :mod:`infuse.stats`; this package itself exports nothing.
"""

__all__: list[str] = []
