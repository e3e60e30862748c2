"""Modules imported the first time code uses them, not when the module naming them is imported.

Why: the web server, the console script and the worker import every view, command and task at
start-up, but a page that lists datasets needs neither pandas nor scipy, and ``infuse --help``
needs nothing at all. Importing the statistical engine and the analytics stack costs seconds and
hundreds of megabytes per process, so the modules that cross from light code into heavy code
name the heavy module here instead of importing it::

    if TYPE_CHECKING:
        import pandas as pd
    else:
        pd = lazy.module("pandas")

Type checkers and import-linter read the ``TYPE_CHECKING`` import (so types and layers are
checked as if it were a plain import); at run time the name is a stand-in that imports the
module on its first attribute access. Unlike ``importlib.util.LazyLoader`` it goes through
``importlib.import_module``, so two threads using it at once are serialised by the import lock.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any, cast


class _Deferred:
    """Stands in for a module until first used; then forwards every attribute to it."""

    __slots__ = ("_module", "_name")

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def _load(self) -> ModuleType:
        if self._module is None:
            self._module = importlib.import_module(self._name)
        return self._module

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._load(), attribute)

    def __dir__(self) -> list[str]:
        return dir(self._load())

    def __repr__(self) -> str:
        state = "imported" if self._module is not None else "not imported yet"
        return f"<module {self._name!r}, {state}>"


def module(name: str) -> ModuleType:
    """A stand-in for the module ``name`` that imports it on first use (see the module's doc)."""
    return cast(ModuleType, _Deferred(name))
