"""The InFuSe statistical engine: power, randomisation, estimation and inference.

A pure library (numpy, scipy, statsmodels, pandas): nothing here imports Django or
any other part of InFuSe, so it can be tested, benchmarked and reused on its own.
Every public name of the submodules is re-exported here; each submodule lists its
public names in ``__all__``.
"""

from infuse.stats.results import EstimateResult, StatWarning, json_ready

__all__ = ["EstimateResult", "StatWarning", "json_ready"]
