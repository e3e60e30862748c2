"""Everything public in the engine's modules is importable from ``infuse.stats`` itself."""

import importlib
import inspect
import pkgutil

import infuse.stats
from tests.imports import loaded_by


def test_every_public_name_of_every_module_is_exported():
    for module_info in pkgutil.iter_modules(infuse.stats.__path__):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"infuse.stats.{module_info.name}")
        names = getattr(module, "__all__", None)
        assert names is not None, f"infuse.stats.{module_info.name} must define __all__"
        for name in names:
            assert getattr(infuse.stats, name) is getattr(module, name), name
            assert name in infuse.stats.__all__, name


def test_every_public_name_of_every_topic_module_is_exported_and_defined_once():
    """The same for the modules inside the topic folders (power/, estimation/, quasi/...), whose
    packages export nothing themselves: a name has one home and one way in (infuse.stats)."""
    for module_info in pkgutil.walk_packages(infuse.stats.__path__, "infuse.stats."):
        if any(part.startswith("_") for part in module_info.name.split(".")):
            continue
        module = importlib.import_module(module_info.name)
        names = getattr(module, "__all__", None)
        assert names is not None, f"{module_info.name} must define __all__"
        if module_info.ispkg:
            assert names == [], f"{module_info.name} is a topic folder: it re-exports nothing"
        for name in names:
            assert getattr(infuse.stats, name) is getattr(module, name), name
            assert name in infuse.stats.__all__, name
            obj = getattr(module, name)
            if inspect.isclass(obj) or inspect.isfunction(obj):
                assert obj.__module__ == module_info.name, f"{name} is defined elsewhere"


def test_results_are_json_serialisable_end_to_end():
    import json

    import numpy as np

    rng = np.random.default_rng(7)
    y = rng.normal(size=200)
    treated = np.repeat([0, 1], 100)
    result = infuse.stats.difference_in_means(y, treated)
    assert json.loads(json.dumps(result.to_dict()))["method"] == result.method


def test_naming_the_engine_imports_none_of_it():
    """The web process, the commands and the models name ``infuse.stats``; scipy, pandas and
    statsmodels load only when an estimator is first used (a fresh interpreter shows it)."""
    assert loaded_by("infuse.stats", {"scipy", "pandas", "statsmodels"}) == []
