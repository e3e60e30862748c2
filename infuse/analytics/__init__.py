"""The analytics layer: aggregations written once as Ibis expressions.

DuckDB runs them in-process over Parquet files by default; the same expressions run on Spark.
This package imports nothing from Django or the rest of InFuSe, so services and background
tasks can call it and it can be tested alone.
"""

# Why lazy: services name the analytics layer at import time, but a page or a command that does
# not compute anything should not pay for Ibis, pandas and DuckDB. Each public name is declared
# once, in __init__.pyi; its module is imported the first time the name is used.
import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
