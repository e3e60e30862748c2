"""Least squares with the variance estimators that small, clustered trials need.

Public-service trials often randomise a handful of councils, wards or schools. The usual
cluster-robust variance (CR1) is then biased downwards and its ``G - 1`` degrees of freedom are
too generous, so tests over-reject. This package gives one small OLS core and, around it:

* :mod:`~infuse.stats.regression.ols`: the fit (:func:`fit_ols`, :class:`OLSFit`) with
  classical, HC1 and HC2 (heteroskedasticity-robust) variances, and
  :func:`coefficient_result`, which turns a coefficient or contrast into an
  :class:`~infuse.stats.results.EstimateResult`;
* :mod:`~infuse.stats.regression.cluster_robust`: CR1 (Liang & Zeger 1986 with the Stata
  small-sample factor) and CR2, the bias-reduced linearisation of Bell & McCaffrey (2002), with
  Satterthwaite degrees of freedom for any single coefficient or contrast (Bell & McCaffrey
  2002; Imbens & Kolesár 2016; Pustejovsky & Tipton 2018);
* :mod:`~infuse.stats.regression.wild_bootstrap`: the restricted wild cluster bootstrap (WCR;
  Cameron, Gelbach & Miller 2008; MacKinnon & Webb 2017) for one coefficient, vectorised over
  draws with the algebra of Roodman et al. (2019).

Every public name is importable from :mod:`infuse.stats`; this package itself exports nothing.
"""

__all__: list[str] = []
