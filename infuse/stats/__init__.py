"""The InFuSe statistical engine: power, randomisation, estimation and inference.

A pure library (numpy, scipy, statsmodels, pandas): nothing here imports Django or any other
part of InFuSe, so it can be tested, benchmarked and reused on its own. The code is grouped by
topic: ``power/``, ``randomisation/``, ``estimation/``, ``quasi/`` (the quasi-experiments) and
``regression/``, with randomisation inference, indicator intervals, the result types and their
JSON form beside them. Every public name is importable from here, and only from here and its
own module; formulas and references are in docs/stats.md.
"""

# Why lazy: the web process, the commands and the models name the engine, but most requests and
# every `--help` use none of it; importing scipy, pandas and statsmodels costs about a second and
# ~250 MB per process. Each public name is declared once, in __init__.pyi (which type checkers
# read); its module is imported the first time the name is used.
import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
