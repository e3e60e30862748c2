"""Seeded, verifiable randomisation for individual, cluster and stepped-wedge trials.

Why this shape: an allocation decides who gets a service, so anyone (an auditor, the other
council, a journal) must be able to re-run it and get the same answer. Every function
therefore takes an explicit integer seed (numpy ``Generator(PCG64(seed))``), and returns an
:class:`AllocationResult` carrying the seed, the method and its parameters, a SHA-256 digest of
the canonical JSON of the inputs (unit identifiers and covariates, in order) and a digest of
the allocation itself. :func:`verify_allocation` re-runs the method from those records.

Where to look:

* :mod:`~infuse.stats.randomisation.records`: the :class:`AllocationResult` record and the
  digests of its inputs and allocation;
* :mod:`~infuse.stats.randomisation.individual`: simple, complete and permuted-block
  randomisation of units;
* :mod:`~infuse.stats.randomisation.stratified`: stratified randomisation, of units or clusters;
* :mod:`~infuse.stats.randomisation.clusters`: cluster and stepped-wedge randomisation, and each
  individual's arm from its cluster's;
* :mod:`~infuse.stats.randomisation.rerandomisation`: Morgan & Rubin's (2012) acceptance rule;
* :mod:`~infuse.stats.randomisation.balance`: standardised mean differences between arms;
* :mod:`~infuse.stats.randomisation.verify`: re-running a recorded allocation.

Methods
-------
- simple (independent Bernoulli / multinomial draws), complete (fixed arm sizes),
- blocked (permuted blocks, optionally of random sizes), stratified (blocks or complete
  randomisation within strata formed from covariates, optionally binned),
- cluster and stratified cluster (the same, on clusters), stepped-wedge order (which cluster
  switches at which step),
- optional re-randomisation (Morgan & Rubin 2012): draw complete allocations until one meets a
  stored balance criterion (max |SMD| or Mahalanobis distance), recording the number of draws.

References
----------
- Rosenberger WF, Lachin JM (2016). *Randomization in Clinical Trials*, 2nd ed. Wiley.
- Morgan KL, Rubin DB (2012). Rerandomization to improve covariate balance in experiments.
  *Ann Stat* 40:1263-1282.
- Austin PC (2009). Balance diagnostics for comparing the distribution of baseline covariates
  between treatment groups in propensity-score matched samples. *Stat Med* 28:3083-3107.
- Hussey MA, Hughes JP (2007). Design and analysis of stepped wedge cluster randomized trials.
  *Contemp Clin Trials* 28:182-191.

Every public name is importable from :mod:`infuse.stats`; this package itself exports nothing.
"""

__all__: list[str] = []
